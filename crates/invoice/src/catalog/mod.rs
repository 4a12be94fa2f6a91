//! The product catalog (`licenses/catalog.toml`): products, features, prices
//! and the licensing rules, validated on load.

use std::str::FromStr;

use facelic_verifier::{Feature, FeatureSet};
use rust_decimal::Decimal;
use serde::Deserialize;

mod metered;

pub use metered::{
    ApiProduct, ApiTier, Cycle, DailyTiers, Pack, PriceList, TierBasis, UsageFamily,
};

/// The catalog shipped with facelic (`licenses/catalog.toml`).
pub const DEFAULT_CATALOG: &str = include_str!("../../../../licenses/catalog.toml");

/// Why a catalog was refused. The message names the line where it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalog line {line}: {message}")]
pub struct CatalogError {
    /// 1-based line of the problem (the product's `id` line for product errors).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The licensing rules of the price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Fewest devices one per-device purchase may have.
    pub device_min_quantity: u64,
    /// Days a device trial lasts, counted from its first license.
    pub device_trial_days: u32,
    /// Most devices one device trial may bind.
    pub device_trial_max_devices: u64,
    /// Months in one platform term.
    pub platform_term_months: u32,
    /// Days a platform trial lasts.
    pub platform_trial_days: u32,
    /// How many days before the order a platform term may start: a
    /// contract signed shortly before the desk records it. Further back, the
    /// customer would pay for time that is gone.
    pub platform_max_backdate_days: u32,
}

/// Default of [`Rules::platform_max_backdate_days`]: one month.
const DEFAULT_MAX_BACKDATE_DAYS: u32 = 31;

/// One device price tier: `from..=to` devices (no `to`: and more) at `unit_price`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// First quantity of the tier.
    pub from: u64,
    /// Last quantity of the tier; `None` for the open last tier.
    pub to: Option<u64>,
    /// Price per device.
    pub unit_price: Decimal,
    /// Optional flat fee added once when the tier applies.
    pub flat_fee: Decimal,
}

/// How a quantity is priced across tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierMode {
    /// "Tier reached": every unit at the price of the tier the quantity falls in
    /// (the vendor's rule).
    Volume,
    /// Each tier's units at that tier's price.
    Graduated,
}

impl TierMode {
    /// `volume` or `graduated`.
    pub fn as_str(self) -> &'static str {
        match self {
            TierMode::Volume => "volume",
            TierMode::Graduated => "graduated",
        }
    }
}

/// Who sells, how tax is shown, how documents are numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoicing {
    /// Seller's legal name.
    pub seller_name: String,
    /// Seller's address.
    pub seller_address: String,
    /// Seller's tax id.
    pub seller_tax_id: String,
    /// VAT rate in percent (0 = no tax shown).
    pub vat_rate: Decimal,
    /// True when catalog prices already include the tax.
    pub prices_include_tax: bool,
    /// Prefix of invoice numbers, e.g. `FL`.
    pub invoice_prefix: String,
    /// Prefix of credit-note numbers, e.g. `CN`.
    pub credit_note_prefix: String,
    /// The zone documents are dated in (`time_zone`, default `Asia/Shanghai`).
    pub time_zone: crate::dates::TimeZone,
    /// Seller's phone (`seller_phone`, may be empty).
    pub seller_phone: String,
    /// Seller's bank (`seller_bank`, may be empty).
    pub seller_bank: String,
    /// Seller's bank account (`seller_account`, may be empty).
    pub seller_account: String,
    /// Prefix of saved quote numbers (`quote_prefix`, default `Q`).
    pub quote_prefix: String,
    /// Days a saved quote stays valid (`quote_validity_days`, default 30).
    pub quote_validity_days: u32,
    /// Days a customer has to pay when its profile names no terms
    /// (`payment_terms_days`, default 30: net 30).
    pub payment_terms_days: u32,
    /// Day of the next month a monthly usage bill is dated
    /// (`usage_bill_day`, 1 to 28, default 1).
    pub usage_bill_day: u32,
}

/// One product of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Product id, e.g. `face-detect`.
    pub id: String,
    /// Chinese name, as on the price list.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Features a license for this product grants.
    pub features: FeatureSet,
    /// Fee per platform term (year).
    pub platform_fee: Decimal,
    /// How device quantities are priced across the tiers.
    pub tier_mode: TierMode,
    /// Device price tiers, ascending and contiguous.
    pub device_tiers: Vec<Tier>,
}

