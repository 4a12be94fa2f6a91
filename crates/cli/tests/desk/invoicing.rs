//! Quotes, usage bills and invoices: the rules through the desk library,
//! and what the binary prints (quotes, estimates, renderings, notes).

use std::process::{Command, Stdio};

use serde_json::Value;

use facelic_invoice::invoice::LineKind;
use facelic_issuer::desk::{BuyerTaxId, Desk, ErrorKind, Reprice};

use crate::desk::{TestDesk, at, code, day, fen, order_args};
use crate::have;

fn money(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a money string: {v}"))
        .to_owned()
}

#[test]
fn quotes_reproduce_the_price_list() {
    let d = TestDesk::new();
    let q = d.json(&["quote", "--product", "face-detect", "--devices", "500"]);
    assert_eq!(money(&q["quote"]["amount"]), "144000.00");
    let q = d.json(&["quote", "--product", "face-search", "--devices", "4000"]);
    assert_eq!(money(&q["quote"]["amount"]), "1232000.00");
    assert_eq!(q["quote"]["tier"], "1001-5000");
    let q = d.json(&["quote", "--product", "face-detect", "--platform"]);
    assert_eq!(money(&q["quote"]["amount"]), "300000.00");
    let text = d.ok(&["quote", "--product", "face-detect", "--devices", "1000"]);
    assert!(
        text.contains("1000 devices: 288,000.00; 1001 devices cost 238,238.00 — 49,762.00 less"),
        "{text}"
    );
    let text = d.ok(&["quote", "--product", "face-search", "--devices", "4000"]);
    assert!(text.contains("4000 devices: 1,232,000.00 CNY"), "{text}");
    let text = d.ok(&[
        "quote",
        "--product",
        "face-detect",
        "--devices",
        "500",
        "--discount",
        "20",
    ]);
    assert!(text.contains("115,200.00"), "{text}");
    d.refused(
        &["quote", "--product", "face-detect", "--devices", "49"],
        5,
        "at least 50 devices",
    );
    d.refused(
        &[
            "quote",
            "--product",
            "face-detect",
            "--devices",
            "50",
            "--discount",
            "120",
        ],
        3,
        "percentage",
    );
    d.refused(
        &["quote", "--product", "nope", "--devices", "50"],
        3,
        "unknown product",
    );
    // Works without a desk, on the shipped catalog.
    let out = Command::new(env!("CARGO_BIN_EXE_facelic"))
        .args([
            "--desk",
            "/nonexistent/desk",
            "quote",
            "--product",
            "face-detect",
            "--devices",
            "5001",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("5001 devices: 940,188.00"),
        "{out:?}"
    );
}

#[test]
fn usage_bills_reproduce_the_price_list() {
    let d = TestDesk::new();
    let cases: [(&str, &str, &[&str], &str); 5] = [
        (
            "api-face-comparison",
            "30M",
            &["10M", "10M", "10M"],
            "91200.00",
        ),
        ("api-face-search", "52M", &["50M"], "148868.0000"),
        ("api-facial-landmarks", "1000000", &[], "1980.00"),
        ("api-face-comparison", "3500000", &[], "10470.00"),
        ("api-static-liveness", "5M", &[], "8483.00"),
    ];
    for (product, calls, packs, total) in cases {
        let mut args = vec!["usage", "bill", "--product", product, "--calls", calls];
        for p in packs {
            args.extend(["--pack", p]);
        }
        let bill = d.json(&args);
        let got: facelic_invoice::Decimal = money(&bill["bill"]["total"]).parse().unwrap();
        let want: facelic_invoice::Decimal = total.parse().unwrap();
        assert_eq!(got, want, "{product} {calls}");
    }
    let text = d.ok(&[
        "usage",
        "bill",
        "--product",
        "api-face-search",
        "--calls",
        "52M",
        "--pack",
        "50M",
    ]);
    assert!(text.contains("total 148,868.00 CNY"), "{text}");
    d.refused(
        &[
            "usage",
            "bill",
            "--product",
            "api-face-search",
            "--calls",
            "1M",
            "--pack",
            "2M",
        ],
        3,
        "sells no pack",
    );
}

#[test]
fn invoices_are_numbered_immutable_and_creditable() {
    let mut d = TestDesk::new();
    let c = d.customer("深圳市某某科技有限公司");
    let order = d.order(&c, "face-detect", &["--devices", "500"]);
    let trial = d.order(&c, "face-detect", &["--trial", "--devices", "2"]);
    d.refuses(|k| k.create_invoice(&trial), "trials are not invoiced");
    let draft = d.library().create_invoice(&order).unwrap();
    assert_eq!(fen(draft.totals.gross), "144000.00");
    assert_eq!(draft.lines[0].tier, "50-1000");
    d.refuses(|k| k.create_invoice(&order), "already invoiced");
    at(&mut d, "2027-01-05T10:00:00Z");
    let fin = d
        .library()
        .finalize_invoice(&draft.draft_id, BuyerTaxId::MayBeMissing)
        .unwrap();
    assert_eq!(fin.number.as_deref(), Some("FL-2027-000001"));
    assert_eq!(
        fin.finalized_at.map(|t| t.to_string()).as_deref(),
        Some("2027-01-05T18:00:00+08:00")
    );
    d.refuses(
        |k| k.finalize_invoice(&draft.draft_id, BuyerTaxId::MayBeMissing),
        "already finalized",
    );
    d.refuses(|k| k.discard_draft("FL-2027-000001"), "finalized");
    // The ledger itself refuses to change a finalized invoice.
    let db = d.ledger();
    for sql in [
        "UPDATE invoices SET gross = '1' WHERE number = 'FL-2027-000001'",
        "DELETE FROM invoices WHERE number = 'FL-2027-000001'",
        "DELETE FROM invoice_items",
    ] {
        let err = db.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("cannot be"), "{sql}: {err}");
    }
    // Credit notes: never more than remains.
    let credit = |reason: &str, amount: Option<&str>| {
        let amount = amount.map(|a| a.parse().unwrap());
        let reason = reason.to_owned();
        move |k: &mut Desk| k.credit_invoice("FL-2027-000001", &reason, amount, None)
    };
    let note = credit("5 devices returned", Some("1440"))(&mut d.library()).unwrap();
    assert_eq!(note.number, "CN-2027-000001");
    d.refuses(credit("x", Some("142560.01")), "142,560.00 left to credit");
    let rest = credit("cancelled", None)(&mut d.library()).unwrap();
    assert_eq!(fen(rest.amount), "142560.00");
    d.refuses(credit("again", None), "nothing left");
    let listed = d.library().invoices(&Default::default()).unwrap();
    assert_eq!(fen(listed[0].credited), "144000.00");
    // Renderings carry the number, the total and the Chinese product name.
    for format in ["text", "csv", "html", "json"] {
        let out = d.ok(&["invoice", "show", "FL-2027-000001", "--format", format]);
        // Excel reads CSV as UTF-8 only with a byte-order mark.
        assert_eq!(out.starts_with('\u{FEFF}'), format == "csv", "{format}");
        assert!(out.contains("FL-2027-000001"), "{format}");
        assert!(out.contains("离线人脸检测 SDK"), "{format}");
        assert!(
            out.contains("144,000.00") || out.contains("144000.00"),
            "{format}: {out}"
        );
    }
}

