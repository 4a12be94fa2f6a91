//! The price list's worked examples, tier boundaries, rounding and tax,
//! through the library.

use facelic_invoice::invoice::{Line, tax_line, totals};
use facelic_invoice::money::format_money;
use facelic_invoice::pricing::{
    PricingError, cheaper_quantity, price_devices, price_devices_with, price_platform,
};
use facelic_invoice::usage::estimate;
use facelic_invoice::{Catalog, Decimal, TierMode};
use proptest::prelude::*;

fn catalog() -> Catalog {
    Catalog::default_catalog().unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn devices(product: &str, n: u64) -> Decimal {
    let c = catalog();
    price_devices(
        c.product(product).unwrap(),
        c.rules.device_min_quantity,
        n,
        None,
    )
    .unwrap()
    .amount
}

#[test]
fn worked_examples_of_the_price_list() {
    assert_eq!(format_money(devices("face-detect", 500)), "144,000.00");
    assert_eq!(format_money(devices("face-search", 4000)), "1,232,000.00");
    let c = catalog();
    let platform = price_platform(c.product("face-detect").unwrap(), 1, None).unwrap();
    assert_eq!(format_money(platform.amount), "300,000.00");
    assert_eq!(
        format_money(
            price_platform(c.product("face-detect").unwrap(), 3, None)
                .unwrap()
                .amount
        ),
        "900,000.00"
    );
}

/// Section 2 of `pricing-reference.md`, copied by hand: the device tiers
/// and the platform fee of every product, independent of the catalog under
/// test.
const REFERENCE_DEVICE_TIERS: [(&str, [u32; 3], u32); 6] = [
    ("face-detect", [288, 238, 188], 300_000),
    ("ir-liveness", [288, 238, 188], 300_000),
    ("3d-liveness", [288, 238, 188], 300_000),
    ("face-search", [358, 308, 258], 450_000),
    ("ir-liveness-search", [398, 348, 298], 600_000),
    ("3d-liveness-search", [398, 348, 298], 600_000),
];

#[test]
fn tier_boundaries_of_every_product() {
    let c = catalog();
    let ids: Vec<&str> = c.products.iter().map(|p| p.id.as_str()).collect();
    let reference: Vec<&str> = REFERENCE_DEVICE_TIERS.iter().map(|(id, ..)| *id).collect();
    assert_eq!(ids, reference, "the catalog's SDK products");
    for (id, [t1, t2, t3], platform) in REFERENCE_DEVICE_TIERS {
        let p = c.product(id).unwrap();
        assert_eq!(
            price_platform(p, 1, None).unwrap().amount,
            Decimal::from(platform),
            "{id} per platform"
        );
        let [t1, t2, t3] = [t1, t2, t3].map(Decimal::from);
        for (n, unit) in [(50, t1), (1000, t1), (1001, t2), (5000, t2), (5001, t3)] {
            let line = price_devices(p, 50, n, None).unwrap();
            assert_eq!(line.unit_price, unit, "{id} x {n}");
            assert_eq!(line.amount, Decimal::from(n) * unit, "{id} x {n}");
        }
        assert_eq!(
            price_devices(p, 50, 49, None),
            Err(PricingError::BelowMinimum {
                minimum: 50,
                asked: 49
            })
        );
    }
    assert_eq!(format_money(devices("face-detect", 1000)), "288,000.00");
    assert_eq!(format_money(devices("face-detect", 1001)), "238,238.00");
}

#[test]
fn volume_cliffs_are_found() {
    let c = catalog();
    let p = c.product("face-detect").unwrap();
    let at_1000 = price_devices(p, 50, 1000, None).unwrap();
    let cliff = cheaper_quantity(p, 50, &at_1000).unwrap();
    assert_eq!(
        (
            cliff.quantity,
            format_money(cliff.amount),
            format_money(cliff.saving)
        ),
        (1001, "238,238.00".into(), "49,762.00".into())
    );
    // 800 x 288 = 230,400 < 238,238: no cheaper larger quantity.
    assert_eq!(
        cheaper_quantity(p, 50, &price_devices(p, 50, 800, None).unwrap()),
        None
    );
    assert_eq!(
        cheaper_quantity(p, 50, &price_devices(p, 50, 5001, None).unwrap()),
        None
    );
    assert_eq!(
        cheaper_quantity(p, 50, &price_devices(p, 50, 4900, None).unwrap())
            .unwrap()
            .quantity,
        5001
    );
}

#[test]
fn lines_round_half_up_to_the_fen() {
    let text = facelic_invoice::DEFAULT_CATALOG.replacen(
        "unit_price = \"288.00\"",
        "unit_price = \"100.03\"",
        1,
    );
    let c = Catalog::parse(&text).unwrap();
    let p = c.product("face-detect").unwrap();
    // 50 x 100.03 = 5001.50, less 1% = 4951.485: half-up gives .49 (bankers' rounding would give .48).
    let line = price_devices(p, 50, 50, Some(d("1"))).unwrap();
    assert_eq!(line.subtotal, d("5001.50"));
    assert_eq!(line.amount, d("4951.49"));
    // 20% campaign on 500 face-detect.
    assert_eq!(
        devices("face-detect", 500) * d("0.8"),
        price_devices(
            catalog().product("face-detect").unwrap(),
            50,
            500,
            Some(d("20"))
        )
        .unwrap()
        .amount
    );
}

#[test]
fn tax_is_per_line_and_totals_sum_rounded_lines() {
    let mut inv = catalog().invoicing;
    inv.vat_rate = d("13");
    inv.prices_include_tax = true;
    assert_eq!(
        tax_line(d("144000"), &inv),
        (d("127433.63"), d("16566.37"), d("144000"))
    );
    inv.prices_include_tax = false;
    assert_eq!(
        tax_line(d("144000"), &inv),
        (d("144000"), d("18720.00"), d("162720.00"))
    );
    inv.vat_rate = d("6");
    let line = |amount: &str| {
        let (net, tax, gross) = tax_line(d(amount), &inv);
        Line {
            kind: facelic_invoice::invoice::LineKind::Item,
            product: "p".into(),
            name_zh: "".into(),
            name_en: "".into(),
            description: "".into(),
            tier: "".into(),
            quantity: 1,
            unit_price: d(amount),
            discount_pct: None,
            net,
            tax,
            gross,
        }
    };
    let lines = [line("0.05"), line("0.05"), line("0.05")];
    // Each line's tax 0.003 rounds to 0.00; the total is the sum of the rounded lines.
    assert_eq!(totals(&lines).tax, d("0.00"));
    assert_eq!(totals(&lines).gross, d("0.15"));
}

#[test]
fn usage_worked_examples() {
    let c = catalog();
    let day = facelic_invoice::dates::Date::parse("2026-11-01").unwrap();
    let bill = |id: &str, calls: u64, packs: &[u64]| estimate(&c, id, calls, packs, day);
    let unit = |e: &facelic_invoice::usage::Estimate| e.usage.charges.first().map(|c| c.unit_price);
    // 1. 30M face-comparison calls in a year as three 10M packs.
    let b = bill("api-face-comparison", 30_000_000, &[10_000_000; 3]).unwrap();
    assert_eq!(format_money(b.total), "91,200.00");
    // 2. 52M face-search calls in a month with one 50M pack.
    let b = bill("api-face-search", 52_000_000, &[50_000_000]).unwrap();
    assert_eq!(
        (b.usage.postpaid_calls, unit(&b)),
        (1_990_000, Some(d("0.0032")))
    );
    assert_eq!(format_money(b.total), "148,868.00");
    // 3.-5. Post-paid only.
    for (id, calls, total) in [
        ("api-facial-landmarks", 1_000_000, "1,980.00"),
        ("api-face-comparison", 3_500_000, "10,470.00"),
        ("api-static-liveness", 5_000_000, "8,483.00"),
    ] {
        assert_eq!(
            format_money(bill(id, calls, &[]).unwrap().total),
            total,
            "{id}"
        );
    }
    // Within the free quota: nothing to pay.
    assert_eq!(
        bill("api-face-search", 10_000, &[]).unwrap().total,
        Decimal::ZERO
    );
    // Tier reached by billed calls: exactly 3M billed is still the first
    // tier, and the cliff to the second is pointed out.
    let at_edge = bill("api-face-detection", 3_010_000, &[]).unwrap();
    assert_eq!(unit(&at_edge), Some(d("0.0005")));
    let cliff = at_edge.usage.cliff.clone().unwrap();
    assert_eq!(
        (cliff.quantity, format_money(cliff.amount)),
        (3_010_001, "1,200.00".into())
    );
    assert_eq!(format_money(at_edge.total), "1,500.00");
    assert_eq!(
        unit(&bill("api-face-detection", 3_010_001, &[]).unwrap()),
        Some(d("0.0004"))
    );
    assert!(bill("api-face-search", 1, &[2_000_000]).is_err());
}

proptest! {
    #[test]
    fn volume_total_is_quantity_times_reached_unit_price(n in 50u64..20_000, product in 0usize..6) {
        let c = catalog();
        let p = &c.products[product];
        let line = price_devices_with(p, 50, n, TierMode::Volume, None).unwrap();
        let reaches = |t: &&facelic_invoice::Tier| n >= t.from && t.to.is_none_or(|to| n <= to);
        let reached = p.device_tiers.iter().find(reaches).unwrap();
        prop_assert_eq!(line.amount, Decimal::from(n) * reached.unit_price);
    }

    #[test]
    fn graduated_total_is_the_sum_over_tiers(n in 50u64..20_000, product in 0usize..6) {
        let c = catalog();
        let p = &c.products[product];
        let line = price_devices_with(p, 50, n, TierMode::Graduated, None).unwrap();
        let mut expected = Decimal::ZERO;
        for unit in 1..=n {
            let tier = p.device_tiers.iter().find(|t| unit <= t.to.unwrap_or(u64::MAX)).unwrap();
            expected += tier.unit_price;
        }
        prop_assert_eq!(line.amount, expected);
        prop_assert_eq!(line.portions.iter().map(|p| p.quantity).sum::<u64>(), n);
    }

    #[test]
    fn discounted_lines_are_whole_fen(n in 50u64..20_000, pct in 1u32..10_000) {
        let c = catalog();
        let pct = Decimal::new(i64::from(pct), 2);
        let line = price_devices(c.product("face-search").unwrap(), 50, n, Some(pct)).unwrap();
        prop_assert!(line.amount.scale() <= 2);
        prop_assert!(line.amount <= line.subtotal);
    }
}

#[test]
fn credit_notes_split_net_and_tax_at_the_statements_rate() {
    use facelic_invoice::invoice::split_gross;
    // 13% VAT, tax included: 1,130.00 gross is 1,000.00 net and 130.00 tax.
    assert_eq!(split_gross(d("1130"), d("13")), (d("1000.00"), d("130.00")));
    // Rounding goes to the net; the parts always add up to the gross.
    let (net, tax) = split_gross(d("0.05"), d("6"));
    assert_eq!((net, tax), (d("0.05"), d("0.00")));
    let (net, tax) = split_gross(d("1440"), d("6"));
    assert_eq!(net + tax, d("1440"));
    assert_eq!(net, d("1358.49"));
    // No VAT: all net.
    assert_eq!(split_gross(d("1440"), d("0")), (d("1440"), d("0")));
}

/// The unit price each line shows in `rendered`: the text after
/// `"{quantity} x "` (text) or after `">{quantity}</td><td class=\"num\">"`
/// (HTML), up to the next space or `<`.
fn printed_unit_price(rendered: &str, marker: &str) -> Decimal {
    let at = rendered
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in:\n{rendered}"));
    let rest = &rendered[at + marker.len()..];
    let end = rest.find([' ', '<']).unwrap_or(rest.len());
    rest[..end].replace(',', "").parse().unwrap()
}

#[test]
fn printed_lines_reconcile_on_every_document_kind() {
    // A per-call price of 0.002 printed as "990000 x 0.00 = 1,980.00", and
    // 0.088 as 0.09: the printed lines did not add up.
    use facelic_invoice::invoice::{DocumentKind, Invoice, Party};
    let cat = catalog();
    let lines: Vec<Line> = [(990_000u64, "0.002"), (1_000, "0.088"), (3, "288.00")]
        .iter()
        .map(|&(quantity, price)| {
            let amount = facelic_invoice::money::round_fen(Decimal::from(quantity) * d(price));
            Line::item(
                ("api-face-search", "人脸搜索", "Face search"),
                format!("{quantity} calls"),
                String::new(),
                quantity,
                d(price),
                amount,
                &cat.invoicing,
            )
        })
        .collect();
    let party = || Party {
        name: "Acme".into(),
        address: String::new(),
        id: "C-000001".into(),
        tax_id: String::new(),
        phone: String::new(),
        bank: String::new(),
        account: String::new(),
        email: String::new(),
    };
    for kind in [
        DocumentKind::Statement,
        DocumentKind::Quote,
        DocumentKind::CreditNote,
    ] {
        // A credit note prints as a red-letter document: quantity and
        // amounts negative, the unit price positive.
        let sign = match kind {
            DocumentKind::CreditNote => -Decimal::ONE,
            _ => Decimal::ONE,
        };
        let signed: Vec<Line> = lines
            .iter()
            .map(|l| Line {
                net: sign * l.net,
                tax: sign * l.tax,
                gross: sign * l.gross,
                ..l.clone()
            })
            .collect();
        let inv = Invoice::new(
            kind,
            (party(), party()),
            "CNY",
            (d("6"), true),
            signed.clone(),
            facelic_invoice::dates::Stamp::parse("2026-11-02T10:00:00+08:00").unwrap(),
        );
        let (text, html, csv) = (inv.to_text(), inv.to_html(), inv.to_csv());
        for line in &signed {
            let q = line.quantity;
            // Quantities print with thousands separators (990,000).
            let shown = inv.printed_quantity(line);
            for printed in [
                printed_unit_price(&text, &format!("{shown} x ")),
                printed_unit_price(&html, &format!(">{shown}</td><td class=\"num\">")),
            ] {
                assert_eq!(printed, line.unit_price, "{kind:?}: {q}");
                assert_eq!(
                    facelic_invoice::money::round_fen(sign * Decimal::from(q) * printed),
                    line.gross,
                    "{kind:?}: {shown} x {printed}"
                );
            }
            let csv_q = shown.replace(',', "");
            assert!(
                csv.contains(&format!(",{csv_q},{},", line.unit_price)),
                "{csv}"
            );
        }
    }
}

#[test]
fn names_customers_read_carry_no_source_citation() {
    // "限时8折优惠起 (001 L9-L10)" was printed on customer documents: the
    // seed citations belong in the catalog's comments.
    let cat = catalog();
    let cited = |text: &str| {
        text.split('(').skip(1).any(|rest| {
            let b = rest.as_bytes();
            b.len() > 5 && b[..3].iter().all(u8::is_ascii_digit) && &b[3..5] == b" L"
        })
    };
    let mut names: Vec<String> = Vec::new();
    for p in &cat.products {
        names.extend([p.name_zh.clone(), p.name_en.clone()]);
    }
    for a in &cat.api_products {
        names.extend([a.name_zh.clone(), a.name_en.clone()]);
        names.extend(a.campaigns.iter().map(|c| c.name.clone()));
    }
    assert!(names.len() > 10);
    let tagged: Vec<&String> = names.iter().filter(|n| cited(n)).collect();
    assert!(tagged.is_empty(), "{tagged:?}");
    assert!(cited("限时8折优惠起 (001 L9-L10)"));
}
