//! The license itself: what a signed license says.

#![forbid(unsafe_code)]

use core::fmt;
use core::str::FromStr;

use crate::device::DeviceCode;
use crate::keys::{KeyId, hex_decode};
use crate::time::Timestamp;

/// Text that names no license kind, feature or serial (the error of their
/// `FromStr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Not `device`, `device-trial`, `platform` or `platform-trial`.
    #[error("not a license kind (device, device-trial, platform, platform-trial)")]
    Kind,
    /// Not `detect`, `ir-liveness`, `3d-liveness` or `search`.
    #[error("not a feature (detect, ir-liveness, 3d-liveness, search)")]
    Feature,
    /// Not a serial in its canonical form (lower-case hex, 8-4-4-4-12).
    #[error("not a license serial (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, lower-case hex)")]
    Serial,
}

/// The four kinds of license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// Perpetual, bound to one device code; sold in orders of at least 50 devices.
    Device,
    /// Bound to one device code, expires (a 30-day trial of at most 3 devices).
    DeviceTrial,
    /// Bound to an Android package name for a term (one year), renewable.
    Platform,
    /// Bound to an Android package name for a 30-day trial.
    PlatformTrial,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 4] = [
        Kind::Device,
        Kind::DeviceTrial,
        Kind::Platform,
        Kind::PlatformTrial,
    ];

    /// The name used in the license text: `device`, `device-trial`, `platform`, `platform-trial`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Device => "device",
            Kind::DeviceTrial => "device-trial",
            Kind::Platform => "platform",
            Kind::PlatformTrial => "platform-trial",
        }
    }

    /// True for the kinds bound to a device code.
    pub fn is_device_bound(self) -> bool {
        matches!(self, Kind::Device | Kind::DeviceTrial)
    }

    /// True for the trial kinds.
    pub fn is_trial(self) -> bool {
        matches!(self, Kind::DeviceTrial | Kind::PlatformTrial)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = ParseError;

    /// Reads a kind's name ([`Kind::as_str`]).
    ///
    /// ```
    /// use facelic_verifier::{Kind, ParseError};
    /// assert_eq!("device-trial".parse(), Ok(Kind::DeviceTrial));
    /// assert_eq!("perpetual".parse::<Kind>(), Err(ParseError::Kind));
    /// ```
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(ParseError::Kind)
    }
}

/// A capability of the face SDK that a license can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Feature {
    /// Face detection, alignment, tracking, best-frame selection, quality score.
    Detect,
    /// Infrared liveness.
    IrLiveness,
    /// 3D structured-light liveness.
    Liveness3d,
    /// Face feature extraction and 1:N search.
    Search,
}

impl Feature {
    /// Every feature, in the canonical order the license text lists them.
    pub const ALL: [Feature; 4] = [
        Feature::Detect,
        Feature::IrLiveness,
        Feature::Liveness3d,
        Feature::Search,
    ];

    /// The name used in the license text: `detect`, `ir-liveness`, `3d-liveness`, `search`.
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Detect => "detect",
            Feature::IrLiveness => "ir-liveness",
            Feature::Liveness3d => "3d-liveness",
            Feature::Search => "search",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Feature {
    type Err = ParseError;

    /// Reads a feature's name ([`Feature::as_str`]).
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Feature::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(ParseError::Feature)
    }
}

/// A set of [`Feature`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FeatureSet(u8);

impl FeatureSet {
    /// The empty set.
    pub fn empty() -> Self {
        Self(0)
    }

    /// True when `feature` is in the set.
    pub fn contains(self, feature: Feature) -> bool {
        self.0 & feature.bit() != 0
    }

    /// Adds `feature`.
    pub fn insert(&mut self, feature: Feature) {
        self.0 |= feature.bit();
    }

    /// True when no feature is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The features in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Feature> {
        Feature::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<Feature> for FeatureSet {
    fn from_iter<I: IntoIterator<Item = Feature>>(iter: I) -> Self {
        let mut set = Self::empty();
        iter.into_iter().for_each(|f| set.insert(f));
        set
    }
}

impl fmt::Display for FeatureSet {
    /// Comma-separated names in canonical order, e.g. `detect,ir-liveness`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, feature) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(feature.as_str())?;
        }
        Ok(())
    }
}

/// The license serial: a UUID, written lower-case with hyphens.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serial([u8; 16]);

