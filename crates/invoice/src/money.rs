//! Money: exact decimals, rounded half-up to the fen, written with separators.

use rust_decimal::prelude::ToPrimitive as _;
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
    format!("{}{}.{frac}", if negative { "-" } else { "" }, group(int))
}

/// Writes a unit price with thousands separators and as many decimals as
/// it has, at least two: `288.00`, `0.002`, `0.088`, `1,200.50`. Printed
/// documents show prices this way, so quantity × printed price is the
/// printed line amount (a per-call price of 0.002 printed as 0.00 did not).
pub fn format_unit_price(price: Decimal) -> String {
    let price = price.normalize();
    let decimals = usize::try_from(price.scale().max(2)).unwrap_or(2);
    let negative = price.is_sign_negative() && !price.is_zero();
    let text = format!("{:.*}", decimals, price.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    format!("{}{}.{frac}", if negative { "-" } else { "" }, group(int))
}

/// Writes a count with thousands separators: `52,000,000`.
pub fn group_digits(n: u64) -> String {
    group(&n.to_string())
}

fn group(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
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

/// The largest amount of money facelic reads as input (a payment, a credit,
/// a price): 999,999,999,999.99 yuan. Every document's total stays below
/// [`MAX_TOTAL`], well inside what [`Decimal`] and [`chinese_upper`] handle.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(276_447_231, 23_283, 0, false, 2);

/// The largest total a document may carry: 999,999,999,999,999.99 yuan
/// (大写 reaches 10^16). A statement whose lines would sum beyond it is
/// refused when it is made.
pub const MAX_TOTAL: Decimal = Decimal::from_parts(1_569_325_055, 23_283_064, 0, false, 2);

/// Parses an amount of money: positive, at most two decimals, at most
/// [`MAX_AMOUNT`]. A `,` is a thousands separator only in groups of three
/// (`14,400.00`, `1,000,000`); any other comma (`0,50`, `1,5`, `1,00`, a
/// decimal comma) is refused, never read as something else.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let trimmed = text.trim();
    let plain = ungroup(trimmed).ok_or_else(|| {
        format!("{text:?} is not an amount (a comma only groups thousands, as in 14,400.00)")
    })?;
    let value: Decimal =
        parse_decimal(&plain).ok_or_else(|| format!("{text:?} is not an amount"))?;
    if value <= Decimal::ZERO || value.scale() > 2 {
        return Err(format!(
            "{text:?}: an amount is positive with at most two decimals"
        ));
    }
    if value > MAX_AMOUNT {
        return Err(format!(
            "{text:?}: an amount is at most {}",
            format_money(MAX_AMOUNT)
        ));
    }
    Ok(value)
}

/// `text` without its thousands separators, if every `,` stands before a
/// group of exactly three digits of the whole part, and the first group
/// has one to three digits.
fn ungroup(text: &str) -> Option<String> {
    if !text.contains(',') {
        return Some(text.to_owned());
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !digits(first) {
        return None;
    }
    if !groups.all(|g| g.len() == 3 && digits(g)) || fraction.is_some_and(|f| f.contains(',')) {
        return None;
    }
    Some(text.replace(',', ""))
}

/// An amount of yuan in Chinese upper-case numerals (大写金额), as
/// documents and bank forms write it: `壹拾肆万肆仟元整`, `壹万零伍元整`,
/// `叁佰肆拾捌元伍角`, `壹元零伍分`, `零元整`; `负` before a negative amount.
///
/// Rules: digits 零壹贰叁肆伍陆柒捌玖 with 拾佰仟 inside groups of four and
/// 万, 亿, 万亿 between them; one 零 stands for any run of zeros between
/// non-zero digits (壹亿零壹万, 壹佰万零伍佰), none at the end of a group
/// or before 元; 整 ends an amount without 角 or 分; a 分 after a zero 角 is
/// preceded by 零 (壹元零伍分). `None` for more than two decimals or
/// 10^16 yuan and above.
pub fn chinese_upper(amount: Decimal) -> Option<String> {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const IN_GROUP: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
    if amount.round_dp(2) != amount {
        return None;
    }
    let fen_total = (amount.abs() * Decimal::ONE_HUNDRED).to_u128()?;
    let (yuan, jiao, fen) = (fen_total / 100, (fen_total / 10) % 10, fen_total % 10);
    if yuan >= 10_u128.pow(16) {
        return None;
    }
    let mut out = String::new();
    if amount.is_sign_negative() && fen_total > 0 {
        out.push('负');
    }
    let digits: Vec<u8> = yuan.to_string().bytes().map(|b| b - b'0').collect();
    let mut zero_pending = false;
    let mut group_nonzero = false;
    for (i, &d) in digits.iter().enumerate() {
        let power = digits.len() - 1 - i;
        if d == 0 {
            zero_pending = yuan > 0;
        } else {
            if zero_pending && !out.is_empty() && !out.ends_with('负') {
                out.push('零');
            }
            zero_pending = false;
            out.push(DIGITS[usize::from(d)]);
            out.push_str(IN_GROUP[power % 4]);
            group_nonzero = true;
        }
        if power.is_multiple_of(4) {
            if group_nonzero {
                out.push_str(GROUPS[power / 4]);
            }
            group_nonzero = false;
        }
    }
    if yuan > 0 {
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零元");
            }
            out.push('整');
        }
        (j, 0) => {
            out.push(DIGITS[j as usize]);
            out.push('角');
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f as usize]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j as usize]);
            out.push('角');
            out.push(DIGITS[f as usize]);
            out.push('分');
        }
    }
    Some(out)
}