#[test]
fn platform_terms_are_invoiced_at_the_agreed_fee_and_renewals_keep_it() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let order = d.order(
        &c,
        "face-search",
        &["--platform", "com.acme.gate", "--discount", "20"],
    );
    let first = d.library().create_invoice(&order).unwrap();
    // The term at its fee, then the agreed discount as a line of its own.
    assert_eq!(first.lines.len(), 2);
    assert_eq!(fen(first.lines[0].gross), "450000.00");
    assert_eq!(first.lines[1].kind, LineKind::Discount);
    assert_eq!(fen(first.lines[1].gross), "-90000.00");
    assert_eq!(fen(first.totals.gross), "360000.00");
    d.refuses(|k| k.create_invoice(&order), "already invoiced");
    at(&mut d, "2027-10-01T00:00:00Z");
    let out = d.out();
    let renew = |fee: Option<&str>, discount: Option<&str>| {
        let reprice = Reprice {
            fee: fee.map(|f| f.parse().unwrap()),
            discount_pct: discount.map(|p| p.parse().unwrap()),
        };
        let (order, out) = (order.clone(), out.clone());
        move |k: &mut Desk| k.renew(&order, &out, &reprice)
    };
    // The renewal keeps the negotiated 20% (the old desk invoiced 450,000.00).
    renew(None, None)(&mut d.library()).unwrap();
    let second = d.library().create_invoice(&order).unwrap();
    assert!(
        second.lines[0]
            .description
            .contains("term 2: 2027-11-01 to 2028-11-01"),
        "{}",
        second.lines[0].description
    );
    assert_eq!(fen(second.totals.gross), "360000.00");
    // One term ahead at most: term 2 has not begun, so it is not renewed
    // again yet (issue 25, item 17: three renewals on day one made four
    // terms, all invoiceable at once).
    d.refuses(
        renew(None, None),
        "renewed already: term 2 starts on 2027-11-01",
    );
    at(&mut d, "2027-11-02T00:00:00Z");
    // Re-priced explicitly: a new fee, no discount; audited.
    renew(Some("400000"), Some("0"))(&mut d.library()).unwrap();
    let third = d.library().create_invoice(&order).unwrap();
    assert_eq!(third.lines.len(), 1);
    assert_eq!(fen(third.totals.gross), "400000.00");
    let log = d.library().audit_log(100).unwrap();
    let renewal = log.iter().find(|e| e.action == "order.renew").unwrap();
    assert_eq!(renewal.detail["repriced"], true, "{renewal:?}");
    assert_eq!(renewal.detail["fee"], "400000.00", "{renewal:?}");
    let err = d.rejects(renew(Some("-1"), None), "cannot be negative");
    assert!(err.kind() == ErrorKind::BadInput, "{err:?}");
}

