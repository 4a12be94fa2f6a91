//! Metered billing through the desk library: packs, usage imports and
//! monthly runs, against every worked example of pricing-reference sections
//! 3 and 4. `a_tier_cliff_is_pointed_out` keeps the binary's text.

use facelic_invoice::Cycle;
use facelic_invoice::invoice::Invoice;
use facelic_issuer::desk::{
    BilledPeriod, DeskError, ImportReport, NewPack, PackFilter, PackRecord, PackStatus,
    UsageAccount,
};

use crate::desk::{TestDesk, at, day, fen, month};

/// Writes `rows` under `header` as a CSV text and imports it.
fn import(d: &TestDesk, name: &str, header: &str, rows: &[String]) -> ImportReport {
    let text = format!("{header}\n{}\n", rows.join("\n"));
    d.library().import_usage(name, &text).unwrap()
}

fn daily(d: &TestDesk, name: &str, rows: &[String]) -> ImportReport {
    import(d, name, "customer,product,day,calls", rows)
}

/// Runs `month` for every customer.
fn run(d: &TestDesk, m: &str) -> Vec<BilledPeriod> {
    d.library().run_usage(month(m), None).unwrap()
}

/// The amounts of `customer`'s bills, in order.
fn amounts(bills: &[BilledPeriod], customer: &str) -> Vec<String> {
    bills
        .iter()
        .filter(|b| b.customer_id == customer)
        .map(|b| fen(b.bill.amount))
        .collect()
}

fn one(bills: &[BilledPeriod], customer: &str) -> String {
    let a = amounts(bills, customer);
    assert_eq!(a.len(), 1, "{customer}: {a:?}");
    a[0].clone()
}

/// `pack buy`: a pack of `size` calls (`10000`, `1M`, `50M`) bought on `date`.
fn buy(
    d: &TestDesk,
    customer: &str,
    product: &str,
    size: &str,
    date: &str,
) -> (PackRecord, Invoice) {
    let calls = match size.strip_suffix('M') {
        Some(millions) => millions.parse::<u64>().unwrap() * 1_000_000,
        None => size.parse().unwrap(),
    };
    let new = NewPack {
        customer: customer.into(),
        product: product.into(),
        calls,
        date: Some(day(date)),
        price: None,
    };
    d.library().buy_pack(&new).unwrap()
}

fn pack_price(p: &(PackRecord, Invoice)) -> String {
    fen(p.1.totals.gross)
}

fn activate(d: &TestDesk, customer: &str, family: &str, date: &str) -> UsageAccount {
    d.library()
        .activate_usage(customer, family, day(date))
        .unwrap()
}

fn packs(d: &TestDesk, filter: PackFilter) -> Vec<PackRecord> {
    d.library().packs(&filter).unwrap()
}

fn customers_of(packs: &[PackRecord]) -> Vec<&str> {
    packs.iter().map(|p| p.customer_id.as_str()).collect()
}

fn rows(
    customer: &str,
    product: &str,
    days: std::ops::RangeInclusive<u32>,
    month: &str,
    calls: u64,
) -> Vec<String> {
    days.map(|day| format!("{customer},{product},{month}-{day:02},{calls}"))
        .collect()
}

fn sum(amounts: &[String]) -> facelic_invoice::Decimal {
    amounts
        .iter()
        .map(|a| a.parse::<facelic_invoice::Decimal>().unwrap())
        .sum()
}