/// The validated catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// Currency of every price, e.g. `CNY`.
    pub currency: String,
    /// Licensing rules.
    pub rules: Rules,
    /// Products, in file order.
    pub products: Vec<Product>,
    /// Invoicing settings.
    pub invoicing: Invoicing,
    /// Products billed by usage (face APIs, face verification).
    pub api_products: Vec<ApiProduct>,
    /// The rules families of usage-billed products share.
    pub usage_families: Vec<UsageFamily>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    currency: String,
    rules: RawRules,
    product: Vec<RawProduct>,
    invoicing: RawInvoicing,
    #[serde(default)]
    usage_family: Vec<metered::RawFamily>,
    #[serde(default)]
    api_product: Vec<metered::RawApiProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvoicing {
    seller_name: String,
    seller_address: String,
    seller_tax_id: String,
    vat_rate: String,
    prices_include_tax: bool,
    invoice_prefix: String,
    credit_note_prefix: String,
    #[serde(default = "default_time_zone")]
    time_zone: String,
    #[serde(default)]
    seller_phone: String,
    #[serde(default)]
    seller_bank: String,
    #[serde(default)]
    seller_account: String,
    #[serde(default = "default_quote_prefix")]
    quote_prefix: String,
    #[serde(default = "default_thirty")]
    quote_validity_days: u32,
    #[serde(default = "default_thirty")]
    payment_terms_days: u32,
    #[serde(default = "default_bill_day")]
    usage_bill_day: u32,
}

fn default_bill_day() -> u32 {
    1
}

fn default_quote_prefix() -> String {
    "Q".to_owned()
}

fn default_thirty() -> u32 {
    30
}

fn default_time_zone() -> String {
    crate::dates::DEFAULT_TIME_ZONE.to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    device_min_quantity: u64,
    device_trial_days: u32,
    device_trial_max_devices: u64,
    platform_term_months: u32,
    platform_trial_days: u32,
    #[serde(default = "default_max_backdate_days")]
    platform_max_backdate_days: u32,
}

fn default_max_backdate_days() -> u32 {
    DEFAULT_MAX_BACKDATE_DAYS
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    id: String,
    name_zh: String,
    name_en: String,
    features: Vec<String>,
    platform_fee: String,
    #[serde(default)]
    tier_mode: Option<String>,
    device_tiers: Vec<RawTier>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    from: u64,
    to: Option<u64>,
    unit_price: String,
    flat_fee: Option<String>,
}

impl Catalog {
    /// The catalog shipped with facelic.
    pub fn default_catalog() -> Result<Self, CatalogError> {
        Self::parse(DEFAULT_CATALOG)
    }