#[test]
fn concurrent_finalizers_get_gapless_unique_numbers() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let drafts: Vec<String> = (0..8)
        .map(|_| {
            let order = d.order(&c, "face-detect", &["--devices", "50"]);
            d.issue(&order, &[code(1)]);
            d.library().create_invoice(&order).unwrap().draft_id
        })
        .collect();
    // Eight desk processes at once: the ledger's lock, not this process,
    // keeps the numbers gapless.
    let children: Vec<_> = drafts
        .iter()
        .map(|id| {
            d.cmd(&[
                "invoice",
                "finalize",
                id,
                "--without-buyer-tax-id",
                "--json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut numbers: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice::<Value>(&out.stdout).unwrap()["number"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("FL-2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

#[test]
fn the_html_invoice_prints_to_a_pdf_with_number_total_and_chinese_name() {
    if !have("chromium", "--version") || !have("pdftotext", "-v") {
        return;
    }
    let d = TestDesk::new();
    let order = d.device_order("深圳市某某科技有限公司", "3d-liveness-search", 1200);
    let draft = d.library().create_invoice(&order).unwrap().draft_id;
    let number = d
        .library()
        .finalize_invoice(&draft, BuyerTaxId::MayBeMissing)
        .unwrap()
        .number
        .unwrap();
    let html = d.dir.path().join("invoice.html");
    let pdf = d.dir.path().join("invoice.pdf");
    d.ok(&[
        "invoice",
        "show",
        &number,
        "--format",
        "html",
        "--out",
        html.to_str().unwrap(),
    ]);
    let profile = d.dir.path().join("chromium-profile");
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success() && pdf.exists(), "chromium did not print");
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&number), "{text}");
    assert!(text.contains("417,600.00"), "{text}"); // 1200 x 348
    assert!(text.contains("离线人脸3D活体搜索"), "{text}");
    // A statement, not the tax authority's 发票.
    assert!(
        text.contains("STATEMENT 结算单") && text.contains("Not a VAT invoice"),
        "{text}"
    );
    assert!(!text.contains("INVOICE 发票"), "{text}");
}

#[test]
fn draft_ids_are_never_reused_and_json_money_has_two_decimals() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let first = d.library().create_invoice(&order).unwrap();
    assert_eq!(first.draft_id, "D-000001");
    d.library().discard_draft("D-000001").unwrap();
    let second = d.library().create_invoice(&order).unwrap();
    assert_eq!(
        second.draft_id, "D-000002",
        "a discarded draft's id came back"
    );
    // Every amount in the JSON document is a string with exactly two decimals.
    let shown: Value =
        serde_json::from_str(&d.ok(&["invoice", "show", "D-000002", "--format", "json"])).unwrap();
    let two_decimals = |v: &Value| {
        v.as_str()
            .is_some_and(|s| s.split_once('.').is_some_and(|(_, f)| f.len() == 2))
    };
    for key in ["net", "tax", "gross"] {
        assert!(
            two_decimals(&shown["totals"][key]),
            "totals.{key}: {}",
            shown["totals"][key]
        );
        for line in shown["lines"].as_array().unwrap() {
            assert!(two_decimals(&line[key]), "line {key}: {}", line[key]);
        }
    }
    // The total in Chinese upper-case numerals, in text and HTML.
    let text = d.ok(&["invoice", "show", "D-000002"]);
    let gross = shown["totals"]["gross"].as_str().unwrap();
    let words = facelic_invoice::money::chinese_upper(gross.parse().unwrap()).unwrap();
    assert!(text.contains(&format!("大写 in words: {words}")), "{text}");
    let html = d.ok(&["invoice", "show", "D-000002", "--format", "html"]);
    assert!(
        html.contains(&format!("id=\"total-in-words\">{words}<")),
        "no words in the HTML"
    );
    let listed = d.json(&["invoice", "list"]);
    assert_eq!(listed[0]["credited"], "0.00");
    assert!(two_decimals(&listed[0]["gross"]), "{}", listed[0]["gross"]);
}