/// Runs the 限时8折 campaign of every 人脸核身 liveness label until
/// `last_day` instead of 2021-06-21 (a desk whose vendor extended it), so
/// that campaign and list prices can be billed in recent months.
fn end_campaigns(d: &TestDesk, last_day: &str) {
    let path = d.desk().join("catalog.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let to = "to = \"2021-06-21\"";
    assert_eq!(text.matches(to).count(), 4);
    std::fs::write(&path, text.replace(to, &format!("to = \"{last_day}\""))).unwrap();
}

#[test]
fn face_api_worked_examples_to_the_fen() {
    let d = TestDesk::new();
    let search = d.customer("Search Co");
    let post = d.customer("Postpaid Co");
    let yearly = d.customer("Yearly Co");
    // Example 2: 52M face-search calls in a month with one 50M pack.
    let pack = buy(&d, &search, "api-face-search", "50M", "2026-09-01");
    assert_eq!(pack_price(&pack), "142500.00");
    import(
        &d,
        "totals.csv",
        "month,customer,product,calls",
        &[
            format!("2026-09,{search},api-face-search,52000000"),
            // Examples 3 to 5, post-paid, on one statement.
            format!("2026-09,{post},api-facial-landmarks,1000000"),
            format!("2026-09,{post},api-face-comparison,3500000"),
            format!("2026-09,{post},api-static-liveness,5000000"),
        ],
    );
    let bills = run(&d, "2026-09");
    assert_eq!(one(&bills, &search), "6368.00");
    assert_eq!(
        sum(&[pack_price(&pack), one(&bills, &search)]).to_string(),
        "148868.00"
    );
    let post_bill = bills.iter().find(|b| b.customer_id == post).unwrap();
    let by_product: Vec<(String, String)> = post_bill
        .bill
        .products
        .iter()
        .map(|p| (p.product.clone(), fen(p.amount)))
        .collect();
    assert_eq!(
        by_product,
        [
            ("api-facial-landmarks".to_owned(), "1980.00".to_owned()),
            ("api-face-comparison".into(), "10470.00".into()),
            ("api-static-liveness".into(), "8483.00".into()),
        ]
    );
    // The statement: one per customer, dated the 1st, numbered in the invoice sequence.
    let number = post_bill.invoice.as_deref().unwrap();
    let doc = d.library().invoice(number).unwrap();
    assert_eq!(doc.date, Some(day("2026-10-01")));
    assert_eq!(fen(doc.totals.gross), "20933.00");
    assert_eq!(doc.lines.len(), 3);
    assert_eq!(
        doc.billed_for.as_deref(),
        Some("usage 2026-09-01 to 2026-09-30")
    );
    // Example 1: 30M face-comparison calls in a year, bought as three 10M
    // packs: 91,200 and nothing post-paid, month after month.
    let mut paid = Vec::new();
    for _ in 0..3 {
        paid.push(pack_price(&buy(
            &d,
            &yearly,
            "api-face-comparison",
            "10M",
            "2025-10-01",
        )));
    }
    assert_eq!(sum(&paid).to_string(), "91200.00");
    let months: Vec<String> = (0..12)
        .map(|i| format!("{}-{:02}", 2025 + (9 + i) / 12, (9 + i) % 12 + 1))
        .collect();
    let year: Vec<String> = months
        .iter()
        .map(|m| format!("{m},{yearly},api-face-comparison,2500000"))
        .collect();
    assert_eq!(months.first().unwrap(), "2025-10");
    // 2026-09 is billed for other customers only; this customer's months run in order.
    import(&d, "year.csv", "month,customer,product,calls", &year);
    for m in &months {
        let bills = d.library().run_usage(month(m), Some(&yearly)).unwrap();
        assert_eq!(one(&bills, &yearly), "0.00", "{m}");
        assert!(bills[0].invoice.is_none(), "nothing owed, no statement");
    }
    // 12 × 10,000 calls were free: 120,000 calls are left and expire with
    // the packs on 2026-09-30 (recorded, never billed again).
    let bought = packs(
        &d,
        PackFilter {
            customer: Some(yearly.clone()),
            ..PackFilter::default()
        },
    );
    let left: u64 = bought.iter().map(|p| p.used).sum();
    assert_eq!(left, 30_000_000 - 120_000);
    let sep = d.library().usage_month(&yearly, month("2026-09")).unwrap();
    let expired: Vec<(String, u64)> = sep
        .expired
        .iter()
        .map(|e| (e.last_day.to_string(), e.unused))
        .collect();
    assert_eq!(expired, [("2026-09-30".to_owned(), 120_000)]);
}

#[test]
fn a_tier_cliff_is_pointed_out() {
    let d = TestDesk::new();
    let c = d.customer("Edge Co");
    import(
        &d,
        "edge.csv",
        "month,customer,product,calls",
        &[format!("2026-10,{c},api-face-detection,3010000")],
    );
    let text = d.ok(&["usage", "show", "--customer", &c, "--month", "2026-10"]);
    assert!(text.contains("= 1,500.00 CNY"), "{text}");
    assert!(
        text.contains("note: 3,010,001 calls would cost 1,200.00 — 300.00 less"),
        "{text}"
    );
    let estimate = d.ok(&[
        "usage",
        "bill",
        "--product",
        "api-face-detection",
        "--calls",
        "3010000",
    ]);
    assert!(
        estimate.contains("3,010,001 calls would cost 1,200.00"),
        "{estimate}"
    );
}

/// Pricing-reference 4.6, examples 1, 2, 3 (reading A), 4 and 5; list
/// prices in 2026-09, campaign prices in 2026-08 (the campaign ended on
/// 2026-08-31 in this desk's catalog).
#[test]
fn face_verification_worked_examples_to_the_fen() {
    let mut d = TestDesk::new();
    at(&mut d, "2026-11-02T00:00:00Z");
    end_campaigns(&d, "2026-08-31");
    let wechat = "kyc-wechat-liveness-verification";
    let compare = "kyc-wechat-liveness-comparison";
    let general = "kyc-general-liveness-verification";
    let phone = "kyc-phone-3factor-basic";
    let names = [
        "ex1", "ex2a", "ex2b", "ex3", "ex3n", "ex5p", "ex5n", "ex4a", "ex4b", "ex4c",
    ];
    let id: std::collections::HashMap<&str, String> =
        names.iter().map(|n| (*n, d.customer(n))).collect();
    for n in &names[..7] {
        // Activated in 2021: monthly settlement; the trial packs expired long ago.
        let a = activate(&d, &id[n], "kyc", "2021-03-01");
        assert_eq!((a.cycle, a.trial_packs.len()), (Cycle::Monthly, 4));
    }
    for n in &names[7..] {
        assert_eq!(
            activate(&d, &id[n], "kyc", "2023-02-01").cycle,
            Cycle::Daily
        );
    }
    let mut lines = Vec::new();
    for month in ["2026-08", "2026-09"] {
        let m = |c: &str, p: &str, calls: u64| format!("{month},{},{p},{calls}", id[c]);
        lines.push(m("ex1", wechat, 15_000));
        lines.push(m("ex2a", compare, 200_000));
        lines.push(m("ex2b", compare, 200_001));
        lines.push(m("ex3n", general, 12_500));
        lines.push(m("ex5n", wechat, 100_000));
    }
    import(&d, "monthly.csv", "month,customer,product,calls", &lines);
    // Packs on the 1st with calls from that day: by day.
    let mut days = Vec::new();
    let mut packs = std::collections::HashMap::new();
    for month in ["2026-08", "2026-09"] {
        let first = format!("{month}-01");
        packs.insert(
            ("ex3", month),
            pack_price(&buy(&d, &id["ex3"], general, "10000", &first)),
        );
        packs.insert(
            ("ex5p", month),
            pack_price(&buy(&d, &id["ex5p"], wechat, "100000", &first)),
        );
        days.extend(rows(&id["ex3"], general, 1..=25, month, 500));
        days.extend(rows(&id["ex5p"], wechat, 1..=20, month, 5_000));
    }
    // Example 4, daily-settled: 15,000 calls as 500 a day for 30 days.
    let ex4b = pack_price(&buy(&d, &id["ex4b"], phone, "10000", "2026-08-01"));
    let mut ex4c = vec![pack_price(&buy(
        &d,
        &id["ex4c"],
        phone,
        "10000",
        "2026-08-01",
    ))];
    for _ in 0..5 {
        ex4c.push(pack_price(&buy(
            &d,
            &id["ex4c"],
            phone,
            "1000",
            "2026-08-01",
        )));
    }
    for c in ["ex4a", "ex4b", "ex4c"] {
        days.extend(rows(&id[c], phone, 1..=30, "2026-08", 500));
    }
    daily(&d, "days.csv", &days);

    let aug = run(&d, "2026-08");
    let sep = run(&d, "2026-09");
    // 1. 15,000 post-paid 微信活体人脸核身 calls: campaign 11,400, list 14,250.
    assert_eq!(
        (one(&aug, &id["ex1"]), one(&sep, &id["ex1"])),
        ("11400.00".into(), "14250.00".into())
    );
    // 2. The cliff: 200,000 calls cost more than 200,001.
    assert_eq!(
        (one(&aug, &id["ex2a"]), one(&sep, &id["ex2a"])),
        ("72000.00".into(), "90000.00".into())
    );
    assert_eq!(
        (one(&aug, &id["ex2b"]), one(&sep, &id["ex2b"])),
        ("64000.32".into(), "80000.40".into())
    );
    let ex2a = sep.iter().find(|b| b.customer_id == id["ex2a"]).unwrap();
    let cliff = ex2a.bill.products[0].cliff.as_ref().unwrap();
    assert_eq!(
        (cliff.quantity, fen(cliff.amount), fen(cliff.saving)),
        (200_001, "80000.40".into(), "9999.60".into())
    );
    // 3. Reading A: pack plus 2,500 post-paid at the 1000<调用量≤1万 tier.
    assert_eq!(packs[&("ex3", "2026-08")], "6000.00");
    assert_eq!(packs[&("ex3", "2026-09")], "8500.00");
    assert_eq!(
        sum(&[packs[&("ex3", "2026-08")].clone(), one(&aug, &id["ex3"])]).to_string(),
        "7700.00"
    );
    assert_eq!(
        sum(&[packs[&("ex3", "2026-09")].clone(), one(&sep, &id["ex3"])]).to_string(),
        "10625.00"
    );
    //    With no pack: 9,375 (campaign 7,500).
    assert_eq!(
        (one(&aug, &id["ex3n"]), one(&sep, &id["ex3n"])),
        ("7500.00".into(), "9375.00".into())
    );
    // 5. 100,000 calls: one 100000次 pack (68,000 / 85,000), or post-paid (76,000 / 95,000).
    assert_eq!(
        (
            packs[&("ex5p", "2026-08")].as_str(),
            one(&aug, &id["ex5p"]).as_str()
        ),
        ("68000.00", "0.00")
    );
    assert_eq!(
        (
            packs[&("ex5p", "2026-09")].as_str(),
            one(&sep, &id["ex5p"]).as_str()
        ),
        ("85000.00", "0.00")
    );
    assert_eq!(
        (one(&aug, &id["ex5n"]), one(&sep, &id["ex5n"])),
        ("76000.00".into(), "95000.00".into())
    );
    // 4. Daily settlement: a bill per day, dated the day after.
    let a = amounts(&aug, &id["ex4a"]);
    assert_eq!((a.len(), sum(&a).to_string()), (30, "16500.00".into()));
    let first = aug.iter().find(|b| b.customer_id == id["ex4a"]).unwrap();
    assert_eq!((first.date, first.cycle), (day("2026-08-02"), Cycle::Daily));
    let b = amounts(&aug, &id["ex4b"]);
    assert_eq!(
        b.iter().filter(|a| *a == "0.00").count(),
        20,
        "the pack covers days 1-20"
    );
    assert_eq!(sum(&[sum(&b).to_string(), ex4b]).to_string(), "15500.00");
    assert_eq!(sum(&ex4c).to_string(), "15250.00");
    assert_eq!(sum(&amounts(&aug, &id["ex4c"])).to_string(), "0.00");
}

/// Pricing-reference 4.6 example 3, reading B: the tier from all the
/// month's calls, a catalog setting.
#[test]
fn the_tier_basis_is_a_catalog_setting() {
    let mut d = TestDesk::new();
    at(&mut d, "2026-11-02T00:00:00Z");
    end_campaigns(&d, "2026-08-31");
    let path = d.desk().join("catalog.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let setting = "tier_basis = \"postpaid\"        # 4.5 item 7";
    assert!(text.contains(setting));
    let text = text.replace(setting, "tier_basis = \"all-calls\"       # 4.5 item 7");
    // Monthly bills dated the 3rd of the next month instead of the 1st.
    let text = text.replace("usage_bill_day = 1 ", "usage_bill_day = 3 ");
    std::fs::write(&path, text).unwrap();
    let c = d.customer("Reading B");
    activate(&d, &c, "kyc", "2021-03-01");
    let general = "kyc-general-liveness-verification";
    let mut days = Vec::new();
    let mut paid = Vec::new();
    for month in ["2026-08", "2026-09"] {
        paid.push(pack_price(&buy(
            &d,
            &c,
            general,
            "10000",
            &format!("{month}-01"),
        )));
        days.extend(rows(&c, general, 1..=25, month, 500));
    }
    daily(&d, "b.csv", &days);
    let aug = one(&run(&d, "2026-08"), &c);
    let sep_bills = run(&d, "2026-09");
    assert_eq!(sep_bills[0].date, day("2026-10-03"));
    let sep = one(&sep_bills, &c);
    assert_eq!(sum(&[paid[0].clone(), aug]).to_string(), "7500.00");
    assert_eq!(sum(&[paid[1].clone(), sep]).to_string(), "10375.00");
}

#[test]
fn packs_cover_calls_from_their_purchase_day_only() {
    let d = TestDesk::new();
    let mid = d.customer("Mid Month");
    let stacked = d.customer("Stacked");
    let late = d.customer("Late Buyer");
    // Bought on the 15th: covers the 15th onwards, never the first half.
    buy(&d, &mid, "api-face-search", "1M", "2026-09-15");
    let mut days = rows(&mid, "api-face-search", 1..=30, "2026-09", 100_000);
    // Two stacked packs bought at different dates expire separately: the
    // older one (soonest expiry) is used first and lapses on 2026-10-09.
    let older = buy(&d, &stacked, "api-face-detection", "1M", "2025-10-10");
    let newer = buy(&d, &stacked, "api-face-detection", "1M", "2026-01-20");
    assert_eq!(older.0.last_day, day("2026-10-09"));
    assert_eq!(newer.0.last_day, day("2027-01-19"));
    days.extend(rows(
        &stacked,
        "api-face-detection",
        1..=31,
        "2026-10",
        50_000,
    ));
    // Calls before a pack's day stay post-paid.
    days.push(format!("{late},api-face-search,2026-09-05,500000"));
    daily(&d, "days.csv", &days);
    buy(&d, &late, "api-face-search", "1M", "2026-09-10");

    let sep = run(&d, "2026-09");
    // 3M calls: 10,000 free, 1M from the pack (15th-24th), 1.99M post-paid.
    assert_eq!(one(&sep, &mid), "6368.00");
    let mid_bill = sep.iter().find(|b| b.customer_id == mid).unwrap();
    let uses = &mid_bill.bill.products[0].pack_uses;
    assert_eq!(
        (
            uses.len(),
            uses[0].calls,
            uses[0].first_day,
            uses[0].last_day
        ),
        (1, 1_000_000, day("2026-09-15"), day("2026-09-24"))
    );
    assert_eq!(
        one(&sep, &late),
        "1568.00",
        "490,000 × 0.0032: the pack came later"
    );

    let oct = run(&d, "2026-10");
    // 1.55M calls: 10,000 free; the older pack 440,000 (1st-9th); the newer
    // 1,000,000 (10th-29th); 100,000 post-paid × 0.0005.
    assert_eq!(one(&oct, &stacked), "50.00");
    let got: Vec<(String, String, String, u64)> = oct[0].bill.products[0]
        .pack_uses
        .iter()
        .map(|u| {
            (
                u.pack.clone(),
                u.first_day.to_string(),
                u.last_day.to_string(),
                u.calls,
            )
        })
        .collect();
    let (old_id, new_id) = (older.0.id.as_str(), newer.0.id.as_str());
    assert_eq!(
        got,
        [
            (
                old_id.to_owned(),
                "2026-10-01".to_owned(),
                "2026-10-09".to_owned(),
                440_000
            ),
            (
                new_id.to_owned(),
                "2026-10-10".into(),
                "2026-10-29".into(),
                1_000_000
            ),
        ]
    );
    let list = packs(
        &d,
        PackFilter {
            customer: Some(stacked.clone()),
            ..PackFilter::default()
        },
    );
    let status: Vec<(PackStatus, u64)> =
        list.iter().map(|p| (p.status, p.expired_unused)).collect();
    assert_eq!(
        status,
        [(PackStatus::Expired, 560_000), (PackStatus::Exhausted, 0)]
    );
    // Reminders: an exhausted last pack is low (below face-api's 15%);
    // the late buyer's pack, untouched, is not, and lasts to 2027-09-09.
    let low = packs(
        &d,
        PackFilter {
            low: true,
            ..PackFilter::default()
        },
    );
    assert_eq!(customers_of(&low), [mid.as_str(), stacked.as_str()]);
    let within = |days| {
        packs(
            &d,
            PackFilter {
                expiring_within: Some(days),
                ..PackFilter::default()
            },
        )
    };
    assert_eq!(customers_of(&within(365)), [late.as_str()]);
    assert!(within(30).is_empty());
    // A pack dated within billed usage would offset it: refused.
    let again = NewPack {
        customer: late.clone(),
        product: "api-face-search".into(),
        calls: 1_000_000,
        date: Some(day("2026-09-20")),
        price: None,
    };
    d.refuses(|k| k.buy_pack(&again), "billed up to 2026-09-30");
    // And billed days cannot be imported again.
    let text = format!("customer,product,day,calls\n{late},api-face-search,2026-09-05,1\n");
    let err = d.rejects(|k| k.import_usage("again.csv", &text), "line 2: ");
    assert!(matches!(err, DeskError::BadLines { .. }), "{err:?}");
}

#[test]
fn refunds_follow_each_familys_rule() {
    let mut d = TestDesk::new();
    at(&mut d, "2026-11-10T00:00:00Z");
    let c = d.customer("Refund Co");
    let refund = |id: &str, reason: &str| {
        let (id, reason) = (id.to_owned(), reason.to_owned());
        move |k: &mut facelic_issuer::desk::Desk| k.refund_pack(&id, &reason, None)
    };
    // Face-API packs are never refunded.
    let api = buy(&d, &c, "api-face-search", "1M", "2026-11-10");
    d.refuses(
        refund(&api.0.id, "changed mind"),
        "face-api packs are never refunded",
    );
    // 人脸核身 packs: wholly unused, within 7 days inclusive.
    let a = activate(&d, &c, "kyc", "2026-11-01");
    assert_eq!(a.cycle, Cycle::Daily);
    d.refuses(refund(&a.trial_packs[0], "x"), "free trial pack");
    let on_time = buy(&d, &c, "kyc-id-check", "1000", "2026-11-03");
    let too_old = buy(&d, &c, "kyc-id-check", "10000", "2026-11-02");
    let used = buy(&d, &c, "kyc-bankcard-check", "1000", "2026-11-03");
    daily(
        &d,
        "k.csv",
        &[format!("{c},kyc-bankcard-check,2026-11-04,10")],
    );
    d.refuses(
        refund(&too_old.0.id, "x"),
        "refunded within 7 days of purchase; it was bought on 2026-11-02 (8 days ago)",
    );
    d.refuses(refund(&used.0.id, "x"), "may use it");
    d.rejects(refund(&on_time.0.id, " "), "reason");
    let (pack, note) = refund(&on_time.0.id, "ordered by mistake")(&mut d.library()).unwrap();
    assert_eq!(pack.status, PackStatus::Refunded);
    assert_eq!(fen(note.amount), "300.00");
    let number = on_time.1.number.as_deref().unwrap();
    let doc = d.library().invoice(number).unwrap();
    assert_eq!(
        doc.settlement.unwrap().status,
        facelic_invoice::invoice::PaymentStatus::Credited
    );
    d.refuses(refund(&on_time.0.id, "x"), "was refunded");
    // Low balances and expiries are listed.
    let low = packs(
        &d,
        PackFilter {
            low: true,
            ..PackFilter::default()
        },
    );
    assert!(low.is_empty(), "{low:?}");
    let expiring = packs(
        &d,
        PackFilter {
            expiring_within: Some(30),
            ..PackFilter::default()
        },
    );
    assert!(expiring.is_empty(), "{expiring:?}");
}

#[test]
fn a_month_of_fifty_customers_is_imported_and_billed_once() {
    let mut d = TestDesk::new();
    let products = [
        "api-face-detection",
        "api-facial-landmarks",
        "api-face-comparison",
        "api-face-verification",
        "api-face-search",
        "api-person-group",
        "api-static-liveness",
    ];
    let mut desk = d.library();
    let customers: Vec<String> = (0..50)
        .map(|i| desk.add_customer(&format!("Customer {i:02}")).unwrap().id)
        .collect();
    drop(desk);
    let mut lines = Vec::new();
    for (i, c) in customers.iter().enumerate() {
        for (j, p) in products.iter().enumerate() {
            lines.extend(rows(c, p, 1..=30, "2026-10", (i * 7 + j) as u64 * 1_000));
        }
    }
    assert_eq!(lines.len(), 50 * 7 * 30);
    let first = daily(&d, "big.csv", &lines);
    assert_eq!((first.rows, first.added), (10_500, 10_500));
    let before = d.counts();
    let again = daily(&d, "big.csv", &lines);
    assert_eq!((again.unchanged, again.added), (10_500, 0));
    assert_eq!(d.counts(), before, "the same import twice changes nothing");
    // A bad line refuses the whole file, every bad line named.
    let mut bad = lines.clone();
    bad[99] = format!("{},api-face-search,2026-10-31,12x", customers[0]);
    bad[4_000] = format!("{},api-teleport,2026-10-03,5", customers[1]);
    bad.push(lines[7].clone());
    bad.push(format!(
        "{},api-face-search,2026-10-31,18446744073709551615",
        customers[2]
    ));
    let text = format!("customer,product,day,calls\n{}\n", bad.join("\n"));
    let err = d
        .rejects(
            |k| k.import_usage("bad.csv", &text),
            "bad.csv: 4 bad lines, nothing imported",
        )
        .to_string();
    assert!(err.contains("line 101: calls \"12x\""), "{err}");
    assert!(
        err.contains(
            "line 10503: calls \"18446744073709551615\" is not a whole number of calls up to"
        ),
        "{err}"
    );
    assert!(
        err.contains("line 4002: \"api-teleport\" is not a usage-billed product"),
        "{err}"
    );
    assert!(err.contains("line 10502: repeats line 9"), "{err}");
    // A corrected file replaces the days it names, audited.
    let fix = vec![format!("{},api-face-search,2026-10-05,777", customers[3])];
    let report = daily(&d, "fix.csv", &fix);
    assert_eq!(report.corrected, 1);
    let log = d.library().audit_log(1_000).unwrap();
    assert!(log.iter().any(|e| e.action == "usage.correct"), "{log:?}");
    // Billed once: one statement per customer with calls to pay for.
    at(&mut d, "2026-11-02T00:00:00Z");
    let bills = run(&d, "2026-10");
    assert_eq!(bills.len(), 50);
    assert!(bills.iter().all(|b| b.invoice.is_some()));
    // Customer 49's static liveness: 349,000 calls a day, 10,470,000 in the
    // month, 10,460,000 post-paid at the 3M-15M tier: × 0.0017.
    let last = bills
        .iter()
        .find(|b| b.customer_id == customers[49])
        .unwrap();
    let liveness = &last.bill.products[6];
    assert_eq!(
        (liveness.product.as_str(), fen(liveness.amount)),
        ("api-static-liveness", "17782.00".into())
    );
    d.refuses(
        |k| k.run_usage(month("2026-10"), None),
        "2026-10 is already billed",
    );
    d.refuses(
        |k| k.run_usage(month("2026-11"), None),
        "2026-11 is billed from 2026-12-01",
    );
    let fix = format!("customer,product,day,calls\n{}\n", fix.join("\n"));
    d.rejects(
        |k| k.import_usage("fix.csv", &fix),
        "billed up to 2026-10-31",
    );
}

#[test]
fn a_usage_header_with_a_repeated_or_unknown_column_is_refused() {
    // `calls,calls` was accepted and the first column used.
    let d = TestDesk::new();
    let c = d.customer("Acme");
    for (header, why) in [
        (
            "customer,product,day,calls,calls",
            "column \"calls\" appears twice",
        ),
        (
            "customer,product,day,Calls,calls",
            "column \"calls\" appears twice",
        ),
        ("customer,product,day,calls,note", "unknown column \"note\""),
    ] {
        let text = format!("{header}\n{c},face-api-search,2026-10-01,5,7\n");
        let err = d.rejects(|desk| desk.import_usage("u.csv", &text), why);
        assert!(matches!(err, DeskError::BadLines { .. }), "{err:?}");
    }
}

#[test]
fn a_file_of_many_bad_lines_gives_one_short_message() {
    // 200,000 bad lines made one 80 MB message; a 300 MB line took 1.6 GB.
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let mut text = String::from("customer,product,day,calls\n");
    for _ in 0..200_000 {
        text.push_str(&format!("{c},face-api-search,2026-10-01,many\n"));
    }
    let err = d.library().import_usage("bad.csv", &text).unwrap_err();
    let message = err.to_string();
    assert!(message.len() < 10_000, "{} bytes", message.len());
    assert!(
        message.contains("200000 bad lines") && message.contains("and 199950 more bad lines"),
        "{}",
        &message[..200]
    );
    // A line longer than the limit is named, not held: read from a reader
    // that would give 300 MB in one line.
    struct Endless(u64);
    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(usize::try_from(self.0).unwrap_or(usize::MAX));
            buf[..n].fill(b'x');
            self.0 -= n as u64;
            Ok(n)
        }
    }
    let head = format!("customer,product,day,calls\n{c},face-api-search,2026-10-01,1\n");
    let huge = std::io::Read::chain(head.as_bytes(), Endless(300 << 20));
    let err = d
        .library()
        .import_usage_from("huge.csv", &mut std::io::BufReader::new(huge))
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("line 3: a line of 314572800 bytes; the longest allowed is 4096"),
        "{message}"
    );
    // A long value is quoted cut short.
    let long = "9".repeat(2000);
    let text = format!("customer,product,day,calls\n{c},face-api-search,{long},1\n");
    let err = d
        .library()
        .import_usage("long.csv", &text)
        .unwrap_err()
        .to_string();
    assert!(err.len() < 300 && err.contains("…"), "{err}");
}

