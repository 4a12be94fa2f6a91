//! Looking licenses up.

use serde::Serialize;

use super::fields::{display, display_opt};
use super::{Db, Desk, NotFound, Result, ledger};
use crate::{DeviceCode, Kind, Serial, Timestamp};

/// Where a license stands, as of the desk's now. Computed in one place
/// ([`LicenseStatus::of`]) for lookups and for licenses just issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LicenseStatus {
    /// Valid now.
    Active,
    /// Its validity starts later (a renewal issued before its term).
    NotYetValid,
    /// Its validity ended.
    Expired,
    /// Revoked.
    Revoked,
    /// Revoked because its seat moved to a replacement device.
    Replaced,
}

impl LicenseStatus {
    /// The status of a license with these dates and revocation state at `now`.
    pub fn of(
        revoked: bool,
        replaced: bool,
        not_before: Timestamp,
        not_after: Option<Timestamp>,
        now: Timestamp,
    ) -> Self {
        if replaced {
            LicenseStatus::Replaced
        } else if revoked {
            LicenseStatus::Revoked
        } else if not_after.is_some_and(|end| end <= now) {
            LicenseStatus::Expired
        } else if not_before > now {
            LicenseStatus::NotYetValid
        } else {
            LicenseStatus::Active
        }
    }

    /// The name shown in listings and JSON: `active`, `not-yet-valid`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseStatus::Active => "active",
            LicenseStatus::NotYetValid => "not-yet-valid",
            LicenseStatus::Expired => "expired",
            LicenseStatus::Revoked => "revoked",
            LicenseStatus::Replaced => "replaced",
        }
    }
}

impl std::fmt::Display for LicenseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A license as the ledger records it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LicenseRecord {
    /// Serial (UUID).
    #[serde(serialize_with = "display")]
    pub serial: Serial,
    /// Where it stands as of the desk's now.
    pub status: LicenseStatus,
    /// Order id.
    pub order_id: String,
    /// Customer id.
    pub customer_id: String,
    /// Product id.
    pub product: String,
    /// Kind of license.
    #[serde(serialize_with = "display")]
    pub kind: Kind,
    /// Bound device code (device kinds).
    #[serde(serialize_with = "display_opt")]
    pub device: Option<DeviceCode>,
    /// Bound package name (platform kinds).
    pub package: Option<String>,
    /// Id of the key that signed it.
    pub key_id: String,
    /// When it was issued.
    #[serde(serialize_with = "display")]
    pub issued_at: Timestamp,
    /// Start of validity.
    #[serde(serialize_with = "display")]
    pub not_before: Timestamp,
    /// End of validity (exclusive); `None` for perpetual.
    #[serde(serialize_with = "display_opt")]
    pub not_after: Option<Timestamp>,
    /// When it was revoked.
    #[serde(serialize_with = "display_opt")]
    pub revoked_at: Option<Timestamp>,
    /// Why it was revoked.
    pub revoke_reason: Option<String>,
    /// Serial of the license that took over its seat.
    #[serde(serialize_with = "display_opt")]
    pub replaced_by: Option<Serial>,
    /// File name it is written under.
    pub file_name: String,
    /// The license text (only when one license is looked up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Loads one license with its text.
pub(crate) fn load_license(db: &Db, serial: &str, now: Timestamp) -> Result<LicenseRecord> {
    let serial = serial.trim().to_ascii_lowercase();
    ledger::licenses::by_serial(db, &serial, now)?.ok_or_else(|| NotFound::License(serial).into())
}

/// Which licenses to list.
#[derive(Debug, Clone, Default)]
pub struct LicenseFilter {
    /// Only this customer's (id or exact name).
    pub customer: Option<String>,
    /// Only this product's.
    pub product: Option<String>,
    /// Only this order's.
    pub order: Option<String>,
    /// Only live licenses whose `not-after` falls within this many seconds from now.
    pub expiring_within_secs: Option<i64>,
    /// At most this many (newest first); `None` for all.
    pub limit: Option<usize>,
}

impl Desk {
    /// One license, with its text.
    pub fn license(&self, serial: &str) -> Result<LicenseRecord> {
        load_license(self.db(), serial, self.now())
    }

    /// Licenses matching `filter`, newest first.
    pub fn licenses(&self, filter: &LicenseFilter) -> Result<Vec<LicenseRecord>> {
        let customer = filter
            .customer
            .as_deref()
            .map(|c| self.customer(c))
            .transpose()?
            .map(|c| c.id);
        let now = self.now();
        let selection = ledger::licenses::Selection {
            customer: customer.as_deref(),
            product: filter.product.as_deref(),
            order: filter.order.as_deref().map(str::trim),
            expiring: filter
                .expiring_within_secs
                .map(|secs| (now, now.saturating_add(secs))),
            limit: filter.limit,
        };
        ledger::licenses::matching(self.db(), &selection, now)
    }
}