/// Serde for amounts of money: written as a string with exactly two
/// decimals (`"0.00"`, `"1740.00"`), read as any decimal string. Use with
/// `#[serde(with = "crate::money::amount")]`.
pub mod amount {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// Writes `value` with exactly two decimals.
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:.2}", value.round_dp(2)))
    }

    /// Reads a decimal string (or number, as documents written before did).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        <Decimal as serde::Deserialize>::deserialize(d)
    }
}

/// Serde for prices per unit: a string with at least two decimals
/// (`"300.00"`, `"0.0012"`: call prices are finer than the fen).
pub mod unit_price {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// Writes `value` with at least two decimals.
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let value = value.normalize();
        if value.scale() < 2 {
            s.collect_str(&format_args!("{value:.2}"))
        } else {
            s.collect_str(&value)
        }
    }

    /// Reads a decimal string (or number).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        <Decimal as serde::Deserialize>::deserialize(d)
    }
}

/// [`unit_price`] for optional prices (`null` when absent).
pub mod opt_unit_price {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// Writes `value` with at least two decimals, or `null`.
    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::unit_price::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    /// Reads an optional decimal.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        <Option<Decimal> as serde::Deserialize>::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn chinese_upper_case_amounts() {
        for (amount, words) in [
            ("0", "零元整"),
            ("0.00", "零元整"),
            ("1", "壹元整"),
            ("10", "壹拾元整"),
            ("15", "壹拾伍元整"),
            ("100", "壹佰元整"),
            ("1005", "壹仟零伍元整"),
            ("1050", "壹仟零伍拾元整"),
            ("10005", "壹万零伍元整"),
            ("14400", "壹万肆仟肆佰元整"),
            ("144000", "壹拾肆万肆仟元整"),
            ("300000", "叁拾万元整"),
            ("1000500", "壹佰万零伍佰元整"),
            ("1005000", "壹佰万零伍仟元整"),
            ("1050000", "壹佰零伍万元整"),
            ("100000000", "壹亿元整"),
            ("100010000", "壹亿零壹万元整"),
            ("100005000", "壹亿零伍仟元整"),
            ("348.5", "叁佰肆拾捌元伍角"),
            ("348.50", "叁佰肆拾捌元伍角"),
            ("1.05", "壹元零伍分"),
            ("100.05", "壹佰元零伍分"),
            ("10.50", "壹拾元伍角"),
            ("0.5", "伍角"),
            ("0.05", "伍分"),
            ("0.55", "伍角伍分"),
            ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
            ("-20", "负贰拾元整"),
            (
                "9999999999999999.99",
                "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
            ),
        ] {
            assert_eq!(chinese_upper(d(amount)).as_deref(), Some(words), "{amount}");
        }
        assert_eq!(chinese_upper(d("1.005")), None);
        assert_eq!(chinese_upper(d("10000000000000000")), None);
    }

    #[test]
    fn json_money_has_exactly_two_decimals() {
        #[derive(serde::Serialize)]
        struct M {
            #[serde(with = "amount")]
            a: Decimal,
            #[serde(with = "unit_price")]
            p: Decimal,
        }
        for (a, p, expect) in [
            ("0", "300", r#"{"a":"0.00","p":"300.00"}"#),
            ("1740.5", "0.0012", r#"{"a":"1740.50","p":"0.0012"}"#),
            ("-3.20", "4.50", r#"{"a":"-3.20","p":"4.50"}"#),
        ] {
            let json = serde_json::to_string(&M { a: d(a), p: d(p) }).unwrap();
            assert_eq!(json, expect);
        }
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

#[cfg(test)]
mod strict_amount_tests {
    use super::*;

    #[test]
    fn unit_prices_print_at_their_own_precision() {
        for (price, printed) in [
            ("0.002", "0.002"),
            ("0.088", "0.088"),
            ("288", "288.00"),
            ("288.50", "288.50"),
            ("1200.125", "1,200.125"),
            ("0.000001", "0.000001"),
        ] {
            assert_eq!(format_unit_price(price.parse().unwrap()), printed);
        }
    }

    #[test]
    fn the_bounds_are_what_their_docs_say() {
        assert_eq!(format_money(MAX_AMOUNT), "999,999,999,999.99");
        assert_eq!(format_money(MAX_TOTAL), "999,999,999,999,999.99");
        assert!(chinese_upper(MAX_TOTAL).is_some());
    }

    #[test]
    fn a_comma_groups_thousands_or_the_amount_is_refused() {
        // `0,50` was read as 50.00, `1,5` as 15.00, `1,00` as 100.00.
        for bad in [
            "0,50",
            "1,5",
            "1,00",
            "12,34.56",
            ",100",
            "1,000,00",
            "1,0000",
            "1.000,50",
            "1,,000",
            "1,000.5,0",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad} was accepted");
        }
        for (good, value) in [
            ("14,400.00", "14400.00"),
            ("1,000,000", "1000000"),
            ("999", "999"),
            ("0.50", "0.50"),
            (" 1,234.5 ", "1234.5"),
        ] {
            assert_eq!(
                parse_amount(good).unwrap(),
                value.parse::<Decimal>().unwrap(),
                "{good}"
            );
        }
    }

    #[test]
    fn amounts_beyond_the_maximum_are_refused() {
        // 79228162514264337593543950335 was accepted and made documents
        // that could never be shown again.
        for bad in [
            "79228162514264337593543950335",
            "1000000000000",
            "100000000000000000000",
        ] {
            let err = parse_amount(bad).unwrap_err();
            assert!(err.contains("at most 999,999,999,999.99"), "{bad}: {err}");
        }
        assert_eq!(parse_amount("999,999,999,999.99").unwrap(), MAX_AMOUNT);
    }
}