/// Campaigns end (issue 25, item 15): with the shipped catalog, 2026 calls
/// are at list, January 2021's at 88折, and the 三要素 packs are not sold
/// before they went on sale.
#[test]
fn campaigns_end_and_packs_go_on_sale_when_the_seeds_say() {
    // Today's sales at list: 15,000 微信活体人脸核身 calls in 2026-10
    // (pricing-reference 4.6 example 1, list) = 14,250.00, not the
    // campaign's 11,400.00.
    let d = TestDesk::new();
    let c = d.customer("Now Co");
    activate(&d, &c, "kyc", "2021-03-01");
    daily(
        &d,
        "oct.csv",
        &[format!(
            "{c},kyc-wechat-liveness-verification,2026-10-15,15000"
        )],
    );
    assert_eq!(amounts(&run(&d, "2026-10"), &c), ["14250.00"]);

    // 88折 of seed 000: 1,000 post-paid calls on 2021-01-25 = 1,000 ×
    // 1.2 × 0.88 (the new customer's 100-call trial pack takes the first
    // 100 of the day's 1,100).
    let mut d = TestDesk::starting("2021-01-21T02:00:00Z");
    let c = d.customer("Early Co");
    activate(&d, &c, "kyc", "2021-01-21");
    at(&mut d, "2021-02-05T02:00:00Z");
    daily(
        &d,
        "jan.csv",
        &[format!(
            "{c},kyc-wechat-liveness-verification,2021-01-25,1100"
        )],
    );
    assert_eq!(amounts(&run(&d, "2021-01"), &c), ["1056.00"]);

    // The 三要素 packs went on sale on 2022-01-04 at 10:00 Beijing time.
    let mut d = TestDesk::starting("2022-01-04T01:59:00Z");
    let c = d.customer("Phone Co");
    activate(&d, &c, "kyc", "2022-01-03");
    let pack = |date: Option<&str>| NewPack {
        customer: c.clone(),
        product: "kyc-phone-3factor-basic".into(),
        calls: 1000,
        date: date.map(day),
        price: None,
    };
    d.refuses(
        |k| k.buy_pack(&pack(None)),
        "on sale from 2022-01-04 10:00 (Asia/Shanghai)",
    );
    d.refuses(
        |k| k.buy_pack(&pack(Some("2022-01-03"))),
        "not on 2022-01-03",
    );
    at(&mut d, "2022-01-04T02:00:00Z");
    let (bought, statement) = d.library().buy_pack(&pack(None)).unwrap();
    assert_eq!(fen(statement.totals.gross), "1050.00", "{bought:?}");
}

