//! The catalog file as written (`Raw*`, with the spans of the values the
//! checks may refuse) and one check per section: `[rules]`, each
//! `[[product]]` and its tiers, `[invoicing]`. A refusal names the line of
//! the value at fault, from the TOML parser's spans; the metered sections are
//! checked in [`super::metered`] the same way, both through [`super::values`].

use std::str::FromStr;

use facelic_verifier::{Feature, FeatureSet};
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::values::{Source, money, one_of, rate, valid_product_id};
use super::{
    CatalogError, DEFAULT_MAX_BACKDATE_DAYS, Invoicing, Product, Rules, Tier, TierMode, metered,
};

/// `quote_prefix` when `[invoicing]` names none.
const DEFAULT_QUOTE_PREFIX: &str = "Q";
/// `quote_validity_days` and `payment_terms_days` (net 30) when not set.
const DEFAULT_THIRTY_DAYS: u32 = 30;
/// `usage_bill_day` when not set: bills are dated the 1st.
const DEFAULT_USAGE_BILL_DAY: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    pub(super) currency: Spanned<String>,
    pub(super) rules: RawRules,
    pub(super) product: Vec<Spanned<RawProduct>>,
    pub(super) invoicing: Spanned<RawInvoicing>,
    #[serde(default)]
    pub(super) usage_family: Vec<Spanned<metered::RawFamily>>,
    #[serde(default)]
    pub(super) api_product: Vec<Spanned<metered::RawApiProduct>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRules {
    device_min_quantity: Spanned<u64>,
    device_trial_days: Spanned<u32>,
    device_trial_max_devices: Spanned<u64>,
    platform_term_months: Spanned<u32>,
    platform_trial_days: Spanned<u32>,
    #[serde(default)]
    platform_max_backdate_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProduct {
    id: Spanned<String>,
    name_zh: String,
    name_en: String,
    features: Spanned<Vec<String>>,
    platform_fee: Spanned<String>,
    #[serde(default)]
    tier_mode: Option<Spanned<String>>,
    device_tiers: Spanned<Vec<Spanned<RawTier>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    from: u64,
    to: Option<u64>,
    unit_price: String,
    flat_fee: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInvoicing {
    seller_name: String,
    seller_address: String,
    seller_tax_id: Spanned<String>,
    vat_rate: Spanned<String>,
    prices_include_tax: bool,
    invoice_prefix: Spanned<String>,
    credit_note_prefix: Spanned<String>,
    time_zone: Option<Spanned<String>>,
    #[serde(default)]
    seller_phone: String,
    #[serde(default)]
    seller_bank: String,
    #[serde(default)]
    seller_account: String,
    quote_prefix: Option<Spanned<String>>,
    quote_validity_days: Option<Spanned<u32>>,
    payment_terms_days: Option<Spanned<u32>>,
    usage_bill_day: Option<Spanned<u32>>,
}

/// Checks `[rules]`: every quantity, day count and term positive.
pub(super) fn rules(src: Source<'_>, r: RawRules) -> Result<Rules, CatalogError> {
    positive(src, "device_min_quantity", &r.device_min_quantity)?;
    positive(src, "device_trial_max_devices", &r.device_trial_max_devices)?;
    positive(src, "device_trial_days", &r.device_trial_days)?;
    positive(src, "platform_trial_days", &r.platform_trial_days)?;
    positive(src, "platform_term_months", &r.platform_term_months)?;
    Ok(Rules {
        device_min_quantity: r.device_min_quantity.into_inner(),
        device_trial_days: r.device_trial_days.into_inner(),
        device_trial_max_devices: r.device_trial_max_devices.into_inner(),
        platform_term_months: r.platform_term_months.into_inner(),
        platform_trial_days: r.platform_trial_days.into_inner(),
        platform_max_backdate_days: r
            .platform_max_backdate_days
            .unwrap_or(DEFAULT_MAX_BACKDATE_DAYS),
    })
}

/// Refuses a count (`u32` or `u64`) of zero, at its line.
fn positive<T: Default + PartialEq>(
    src: Source<'_>,
    name: &str,
    value: &Spanned<T>,
) -> Result<(), CatalogError> {
    match *value.get_ref() == T::default() {
        true => Err(src.error(value, format!("{name} must be positive"))),
        false => Ok(()),
    }
}

/// Checks every `[[product]]`: a valid, unique id, names, known features,
/// a fee, and device tiers from the minimum quantity up, without gaps.
pub(super) fn products(
    src: Source<'_>,
    raw: Vec<Spanned<RawProduct>>,
    rules: &Rules,
) -> Result<Vec<Product>, CatalogError> {
    let mut products: Vec<Product> = Vec::with_capacity(raw.len());
    for p in raw {
        let p = p.into_inner();
        let id = p.id.get_ref().clone();
        let at = |item_line: usize, message: String| CatalogError {
            line: item_line,
            message: format!("product {id:?}: {message}"),
        };
        let id_line = src.line(&p.id);
        if !valid_product_id(&id) {
            return Err(at(
                id_line,
                "id must be [a-z0-9][a-z0-9-]*, at most 64 characters".into(),
            ));
        }
        if products.iter().any(|q| q.id == id) {
            return Err(at(id_line, "listed twice".into()));
        }
        if p.name_zh.trim().is_empty() || p.name_en.trim().is_empty() {
            return Err(at(id_line, "name_zh and name_en are required".into()));
        }
        let features_line = src.line(&p.features);
        let mut features = FeatureSet::empty();
        for f in p.features.get_ref() {
            let feature = Feature::from_str(f)
                .map_err(|_| at(features_line, format!("unknown feature {f:?}")))?;
            features.insert(feature);
        }
        if features.is_empty() {
            return Err(at(features_line, "grants no feature".into()));
        }
        let platform_fee = money(p.platform_fee.get_ref())
            .map_err(|m| at(src.line(&p.platform_fee), format!("platform_fee: {m}")))?;
        let modes = [
            ("volume", TierMode::Volume),
            ("graduated", TierMode::Graduated),
        ];
        let tier_mode = one_of(src, p.tier_mode.as_ref(), "tier_mode", &modes)
            .map_err(|(line, message)| at(line, message))?;
        let device_tiers = tiers(src, &p.device_tiers, rules.device_min_quantity)
            .map_err(|(line, message)| at(line, message))?;
        products.push(Product {
            id,
            name_zh: p.name_zh,
            name_en: p.name_en,
            features,
            platform_fee,
            tier_mode,
            device_tiers,
        });
    }
    if products.is_empty() {
        return Err(CatalogError {
            line: 1,
            message: "no products".into(),
        });
    }
    Ok(products)
}

/// Checks a product's device tiers: the first starts at `min_quantity`, each
/// starts where the one before ends, only the last is open, every unit price
/// is positive. A refusal carries the line of the tier at fault.
fn tiers(
    src: Source<'_>,
    raw: &Spanned<Vec<Spanned<RawTier>>>,
    min_quantity: u64,
) -> Result<Vec<Tier>, (usize, String)> {
    let count = raw.get_ref().len();
    if count == 0 {
        return Err((src.line(raw), "needs at least one device tier".into()));
    }
    let mut tiers = Vec::with_capacity(count);
    let mut expect_from = min_quantity;
    for (i, spanned) in raw.get_ref().iter().enumerate() {
        let (n, t, line) = (i + 1, spanned.get_ref(), src.line(spanned));
        let refuse = |message: String| (line, message);
        if t.from != expect_from {
            return Err(refuse(format!(
                "tier {n} starts at {} but must start at {expect_from} (tiers start at the \
                 minimum quantity, ascending, no gaps or overlaps)",
                t.from
            )));
        }
        match t.to {
            Some(to) if to < t.from => {
                return Err(refuse(format!("tier {n} ends before it starts")));
            }
            Some(to) if n == count => {
                return Err(refuse(format!(
                    "last tier must be open (no `to`), but ends at {to}"
                )));
            }
            Some(to) => expect_from = to + 1,
            None if n != count => {
                return Err(refuse(format!(
                    "only the last tier may be open; tier {n} has no `to`"
                )));
            }
            None => {}
        }
        let unit_price =
            money(&t.unit_price).map_err(|m| refuse(format!("tier {n} unit_price: {m}")))?;
        if unit_price.is_zero() {
            return Err(refuse(format!("tier {n} unit_price must be positive")));
        }
        let flat_fee = match &t.flat_fee {
            Some(fee) => money(fee).map_err(|m| refuse(format!("tier {n} flat_fee: {m}")))?,
            None => Decimal::ZERO,
        };
        tiers.push(Tier {
            from: t.from,
            to: t.to,
            unit_price,
            flat_fee,
        });
    }
    Ok(tiers)
}

/// Checks `[invoicing]`: the VAT rate, distinct document prefixes, day
/// counts in range, a known time zone.
pub(super) fn invoicing(
    src: Source<'_>,
    raw: Spanned<RawInvoicing>,
) -> Result<Invoicing, CatalogError> {
    let table_line = src.line(&raw);
    let inv = raw.into_inner();
    let vat_rate = rate(inv.vat_rate.get_ref())
        .map_err(|m| src.error(&inv.vat_rate, format!("vat_rate: {m}")))?;
    if vat_rate >= Decimal::ONE_HUNDRED {
        return Err(src.error(&inv.vat_rate, "vat_rate is a percentage below 100"));
    }
    let default_quote_prefix = Spanned::new(0..0, DEFAULT_QUOTE_PREFIX.to_owned());
    let quote_prefix = inv.quote_prefix.as_ref().unwrap_or(&default_quote_prefix);
    let prefixes = [
        ("invoice_prefix", &inv.invoice_prefix),
        ("credit_note_prefix", &inv.credit_note_prefix),
        ("quote_prefix", quote_prefix),
    ];
    for (i, (name, prefix)) in prefixes.iter().enumerate() {
        let text = prefix.get_ref();
        if text.is_empty() || text.len() > 8 || !text.bytes().all(|c| c.is_ascii_uppercase()) {
            return Err(src.error(prefix, format!("{name} must be 1 to 8 upper-case letters")));
        }
        if let Some((other, _)) = prefixes[..i].iter().find(|(_, p)| p.get_ref() == text) {
            let line = src.line(prefix).max(table_line);
            return Err(CatalogError {
                line,
                message: format!(
                    "{name} is the same as {other}: invoice, credit-note and quote prefixes \
                     must differ"
                ),
            });
        }
    }
    let days =
        |value: &Option<Spanned<u32>>, name: &str, least: u32, most: u32, why: &str| match value {
            None => Ok(None),
            Some(v) if (least..=most).contains(v.get_ref()) => Ok(Some(*v.get_ref())),
            Some(v) => Err(src.error(v, format!("{name} must be {why}"))),
        };
    let quote_validity_days = days(
        &inv.quote_validity_days,
        "quote_validity_days",
        1,
        365,
        "a number of days up to 365",
    )?;
    let payment_terms_days = days(
        &inv.payment_terms_days,
        "payment_terms_days",
        0,
        365,
        "a number of days up to 365",
    )?;
    let usage_bill_day = days(
        &inv.usage_bill_day,
        "usage_bill_day",
        1,
        28,
        "1 to 28 (a day every month has)",
    )?;
    let time_zone = match &inv.time_zone {
        None => crate::dates::TimeZone::named(crate::dates::DEFAULT_TIME_ZONE),
        Some(zone) => Some(
            crate::dates::TimeZone::named(zone.get_ref()).ok_or_else(|| {
                src.error(
                    zone,
                    format!(
                        "time_zone {:?} is not an IANA time zone (e.g. Asia/Shanghai)",
                        zone.get_ref()
                    ),
                )
            })?,
        ),
    }
    .ok_or_else(|| CatalogError {
        line: table_line,
        message: "the default time zone is unknown".into(),
    })?;
    Ok(Invoicing {
        time_zone,
        seller_name: inv.seller_name,
        seller_address: inv.seller_address,
        seller_tax_id: seller_tax_id(src, &inv.seller_tax_id)?,
        vat_rate,
        prices_include_tax: inv.prices_include_tax,
        invoice_prefix: inv.invoice_prefix.into_inner(),
        credit_note_prefix: inv.credit_note_prefix.into_inner(),
        seller_phone: inv.seller_phone,
        seller_bank: inv.seller_bank,
        seller_account: inv.seller_account,
        quote_prefix: quote_prefix.get_ref().clone(),
        quote_validity_days: quote_validity_days.unwrap_or(DEFAULT_THIRTY_DAYS),
        payment_terms_days: payment_terms_days.unwrap_or(DEFAULT_THIRTY_DAYS),
        usage_bill_day: usage_bill_day.unwrap_or(DEFAULT_USAGE_BILL_DAY),
    })
}

/// The seller's tax id: empty (not set yet: statements cannot be
/// finalized) or a valid unified social credit code — never a placeholder
/// that fails its own check character.
fn seller_tax_id(src: Source<'_>, value: &Spanned<String>) -> Result<String, CatalogError> {
    let text = value.get_ref().trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    crate::tax_id::check_uscc(text).map_err(|e| {
        src.error(
            value,
            format!("seller_tax_id: {e} (leave it empty until the vendor's code is known)"),
        )
    })
}
