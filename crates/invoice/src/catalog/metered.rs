//! Products billed by usage (`[[api_product]]`) and the rules their
//! families share (`[[usage_family]]`): free quota, trial packs, list and
//! campaign prices, refunds, reminders and the settlement cycle.

use rust_decimal::Decimal;
use std::fmt;

use serde::{Deserialize, Serialize};

use toml::Spanned;

use super::CatalogError;
use super::values::{Source, money, one_of, rate, valid_product_id};
use crate::dates::Date;
use crate::money::group_digits;

/// A prepaid pack of calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    /// Calls in the pack.
    pub calls: u64,
    /// Price of the pack.
    pub price: Decimal,
}

/// A post-paid tier: billed calls up to and including `up_to` (none: and more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTier {
    /// Last call count of the tier; `None` for the open last tier.
    pub up_to: Option<u64>,
    /// Price per call.
    pub unit_price: Decimal,
}

/// Where a price of metered calls or of a pack came from: the catalog's
/// list, a campaign (by name), a price agreed with the customer, or a new
/// customer's free trial. Stored and shown as `list`, the campaign's name,
/// `agreed` or `trial`; the catalog refuses a campaign with one of the
/// other three names ([`RESERVED_PRICE_NAMES`]), so the text is never
/// ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PriceSource {
    /// The catalog's list prices.
    List,
    /// A campaign's prices.
    Campaign(String),
    /// A price agreed with the customer instead of the catalog's.
    Agreed,
    /// Free: a new customer's trial pack.
    Trial,
}

/// Names a campaign may not have: they name the other price sources.
pub const RESERVED_PRICE_NAMES: [&str; 3] = ["list", "agreed", "trial"];

impl PriceSource {
    /// Reads the stored or shown form.
    pub fn parse(text: &str) -> PriceSource {
        match text {
            "list" => PriceSource::List,
            "agreed" => PriceSource::Agreed,
            "trial" => PriceSource::Trial,
            name => PriceSource::Campaign(name.to_owned()),
        }
    }

    /// The stored and shown form.
    pub fn as_str(&self) -> &str {
        match self {
            PriceSource::List => "list",
            PriceSource::Campaign(name) => name,
            PriceSource::Agreed => "agreed",
            PriceSource::Trial => "trial",
        }
    }
}

impl fmt::Display for PriceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PriceSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PriceSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PriceSource, D::Error> {
        Ok(PriceSource::parse(&String::deserialize(d)?))
    }
}

/// One price table of a metered product: the list prices, or a campaign's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceList {
    /// `list`, or the campaign's name.
    pub name: String,
    /// First day the table applies (none: always, for a list without a start).
    pub from: Option<Date>,
    /// Last day the table applies (none: until further notice).
    pub to: Option<Date>,
    /// Packs on sale, smallest first (empty: post-paid only).
    pub packs: Vec<Pack>,
    /// Post-paid tiers, ascending, the last one open.
    pub postpaid_tiers: Vec<ApiTier>,
}

impl PriceList {
    /// Where prices from this table come from: the list, or its campaign.
    pub fn source(&self) -> PriceSource {
        PriceSource::parse(&self.name)
    }

    /// True when the table applies on `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }

    /// The post-paid tier `calls` calls reach, with its 1-based position.
    pub fn tier(&self, calls: u64) -> Option<(usize, &ApiTier)> {
        self.postpaid_tiers
            .iter()
            .enumerate()
            .find(|(_, t)| t.up_to.is_none_or(|up| calls <= up))
            .map(|(i, t)| (i + 1, t))
    }

    /// The label of tier `n` (1-based): `1-3,000,000`, `3,000,001-15,000,000`, `> 15,000,000`.
    pub fn tier_label(&self, n: usize) -> String {
        let start = n
            .checked_sub(2)
            .and_then(|i| self.postpaid_tiers.get(i))
            .and_then(|t| t.up_to)
            .unwrap_or(0);
        match self
            .postpaid_tiers
            .get(n.wrapping_sub(1))
            .and_then(|t| t.up_to)
        {
            Some(up) => format!("{}-{}", group_digits(start + 1), group_digits(up)),
            None => format!("> {}", group_digits(start)),
        }
    }