/// Dates have floors (issue 25, item 17): nothing before 2000-01-01, the
/// desk clock's first day, and a pack recorded late never offsets the
/// post-paid calls already imported.
#[test]
fn dates_have_floors_and_a_late_pack_offsets_nothing() {
    let d = TestDesk::new();
    let c = d.customer("Floor Co");
    // Usage dated 0001-01-15 was billed as FL-1-000001.
    let text = format!("customer,product,day,calls\n{c},api-face-search,0001-01-15,5\n");
    let err = d.rejects(
        |k| k.import_usage("old.csv", &text),
        "line 2: a usage day 0001-01-15 is before 2000-01-01",
    );
    assert!(matches!(err, DeskError::BadLines { .. }), "{err:?}");
    let pack = |date: &str| NewPack {
        customer: c.clone(),
        product: "api-face-search".into(),
        calls: 1_000_000,
        date: Some(day(date)),
        price: None,
    };
    d.refuses(|k| k.buy_pack(&pack("0001-01-01")), "before 2000-01-01");
    d.refuses(
        |k| k.activate_usage(&c, "kyc", day("1999-12-31")),
        "an activation 1999-12-31 is before 2000-01-01",
    );
    // Calls of 2026-10-20 imported post-paid; a pack back-dated to
    // 2026-10-15 and recorded now would offset them.
    daily(
        &d,
        "oct.csv",
        &[format!("{c},api-face-search,2026-10-20,100000")],
    );
    d.refuses(
        |k| k.buy_pack(&pack("2026-10-15")),
        "calls of api-face-search from 2026-10-20 are imported already",
    );
    // After the imported calls it is fine, and so is one bought today.
    d.library().buy_pack(&pack("2026-10-21")).unwrap();
    let today = NewPack {
        date: None,
        ..pack("2026-10-21")
    };
    d.library().buy_pack(&today).unwrap();
}