#[test]
fn order_new_points_out_a_volume_cliff() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let out = d.run(&order_args(
        &c,
        "face-detect",
        &["--devices", "1000", "--json"],
    ));
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("note: 1000 devices cost 288,000.00; 1001 devices would cost 238,238.00 — 49,762.00 less"),
        "{err}"
    );
    // stdout stays the order, as JSON.
    let order: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(order["devices"], 1000);
    // No cliff, no note.
    let plain = d.run(&order_args(&c, "face-detect", &["--devices", "500"]));
    assert!(plain.status.success() && plain.stderr.is_empty());
}

#[test]
fn documents_are_dated_in_the_desks_time_zone() {
    let mut d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    d.library().create_invoice(&order).unwrap();
    // 07:30 on 1 January in Beijing is still 2026 in UTC.
    at(&mut d, "2026-12-31T23:30:00Z");
    let final_ = d
        .library()
        .finalize_invoice("D-000001", BuyerTaxId::MayBeMissing)
        .unwrap();
    assert_eq!(final_.number.as_deref(), Some("FL-2027-000001"));
    let shown = d.library().invoice("FL-2027-000001").unwrap();
    assert_eq!(
        shown.finalized_at.map(|t| t.to_string()).as_deref(),
        Some("2027-01-01T07:30:00+08:00")
    );
    assert_eq!(shown.date, Some(day("2027-01-01")));
    let text = d.ok(&["invoice", "show", "FL-2027-000001"]);
    assert!(text.contains("2027-01-01"), "{text}");
    let credit = d
        .library()
        .credit_invoice("FL-2027-000001", "test", Some(100.into()), None)
        .unwrap();
    assert_eq!(credit.number, "CN-2027-000001");
}

