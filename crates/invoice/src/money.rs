//! Money: exact decimals, rounded half-up to the fen, written with separators.

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds half-up to the fen (0.01). Amounts here are never negative except
/// credits, which round symmetrically (half away from zero).
pub fn round_fen(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Writes an amount with thousands separators and two decimals: `1,232,000.00`.
pub fn format_money(amount: Decimal) -> String {
    let rounded = round_fen(amount);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{frac}", if negative { "-" } else { "" })
}

/// Parses a plain decimal number: an optional `-`, digits, and optionally
/// `.` and more digits. Nothing else (no exponent such as `1e2`, no `+`,
/// no spaces, no `NaN`): the one syntax every amount and price is read in.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) if !f.is_empty() => (w, f),
        Some(_) => return None,
        None => (unsigned, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    text.parse().ok()
}

/// Parses a discount percentage: more than 0, at most 100, at most two decimals.
pub fn parse_percent(text: &str) -> Result<Decimal, String> {
    let value: Decimal = parse_decimal(text.trim().trim_end_matches('%'))
        .ok_or_else(|| format!("{text:?} is not a percentage"))?;
    if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED || value.scale() > 2 {
        return Err(format!(
            "{text:?}: a percentage is more than 0, at most 100, with at most two decimals"
        ));
    }
    Ok(value)
}

/// Parses an amount of money: positive, at most two decimals, `,` separators allowed.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let value: Decimal = parse_decimal(&text.trim().replace(',', ""))
        .ok_or_else(|| format!("{text:?} is not an amount"))?;
    if value <= Decimal::ZERO || value.scale() > 2 {
        return Err(format!(
            "{text:?}: an amount is positive with at most two decimals"
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn decimals_have_one_plain_syntax() {
        assert_eq!(parse_decimal("1740.00"), Some(d("1740.00")));
        assert_eq!(parse_decimal("-3.5"), Some(d("-3.5")));
        for bad in [
            "1e2", "1E2", "+1", " 1", "1.", ".5", "", "-", "NaN", "1_000", "0x10",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
        assert!(parse_amount("1e2").is_err());
        assert!(parse_amount("1,000.50").is_ok());
        assert!(parse_percent("1e1").is_err());
    }

    #[test]
    fn rounds_half_up_to_the_fen() {
        assert_eq!(round_fen(d("0.005")), d("0.01"));
        assert_eq!(round_fen(d("0.0049999")), d("0.00"));
        assert_eq!(round_fen(d("230400.125")), d("230400.13"));
        assert_eq!(round_fen(d("1.115")), d("1.12"));
        assert_eq!(round_fen(d("-1.115")), d("-1.12"));
    }

    #[test]
    fn formats_with_separators() {
        assert_eq!(format_money(d("1232000")), "1,232,000.00");
        assert_eq!(format_money(d("288000")), "288,000.00");
        assert_eq!(format_money(d("999.5")), "999.50");
        assert_eq!(format_money(d("0")), "0.00");
        assert_eq!(format_money(d("-49762")), "-49,762.00");
        assert_eq!(format_money(d("100")), "100.00");
    }

    #[test]
    fn percentages_and_amounts() {
        assert_eq!(parse_percent("20").unwrap(), d("20"));
        assert_eq!(parse_percent("12.5%").unwrap(), d("12.5"));
        for bad in ["0", "-5", "100.01", "abc", "1.005"] {
            assert!(parse_percent(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_amount("1,000.50").unwrap(), d("1000.50"));
        assert!(parse_amount("0").is_err() && parse_amount("1.001").is_err());
    }
}