/// Issue 25 item 6: a daily-settled day is billed once it is over, dated
/// the day after its calls, without waiting for the month; the month run
/// afterwards bills only the days left, and the bills are the ones a
/// single month-end run gives a twin account to the fen.
#[test]
fn daily_settled_days_are_billed_once_over() {
    let mut d = TestDesk::starting("2026-11-03T01:00:00Z");
    let product = "kyc-id-check";
    let by_day = d.customer("Day By Day");
    let twin = d.customer("Month End Twin");
    let monthly = d.customer("Monthly Settled");
    for c in [&by_day, &twin] {
        assert_eq!(activate(&d, c, "kyc", "2023-02-01").cycle, Cycle::Daily);
        buy(&d, c, product, "1000", "2026-11-01");
    }
    assert_eq!(
        activate(&d, &monthly, "kyc", "2021-03-01").cycle,
        Cycle::Monthly
    );
    let mut days = Vec::new();
    for c in [&by_day, &twin] {
        days.extend(rows(c, product, 1..=3, "2026-11", 700));
    }
    days.extend(rows(
        &monthly,
        "kyc-wechat-liveness-verification",
        1..=3,
        "2026-11",
        700,
    ));
    daily(&d, "days.csv", &days);
    let run_day = |c: &str, date: &str| {
        let (c, date) = (c.to_owned(), day(date));
        move |k: &mut facelic_issuer::desk::Desk| k.run_usage_day(date, Some(&c))
    };

    // Today (2026-11-03 in Beijing) is not over; the 2nd is, and the 1st
    // is billed with it.
    d.refuses(run_day(&by_day, "2026-11-03"), "billed once it is over");
    let first = d
        .library()
        .run_usage_day(day("2026-11-02"), Some(&by_day))
        .unwrap();
    let dated: Vec<(String, String)> = first
        .iter()
        .map(|b| (b.bill.first_day.to_string(), b.date.to_string()))
        .collect();
    assert_eq!(
        dated,
        [
            ("2026-11-01".to_owned(), "2026-11-02".to_owned()),
            ("2026-11-02".to_owned(), "2026-11-03".to_owned())
        ]
    );
    d.refuses(run_day(&by_day, "2026-11-02"), "left to bill");
    // Its monthly-settled face-API calls of those days are still open:
    // imported, and covered by a pack bought on the 2nd, after the run.
    buy(&d, &by_day, "api-face-search", "1M", "2026-11-02");
    daily(
        &d,
        "api.csv",
        &rows(&by_day, "api-face-search", 1..=2, "2026-11", 1_000),
    );
    // A monthly-settled account waits for the month.
    d.refuses(run_day(&monthly, "2026-11-02"), "monthly-settled");
    // `usage show` tells the billed days from the day still to bill.
    let shown = d.library().usage_month(&by_day, month("2026-11")).unwrap();
    assert!(!shown.billed);
    let daily_bills = |m: &facelic_issuer::desk::UsageMonth| {
        m.bills.iter().filter(|b| b.cycle == Cycle::Daily).count()
    };
    assert_eq!((daily_bills(&shown), shown.bills.len()), (3, 4));
    let recorded: Vec<bool> = shown.bills.iter().map(|b| b.recorded).collect();
    assert_eq!(recorded, [true, true, false, false]);
    let text = d.ok(&["usage", "show", "--customer", &by_day, "--month", "2026-11"]);
    assert!(text.contains("(billed in part: the days left"), "{text}");

    // The CLI runs a day too; the next day bills the 3rd alone.
    at(&mut d, "2026-11-04T01:00:00Z");
    let text = d.ok(&["usage", "run", "--day", "2026-11-03", "--customer", &by_day]);
    assert!(text.contains("2026-11-04"), "{text}");
    d.fails(
        &["usage", "run", "--day", "3 Nov", "--customer", &by_day],
        3,
        "--day",
    );

    // After the month: the month run bills the twin and the monthly
    // account, and nothing more of the account billed day by day.
    at(&mut d, "2026-12-02T01:00:00Z");
    let month_end = run(&d, "2026-11");
    let cycles: Vec<Cycle> = month_end
        .iter()
        .filter(|b| b.customer_id == by_day)
        .map(|b| b.cycle)
        .collect();
    assert_eq!(cycles, [Cycle::Monthly], "{month_end:?}");
    assert_eq!(amounts(&month_end, &monthly).len(), 1);
    let bills_of = |c: &str| -> Vec<(String, String, String)> {
        d.library()
            .usage_month(c, month("2026-11"))
            .unwrap()
            .bills
            .iter()
            .filter(|b| b.cycle == Cycle::Daily)
            .map(|b| {
                (
                    b.bill.first_day.to_string(),
                    b.date.to_string(),
                    fen(b.bill.amount),
                )
            })
            .collect()
    };
    let twin_bills = bills_of(&twin);
    assert_eq!(bills_of(&by_day), twin_bills);
    // 1,000 calls of pack: the 1st is covered, the 2nd in part.
    assert_eq!(twin_bills[0].2, "0.00");
    assert_ne!(twin_bills[1].2, twin_bills[2].2);
    assert!(
        d.library()
            .usage_month(&by_day, month("2026-11"))
            .unwrap()
            .billed
    );
    d.refuses(|k| k.run_usage(month("2026-11"), None), "already billed");
}