    /// The pack of `calls` calls, if this table sells one.
    pub fn pack(&self, calls: u64) -> Option<&Pack> {
        self.packs.iter().find(|p| p.calls == calls)
    }
}

/// What decides a post-paid tier (pricing-reference 4.5 item 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TierBasis {
    /// The calls billed post-paid, after free quota and packs (section 3's rule).
    Postpaid,
    /// Every call of the period, however it was paid.
    AllCalls,
}

/// How a daily-settled account's tier is found (pricing-reference 4.5 item 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DailyTiers {
    /// Each day's bill stands alone: the day's calls pick the tier.
    Day,
    /// The month so far, this day included, picks the tier for the day's calls.
    MonthToDate,
}

/// How often an account's post-paid usage is billed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Cycle {
    /// One bill a month.
    Monthly,
    /// One bill per day with usage.
    Daily,
}

impl Cycle {
    /// `monthly` or `daily`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cycle::Monthly => "monthly",
            Cycle::Daily => "daily",
        }
    }

    /// Parses `monthly` or `daily`.
    pub fn parse(text: &str) -> Option<Cycle> {
        match text {
            "monthly" => Some(Cycle::Monthly),
            "daily" => Some(Cycle::Daily),
            _ => None,
        }
    }
}

/// The rules a family of metered products shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageFamily {
    /// Family id, e.g. `kyc` (empty for products that name no family).
    pub id: String,
    /// What the family sells, for people.
    pub name: String,
    /// Days after purchase (inclusive) a wholly unused pack may be refunded; 0: never.
    pub pack_refund_days: u32,
    /// Remaining share (percent) of the last pack below which a balance is low; none: no reminder.
    pub low_balance_percent: Option<u32>,
    /// After each monthly settlement, this percent of the month's post-paid
    /// charge is held against the customer's account until the next one
    /// (seed 002: 120). None: no hold.
    pub postpaid_hold_percent: Option<u32>,
    /// Accounts activated on or after this day settle daily; none: every account monthly.
    pub daily_settlement_from: Option<Date>,
    /// What picks a post-paid tier.
    pub tier_basis: TierBasis,
    /// How daily-settled accounts find their tier.
    pub daily_tiers: DailyTiers,
}

impl UsageFamily {
    /// The rules of products that name no family: monthly, no refunds, no
    /// reminders, tiers by post-paid calls, bills dated the 1st.
    fn unnamed() -> Self {
        UsageFamily {
            id: String::new(),
            name: String::new(),
            pack_refund_days: 0,
            low_balance_percent: None,
            postpaid_hold_percent: None,
            daily_settlement_from: None,
            tier_basis: TierBasis::Postpaid,
            daily_tiers: DailyTiers::Day,
        }
    }

    /// How an account activated on `activated_on` settles.
    pub fn cycle_for(&self, activated_on: Option<Date>) -> Cycle {
        match (self.daily_settlement_from, activated_on) {
            (Some(from), Some(on)) if on >= from => Cycle::Daily,
            _ => Cycle::Monthly,
        }
    }
}

/// A day and time of day (`2022-01-04 10:00`) in the desk's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OnSale {
    /// The day.
    pub day: Date,
    /// Minutes after midnight.
    pub minute: u32,
}

impl OnSale {
    /// Reads `YYYY-MM-DD HH:MM`.
    pub fn parse(text: &str) -> Option<OnSale> {
        let (day, time) = text.trim().split_once(' ')?;
        let (h, m) = time.split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && time.len() == 5).then_some(OnSale {
            day: Date::parse(day)?,
            minute: h * 60 + m,
        })
    }
}

impl std::fmt::Display for OnSale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}",
            self.day,
            self.minute / 60,
            self.minute % 60
        )
    }
}

