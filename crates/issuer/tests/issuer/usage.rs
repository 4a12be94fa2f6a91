//! Metered billing through the binary: packs, usage imports and monthly
//! runs, against every worked example of pricing-reference sections 3 and 4.

use serde_json::Value;

use crate::desk::{TestDesk, at};

/// Writes `rows` under `header` to a CSV file and imports it.
fn import(d: &TestDesk, name: &str, header: &str, rows: &[String]) -> Value {
    let path = d.dir.path().join(name);
    std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    d.json(&["usage", "import", path.to_str().unwrap()])
}

fn daily(d: &TestDesk, name: &str, rows: &[String]) -> Value {
    import(d, name, "customer,product,day,calls", rows)
}

/// Runs `month` and returns, per customer, the bills' amounts in order.
fn run(d: &TestDesk, month: &str) -> Vec<Value> {
    d.json(&["usage", "run", "--month", month])
        .as_array()
        .unwrap()
        .clone()
}

fn amounts(bills: &[Value], customer: &str) -> Vec<String> {
    bills
        .iter()
        .filter(|b| b["customer_id"] == customer)
        .map(|b| b["bill"]["amount"].as_str().unwrap().to_owned())
        .collect()
}

fn one(bills: &[Value], customer: &str) -> String {
    let a = amounts(bills, customer);
    assert_eq!(a.len(), 1, "{customer}: {a:?}");
    a[0].clone()
}

fn buy(d: &TestDesk, customer: &str, product: &str, size: &str, date: &str) -> Value {
    d.json(&[
        "pack",
        "buy",
        "--customer",
        customer,
        "--product",
        product,
        "--size",
        size,
        "--date",
        date,
    ])
}

fn pack_price(p: &Value) -> String {
    p["invoice"]["totals"]["gross"].as_str().unwrap().to_owned()
}

fn activate(d: &TestDesk, customer: &str, family: &str, date: &str) -> Value {
    d.json(&[
        "usage",
        "activate",
        "--customer",
        customer,
        "--family",
        family,
        "--date",
        date,
    ])
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

/// Ends every 人脸核身 campaign on `last_day`.
fn end_campaigns(d: &TestDesk, last_day: &str) {
    let path = d.desk().join("catalog.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let from = "from = \"2021-02-01\"\n";
    assert_eq!(text.matches(from).count(), 4);
    std::fs::write(
        &path,
        text.replace(from, &format!("{from}to = \"{last_day}\"\n")),
    )
    .unwrap();
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
    let post_bill = bills
        .iter()
        .find(|b| b["customer_id"] == post.as_str())
        .unwrap();
    let by_product: Vec<(String, String)> = post_bill["bill"]["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["product"].as_str().unwrap().into(),
                p["amount"].as_str().unwrap().into(),
            )
        })
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
    let number = post_bill["invoice"].as_str().unwrap();
    let doc: Value =
        serde_json::from_str(&d.ok(&["invoice", "show", number, "--format", "json"])).unwrap();
    assert_eq!(doc["date"], "2026-10-01");
    assert_eq!(doc["totals"]["gross"], "20933.00");
    assert_eq!(doc["lines"].as_array().unwrap().len(), 3);
    assert_eq!(doc["billed_for"], "usage 2026-09-01 to 2026-09-30");
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
        let bills = d.json(&["usage", "run", "--month", m, "--customer", &yearly]);
        let bills = bills.as_array().unwrap();
        assert_eq!(one(bills, &yearly), "0.00", "{m}");
        assert!(bills[0]["invoice"].is_null(), "nothing owed, no statement");
    }
    // 12 × 10,000 calls were free: 120,000 calls are left and expire with
    // the packs on 2026-09-30 (recorded, never billed again).
    let packs = d.json(&["pack", "list", "--customer", &yearly]);
    let left: u64 = packs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["used"].as_u64().unwrap())
        .sum();
    assert_eq!(left, 30_000_000 - 120_000);
    let show = d.ok(&["usage", "show", "--customer", &yearly, "--month", "2026-09"]);
    assert!(
        show.contains("expired after 2026-09-30 with 120,000 calls unused"),
        "{show}"
    );
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
        assert_eq!(
            (
                a["cycle"].as_str(),
                a["trial_packs"].as_array().unwrap().len()
            ),
            (Some("monthly"), 4)
        );
    }
    for n in &names[7..] {
        assert_eq!(activate(&d, &id[n], "kyc", "2023-02-01")["cycle"], "daily");
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
    let show = d.ok(&[
        "usage",
        "show",
        "--customer",
        &id["ex2a"],
        "--month",
        "2026-09",
    ]);
    assert!(
        show.contains("200,001 calls would cost 80,000.40 — 9,999.60 less"),
        "{show}"
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
    let first = aug
        .iter()
        .find(|b| b["customer_id"] == id["ex4a"].as_str())
        .unwrap();
    assert_eq!(
        (first["date"].as_str(), first["cycle"].as_str()),
        (Some("2026-08-02"), Some("daily"))
    );
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
    std::fs::write(
        &path,
        text.replace(setting, "tier_basis = \"all-calls\"       # 4.5 item 7"),
    )
    .unwrap();
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
    let sep = one(&run(&d, "2026-09"), &c);
    assert_eq!(sum(&[paid[0].clone(), aug]).to_string(), "7500.00");
    assert_eq!(sum(&[paid[1].clone(), sep]).to_string(), "10375.00");
}
