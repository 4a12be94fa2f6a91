//! The product catalog (`licenses/catalog.toml`): products, features, prices
//! and the licensing rules, validated on load.

use facelic_verifier::FeatureSet;
use rust_decimal::Decimal;

mod metered;
mod sections;
mod values;

use sections::RawCatalog;
use values::Source;

pub use metered::{
    ApiProduct, ApiTier, Cycle, DailyTiers, MonthlyPostpaid, NoPrice, OnSale, Pack, PriceList,
    PriceSource, RESERVED_PRICE_NAMES, TierBasis, UsageFamily,
};

/// The catalog shipped with facelic (`licenses/catalog.toml`).
pub const DEFAULT_CATALOG: &str = include_str!("../../../../licenses/catalog.toml");

/// Why a catalog was refused. The message names the line where it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalog line {line}: {message}")]
pub struct CatalogError {
    /// 1-based line of the value at fault (from the TOML parser's spans).
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

impl Catalog {
    /// The catalog shipped with facelic.
    pub fn default_catalog() -> Result<Self, CatalogError> {
        Self::parse(DEFAULT_CATALOG)
    }

    /// Parses and validates catalog TOML. A refusal names the line of the
    /// value at fault.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| CatalogError {
            line: e.span().map_or(1, |s| values::line_of(text, s.start)),
            message: e.message().to_owned(),
        })?;
        let src = Source(text);
        if raw.currency.get_ref().trim().is_empty() {
            return Err(src.error(&raw.currency, "currency is empty"));
        }
        let rules = sections::rules(src, raw.rules)?;
        let products = sections::products(src, raw.product, &rules)?;
        let invoicing = sections::invoicing(src, raw.invoicing)?;
        let usage_families = metered::families(src, raw.usage_family)?;
        let api_products = metered::products(src, raw.api_product, &usage_families)?;
        Ok(Catalog {
            currency: raw.currency.into_inner(),
            rules,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::Date as Dates;
    use std::str::FromStr;

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

    /// The 1-based line of the first occurrence of `needle` in `text`.
    fn line_with(text: &str, needle: &str) -> usize {
        let at = text.find(needle).expect("needle in text");
        text[..at].matches('\n').count() + 1
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
        assert_eq!(
            gap.line,
            line_with(DEFAULT_CATALOG, "{ from = 1001, to = 5000")
        );
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
            line_with(DEFAULT_CATALOG, "[rules"),
            "{syntax}"
        );
        let dup = broken("id = \"ir-liveness\"\n", "id = \"face-detect\"\n");
        assert!(dup.message.contains("twice"), "{dup}");
        let min = broken("{ from = 50, to = 1000", "{ from = 40, to = 1000");
        assert!(min.message.contains("must start at 50"), "{min}");
    }

    /// Each refusal names the line of the value at fault, found from the
    /// parser's spans: an id that also appears in a comment above, or in
    /// another section, does not move it.
    #[test]
    fn refusals_name_the_line_of_the_value_at_fault() {
        let commented = format!(
            "# \"face-detect\" and \"face-liveness-ir\" are our best sellers\n{}",
            DEFAULT_CATALOG.replacen("{ from = 1001, to = 5000", "{ from = 1002, to = 5000", 1)
        );
        let err = Catalog::parse(&commented).unwrap_err();
        assert!(err.message.contains("tier 2 starts at 1002"), "{err}");
        assert_eq!(
            err.line,
            line_with(&commented, "{ from = 1002, to = 5000"),
            "{err}"
        );
        for (from, to, at) in [
            (
                "vat_rate = \"0\"",
                "vat_rate = \"100\"",
                "vat_rate = \"100\"",
            ),
            (
                "device_trial_days = 30",
                "device_trial_days = 0",
                "device_trial_days = 0",
            ),
            (
                "features = [\"detect\"]",
                "features = [\"fly\"]",
                "features = [\"fly\"]",
            ),
            (
                "usage_bill_day = 1",
                "usage_bill_day = 29",
                "usage_bill_day = 29",
            ),
            (
                "tier_basis = \"postpaid\"",
                "tier_basis = \"most\"",
                "tier_basis = \"most\"",
            ),
            ("family = \"kyc\"", "family = \"kcy\"", "family = \"kcy\""),
            ("currency = \"CNY\"", "currency = \" \"", "currency = \" \""),
        ] {
            let text = DEFAULT_CATALOG.replacen(from, to, 1);
            assert_ne!(text, DEFAULT_CATALOG, "pattern {from:?} not found");
            let Err(err) = Catalog::parse(&text) else {
                panic!("{to} was accepted");
            };
            assert_eq!(err.line, line_with(&text, at), "{to}: {err}");
        }
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
            "[[api_product.campaign]]\nname = \"b\"\nfrom = \"2021-01-25\"\npermanent = true\npostpaid_tiers = [{ unit_price = \"1\" }]\n\n[[api_product.campaign]]\n",
        );
        assert!(
            overlap.message.contains("overlaps campaign \"b\""),
            "{overlap}"
        );
        // A campaign named as another price source would make a pack's or
        // a charge's stored price source ambiguous.
        for reserved in crate::RESERVED_PRICE_NAMES {
            let named = broken("name = \"88折\"", &format!("name = \"{reserved}\""));
            assert!(
                named
                    .message
                    .contains("needs a name other than \"list\", \"agreed\", \"trial\""),
                "{named}"
            );
        }
        assert_eq!(crate::PriceSource::parse("88折").to_string(), "88折");
        for source in ["list", "agreed", "trial"] {
            assert_eq!(crate::PriceSource::parse(source).to_string(), source);
            assert_ne!(
                crate::PriceSource::parse(source),
                crate::PriceSource::Campaign(source.into())
            );
        }
        let backwards = broken("to = \"2021-06-21\"", "to = \"2021-01-31\"");
        assert!(
            backwards.message.contains("ends before it starts"),
            "{backwards}"
        );
        // The defect: a campaign without an end sold at its prices
        // for ever. It ends, or says it is permanent (and then has no end).
        let open_ended = broken("to = \"2021-06-21\"", "");
        assert!(
            open_ended.message.contains("has no end: set `to`"),
            "{open_ended}"
        );
        let both = broken(
            "to = \"2021-06-21\"",
            "to = \"2021-06-21\"\npermanent = true",
        );
        assert!(
            both.message.contains("is permanent and has a `to`"),
            "{both}"
        );
        let on_sale = broken(
            "packs_on_sale_from = \"2022-01-04 10:00\"",
            "packs_on_sale_from = \"2022-01-04 25:00\"",
        );
        assert!(
            on_sale.message.contains("is not YYYY-MM-DD HH:MM"),
            "{on_sale}"
        );
        let basis = broken("tier_basis = \"postpaid\"", "tier_basis = \"most\"");
        assert!(
            basis.message.contains("not postpaid or all-calls"),
            "{basis}"
        );
        let day = broken("usage_bill_day = 1", "usage_bill_day = 31");
        assert!(day.message.contains("1 to 28"), "{day}");
        let c = Catalog::default_catalog().unwrap();
        assert_eq!(c.api_products.len(), 7 + 15 + 11);
        let kyc = c.api_product("kyc-wechat-liveness-verification").unwrap();
        assert_eq!(
            kyc.family.cycle_for(Dates::parse("2023-01-04")),
            Cycle::Daily
        );
        assert_eq!(
            kyc.family.cycle_for(Dates::parse("2023-01-03")),
            Cycle::Monthly
        );
        // The WeChat labels: none before 2021-01-20, 88折 to the end of
        // January, 限时8折 to 2021-06-21, and the list ever since.
        let on = |d: &str| {
            kyc.prices_on(Dates::parse(d).unwrap())
                .map(|p| p.name.as_str())
        };
        assert_eq!(on("2021-01-19"), None);
        assert_eq!(on("2021-01-25"), Some("88折"));
        assert_eq!(on("2021-06-21"), Some("限时8折优惠起"));
        assert_eq!(on("2021-06-22"), Some("list"));
        assert_eq!(on("2026-11-01"), Some("list"));
        assert_eq!(kyc.list.tier_label(3), "10,001-100,000");
        assert_eq!(kyc.list.tier_label(5), "> 200,000");
    }

    /// Issue 25 item 16: the products the seeds name without prices are in
    /// the catalog, sold at no price; the new-user trial follows 004 L103;
    /// monthly-settled 实名信息核验 has a list of its own, unpublished.
    #[test]
    fn unpriced_products_trials_and_monthly_lists() {
        let c = Catalog::default_catalog().unwrap();
        let d = |t: &str| Dates::parse(t).unwrap();
        let enhanced = c.api_product("kyc-enhanced-wechat-authority").unwrap();
        assert!(enhanced.prices_on(d("2026-11-01")).is_none());
        assert!(matches!(
            enhanced.postpaid_prices(Cycle::Daily, d("2026-11-01")),
            Err(NoPrice::Unpublished(why)) if why.contains("增强版")
        ));
        for id in [
            "kyc-basic-authority",
            "kyc-basic-uploaded-photo",
            "kyc-enhanced-app-authority",
            "kyc-enhanced-app-uploaded-photo",
            "kyc-enhanced-wechat-uploaded-photo",
            "kyc-photo-verification-v2",
            "kyc-eid-authority",
            "kyc-liveness-verification",
            "kyc-liveness-comparison",
            "kyc-photo-verification",
        ] {
            assert!(c.api_product(id).unwrap().unpriced.is_some(), "{id}");
        }
        // The trial: the 2021 labels before the renaming, the five products
        // 004 L103 names after it.
        let trials = |on: &str| -> Vec<&str> {
            c.api_products
                .iter()
                .filter(|p| p.trial_calls_on(d(on)) == 100)
                .map(|p| p.id.as_str())
                .collect()
        };
        assert_eq!(trials("2021-06-21").len(), 4);
        assert_eq!(
            trials("2021-06-22"),
            [
                "kyc-enhanced-wechat-authority",
                "kyc-enhanced-wechat-uploaded-photo",
                "kyc-basic-authority",
                "kyc-basic-uploaded-photo",
                "kyc-photo-verification-v2"
            ]
        );
        // 实名信息核验: the flat price daily, the unpublished list monthly.
        let id = c.api_product("kyc-id-check").unwrap();
        let daily = id.postpaid_prices(Cycle::Daily, d("2026-11-01")).unwrap();
        assert_eq!(daily.postpaid_tiers[0].unit_price.to_string(), "0.3");
        assert!(matches!(
            id.postpaid_prices(Cycle::Monthly, d("2026-11-01")),
            Err(NoPrice::Unpublished(why)) if why.contains("004 L253")
        ));
        // Once the vendor adds the monthly list, monthly accounts use it.
        let text = DEFAULT_CATALOG.replacen(
            "monthly_unpriced = \"the monthly list (价格说明（月结）) is not in the vendor's documents (004 L253)\"",
            "monthly_postpaid_tiers = [{ up_to = 10000, unit_price = \"0.35\" }, { unit_price = \"0.25\" }]",
            1,
        );
        let priced = Catalog::parse(&text).unwrap();
        let id = priced.api_product("kyc-id-check").unwrap();
        let monthly = id.postpaid_prices(Cycle::Monthly, d("2026-11-01")).unwrap();
        assert_eq!(
            monthly.tier(20_000).unwrap().1.unit_price.to_string(),
            "0.25"
        );
        assert_eq!(
            id.postpaid_prices(Cycle::Daily, d("2026-11-01"))
                .unwrap()
                .name,
            "list"
        );
        // Refusals.
        let unpriced_with_prices = broken(
            "unpriced = \"E证通's price",
            "postpaid_tiers = [{ unit_price = \"1\" }]\nunpriced = \"E证通's price",
        );
        assert!(
            unpriced_with_prices
                .message
                .contains("is unpriced and lists prices"),
            "{unpriced_with_prices}"
        );
        let empty = broken(
            "unpriced = \"E证通's price is not in the vendor's documents (004 L152-L154)\"",
            "unpriced = \" \"",
        );
        assert!(empty.message.contains("needs the reason"), "{empty}");
        let window = broken(
            "trial_from = \"2021-06-22\"",
            "trial_from = \"2021-06-22\"\ntrial_to = \"2021-06-01\"",
        );
        assert!(
            window.message.contains("trial_to is before trial_from"),
            "{window}"
        );
        let no_trial = broken(
            "id = \"kyc-eid-authority\"",
            "id = \"kyc-eid-authority\"\ntrial_from = \"2021-06-22\"",
        );
        assert!(no_trial.message.contains("need trial_calls"), "{no_trial}");
        let both = broken(
            "monthly_unpriced = ",
            "monthly_postpaid_tiers = [{ unit_price = \"1\" }]\nmonthly_unpriced = ",
        );
        assert!(both.message.contains("keep one"), "{both}");
        let face_api = broken(
            "free_calls_per_month = 10000\n",
            "free_calls_per_month = 10000\nmonthly_unpriced = \"x\"\n",
        );
        assert!(
            face_api.message.contains("settle daily from a date"),
            "{face_api}"
        );
    }
}