/// A product billed by usage: a face API, or a face-verification (人脸核身) label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiProduct {
    /// Product id, e.g. `api-face-search`.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The family's shared rules.
    pub family: UsageFamily,
    /// Calls free each month, used first.
    pub free_calls_per_month: u64,
    /// Calls of the one-off trial pack a customer gets when it activates the family (0: none).
    pub trial_calls: u64,
    /// When its packs went on sale, in the desk's time zone (none: with
    /// its prices). A pack is never sold before.
    pub packs_on_sale_from: Option<OnSale>,
    /// List prices.
    pub list: PriceList,
    /// Campaign prices, each for its own days; on those days they replace the list.
    pub campaigns: Vec<PriceList>,
    /// Why the catalog sells it at no price (the vendor's documents name the
    /// product but give none): its calls are recorded and its trial packs
    /// used, but nothing of it is billed or sold until prices are added.
    /// None: priced.
    pub unpriced: Option<String>,
    /// The activation days that get the trial pack (inclusive; none: open).
    pub trial_days: (Option<Date>, Option<Date>),
    /// What accounts of the family that settle monthly pay post-paid.
    pub monthly_postpaid: MonthlyPostpaid,
}

/// What a monthly-settled account pays post-paid for a product whose family
/// settles new accounts daily (pricing-reference 4.4: 实名信息核验 has a
/// monthly "tier reached" list of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonthlyPostpaid {
    /// The product's own price tables, as daily-settled accounts.
    AsListed,
    /// A post-paid list of its own (`monthly_postpaid_tiers`).
    Tiers(PriceList),
    /// A list the vendor's documents do not give (`monthly_unpriced`, the
    /// reason): such calls are not billed until it is added.
    Unpublished(String),
}

/// Why post-paid calls of a product have no price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoPrice<'a> {
    /// No price table applies on the day.
    OnDay,
    /// The catalog has no price for them, for this reason.
    Unpublished(&'a str),
}

impl ApiProduct {
    /// True when the product's family depends on when a customer started:
    /// a trial pack, or settlement that depends on the activation date.
    pub fn needs_activation(&self) -> bool {
        self.family.daily_settlement_from.is_some() || self.trial_calls > 0
    }

    /// The price table for calls made (or packs bought) on `day`: the
    /// campaign running that day, else the list, if it applies yet.
    pub fn prices_on(&self, day: Date) -> Option<&PriceList> {
        if self.unpriced.is_some() {
            return None;
        }
        self.campaigns
            .iter()
            .find(|c| c.covers(day))
            .or_else(|| self.list.covers(day).then_some(&self.list))
    }

