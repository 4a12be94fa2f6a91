//! The signed payload: `name=value` lines in a fixed order.
//!
//! One parser decides what a valid payload is; the encoder writes the
//! fields and then parses its own output, so nothing can be signed that a
//! verifier would refuse.

#![forbid(unsafe_code)]

use crate::device::DeviceCode;
use crate::keys::hex_decode;
use crate::license::{Binding, Feature, FeatureSet, Kind, License};
use crate::time::Timestamp;

/// Largest payload accepted, in bytes.
pub(crate) const MAX_PAYLOAD_LEN: usize = 2048;
/// Longest customer name, in bytes of UTF-8.
#[cfg_attr(not(feature = "encode"), allow(unreachable_pub))]
pub const MAX_NAME_LEN: usize = 200;
/// Longest id (product, customer, order), in bytes.
pub(crate) const MAX_ID_LEN: usize = 64;
/// Longest Android package name, in bytes.
pub(crate) const MAX_PACKAGE_LEN: usize = 255;

/// Writes the payload bytes of `license`, refusing (with the field at fault)
/// anything a verifier would not accept back.
#[cfg(any(test, feature = "encode"))]
pub(crate) fn encode(license: &License, format: Format) -> Result<Vec<u8>, &'static str> {
    let mut out = String::with_capacity(400);
    let mut field = |name: &str, value: &dyn core::fmt::Display| {
        out.push_str(name);
        out.push('=');
        out.push_str(&value.to_string());
        out.push('\n');
    };
    field("serial", &license.serial);
    field("kind", &license.kind);
    field("product", &license.product);
    field("features", &license.features);
    field("customer-id", &license.customer_id);
    field("customer-name", &license.customer_name);
    field("order-id", &license.order_id);
    field("issued-at", &license.issued_at);
    field("not-before", &license.not_before);
    if let Some(not_after) = license.not_after {
        field("not-after", &not_after);
    }
    match &license.binding {
        Binding::Device(code) => field("device", code),
        Binding::Package { name, cert_sha256 } => {
            field("package", name);
            if let Some(cert) = cert_sha256 {
                field("cert-sha256", &Hex(cert));
            }
        }
    }
    let bytes = out.into_bytes();
    match decode(&bytes, format) {
        Ok(back) if back == *license => Ok(bytes),
        Ok(_) => Err("a field does not survive encoding (embedded line break?)"),
        Err(reason) => Err(reason),
    }
}

/// Bytes written as lower-case hex.
#[cfg(any(test, feature = "encode"))]
struct Hex<'a>(&'a [u8]);

#[cfg(any(test, feature = "encode"))]
impl core::fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Which version's payload rules apply (`docs/license-format.md` §3 and §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `FL1`.
    V1,
    /// `FL2`: also no format characters (Unicode Cf) in `customer-name`,
    /// and `issued-at` before `not-after`.
    V2,
}

/// Reads the lines of a payload (a license's, a certificate's) one field
/// at a time, in schema order.
pub(crate) struct Fields<'a> {
    /// The lines not read yet; `None` once the last line is read.
    rest: Option<&'a str>,
}

impl<'a> Fields<'a> {
    /// The fields of `bytes`: UTF-8 of at most `max_len` bytes, every line
    /// ending in a line feed.
    pub(crate) fn of(bytes: &'a [u8], max_len: usize) -> Result<Self, &'static str> {
        if bytes.len() > max_len {
            return Err("payload too large");
        }
        let text = core::str::from_utf8(bytes).map_err(|_| "payload is not UTF-8")?;
        let body = text
            .strip_suffix('\n')
            .ok_or("payload must end with a line feed")?;
        Ok(Self { rest: Some(body) })
    }

    /// Succeeds when every line has been read.
    pub(crate) fn finish(self) -> Result<(), &'static str> {
        match self.rest {
            Some(_) => Err("unexpected or out-of-order payload field"),
            None => Ok(()),
        }
    }

    /// The value of the next line if it is field `name`.
    pub(crate) fn optional(&mut self, name: &str) -> Result<Option<&'a str>, &'static str> {
        let Some(rest) = self.rest else {
            return Ok(None);
        };
        let key = name.len();
        if rest.as_bytes().get(key) == Some(&b'=') && rest.as_bytes().starts_with(name.as_bytes()) {
            let value = rest.get(key + 1..).unwrap_or_default();
            return Ok(Some(match value.bytes().position(|b| b == b'\n') {
                Some(end) => {
                    self.rest = value.get(end + 1..);
                    value.get(..end).unwrap_or_default()
                }
                None => {
                    self.rest = None;
                    value
                }
            }));
        }
        // Another field (or none): the line must still be `key=value`.
        let line = rest.split('\n').next().unwrap_or_default();
        if !line.contains('=') {
            return Err("payload line without '='");
        }
        Ok(None)
    }

    /// The value of the next line, which must be field `name`.
    pub(crate) fn required(
        &mut self,
        name: &str,
        missing: &'static str,
    ) -> Result<&'a str, &'static str> {
        self.optional(name)?.ok_or(missing)
    }
}