    /// Parses and validates catalog TOML.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| CatalogError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().to_owned(),
        })?;
        let err = |line: usize, message: String| CatalogError { line, message };
        let rules_line = find_line(text, "[rules]");
        let r = raw.rules;
        if r.device_min_quantity == 0 || r.device_trial_max_devices == 0 {
            return Err(err(rules_line, "device quantities must be positive".into()));
        }
        if r.device_trial_days == 0 || r.platform_trial_days == 0 || r.platform_term_months == 0 {
            return Err(err(
                rules_line,
                "trial days and term months must be positive".into(),
            ));
        }
        if raw.currency.trim().is_empty() {
            return Err(err(find_line(text, "currency"), "currency is empty".into()));
        }
        let mut products: Vec<Product> = Vec::with_capacity(raw.product.len());
        for p in raw.product {
            let line = find_line(text, &format!("\"{}\"", p.id));
            let at = |message: String| err(line, format!("product {:?}: {message}", p.id));
            if !valid_product_id(&p.id) {
                return Err(at(
                    "id must be [a-z0-9][a-z0-9-]*, at most 64 characters".into()
                ));
            }
            if products.iter().any(|q| q.id == p.id) {
                return Err(at("listed twice".into()));
            }
            if p.name_zh.trim().is_empty() || p.name_en.trim().is_empty() {
                return Err(at("name_zh and name_en are required".into()));
            }
            let mut features = FeatureSet::empty();
            for f in &p.features {
                features.insert(
                    Feature::from_str(f).map_err(|_| at(format!("unknown feature {f:?}")))?,
                );
            }
            if features.is_empty() {
                return Err(at("grants no feature".into()));
            }
            let platform_fee =
                money(&p.platform_fee).map_err(|m| at(format!("platform_fee: {m}")))?;
            let mut tiers = Vec::with_capacity(p.device_tiers.len());
            let mut expect_from = r.device_min_quantity;
            let count = p.device_tiers.len();
            for (i, t) in p.device_tiers.into_iter().enumerate() {
                let n = i + 1;
                if t.from != expect_from {
                    return Err(at(format!(
                        "tier {n} starts at {} but must start at {expect_from} (tiers start at the minimum quantity, ascending, no gaps or overlaps)",
                        t.from
                    )));
                }
                match t.to {
                    Some(to) if to < t.from => {
                        return Err(at(format!("tier {n} ends before it starts")));
                    }
                    Some(to) if n == count => {
                        return Err(at(format!(
                            "last tier must be open (no `to`), but ends at {to}"
                        )));
                    }
                    Some(to) => expect_from = to + 1,
                    None if n != count => {
                        return Err(at(format!(
                            "only the last tier may be open; tier {n} has no `to`"
                        )));
                    }
                    None => {}
                }
                let unit_price =
                    money(&t.unit_price).map_err(|m| at(format!("tier {n} unit_price: {m}")))?;
                if unit_price.is_zero() {
                    return Err(at(format!("tier {n} unit_price must be positive")));
                }
                let flat_fee = match &t.flat_fee {
                    Some(fee) => money(fee).map_err(|m| at(format!("tier {n} flat_fee: {m}")))?,
                    None => Decimal::ZERO,
                };
                tiers.push(Tier {
                    from: t.from,
                    to: t.to,
                    unit_price,
                    flat_fee,
                });
            }
            if tiers.is_empty() {
                return Err(at("needs at least one device tier".into()));
            }
            let tier_mode = match p.tier_mode.as_deref() {
                None | Some("volume") => TierMode::Volume,
                Some("graduated") => TierMode::Graduated,
                Some(other) => {
                    return Err(at(format!(
                        "tier_mode {other:?} is not volume or graduated"
                    )));
                }
            };
            products.push(Product {
                id: p.id,
                name_zh: p.name_zh,
                name_en: p.name_en,
                features,
                platform_fee,
                tier_mode,
                device_tiers: tiers,
            });
        }
        if products.is_empty() {
            return Err(err(1, "no products".into()));
        }
        let inv = raw.invoicing;
        let inv_line = find_line(text, "[invoicing]");
        let vat_rate = rate(&inv.vat_rate).map_err(|m| err(inv_line, format!("vat_rate: {m}")))?;
        if vat_rate >= Decimal::ONE_HUNDRED {
            return Err(err(inv_line, "vat_rate is a percentage below 100".into()));
        }
        for (name, prefix) in [
            ("invoice_prefix", &inv.invoice_prefix),
            ("credit_note_prefix", &inv.credit_note_prefix),
            ("quote_prefix", &inv.quote_prefix),
        ] {
            if prefix.is_empty()
                || prefix.len() > 8
                || !prefix.bytes().all(|c| c.is_ascii_uppercase())
            {
                return Err(err(
                    inv_line,
                    format!("{name} must be 1 to 8 upper-case letters"),
                ));
            }
        }
        if inv.invoice_prefix == inv.credit_note_prefix
            || inv.quote_prefix == inv.invoice_prefix
            || inv.quote_prefix == inv.credit_note_prefix
        {
            return Err(err(
                inv_line,
                "invoice, credit-note and quote prefixes must differ".into(),
            ));
        }
        for (name, days, least) in [
            ("quote_validity_days", inv.quote_validity_days, 1),
            ("payment_terms_days", inv.payment_terms_days, 0),
        ] {
            if !(least..=365).contains(&days) {
                return Err(err(
                    find_line(text, name).max(inv_line),
                    format!("{name} must be a number of days up to 365"),
                ));
            }
        }
        if !(1..=28).contains(&inv.usage_bill_day) {
            return Err(err(
                find_line(text, "usage_bill_day").max(inv_line),
                "usage_bill_day must be 1 to 28 (a day every month has)".into(),
            ));
        }
        let time_zone = crate::dates::TimeZone::named(&inv.time_zone).ok_or_else(|| {
            err(
                find_line(text, "time_zone").max(inv_line),
                format!(
                    "time_zone {:?} is not an IANA time zone (e.g. Asia/Shanghai)",
                    inv.time_zone
                ),
            )
        })?;
        let invoicing = Invoicing {
            time_zone,
            seller_name: inv.seller_name,
            seller_address: inv.seller_address,
            seller_tax_id: inv.seller_tax_id,
            vat_rate,
            prices_include_tax: inv.prices_include_tax,
            invoice_prefix: inv.invoice_prefix,
            credit_note_prefix: inv.credit_note_prefix,
            seller_phone: inv.seller_phone,
            seller_bank: inv.seller_bank,
            seller_account: inv.seller_account,
            quote_prefix: inv.quote_prefix,
            quote_validity_days: inv.quote_validity_days,
            payment_terms_days: inv.payment_terms_days,
            usage_bill_day: inv.usage_bill_day,
        };
        let usage_families = metered::families(text, raw.usage_family)?;
        let api_products = metered::products(text, raw.api_product, &usage_families)?;
        Ok(Catalog {
            currency: raw.currency,
            rules: Rules {
                device_min_quantity: r.device_min_quantity,
                device_trial_days: r.device_trial_days,
                device_trial_max_devices: r.device_trial_max_devices,
                platform_term_months: r.platform_term_months,
                platform_trial_days: r.platform_trial_days,
                platform_max_backdate_days: r.platform_max_backdate_days,
            },
            products,
            invoicing,
            api_products,
            usage_families,
        })
    }

    /// The usage-billed product with this id.
    pub fn api_product(&self, id: &str) -> Option<&ApiProduct> {
        self.api_products.iter().find(|p| p.id == id)
    }

    /// The product with this id.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// Product ids, comma-separated (for messages).
    pub fn product_ids(&self) -> String {
        self.products
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn valid_product_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// Parses a non-negative amount with at most two decimal places.
fn money(text: &str) -> Result<Decimal, String> {
    let value = crate::money::parse_decimal(text.trim())
        .ok_or_else(|| format!("{text:?} is not a decimal amount"))?;
    if value.is_sign_negative() {
        return Err(format!("{text:?} is negative"));
    }
    if value.scale() > 2 {
        return Err(format!("{text:?} has more than two decimal places"));
    }
    Ok(value)
}

/// Parses a non-negative rate (per call, or a percentage) with up to six decimals.
fn rate(text: &str) -> Result<Decimal, String> {
    let value = crate::money::parse_decimal(text.trim())
        .ok_or_else(|| format!("{text:?} is not a decimal number"))?;
    if value.is_sign_negative() || value.scale() > 6 {
        return Err(format!(
            "{text:?} must be non-negative with at most six decimals"
        ));
    }
    Ok(value)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

fn find_line(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |o| line_of(text, o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::Date as Dates;

    #[test]
    fn shipped_catalog_matches_the_price_list() {
        let c = Catalog::default_catalog().unwrap();
        assert_eq!(c.currency, "CNY");
        assert_eq!(c.rules.device_min_quantity, 50);
        assert_eq!(c.rules.device_trial_max_devices, 3);
        assert_eq!(c.rules.device_trial_days, 30);
        assert_eq!(c.rules.platform_trial_days, 30);
        assert_eq!(c.rules.platform_term_months, 12);
        let expect = [
            (
                "face-detect",
                "离线人脸检测 SDK",
                "detect",
                ["288", "238", "188"],
                "300000",
            ),
            (
                "ir-liveness",
                "离线红外活体检测 SDK",
                "detect,ir-liveness",
                ["288", "238", "188"],
                "300000",
            ),
            (
                "3d-liveness",
                "离线3D活体检测 SDK",
                "detect,3d-liveness",
                ["288", "238", "188"],
                "300000",
            ),
            (
                "face-search",
                "离线人脸搜索 SDK",
                "detect,search",
                ["358", "308", "258"],
                "450000",
            ),
            (
                "ir-liveness-search",
                "离线人脸红外活体搜索 SDK",
                "detect,ir-liveness,search",
                ["398", "348", "298"],
                "600000",
            ),
            (
                "3d-liveness-search",
                "离线人脸3D活体搜索 SDK",
                "detect,3d-liveness,search",
                ["398", "348", "298"],
                "600000",
            ),
        ];
        assert_eq!(c.products.len(), expect.len());
        for (id, zh, features, prices, fee) in expect {
            let p = c.product(id).unwrap();
            assert_eq!(p.name_zh, zh);
            assert_eq!(p.features.to_string(), features);
            assert_eq!(p.platform_fee, Decimal::from_str(fee).unwrap());
            let bounds: Vec<_> = p.device_tiers.iter().map(|t| (t.from, t.to)).collect();
            assert_eq!(
                bounds,
                vec![(50, Some(1000)), (1001, Some(5000)), (5001, None)]
            );
            for (tier, price) in p.device_tiers.iter().zip(prices) {
                assert_eq!(tier.unit_price, Decimal::from_str(price).unwrap());
            }
        }
    }

    fn broken(from: &str, to: &str) -> CatalogError {
        let text = DEFAULT_CATALOG.replacen(from, to, 1);
        assert_ne!(text, DEFAULT_CATALOG, "pattern {from:?} not found");
        Catalog::parse(&text).unwrap_err()
    }

    #[test]
    fn invalid_catalogs_are_refused_with_the_line() {
        let gap = broken("{ from = 1001, to = 5000", "{ from = 1002, to = 5000");
        assert!(gap.message.contains("tier 2 starts at 1002"), "{gap}");
        assert_eq!(gap.line, find_line(DEFAULT_CATALOG, "\"face-detect\""));
        let overlap = broken("{ from = 1001, to = 5000", "{ from = 900, to = 5000");
        assert!(overlap.message.contains("tier 2"), "{overlap}");
        let closed = broken(
            "{ from = 5001, unit_price",
            "{ from = 5001, to = 9000, unit_price",
        );
        assert!(
            closed.message.contains("last tier must be open"),
            "{closed}"
        );
        let negative = broken("unit_price = \"288.00\"", "unit_price = \"-288.00\"");
        assert!(negative.message.contains("negative"), "{negative}");
        let zero = broken("unit_price = \"288.00\"", "unit_price = \"0\"");
        assert!(zero.message.contains("positive"), "{zero}");
        let fen = broken("unit_price = \"288.00\"", "unit_price = \"288.001\"");
        assert!(fen.message.contains("two decimal places"), "{fen}");
        let feature = broken(
            "features = [\"detect\"]",
            "features = [\"detect\", \"fly\"]",
        );
        assert!(feature.message.contains("unknown feature"), "{feature}");
        let float = broken("unit_price = \"288.00\"", "unit_price = 288.0");
        assert!(float.line > 1, "{float}");
        let syntax = broken("[rules]", "[rules");
        assert_eq!(
            syntax.line,
            find_line(DEFAULT_CATALOG, "[rules"),
            "{syntax}"
        );
        let dup = broken("id = \"ir-liveness\"\n", "id = \"face-detect\"\n");
        assert!(dup.message.contains("twice"), "{dup}");
        let min = broken("{ from = 50, to = 1000", "{ from = 40, to = 1000");
        assert!(min.message.contains("must start at 50"), "{min}");
    }

    #[test]
    fn usage_families_and_campaigns_are_checked() {
        let family = broken("family = \"kyc\"", "family = \"kcy\"");
        assert!(
            family.message.contains("\"kcy\" is not a [[usage_family]]"),
            "{family}"
        );
        let overlap = broken(
            "[[api_product.campaign]]\n",
            "[[api_product.campaign]]\nname = \"b\"\nfrom = \"2022-01-01\"\npostpaid_tiers = [{ unit_price = \"1\" }]\n\n[[api_product.campaign]]\n",
        );
        assert!(
            overlap.message.contains("overlaps campaign \"b\""),
            "{overlap}"
        );
        let backwards = broken(
            "from = \"2021-02-01\"\n",
            "from = \"2021-02-01\"\nto = \"2021-01-31\"\n",
        );
        assert!(
            backwards.message.contains("ends before it starts"),
            "{backwards}"
        );
        let basis = broken("tier_basis = \"postpaid\"", "tier_basis = \"most\"");
        assert!(
            basis.message.contains("not postpaid or all-calls"),
            "{basis}"
        );
        let day = broken("usage_bill_day = 1", "usage_bill_day = 31");
        assert!(day.message.contains("1 to 28"), "{day}");
        let c = Catalog::default_catalog().unwrap();
        assert_eq!(c.api_products.len(), 7 + 15);
        let kyc = c.api_product("kyc-wechat-liveness-verification").unwrap();
        assert_eq!(
            kyc.family.cycle_for(Dates::parse("2023-01-04")),
            Cycle::Daily
        );
        assert_eq!(
            kyc.family.cycle_for(Dates::parse("2023-01-03")),
            Cycle::Monthly
        );
        assert!(kyc.prices_on(Dates::parse("2021-01-31").unwrap()).is_none());
        assert_eq!(kyc.list.tier_label(3), "10,001-100,000");
        assert_eq!(kyc.list.tier_label(5), "> 200,000");
    }
}
