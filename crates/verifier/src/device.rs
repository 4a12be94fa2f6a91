//! Device codes: a short, typo-proof name for one device.
//!
//! An app derives the code from attributes it can read (ANDROID_ID, the
//! MediaDrm Widevine id, `Build` fields); the license desk binds a license to
//! it. The code is 75 bits of a domain-separated SHA-256 over the attributes,
//! written as 15 Crockford base32 digits plus one Luhn mod 32 check digit, in
//! four groups of four: `7K3M-9QXD-F2RT-HW5C`. `docs/license-format.md` gives
//! the exact derivation.

#![forbid(unsafe_code)]

use core::fmt;
use core::str::FromStr;

use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Domain-separation prefix of the device-code hash.
const DOMAIN: &[u8] = b"facelic-device-code-v1\0";
/// Number of base32 data digits (75 bits).
const DATA_DIGITS: usize = 15;
/// Longest attribute name, in bytes.
pub(crate) const MAX_ATTR_NAME: usize = 64;
/// Longest attribute value, in bytes.
pub(crate) const MAX_ATTR_VALUE: usize = 1024;
/// Most attributes one derivation takes.
pub(crate) const MAX_ATTRS: usize = 32;

/// A device code: 16 Crockford base32 digits, the last one a check digit.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceCode([u8; 16]);

/// Why a device code or a set of device attributes was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceCodeError {
    /// The text has a character outside Crockford base32 and `-`.
    #[error("device code has an invalid character {0:?}")]
    InvalidCharacter(char),
    /// The text does not have 16 digits.
    #[error("device code has {0} digits, expected 16")]
    WrongLength(usize),
    /// The check digit does not match: most likely a typo.
    #[error("device code check digit does not match (typo?)")]
    BadCheckDigit,
    /// No attributes were given.
    #[error("no device attributes given")]
    NoAttributes,
    /// Too many attributes were given.
    #[error("more than {MAX_ATTRS} device attributes given")]
    TooManyAttributes,
    /// An attribute name is empty, too long, or not `[a-z0-9][a-z0-9._-]*`.
    #[error("invalid device attribute name {0:?} (lower-case a-z, 0-9, '.', '_', '-'; at most 64)")]
    InvalidAttributeName(String),
    /// An attribute value is empty or longer than 1024 bytes.
    #[error("device attribute {0:?} has an empty or over-long value (1 to 1024 bytes)")]
    InvalidAttributeValue(String),
    /// The same attribute name was given twice.
    #[error("device attribute {0:?} given twice")]
    DuplicateAttribute(String),
    /// The attributes are not exactly those of the identity profile.
    #[error("identity profile {0} needs exactly its attributes (see IdentityProfile::attributes)")]
    Profile(&'static str),
    /// No identity profile has this name.
    #[error("unknown identity profile (android-id, widevine, android-id+widevine)")]
    UnknownProfile,
}

impl DeviceCode {
    /// Derives the code of a device from its named attributes.
    ///
    /// The order of `attrs` does not matter; names must be unique, match
    /// `[a-z0-9][a-z0-9._-]{0,63}`, and values must be 1 to 1024 bytes,
    /// used exactly as given (no trimming, no case folding).
    ///
    /// ```
    /// use facelic_verifier::{DeviceCode, DeviceCodeError};
    /// let a = DeviceCode::derive(&[("android-id", "9774d56d682e549c")])?;
    /// let b: DeviceCode = a.to_string().parse()?; // XXXX-XXXX-XXXX-XXXX
    /// assert_eq!(a, b);
    /// let none: &[(&str, &str)] = &[];
    /// assert_eq!(DeviceCode::derive(none), Err(DeviceCodeError::NoAttributes));
    /// # Ok::<(), DeviceCodeError>(())
    /// ```
    pub fn derive<N: AsRef<str>, V: AsRef<[u8]>>(
        attrs: &[(N, V)],
    ) -> Result<Self, DeviceCodeError> {
        if attrs.is_empty() {
            return Err(DeviceCodeError::NoAttributes);
        }
        if attrs.len() > MAX_ATTRS {
            return Err(DeviceCodeError::TooManyAttributes);
        }
        let mut sorted: Vec<(&str, &[u8])> = Vec::with_capacity(attrs.len());
        for (name, value) in attrs {
            let (name, value) = (name.as_ref(), value.as_ref());
            if !valid_attr_name(name) {
                return Err(DeviceCodeError::InvalidAttributeName(name.into()));
            }
            if value.is_empty() || value.len() > MAX_ATTR_VALUE {
                return Err(DeviceCodeError::InvalidAttributeValue(name.into()));
            }
            sorted.push((name, value));
        }
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(DeviceCodeError::DuplicateAttribute(w[0].0.into()));
        }
        let mut hash = Sha256::new();
        hash.update(DOMAIN);
        for (name, value) in &sorted {
            // Lengths are bounded above, so the casts cannot truncate.
            hash.update((name.len() as u32).to_be_bytes());
            hash.update(name.as_bytes());
            hash.update((value.len() as u32).to_be_bytes());
            hash.update(value);
        }
        let digest = hash.finalize();
        let mut first = [0u8; 16];
        first[6..16].copy_from_slice(&digest[..10]);
        let bits75 = u128::from_be_bytes(first) >> 5;
        let mut digits = [0u8; 16];
        for (i, d) in digits[..DATA_DIGITS].iter_mut().enumerate() {
            *d = ((bits75 >> (5 * (DATA_DIGITS - 1 - i))) & 31) as u8;
        }
        digits[DATA_DIGITS] = luhn32_check(&digits[..DATA_DIGITS]);
        Ok(Self(digits.map(|d| ALPHABET[usize::from(d)])))
    }

    /// The code as 16 digits without separators, e.g. `7K3M9QXDF2RTHW5C`.
    pub fn compact(&self) -> &str {
        // Always ASCII: built from ALPHABET only.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for DeviceCode {
    type Err = DeviceCodeError;

    /// Parses a code typed by a person: case-insensitive, `-` anywhere,
    /// `O` read as `0` and `I`/`L` as `1` (Crockford), check digit verified.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut values = [0u8; 16];
        let mut n = 0usize;
        for c in text.chars() {
            if c == '-' {
                continue;
            }
            let v = crockford_value(c).ok_or(DeviceCodeError::InvalidCharacter(c))?;
            if let Some(slot) = values.get_mut(n) {
                *slot = v;
            }
            n += 1;
        }
        if n != 16 {
            return Err(DeviceCodeError::WrongLength(n));
        }
        if luhn32_check(&values[..DATA_DIGITS]) != values[DATA_DIGITS] {
            return Err(DeviceCodeError::BadCheckDigit);
        }
        Ok(Self(values.map(|d| ALPHABET[usize::from(d)])))
    }
}