/// Parses payload bytes; `Err` names what is wrong.
pub(crate) fn decode(bytes: &[u8], format: Format) -> Result<License, &'static str> {
    let mut f = Fields::of(bytes, MAX_PAYLOAD_LEN)?;

    let serial = f
        .required("serial", "missing serial")?
        .parse()
        .map_err(|_| "bad serial")?;
    let kind: Kind = f
        .required("kind", "missing kind")?
        .parse()
        .map_err(|_| "unknown kind")?;
    let product = id(f.required("product", "missing product")?, false).ok_or("bad product id")?;
    let features = features(f.required("features", "missing features")?).ok_or("bad features")?;
    let customer_id =
        id(f.required("customer-id", "missing customer-id")?, true).ok_or("bad customer-id")?;
    let customer_name = f.required("customer-name", "missing customer-name")?;
    if format == Format::V2 && customer_name.chars().any(is_format_char) {
        return Err("customer-name holds a format character (Unicode Cf)");
    }
    let customer_name = name(customer_name).ok_or("bad customer-name")?;
    let order_id = id(f.required("order-id", "missing order-id")?, true).ok_or("bad order-id")?;
    let issued_at = time(f.required("issued-at", "missing issued-at")?).ok_or("bad issued-at")?;
    let not_before =
        time(f.required("not-before", "missing not-before")?).ok_or("bad not-before")?;
    let not_after = match f.optional("not-after")? {
        Some(v) => Some(time(v).ok_or("bad not-after")?),
        None => None,
    };
    let binding = if kind.is_device_bound() {
        let code = f.required("device", "device license without device")?;
        // Canonical form only: upper-case digits, hyphens after every four.
        let canonical = code.len() == 19
            && code.bytes().enumerate().all(|(i, b)| {
                if i % 5 == 4 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                        || (b.is_ascii_uppercase() && !matches!(b, b'I' | b'L' | b'O' | b'U'))
                }
            });
        if !canonical {
            return Err("device code not in canonical form");
        }
        let parsed: DeviceCode = code.parse().map_err(|_| "bad device code")?;
        Binding::Device(parsed)
    } else {
        let name = package(f.required("package", "platform license without package")?)
            .ok_or("bad package name")?;
        let cert_sha256 = match f.optional("cert-sha256")? {
            Some(v) => {
                let mut digest = [0u8; 32];
                hex_decode(v.as_bytes(), &mut digest)
                    .then_some(())
                    .ok_or("bad cert-sha256")?;
                Some(digest)
            }
            None => None,
        };
        Binding::Package { name, cert_sha256 }
    };
    f.finish()?;
    match (kind, not_after) {
        (Kind::Device, Some(_)) => return Err("device license must be perpetual (no not-after)"),
        (Kind::Device, None) => {}
        (_, None) => return Err("trial and platform licenses need not-after"),
        (_, Some(end)) if end <= not_before => return Err("not-after must be after not-before"),
        (_, Some(end)) if format == Format::V2 && end <= issued_at => {
            return Err("not-after must be after issued-at");
        }
        (_, Some(_)) => {}
    }
    Ok(License {
        serial,
        kind,
        product,
        features,
        customer_id,
        customer_name,
        order_id,
        issued_at,
        not_before,
        not_after,
        binding,
    })
}

/// Product ids: `[a-z0-9][a-z0-9-]*`; desk ids (`wide`) also allow `A-Z`, `.` and `_`.
fn id(value: &str, wide: bool) -> Option<String> {
    let ok = |c: u8| {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == b'-'
            || (wide && (c.is_ascii_uppercase() || c == b'.' || c == b'_'))
    };
    let b = value.as_bytes();
    let first_ok = b.first().is_some_and(|&c| c.is_ascii_alphanumeric());
    (first_ok && b.len() <= MAX_ID_LEN && b.iter().all(|&c| ok(c))).then(|| value.to_owned())
}

/// Customer names: 1 to 200 bytes of UTF-8 with no control characters and no
/// leading or trailing white space.
fn name(value: &str) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= MAX_NAME_LEN
        && value.trim() == value
        && !value.chars().any(char::is_control);
    ok.then(|| value.to_owned())
}

/// Android application ids: two or more `.`-separated segments, each
/// `[A-Za-z][A-Za-z0-9_]*`, at most 255 bytes.
pub(crate) fn package(value: &str) -> Option<String> {
    let segment_ok = |s: &str| {
        let b = s.as_bytes();
        b.first().is_some_and(u8::is_ascii_alphabetic)
            && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
    };
    let ok = value.len() <= MAX_PACKAGE_LEN
        && value.split('.').count() >= 2
        && value.split('.').all(segment_ok);
    ok.then(|| value.to_owned())
}

/// The format characters (Unicode general category Cf, as of Unicode 16.0):
/// invisible, and some (the bidirectional controls) reorder what is shown
/// around them, so a name holding them can read as another. A format-2
/// `customer-name` holds none.
const FORMAT_CHARS: [(u32, u32); 21] = [
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// True for a format character ([`FORMAT_CHARS`]).
pub(crate) fn is_format_char(c: char) -> bool {
    let c = u32::from(c);
    FORMAT_CHARS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// A product id: `[a-z0-9][a-z0-9-]*`, 1–64 bytes.
pub(crate) fn product_id(value: &str) -> Option<String> {
    id(value, false)
}

fn features(value: &str) -> Option<FeatureSet> {
    let mut set = FeatureSet::empty();
    let mut last: Option<Feature> = None;
    for name in value.split(',') {
        let feature: Feature = name.parse().ok()?;
        if last.is_some_and(|l| l >= feature) {
            return None; // out of canonical order, or repeated
        }
        set.insert(feature);
        last = Some(feature);
    }
    Some(set)
}

fn time(value: &str) -> Option<Timestamp> {
    Timestamp::parse(value)
}

#[cfg(test)]
mod tests {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};

    use super::is_format_char;

    #[test]
    fn the_format_char_table_is_unicode_category_cf() {
        let differ: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| is_format_char(*c) != (c.general_category() == GeneralCategory::Format))
            .collect();
        assert!(differ.is_empty(), "{differ:?}");
    }
}
