//! What an app pays at start-up: load the verifier, read a license and a
//! keyring from disk, verify once. Usage:
//! `cold_verify LICENSE KEYRING DEVICE_CODE [REPEAT [fresh]]` (exit 0 when
//! valid); with `fresh`, each repetition uses a new verifier (no cached
//! certificate). `scripts/bench-report` times whole runs of it with
//! hyperfine and counts its instructions with callgrind.

use facelic_verifier::{Context, Keyring, Timestamp, Verifier};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(license), Some(keyring), Some(device)) = (args.get(1), args.get(2), args.get(3))
    else {
        eprintln!("usage: cold_verify LICENSE KEYRING DEVICE_CODE [REPEAT]");
        return std::process::ExitCode::from(2);
    };
    let repeat: u32 = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(1);
    let fresh = args.get(5).is_some_and(|a| a == "fresh");
    let run = || -> Result<(), String> {
        let text = std::fs::read(license).map_err(|e| e.to_string())?;
        let ring = Keyring::from_pem(&std::fs::read_to_string(keyring).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let verifier = Verifier::new(ring.clone());
        let now = Timestamp::parse("2026-11-15T12:00:00Z").ok_or("time")?;
        let context = Context::at(now).device(device.parse().map_err(|e| format!("{e}"))?);
        for _ in 0..repeat {
            let result = match fresh {
                true => Verifier::new(ring.clone()).verify(&text, &context),
                false => verifier.verify(&text, &context),
            };
            result.map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cold_verify: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
