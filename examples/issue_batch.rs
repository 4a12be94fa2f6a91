//! Issues N device licenses on a fresh desk and prints the time it took
//! (a profiling aid for the `issue_10k` bench). Usage: issue_batch [N] [DIR] [zip]:
//! the licenses go to DIR/out, or with `zip` to the archive DIR/out.zip.

use std::time::Instant;

use facelic_issuer::desk::{Clock, Desk, NewOrder, Session};
use facelic_issuer::{DeviceCode, Kind, Timestamp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args().nth(1).map_or(Ok(10_000), |a| a.parse())?;
    let dir = match std::env::args().nth(2) {
        Some(d) => std::path::PathBuf::from(d),
        None => tempfile::tempdir()?.keep(),
    };
    let now = Timestamp::parse("2026-11-23T00:00:00Z").ok_or("time")?;
    let (mut desk, _) = Desk::init(
        &dir.join("desk"),
        Session::new(Clock::Fixed(now), "example")?,
    )?;
    let customer = desk.add_customer("Acme")?;
    let order = desk.create_order(&NewOrder {
        customer: customer.id,
        product: "face-detect".into(),
        kind: Kind::Device,
        devices: Some(n.max(50)),
        package: None,
        start: None,
        cert_sha256: None,
        discount_pct: None,
        quote: None,
    })?;
    let codes: Vec<DeviceCode> = (0..n)
        .map(|i| DeviceCode::derive(&[("android-id", format!("{i:016x}"))]))
        .collect::<Result<_, _>>()?;
    let out = match std::env::args().nth(3).as_deref() {
        Some("zip") => dir.join("out.zip"),
        _ => dir.join("out"),
    };
    let start = Instant::now();
    let report = desk.issue_devices(&order.id, &codes, &out, &mut |_, _| {})?;
    let took = start.elapsed();
    println!(
        "{} licenses in {took:?} ({:?} each) into {}",
        report.issued.len(),
        took / n.max(1) as u32,
        dir.display()
    );
    Ok(())
}
