//! Printing an HTML document to PDF with headless Chromium.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::CliError;

/// Longest a print may take before it is abandoned.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

/// The Chromium binary: `FACELIC_CHROMIUM`, else the first of the usual
/// names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FACELIC_CHROMIUM") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// Prints `html` (a self-contained page) to A4 PDF bytes.
pub(crate) fn print(html: &str) -> Result<Vec<u8>, CliError> {
    let browser = chromium().ok_or_else(|| {
        CliError::input(
            "printing a PDF needs headless Chromium, which is not installed: install it (Debian/Ubuntu: `apt-get install chromium`), set FACELIC_CHROMIUM to its path, or use --format html and print that",
        )
    })?;
    let dir = tempfile::tempdir().map_err(CliError::io(&std::env::temp_dir()))?;
    let page = dir.path().join("document.html");
    let pdf = dir.path().join("document.pdf");
    std::fs::write(&page, html).map_err(CliError::io(&page))?;
    let mut child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(CliError::io(&browser))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(CliError::io(&browser))? {
            break status;
        }
        if started.elapsed() > PRINT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CliError::input(format!(
                "{} did not print the PDF within {} s",
                browser.display(),
                PRINT_TIMEOUT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF-") {
        return Err(CliError::input(format!(
            "{} could not print the PDF ({status})",
            browser.display()
        )));
    }
    Ok(bytes)
}