#[test]
fn a_buyer_without_a_tax_id_is_finalized_only_when_confirmed() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let order = d.order(&c, "face-detect", &["--devices", "50"]);
    d.issue(&order, &[code(1)]);
    let draft = d.library().create_invoice(&order).unwrap().draft_id;
    // A 增值税发票 needs the buyer's 统一社会信用代码: a profile without one
    // is refused, naming the customer and the way on, and nothing is numbered.
    let said = d.refused(&["invoice", "finalize", &draft], 5, "has no tax id");
    assert!(said.contains("Acme"), "{said}");
    assert!(said.contains("--without-buyer-tax-id"), "{said}");
    assert!(said.contains("--tax-id"), "{said}");
    let inv = d.json(&["invoice", "finalize", &draft, "--without-buyer-tax-id"]);
    assert_eq!(inv["number"], "FL-2026-000001", "{inv}");
    // With the tax id in the profile no confirmation is needed.
    let order = d.order(&c, "face-detect", &["--devices", "50"]);
    d.issue(&order, &[code(2)]);
    let draft = d.library().create_invoice(&order).unwrap().draft_id;
    d.ok(&["customer", "edit", &c, "--tax-id", "91440300MA5DEM0019"]);
    let inv = d.json(&["invoice", "finalize", &draft]);
    assert_eq!(inv["number"], "FL-2026-000002", "{inv}");
}

/// Issue 26: a statement's stored document says its version and, from
/// version 2, holds no fact a column of its row holds; version 1 documents
/// (written before) still read, their columns winning; a version-2
/// document that holds a column's fact, or a version this build does not
/// know, is a damaged row, never read with a guess.
#[test]
fn stored_statements_carry_their_version_and_one_copy_of_each_fact() {
    let d = TestDesk::new();
    let c = d.customer("深圳市某某科技有限公司");
    let order = d.order(&c, "face-detect", &["--devices", "500"]);
    let draft = d.library().create_invoice(&order).unwrap();
    let fin = d
        .library()
        .finalize_invoice(&draft.draft_id, BuyerTaxId::MayBeMissing)
        .unwrap();
    let number = fin.number.clone().unwrap();
    let (version, document): (i64, String) = d
        .ledger()
        .query_row(
            "SELECT doc_version, document FROM invoices WHERE number = ?1",
            [&number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(version, 2);
    let stored: Value = serde_json::from_str(&document).unwrap();
    for column in [
        "draft_id",
        "number",
        "status",
        "order_id",
        "created_at",
        "finalized_at",
    ] {
        assert!(stored.get(column).is_none(), "{column} in {stored}");
    }
    let shown = d.library().invoice(&number).unwrap();
    assert_eq!(shown.number.as_deref(), Some(number.as_str()));
    assert_eq!(shown.order_id, order);
    assert_eq!(shown.created_at, fin.created_at);
    assert_eq!(shown.totals, fin.totals);

    // A draft written by an earlier facelic: version 1, every field in its
    // JSON, one of them stale (its status); the columns win.
    let second = d.order(&c, "face-detect", &["--devices", "60"]);
    let older = d.library().create_invoice(&second).unwrap();
    let mut v1 = serde_json::to_value(&older).unwrap();
    v1["status"] = "final".into();
    v1["number"] = "FL-2000-000009".into();
    d.ledger()
        .execute(
            "UPDATE invoices SET doc_version = 1, document = ?1 WHERE draft_id = ?2",
            [v1.to_string(), older.draft_id.clone()],
        )
        .unwrap();
    let read = d.library().invoice(&older.draft_id).unwrap();
    assert_eq!(read.number, None);
    assert_eq!(read.status, facelic_invoice::invoice::DocumentStatus::Draft);
    assert_eq!(read.totals, older.totals);

    // Version 2 holding a column's fact, and an unknown version: damaged.
    let mut twice: Value = serde_json::from_str(&document).unwrap();
    twice["status"] = "draft".into();
    for (version, document) in [(2, twice.to_string()), (3, document.clone())] {
        d.ledger()
            .execute(
                "UPDATE invoices SET doc_version = ?1, document = ?2 WHERE draft_id = ?3",
                rusqlite::params![version, document, older.draft_id],
            )
            .unwrap();
        d.refused(
            &["invoice", "show", &older.draft_id],
            8,
            &format!("ledger table invoices, row {}", older.draft_id),
        );
    }
}