    /// The table pricing post-paid calls of `day` for an account that
    /// settles `cycle`.
    pub fn postpaid_prices(&self, cycle: Cycle, day: Date) -> Result<&PriceList, NoPrice<'_>> {
        if let Some(why) = &self.unpriced {
            return Err(NoPrice::Unpublished(why));
        }
        match (&self.monthly_postpaid, cycle) {
            (MonthlyPostpaid::Tiers(list), Cycle::Monthly) if list.covers(day) => Ok(list),
            (MonthlyPostpaid::Unpublished(why), Cycle::Monthly) => Err(NoPrice::Unpublished(why)),
            _ => self.prices_on(day).ok_or(NoPrice::OnDay),
        }
    }

    /// Calls of the trial pack an account activated on `on` gets (0: none).
    pub fn trial_calls_on(&self, on: Date) -> u64 {
        let (from, to) = self.trial_days;
        if from.is_none_or(|f| f <= on) && to.is_none_or(|t| on <= t) {
            self.trial_calls
        } else {
            0
        }
    }

    /// Pack sizes on sale on `day`, comma-separated (for messages).
    pub fn pack_sizes_on(&self, day: Date) -> String {
        self.prices_on(day).map_or_else(String::new, |p| {
            p.packs
                .iter()
                .map(|p| p.calls.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFamily {
    id: Spanned<String>,
    name: String,
    pack_refund_days: Option<Spanned<u32>>,
    low_balance_percent: Option<Spanned<u32>>,
    postpaid_hold_percent: Option<Spanned<u32>>,
    daily_settlement_from: Option<Spanned<String>>,
    tier_basis: Option<Spanned<String>>,
    daily_tiers: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApiProduct {
    id: Spanned<String>,
    name_zh: String,
    name_en: String,
    family: Option<Spanned<String>>,
    #[serde(default)]
    free_calls_per_month: u64,
    #[serde(default)]
    trial_calls: u64,
    list_from: Option<Spanned<String>>,
    packs_on_sale_from: Option<Spanned<String>>,
    #[serde(default)]
    packs: Vec<RawPack>,
    #[serde(default)]
    postpaid_tiers: Vec<RawApiTier>,
    #[serde(default)]
    campaign: Vec<Spanned<RawCampaign>>,
    unpriced: Option<Spanned<String>>,
    trial_from: Option<Spanned<String>>,
    trial_to: Option<Spanned<String>>,
    monthly_postpaid_tiers: Option<Spanned<Vec<RawApiTier>>>,
    monthly_unpriced: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    name: String,
    from: String,
    to: Option<String>,
    #[serde(default)]
    permanent: bool,
    #[serde(default)]
    packs: Vec<RawPack>,
    postpaid_tiers: Vec<RawApiTier>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    calls: u64,
    price: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApiTier {
    up_to: Option<u64>,
    unit_price: String,
}

fn day(text: &str, what: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{what} {text:?} is not a date (YYYY-MM-DD)"))
}

/// Checks every `[[usage_family]]`: a valid, unique id and settings in
/// range; a refusal names the line of the setting at fault.
pub(super) fn families(
    src: Source<'_>,
    raw: Vec<Spanned<RawFamily>>,
) -> Result<Vec<UsageFamily>, CatalogError> {
    let mut out: Vec<UsageFamily> = Vec::with_capacity(raw.len());
    for f in raw {
        let f = f.into_inner();
        let id = f.id.get_ref().clone();
        let at = |line: usize, message: String| CatalogError {
            line,
            message: format!("usage family {id:?}: {message}"),
        };
        if !valid_product_id(&id) || out.iter().any(|o| o.id == id) {
            return Err(at(src.line(&f.id), "id invalid or listed twice".into()));
        }
        if let Some(p) = f.low_balance_percent.as_ref()
            && !(1..=99).contains(p.get_ref())
        {
            let why = "low_balance_percent must be 1 to 99".into();
            return Err(at(src.line(p), why));
        }
        if let Some(p) = f.postpaid_hold_percent.as_ref()
            && !(1..=1000).contains(p.get_ref())
        {
            let why = "postpaid_hold_percent must be 1 to 1000".into();
            return Err(at(src.line(p), why));
        }
        if let Some(d) = f.pack_refund_days.as_ref()
            && *d.get_ref() > 365
        {
            let why = "pack_refund_days must be at most 365".into();
            return Err(at(src.line(d), why));
        }
        let bases = [
            ("postpaid", TierBasis::Postpaid),
            ("all-calls", TierBasis::AllCalls),
        ];
        let tier_basis = one_of(src, f.tier_basis.as_ref(), "tier_basis", &bases)
            .map_err(|(line, message)| at(line, message))?;
        let days = [
            ("day", DailyTiers::Day),
            ("month-to-date", DailyTiers::MonthToDate),
        ];
        let daily_tiers = one_of(src, f.daily_tiers.as_ref(), "daily_tiers", &days)
            .map_err(|(line, message)| at(line, message))?;
        let daily_settlement_from = match &f.daily_settlement_from {
            None => None,
            Some(from) => Some(
                day(from.get_ref(), "daily_settlement_from").map_err(|m| at(src.line(from), m))?,
            ),
        };
        out.push(UsageFamily {
            id,
            name: f.name,
            pack_refund_days: f.pack_refund_days.map_or(0, Spanned::into_inner),
            low_balance_percent: f.low_balance_percent.map(Spanned::into_inner),
            postpaid_hold_percent: f.postpaid_hold_percent.map(Spanned::into_inner),
            daily_settlement_from,
            tier_basis,
            daily_tiers,
        });
    }
    Ok(out)
}

/// Validates the metered products against `families`.
pub(super) fn products(
    src: Source<'_>,
    raw: Vec<Spanned<RawApiProduct>>,
    families: &[UsageFamily],
) -> Result<Vec<ApiProduct>, CatalogError> {
    let mut out: Vec<ApiProduct> = Vec::with_capacity(raw.len());
    for a in raw {
        let a = a.into_inner();
        let id = a.id.get_ref().clone();
        let at_line = |line: usize, message: String| CatalogError {
            line,
            message: format!("api product {id:?}: {message}"),
        };
        let id_line = src.line(&a.id);
        let at = |message: String| at_line(id_line, message);
        if !valid_product_id(&id) || out.iter().any(|q| q.id == id) {
            return Err(at("id invalid or listed twice".into()));
        }
        let family = match &a.family {
            None => UsageFamily::unnamed(),
            Some(name) => families
                .iter()
                .find(|f| &f.id == name.get_ref())
                .cloned()
                .ok_or_else(|| {
                    let why = format!("family {:?} is not a [[usage_family]]", name.get_ref());
                    at_line(src.line(name), why)
                })?,
        };
        let list_from = match &a.list_from {
            None => None,
            Some(from) => {
                Some(day(from.get_ref(), "list_from").map_err(|m| at_line(src.line(from), m))?)
            }
        };
        let packs_on_sale_from = match &a.packs_on_sale_from {
            None => None,
            Some(t) => Some(OnSale::parse(t.get_ref()).ok_or_else(|| {
                at_line(
                    src.line(t),
                    format!(
                        "packs_on_sale_from {:?} is not YYYY-MM-DD HH:MM",
                        t.get_ref()
                    ),
                )
            })?),
        };
        let unpriced = match &a.unpriced {
            None => None,
            Some(why) => {
                let line = src.line(why);
                let why = why.get_ref().trim();
                if why.is_empty() {
                    return Err(at_line(
                        line,
                        "unpriced needs the reason the product has no price".into(),
                    ));
                }
                if !a.packs.is_empty()
                    || !a.postpaid_tiers.is_empty()
                    || !a.campaign.is_empty()
                    || a.monthly_postpaid_tiers.is_some()
                    || a.monthly_unpriced.is_some()
                {
                    return Err(at_line(
                        line,
                        "is unpriced and lists prices: keep one".into(),
                    ));
                }
                Some(why.to_owned())
            }
        };
        let list = if unpriced.is_some() {
            PriceList {
                name: "list".into(),
                from: list_from,
                to: None,
                packs: Vec::new(),
                postpaid_tiers: Vec::new(),
            }
        } else {
            price_list(
                "list".into(),
                (list_from, None),
                &a.packs,
                &a.postpaid_tiers,
            )
            .map_err(at)?
        };
        let trial_day = |d: &Option<Spanned<String>>, what: &str| match d {
            None => Ok(None),
            Some(t) => day(t.get_ref(), what)
                .map(Some)
                .map_err(|m| at_line(src.line(t), m)),
        };
        let trial_days = (
            trial_day(&a.trial_from, "trial_from")?,
            trial_day(&a.trial_to, "trial_to")?,
        );
        if let (Some(f), Some(t)) = trial_days
            && t < f
        {
            return Err(at("trial_to is before trial_from".into()));
        }
        if a.trial_calls == 0 && (trial_days.0.is_some() || trial_days.1.is_some()) {
            return Err(at("trial_from/trial_to need trial_calls".into()));
        }
        let monthly_postpaid = match (&a.monthly_postpaid_tiers, &a.monthly_unpriced) {
            (None, None) => MonthlyPostpaid::AsListed,
            (Some(_), Some(u)) => {
                return Err(at_line(
                    src.line(u),
                    "monthly_postpaid_tiers and monthly_unpriced: keep one".into(),
                ));
            }
            (tiers, why) if family.daily_settlement_from.is_none() => {
                let line = tiers.as_ref().map_or_else(
                    || why.as_ref().map_or(id_line, |w| src.line(w)),
                    |t| src.line(t),
                );
                return Err(at_line(
                    line,
                    "monthly prices need a family whose accounts settle daily from a date (daily_settlement_from)".into(),
                ));
            }
            (Some(tiers), None) => MonthlyPostpaid::Tiers(
                price_list(
                    "monthly list".into(),
                    (list_from, None),
                    &[],
                    tiers.get_ref(),
                )
                .map_err(|m| at_line(src.line(tiers), format!("monthly_postpaid_tiers: {m}")))?,
            ),
            (None, Some(why)) => {
                let reason = why.get_ref().trim();
                if reason.is_empty() {
                    return Err(at_line(
                        src.line(why),
                        "monthly_unpriced needs the reason".into(),
                    ));
                }
                MonthlyPostpaid::Unpublished(reason.to_owned())
            }
        };
        let mut campaigns: Vec<PriceList> = Vec::with_capacity(a.campaign.len());
        for spanned in &a.campaign {
            let c = spanned.get_ref();
            let name = c.name.trim();
            let line = src.line(spanned);
            let in_campaign = |m: String| at_line(line, format!("campaign {name:?}: {m}"));
            if name.is_empty() || RESERVED_PRICE_NAMES.contains(&name) {
                return Err(in_campaign(format!(
                    "a campaign needs a name other than {}",
                    RESERVED_PRICE_NAMES.map(|n| format!("{n:?}")).join(", ")
                )));
            }
            let from = day(&c.from, "from").map_err(in_campaign)?;
            let to =
                c.to.as_deref()
                    .map(|t| day(t, "to"))
                    .transpose()
                    .map_err(in_campaign)?;
            if to.is_some_and(|t| t < from) {
                return Err(in_campaign("ends before it starts".into()));
            }
            // A campaign the catalog forgot to end would sell at its prices
            // for ever: it ends, or it says it is a standing price.
            match (to, c.permanent) {
                (None, false) => {
                    return Err(in_campaign(
                        "has no end: set `to` (its last day), or `permanent = true` for a standing price"
                            .into(),
                    ));
                }
                (Some(_), true) => {
                    return Err(in_campaign("is permanent and has a `to`: keep one".into()));
                }
                _ => {}
            }
            let table = price_list(
                name.to_owned(),
                (Some(from), to),
                &c.packs,
                &c.postpaid_tiers,
            )
            .map_err(in_campaign)?;
            if let Some(other) = campaigns.iter().find(|o| overlap(o, &table)) {
                return Err(in_campaign(format!(
                    "overlaps campaign {:?}: one day has one price",
                    other.name
                )));
            }
            campaigns.push(table);
        }
        out.push(ApiProduct {
            id,
            name_zh: a.name_zh,
            name_en: a.name_en,
            family,
            free_calls_per_month: a.free_calls_per_month,
            trial_calls: a.trial_calls,
            packs_on_sale_from,
            list,
            campaigns,
            unpriced,
            trial_days,
            monthly_postpaid,
        });
    }
    Ok(out)
}

fn overlap(a: &PriceList, b: &PriceList) -> bool {
    let starts_before_end = |x: &PriceList, y: &PriceList| match (x.from, y.to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    };
    starts_before_end(a, b) && starts_before_end(b, a)
}

fn price_list(
    name: String,
    (from, to): (Option<Date>, Option<Date>),
    raw_packs: &[RawPack],
    raw_tiers: &[RawApiTier],
) -> Result<PriceList, String> {
    let mut packs: Vec<Pack> = Vec::with_capacity(raw_packs.len());
    for p in raw_packs {
        let price = money(&p.price).map_err(|m| format!("pack price: {m}"))?;
        if p.calls == 0 || packs.last().is_some_and(|l| l.calls >= p.calls) {
            return Err("packs must have positive, ascending call counts".into());
        }
        packs.push(Pack {
            calls: p.calls,
            price,
        });
    }
    let mut tiers: Vec<ApiTier> = Vec::with_capacity(raw_tiers.len());
    let count = raw_tiers.len();
    for (i, t) in raw_tiers.iter().enumerate() {
        let unit_price =
            rate(&t.unit_price).map_err(|m| format!("post-paid tier {}: {m}", i + 1))?;
        match (t.up_to, i + 1 == count) {
            (None, true) => {}
            (None, false) => return Err("only the last post-paid tier may be open".into()),
            (Some(_), true) => return Err("the last post-paid tier must be open (no up_to)".into()),
            (Some(up), false) => {
                if up == 0
                    || tiers
                        .last()
                        .and_then(|l| l.up_to)
                        .is_some_and(|prev| prev >= up)
                {
                    return Err("post-paid tiers must ascend".into());
                }
            }
        }
        tiers.push(ApiTier {
            up_to: t.up_to,
            unit_price,
        });
    }
    if tiers.is_empty() {
        return Err("needs post-paid tiers".into());
    }
    Ok(PriceList {
        name,
        from,
        to,
        packs,
        postpaid_tiers: tiers,
    })
}