/// Issue 25 item 16: the products the seeds name without prices are in the
/// catalog. A new account's trial (004 L103) is on the five products it
/// names; calls its trial packs cover are billed at nothing; what would go
/// post-paid, and packs of them, are refused naming the missing price. A
/// monthly-settled account's 实名信息核验 calls wait for the monthly list.
#[test]
fn unpriced_products_get_trials_and_are_never_billed_at_a_guess() {
    let mut d = TestDesk::starting("2026-11-03T01:00:00Z");
    let new = d.customer("New Account");
    let old = d.customer("Old Account");
    let a = activate(&d, &new, "kyc", "2026-11-01");
    let trial: Vec<String> = packs(&d, PackFilter::default())
        .into_iter()
        .filter(|p| a.trial_packs.contains(&p.id))
        .map(|p| format!("{} {}", p.product, p.calls))
        .collect();
    assert_eq!(
        trial,
        [
            "kyc-enhanced-wechat-authority 100",
            "kyc-enhanced-wechat-uploaded-photo 100",
            "kyc-basic-authority 100",
            "kyc-basic-uploaded-photo 100",
            "kyc-photo-verification-v2 100"
        ]
    );
    let basic = "kyc-basic-authority";
    d.refuses(
        |k| {
            k.buy_pack(&NewPack {
                customer: new.clone(),
                product: basic.into(),
                calls: 1000,
                date: None,
                price: None,
            })
        },
        "is not sold: the catalog has no price for it (the 基础版 price list",
    );
    // The what-if bill refuses it too; a daily-settled 实名信息核验
    // estimate is at the flat price.
    d.fails(
        &["usage", "bill", "--product", basic, "--calls", "10"],
        5,
        "the 基础版 price list is not in the vendor's documents",
    );
    let flat = d.ok(&[
        "usage",
        "bill",
        "--product",
        "kyc-id-check",
        "--calls",
        "10",
    ]);
    assert!(flat.contains("total 3.00 CNY"), "{flat}");
    // Calls of a product before it existed are bad lines.
    let text = format!("customer,product,day,calls\n{new},{basic},2021-06-21,1\n");
    let err = d.rejects(
        |k| k.import_usage("early.csv", &text),
        "kyc-basic-authority is sold from 2021-06-22, not on 2021-06-21",
    );
    assert!(matches!(err, DeskError::BadLines { .. }), "{err:?}");
    // 60 calls on the 1st: the trial covers them, nothing owed.
    daily(&d, "t1.csv", &[format!("{new},{basic},2026-11-01,60")]);
    let first = d
        .library()
        .run_usage_day(day("2026-11-01"), Some(&new))
        .unwrap();
    assert_eq!(amounts(&first, &new), ["0.00"]);
    assert_eq!(first[0].bill.products[0].pack_calls, 60);
    // 60 more on the 2nd: 20 would go post-paid, at no known price.
    daily(&d, "t2.csv", &[format!("{new},{basic},2026-11-02,60")]);
    d.refuses(
        |k| k.run_usage_day(day("2026-11-02"), Some(&new)),
        "20 calls of kyc-basic-authority on 2026-11-02 go post-paid, and the catalog has no price",
    );
    d.refuses(
        |k| k.usage_month(&new, month("2026-11")),
        "the 基础版 price list is not in the vendor's documents",
    );

    // Monthly-settled (activated 2021): 实名信息核验 post-paid waits for
    // the monthly list; calls a pack covers are billed.
    activate(&d, &old, "kyc", "2021-03-01");
    buy(&d, &old, "kyc-id-check", "1000", "2026-11-01");
    daily(
        &d,
        "o.csv",
        &[format!("{old},kyc-id-check,2026-11-01,1000")],
    );
    at(&mut d, "2026-12-02T01:00:00Z");
    let covered = d.library().run_usage(month("2026-11"), Some(&old)).unwrap();
    assert_eq!(amounts(&covered, &old), ["0.00"]);
    let other = d.customer("Old Account Two");
    activate(&d, &other, "kyc", "2021-03-01");
    daily(
        &d,
        "o2.csv",
        &[format!("{other},kyc-id-check,2026-12-01,10")],
    );
    at(&mut d, "2027-01-02T01:00:00Z");
    d.refuses(
        |k| k.run_usage(month("2026-12"), Some(&other)),
        "the monthly list (价格说明（月结）) is not in the vendor's documents (004 L253)",
    );
}

