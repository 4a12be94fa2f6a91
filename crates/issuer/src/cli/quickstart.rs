//! `facelic quickstart`: a guided tour on a fresh temporary directory.

use std::process::ExitCode;

use facelic_issuer::{
    Binding, DeviceCode, Feature, IssuerKey, Kind, License, Timestamp, new_serial,
};
use facelic_verifier::{Context, Verifier};

use super::{CliError, clock};

/// Arguments of `facelic quickstart`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Keep the temporary directory and print its path.
    #[arg(long)]
    keep: bool,
}

const DAY: i64 = 86_400;

pub(crate) fn run(args: &Args) -> Result<ExitCode, CliError> {
    let dir = tempfile::Builder::new()
        .prefix("facelic-quickstart-")
        .tempdir()
        .map_err(CliError::io(std::path::Path::new("temporary directory")))?;
    let now = clock::now()?;
    println!("facelic quickstart, in {}", dir.path().display());

    let key = IssuerKey::generate()?;
    let keys_dir = dir.path().join("keys");
    key.write_to_dir(&keys_dir, false)?;
    println!("1. made an issuer key pair, key id {}", key.key_id());
    println!(
        "   {}/issuer.key (PKCS#8 PEM, mode 0600), issuer.pub (SPKI PEM)",
        keys_dir.display()
    );
    let keyring = facelic_issuer::keyring::load(&keys_dir)?;
    let verifier = Verifier::new(keyring);

    let device = DeviceCode::derive(&[
        ("android-id", "9774d56d682e549c"),
        ("widevine-id", "2a6f0e7c"),
    ])
    .map_err(|e| CliError::input(e.to_string()))?;
    println!(
        "2. a device with android-id=9774d56d682e549c, widevine-id=2a6f0e7c has device code {device}"
    );

    let package = "com.acme.gate";
    let cases = [
        (Kind::Device, None),
        (Kind::DeviceTrial, Some(30 * DAY)),
        (Kind::Platform, Some(365 * DAY)),
        (Kind::PlatformTrial, Some(30 * DAY)),
    ];
    println!("3. signed and verified one license of each kind:");
    let mut device_license = String::new();
    for (kind, term) in cases {
        let binding = if kind.is_device_bound() {
            Binding::Device(device)
        } else {
            Binding::Package {
                name: package.to_owned(),
                cert_sha256: None,
            }
        };
        let license = License {
            serial: new_serial(),
            kind,
            product: "ir-liveness".into(),
            features: [Feature::Detect, Feature::IrLiveness].into_iter().collect(),
            customer_id: "C-0001".into(),
            customer_name: "Acme Gate Systems".into(),
            order_id: "O-0001".into(),
            issued_at: now,
            not_before: now,
            not_after: term.map(|secs| now.saturating_add(secs)),
            binding,
        };
        let text = key.sign(&license)?;
        let path = dir.path().join(format!("{kind}.lic"));
        std::fs::write(&path, &text).map_err(CliError::io(&path))?;
        let context = Context::at(now).device(device).package(package);
        let verdict = match verifier.verify(&text, &context) {
            Ok(v) => format!(
                "valid, until {}",
                v.not_after
                    .map_or("forever (perpetual)".into(), |t: Timestamp| t.to_string())
            ),
            Err(e) => format!("REJECTED: {e}"),
        };
        println!(
            "   {:<15} {:>4} bytes  {verdict}",
            kind.as_str(),
            text.len()
        );
        if kind == Kind::Device {
            device_license = text;
        }
    }

    println!("4. the device license on another device is refused:");
    let other = DeviceCode::derive(&[("android-id", "0000000000000001")])
        .map_err(|e| CliError::input(e.to_string()))?;
    match verifier.verify(&device_license, &Context::at(now).device(other)) {
        Err(e) => println!(
            "   device {other}: {e} (error code {} {})",
            e.code(),
            e.name()
        ),
        Ok(_) => println!("   device {other}: unexpectedly valid"),
    }
    println!("   and so is a copy with one character of its body changed:");
    let tampered = tamper(&device_license);
    match verifier.verify(&tampered, &Context::at(now).device(device)) {
        Err(e) => println!("   {e} (error code {} {})", e.code(), e.name()),
        Ok(_) => println!("   unexpectedly valid"),
    }

    println!("\nThe device license as a customer receives it:\n\n{device_license}");
    if args.keep {
        let kept = dir.keep();
        println!("kept {}", kept.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Changes one character in the middle of the license body.
fn tamper(text: &str) -> String {
    let body_line = text.lines().rev().nth(2).unwrap_or_default();
    let mut changed: Vec<char> = body_line.chars().collect();
    if let Some(c) = changed.get_mut(10) {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    text.replacen(body_line, &changed.into_iter().collect::<String>(), 1)
}
