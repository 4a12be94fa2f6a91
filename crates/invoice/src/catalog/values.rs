//! How the catalog's values are read, for every section's check: the
//! line of a value (from the TOML parser's spans), a choice among names,
//! amounts, rates and product ids.

use rust_decimal::Decimal;
use toml::Spanned;

use super::CatalogError;

/// The catalog's text, to turn the parser's spans into line numbers.
#[derive(Clone, Copy)]
pub(super) struct Source<'a>(pub(super) &'a str);

impl Source<'_> {
    /// The 1-based line where `item` starts.
    pub(super) fn line<T>(self, item: &Spanned<T>) -> usize {
        line_of(self.0, item.span().start)
    }

    /// A refusal at `item`'s line.
    pub(super) fn error<T>(self, item: &Spanned<T>, message: impl Into<String>) -> CatalogError {
        CatalogError {
            line: self.line(item),
            message: message.into(),
        }
    }
}

/// Reads a setting that names one of `choices`; absent, the first choice.
/// A refusal is (line, message) naming the setting and every choice.
pub(super) fn one_of<T: Copy>(
    src: Source<'_>,
    value: Option<&Spanned<String>>,
    name: &str,
    choices: &[(&str, T)],
) -> Result<T, (usize, String)> {
    let Some(value) = value else {
        return Ok(choices[0].1);
    };
    if let Some((_, choice)) = choices.iter().find(|(text, _)| *text == value.get_ref()) {
        return Ok(*choice);
    }
    let names: Vec<&str> = choices.iter().map(|(text, _)| *text).collect();
    let message = format!("{name} {:?} is not {}", value.get_ref(), names.join(" or "));
    Err((src.line(value), message))
}

/// The 1-based line of byte `offset` of `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

/// True for ids of the form `[a-z0-9][a-z0-9-]*`, at most 64 characters.
pub(super) fn valid_product_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// Parses a non-negative amount with at most two decimal places.
pub(super) fn money(text: &str) -> Result<Decimal, String> {
    let value = crate::money::parse_decimal(text.trim())
        .ok_or_else(|| format!("{text:?} is not a decimal amount"))?;
    if value.is_sign_negative() {
        return Err(format!("{text:?} is negative"));
    }
    if value.scale() > 2 {
        return Err(format!("{text:?} has more than two decimal places"));
    }
    if value > crate::money::MAX_AMOUNT {
        return Err(format!(
            "{text:?} is above {}, the largest amount",
            crate::money::format_money(crate::money::MAX_AMOUNT)
        ));
    }
    Ok(value)
}

/// Parses a non-negative rate (per call, or a percentage) with up to six decimals.
pub(super) fn rate(text: &str) -> Result<Decimal, String> {
    let value = crate::money::parse_decimal(text.trim())
        .ok_or_else(|| format!("{text:?} is not a decimal number"))?;
    if value.is_sign_negative() || value.scale() > 6 || value > crate::money::MAX_AMOUNT {
        return Err(format!(
            "{text:?} must be non-negative with at most six decimals, at most {}",
            crate::money::format_money(crate::money::MAX_AMOUNT)
        ));
    }
    Ok(value)
}