/// Issue 26: a usage bill's stored detail says its version and, from
/// version 2, leaves its days and amount to the row's columns; a bill
/// written before (version 1) still explains its month, and a version-2
/// detail repeating a column, or an unknown version, is a damaged row.
#[test]
fn stored_usage_bills_carry_their_version_and_one_copy_of_each_fact() {
    let d = TestDesk::new();
    let post = d.customer("Postpaid Co");
    import(
        &d,
        "totals.csv",
        "month,customer,product,calls",
        &[format!("2026-09,{post},api-face-comparison,3500000")],
    );
    let billed = one(&run(&d, "2026-09"), &post);
    let (version, detail): (i64, String) = d
        .ledger()
        .query_row(
            "SELECT doc_version, detail FROM usage_bills WHERE customer_id = ?1",
            [&post],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(version, 2);
    let stored: serde_json::Value = serde_json::from_str(&detail).unwrap();
    for column in ["first_day", "last_day", "amount"] {
        assert!(stored.get(column).is_none(), "{column} in {stored}");
    }
    let shown = d.library().usage_month(&post, month("2026-09")).unwrap();
    assert_eq!(fen(shown.bills[0].bill.amount), billed);
    assert_eq!(shown.bills[0].bill.first_day, day("2026-09-01"));
    assert_eq!(shown.bills[0].bill.last_day, day("2026-09-30"));

    // Written by an earlier facelic: the whole bill in the detail. (The
    // row is immutable; the test lifts the ledger's trigger to stand in for
    // the older writer.)
    d.ledger()
        .execute("DROP TRIGGER usage_bills_are_immutable", [])
        .unwrap();
    let mut whole = stored.clone();
    whole["first_day"] = "2026-09-01".into();
    whole["last_day"] = "2026-09-30".into();
    whole["amount"] = billed.clone().into();
    let set = |version: i64, detail: &serde_json::Value| {
        d.ledger()
            .execute(
                "UPDATE usage_bills SET doc_version = ?1, detail = ?2 WHERE customer_id = ?3",
                rusqlite::params![version, detail.to_string(), post],
            )
            .unwrap();
    };
    set(1, &whole);
    let shown = d.library().usage_month(&post, month("2026-09")).unwrap();
    assert_eq!(fen(shown.bills[0].bill.amount), billed);
    for (version, detail) in [(2, &whole), (3, &stored)] {
        set(version, detail);
        let err = d
            .library()
            .usage_month(&post, month("2026-09"))
            .unwrap_err();
        assert!(matches!(err, DeskError::Corrupt(_)), "{err}");
        assert!(err.to_string().contains("usage_bills"), "{err}");
    }
}

/// A month's total and the days of a month are told apart by the period
/// alone (a total's period is its month), in every statement that asks:
/// nothing imported, one shape per month, a pack back-dated under a total,
/// a month already billed.
#[test]
fn a_months_total_and_its_days_are_told_apart_by_the_period() {
    let mut d = TestDesk::new();
    at(&mut d, "2026-11-20T02:00:00Z");
    let c = d.customer("Shape Co");
    d.refuses(
        |k| k.run_usage(month("2026-09"), Some(&c)),
        "no calls imported for 2026-09",
    );
    import(
        &d,
        "sep.csv",
        "month,customer,product,calls",
        &[format!("2026-09,{c},api-face-search,100000")],
    );
    let days = format!("customer,product,day,calls\n{c},api-face-search,2026-09-05,10\n");
    d.rejects(
        |k| k.import_usage("sep-days.csv", &days),
        "as one total, not both",
    );
    let pack = NewPack {
        customer: c.clone(),
        product: "api-face-search".into(),
        calls: 1_000_000,
        date: Some(day("2026-09-10")),
        price: None,
    };
    d.refuses(
        |k| k.buy_pack(&pack),
        "calls of api-face-search from 2026-09 are imported already",
    );
    assert_eq!(run(&d, "2026-09").len(), 1);
    d.refuses(
        |k| k.run_usage(month("2026-09"), Some(&c)),
        "2026-09 is already billed",
    );
}
