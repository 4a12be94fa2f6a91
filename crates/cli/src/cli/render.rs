//! How licenses are shown: a readable summary, or JSON.

use facelic_issuer::License;
use facelic_verifier::VerifiedLicense;
use serde_json::{Value, json};

/// A license as a JSON object (the same field names as the license payload, with `_`).
pub(crate) fn license_json(license: &License) -> Value {
    let mut obj = json!({
        "serial": license.serial.to_string(),
        "kind": license.kind.as_str(),
        "product": license.product,
        "features": license.features.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "customer_id": license.customer_id,
        "customer_name": license.customer_name,
        "order_id": license.order_id,
        "issued_at": license.issued_at.to_string(),
        "not_before": license.not_before.to_string(),
        "not_after": license.not_after.map(|t| t.to_string()),
    });
    let binding = &license.binding;
    if let Some(code) = binding.device() {
        obj["device"] = json!(code.to_string());
    }
    if let Some(name) = binding.package() {
        obj["package"] = json!(name);
    }
    if let Some(cert) = binding.cert_sha256() {
        obj["cert_sha256"] = json!(cert.iter().map(|b| format!("{b:02x}")).collect::<String>());
    }
    obj
}

/// A verified license as JSON: `{"valid": true, "key_id": ..., "root_key_id":
/// ... (format 2, else null), "license": {...}}`.
pub(crate) fn verified_json(verified: &VerifiedLicense) -> Value {
    json!({
        "valid": true,
        "key_id": verified.key_id().to_string(),
        "root_key_id": verified.root_key_id().map(|id| id.to_string()),
        "license": license_json(verified.license()),
    })
}

/// A readable multi-line summary of a license.
pub(crate) fn license_text(license: &License) -> String {
    let features: Vec<&str> = license.features.iter().map(|f| f.as_str()).collect();
    let binding = &license.binding;
    let pinned = match binding.cert_sha256() {
        Some(_) => " (signing certificate pinned)",
        None => "",
    };
    let bound = match (binding.device(), binding.package()) {
        (Some(code), _) => format!("device   {code}"),
        (None, name) => format!("package  {}{pinned}", name.unwrap_or_default()),
    };
    let until = license
        .not_after
        .map_or_else(|| "perpetual".to_owned(), |t| t.to_string());
    format!(
        "  serial   {}\n  kind     {}\n  product  {} ({})\n  customer {} ({})\n  order    {}\n  {bound}\n  valid    {} to {until}\n  issued   {}",
        license.serial,
        license.kind,
        license.product,
        features.join(", "),
        license.customer_name,
        license.customer_id,
        license.order_id,
        license.not_before,
        license.issued_at,
    )
}

/// A plain table with a header row.
pub(crate) fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header(headers.iter().copied());
    for row in rows {
        table.add_row(row);
    }
    table.to_string()
}

/// What a license is bound to: its device code or package name.
pub(crate) fn bound_to(l: &facelic_issuer::desk::LicenseRecord) -> String {
    match (&l.device, &l.package) {
        (Some(code), _) => code.to_string(),
        (None, Some(package)) => package.clone(),
        (None, None) => String::new(),
    }
}

/// The end of a license's validity, or `perpetual`.
pub(crate) fn valid_until(l: &facelic_issuer::desk::LicenseRecord) -> String {
    l.not_after
        .map_or_else(|| "perpetual".to_owned(), |t| t.to_string())
}

/// The `license list` table.
pub(crate) fn licenses_table(list: &[facelic_issuer::desk::LicenseRecord]) -> String {
    let rows = list
        .iter()
        .map(|l| {
            vec![
                l.serial.to_string(),
                l.status.to_string(),
                l.order_id.clone(),
                l.product.clone(),
                l.kind.to_string(),
                bound_to(l),
                valid_until(l),
            ]
        })
        .collect();
    table(
        &[
            "serial",
            "status",
            "order",
            "product",
            "kind",
            "device / package",
            "valid until",
        ],
        rows,
    )
}