impl fmt::Display for DeviceCode {
    /// The canonical form: four groups of four digits, e.g. `7K3M-9QXD-F2RT-HW5C`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.compact();
        write!(f, "{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
    }
}

impl fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceCode({self})")
    }
}

fn valid_attr_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_ATTR_NAME
        && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
        && b.iter().all(|&c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
        })
}

fn crockford_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .map(|p| p as u8)
}

/// Luhn mod 32 check digit over digit values (0..32), most significant first.
fn luhn32_check(digits: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut addend = u32::from(d);
        if i % 2 == 0 {
            addend *= 2;
            addend = addend / 32 + addend % 32;
        }
        sum += addend;
    }
    ((32 - sum % 32) % 32) as u8
}

/// Which device attributes make up a device's identity: an app names its
/// profile, and the desk's `facelic device-code --profile` checks that the
/// attributes given are exactly the profile's. What changes each profile's
/// code, and which to choose, is in `docs/android.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdentityProfile {
    /// `android-id`: Settings.Secure.ANDROID_ID alone (dedicated devices:
    /// gates, kiosks, boards without Widevine).
    AndroidId,
    /// `widevine`: the MediaDrm Widevine device unique id alone.
    Widevine,
    /// `android-id+widevine`: both (phones and tablets).
    AndroidIdWidevine,
}

impl IdentityProfile {
    /// Every profile.
    pub const ALL: [IdentityProfile; 3] = [
        IdentityProfile::AndroidId,
        IdentityProfile::Widevine,
        IdentityProfile::AndroidIdWidevine,
    ];

    /// The profile's name, e.g. `android-id+widevine`.
    pub fn name(self) -> &'static str {
        match self {
            IdentityProfile::AndroidId => "android-id",
            IdentityProfile::Widevine => "widevine",
            IdentityProfile::AndroidIdWidevine => "android-id+widevine",
        }
    }

    /// The attribute names the profile's code is derived from.
    pub fn attributes(self) -> &'static [&'static str] {
        match self {
            IdentityProfile::AndroidId => &["android-id"],
            IdentityProfile::Widevine => &["widevine-id"],
            IdentityProfile::AndroidIdWidevine => &["android-id", "widevine-id"],
        }
    }

    /// The device code of a profile's attributes: refused unless `attrs`
    /// names exactly the profile's attributes.
    pub fn derive<N: AsRef<str>, V: AsRef<[u8]>>(
        self,
        attrs: &[(N, V)],
    ) -> Result<DeviceCode, DeviceCodeError> {
        let mut given: Vec<&str> = attrs.iter().map(|(n, _)| n.as_ref()).collect();
        given.sort_unstable();
        let mut wanted = self.attributes().to_vec();
        wanted.sort_unstable();
        if given != wanted {
            return Err(DeviceCodeError::Profile(self.name()));
        }
        DeviceCode::derive(attrs)
    }
}

impl fmt::Display for IdentityProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for IdentityProfile {
    type Err = DeviceCodeError;