impl Serial {
    /// A serial from the 16 bytes of a UUID.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The 16 bytes of the UUID.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({self})")
    }
}

impl FromStr for Serial {
    type Err = ParseError;

    /// Parses only the canonical form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (lower-case hex).
    ///
    /// ```
    /// use facelic_verifier::{ParseError, Serial};
    /// let serial: Serial = "0192a7c4-5e1b-7cc3-9d2e-51f0a8b3c4d5".parse()?;
    /// assert_eq!(serial.to_string(), "0192a7c4-5e1b-7cc3-9d2e-51f0a8b3c4d5");
    /// assert_eq!("0192A7C4-5E1B-7CC3-9D2E-51F0A8B3C4D5".parse::<Serial>(), Err(ParseError::Serial));
    /// # Ok::<(), ParseError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let b = s.as_bytes();
        if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
            return Err(ParseError::Serial);
        }
        let hex: Vec<u8> = b.iter().copied().filter(|&c| c != b'-').collect();
        let mut out = [0u8; 16];
        hex_decode(&hex, &mut out)
            .then_some(Self(out))
            .ok_or(ParseError::Serial)
    }
}

/// What a license is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Binding {
    /// One device, by its device code (kinds `device`, `device-trial`).
    Device(DeviceCode),
    /// One Android app (kinds `platform`, `platform-trial`).
    Package {
        /// The app's package name (application id), e.g. `com.acme.gate`.
        name: String,
        /// SHA-256 of the app's signing certificate, when the license pins it.
        cert_sha256: Option<[u8; 32]>,
    },
}

/// The contents of a license: everything the signature covers except the key id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct License {
    /// Unique serial number.
    pub serial: Serial,
    /// Kind of license.
    pub kind: Kind,
    /// Product id from the catalog, e.g. `face-detect`.
    pub product: String,
    /// Features the product grants.
    pub features: FeatureSet,
    /// Customer id at the license desk.
    pub customer_id: String,
    /// Customer name (UTF-8).
    pub customer_name: String,
    /// Order id at the license desk.
    pub order_id: String,
    /// When the license was signed.
    pub issued_at: Timestamp,
    /// Start of the validity window (inclusive).
    pub not_before: Timestamp,
    /// End of the validity window (exclusive); `None` means perpetual.
    pub not_after: Option<Timestamp>,
    /// The device or app the license is bound to.
    pub binding: Binding,
}

impl License {
    /// True when the license grants `feature`.
    pub fn allows(&self, feature: Feature) -> bool {
        self.features.contains(feature)
    }

    /// The bound device code, for device kinds.
    pub fn device(&self) -> Option<&DeviceCode> {
        self.binding.device()
    }

    /// The bound package name, for platform kinds.
    pub fn package(&self) -> Option<&str> {
        self.binding.package()
    }
}

impl Binding {
    /// The device code, for a device binding.
    pub fn device(&self) -> Option<&DeviceCode> {
        match self {
            Binding::Device(code) => Some(code),
            Binding::Package { .. } => None,
        }
    }

    /// The package name, for a package binding.
    pub fn package(&self) -> Option<&str> {
        match self {
            Binding::Package { name, .. } => Some(name),
            Binding::Device(_) => None,
        }
    }

    /// The pinned signing certificate's SHA-256, for a package binding
    /// that pins one.
    pub fn cert_sha256(&self) -> Option<&[u8; 32]> {
        match self {
            Binding::Package { cert_sha256, .. } => cert_sha256.as_ref(),
            Binding::Device(_) => None,
        }
    }
}

/// A license whose signature checked out against a trusted key, and that
/// passed every check of its verify context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLicense {
    pub(crate) key_id: KeyId,
    pub(crate) root_key_id: Option<KeyId>,
    pub(crate) license: License,
}

impl VerifiedLicense {
    /// Id of the key that signed the license.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// For a format-2 license, the id of the root that certified its
    /// signing key; `None` for format 1 (signed by a keyring key itself).
    pub fn root_key_id(&self) -> Option<KeyId> {
        self.root_key_id
    }

    /// The verified contents.
    pub fn license(&self) -> &License {
        &self.license
    }

    /// Takes the verified contents.
    pub fn into_license(self) -> License {
        self.license
    }
}

impl core::ops::Deref for VerifiedLicense {
    type Target = License;

    fn deref(&self) -> &License {
        &self.license
    }
}
