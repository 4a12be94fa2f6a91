//! `facelic device-code`: the code an app with these attributes computes.

use std::process::ExitCode;

use facelic_issuer::{DeviceCode, IdentityProfile};

use super::CliError;

/// Arguments of `facelic device-code`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A device attribute, e.g. `android-id=9774d56d682e549c` (repeatable).
    #[arg(long = "attr", value_name = "NAME=VALUE", required = true)]
    attrs: Vec<String>,
    /// The app's identity profile (`android-id`, `widevine`,
    /// `android-id+widevine`): the attributes must be exactly the profile's.
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
    /// Print `{"device_code": ...}` instead of the bare code.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, CliError> {
    let pairs = args
        .attrs
        .iter()
        .map(|a| {
            a.split_once('=')
                .ok_or_else(|| CliError::input(format!("--attr {a:?}: expected NAME=VALUE")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let code = match &args.profile {
        Some(name) => {
            let profile: IdentityProfile = name
                .parse()
                .map_err(|e| CliError::input(format!("--profile {name:?}: {e}")))?;
            profile.derive(&pairs).map_err(|e| match e {
                facelic_issuer::DeviceCodeError::Profile(_) => CliError::input(format!(
                    "--profile {profile} takes exactly --attr {}",
                    profile.attributes().join("=... --attr ") + "=..."
                )),
                other => CliError::input(other.to_string()),
            })?
        }
        None => DeviceCode::derive(&pairs).map_err(|e| CliError::input(e.to_string()))?,
    };
    if args.json {
        println!("{}", serde_json::json!({ "device_code": code.to_string() }));
    } else {
        println!("{code}");
    }
    Ok(ExitCode::SUCCESS)
}