    fn from_str(s: &str) -> Result<Self, DeviceCodeError> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or(DeviceCodeError::UnknownProfile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_takes_exactly_its_attributes() {
        let p = IdentityProfile::AndroidIdWidevine;
        let both = [("widevine-id", "ab"), ("android-id", "1")];
        assert_eq!(p.derive(&both).unwrap(), DeviceCode::derive(&both).unwrap());
        assert_eq!(
            p.derive(&[("android-id", "1")]),
            Err(DeviceCodeError::Profile("android-id+widevine"))
        );
        assert!(IdentityProfile::AndroidId.derive(&both).is_err());
        assert_eq!("android-id".parse(), Ok(IdentityProfile::AndroidId));
        assert_eq!(
            "androidid".parse::<IdentityProfile>(),
            Err(DeviceCodeError::UnknownProfile)
        );
    }

    fn sample() -> DeviceCode {
        DeviceCode::derive(&[("android-id", "9774d56d682e549c")]).unwrap()
    }

    #[test]
    fn derivation_is_order_independent_and_value_sensitive() {
        let a = DeviceCode::derive(&[("android-id", "a1"), ("build.model", "X1")]).unwrap();
        let b = DeviceCode::derive(&[("build.model", "X1"), ("android-id", "a1")]).unwrap();
        let c = DeviceCode::derive(&[("build.model", "X1"), ("android-id", "a2")]).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Length prefixes keep name/value boundaries apart.
        let d = DeviceCode::derive(&[("a", "bc")]).unwrap();
        let e = DeviceCode::derive(&[("ab", "c")]).unwrap();
        assert_ne!(d, e);
    }

    #[test]
    fn display_parse_roundtrip_and_forgiving_input() {
        let code = sample();
        let text = code.to_string();
        assert_eq!(text.len(), 19);
        assert_eq!(text.parse::<DeviceCode>().unwrap(), code);
        assert_eq!(
            code.compact().to_lowercase().parse::<DeviceCode>().unwrap(),
            code
        );
        let aliased: String = text.replace('0', "o").replace('1', "l");
        assert_eq!(aliased.parse::<DeviceCode>().unwrap(), code);
    }

    #[test]
    fn check_digit_catches_every_single_substitution() {
        for seed in 0..64 {
            let code = DeviceCode::derive(&[("android-id", format!("device-{seed}"))]).unwrap();
            let compact = code.compact().as_bytes().to_vec();
            for pos in 0..16 {
                for &sub in ALPHABET.iter().filter(|&&a| a != compact[pos]) {
                    let mut typo = compact.clone();
                    typo[pos] = sub;
                    let typo = String::from_utf8(typo).unwrap();
                    assert_eq!(
                        typo.parse::<DeviceCode>(),
                        Err(DeviceCodeError::BadCheckDigit),
                        "{typo} (from {code}) was accepted"
                    );
                }
            }
        }
    }

    #[test]
    fn check_digit_catches_adjacent_transpositions() {
        for seed in 0..64 {
            let code = DeviceCode::derive(&[("android-id", format!("device-{seed}"))]).unwrap();
            let compact = code.compact().as_bytes().to_vec();
            for pos in 0..15 {
                if compact[pos] == compact[pos + 1] {
                    continue;
                }
                let mut swapped = compact.clone();
                swapped.swap(pos, pos + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                // Luhn misses only the swap of digits 0 and 31 ("0"/"Z").
                let pair = [compact[pos], compact[pos + 1]];
                if pair == *b"0Z" || pair == *b"Z0" {
                    continue;
                }
                assert!(swapped.parse::<DeviceCode>().is_err(), "{swapped} accepted");
            }
        }
    }

    #[test]
    fn malformed_codes_are_named() {
        assert_eq!(
            "7K3M-9QXD".parse::<DeviceCode>(),
            Err(DeviceCodeError::WrongLength(8))
        );
        assert_eq!(
            "7K3M-9QXD-F2RT-HW5C-A".parse::<DeviceCode>(),
            Err(DeviceCodeError::WrongLength(17))
        );
        assert_eq!(
            "7K3M-9QXD-F2RT-HW5U".parse::<DeviceCode>(),
            Err(DeviceCodeError::InvalidCharacter('U'))
        );
        assert_eq!(
            "7K3M 9QXD".parse::<DeviceCode>(),
            Err(DeviceCodeError::InvalidCharacter(' '))
        );
    }

    #[test]
    fn bad_attributes_are_refused() {
        let none: [(&str, &str); 0] = [];
        assert_eq!(
            DeviceCode::derive(&none),
            Err(DeviceCodeError::NoAttributes)
        );
        assert!(matches!(
            DeviceCode::derive(&[("Android-ID", "x")]),
            Err(DeviceCodeError::InvalidAttributeName(_))
        ));
        assert!(matches!(
            DeviceCode::derive(&[("android-id", "")]),
            Err(DeviceCodeError::InvalidAttributeValue(_))
        ));
        assert!(matches!(
            DeviceCode::derive(&[("a", "1"), ("a", "2")]),
            Err(DeviceCodeError::DuplicateAttribute(_))
        ));
    }
}
