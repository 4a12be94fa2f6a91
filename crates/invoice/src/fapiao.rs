//! Fapiao (发票) numbers as the tax system issues them: the 20-digit number
//! of a fully digital invoice (数电票, 全电发票), or the older pair of an
//! invoice code (发票代码, 10 or 12 digits) and an invoice number (发票号码,
//! 8 digits).

/// Why a text is not a fapiao number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error(
    "{0:?} is not a fapiao number: a 数电票 has 20 digits; an older fapiao a 10- or 12-digit code and an 8-digit number (e.g. 044031900111 12345678)"
)]
pub struct FapiaoNumberError(pub String);

/// Reads a fapiao number in its one written form: the 20 digits of a 数电票,
/// or an older fapiao's code and number separated by one space, `-` or
/// `/` (written back as `CODE NUMBER`).
pub fn parse_fapiao_number(text: &str) -> Result<String, FapiaoNumberError> {
    let text = text.trim();
    let digits =
        |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if digits(text, &[20]) {
        return Ok(text.to_owned());
    }
    match text.split_once([' ', '-', '/']) {
        Some((code, number)) if digits(code, &[10, 12]) && digits(number, &[8]) => {
            Ok(format!("{code} {number}"))
        }
        _ => Err(FapiaoNumberError(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_in_use_read_and_nothing_else() {
        assert_eq!(
            parse_fapiao_number("24442000000123456789").unwrap(),
            "24442000000123456789"
        );
        assert_eq!(
            parse_fapiao_number("044031900111 12345678").unwrap(),
            "044031900111 12345678"
        );
        assert_eq!(
            parse_fapiao_number("4403190011-12345678").unwrap(),
            "4403190011 12345678"
        );
        for bad in [
            "x",
            "",
            "2444200000012345678",
            "244420000001234567890",
            "04403190011 12345678",
            "044031900111 1234567",
            "044031900111  12345678",
            "=HYPERLINK(1)",
        ] {
            assert!(parse_fapiao_number(bad).is_err(), "{bad:?}");
        }
    }
}
