//! The money side as finance runs it, through the binary: agreed prices,
//! saved quotes, billing profiles, payments and receivables, credit notes
//! and fapiao, exports, and printed statements checked page by page.

use std::process::Command;

use serde_json::Value;

use crate::desk::{TestDesk, at, order_args};
use crate::have;

fn money(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("not a money string: {v}"))
}

/// A draft statement for a new order of `devices` face-detect devices: its id.
fn draft(d: &TestDesk, customer: &str, devices: &str) -> String {
    let order = d.order(customer, "face-detect", &["--devices", devices]);
    let draft = d.json(&["invoice", "create", "--order", &order]);
    draft["draft_id"].as_str().unwrap().to_owned()
}

/// A finalized statement for a new device order: its number.
fn statement(d: &TestDesk, customer: &str, devices: &str) -> String {
    let fin = d.json(&["invoice", "finalize", &draft(d, customer, devices)]);
    fin["number"].as_str().unwrap().to_owned()
}

/// `payment record --invoice INVOICE --amount AMOUNT` and `more` arguments.
fn pay<'a>(invoice: &'a str, amount: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "payment",
        "record",
        "--invoice",
        invoice,
        "--amount",
        amount,
    ];
    args.extend_from_slice(more);
    args
}

/// Replaces `from` with `to` in the desk's catalog.
fn edit_catalog(d: &TestDesk, from: &str, to: &str) {
    let path = d.desk().join("catalog.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "catalog has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn agreed_prices_survive_a_catalog_edit() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let order = d.order(&c, "face-detect", &["--devices", "500", "--discount", "10"]);
    let shown = d.json(&["order", "show", &order]);
    assert_eq!(money(&shown["agreed"]["amount"]), "129600.00");
    // The list price of 50-1000 face-detect devices goes from 288 to 300.
    edit_catalog(
        &d,
        r#"{ from = 50, to = 1000, unit_price = "288.00" }"#,
        r#"{ from = 50, to = 1000, unit_price = "300.00" }"#,
    );
    let draft = d.json(&["invoice", "create", "--order", &order]);
    let lines = draft["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{draft}");
    assert_eq!(money(&lines[0]["unit_price"]), "288.00");
    assert_eq!(money(&lines[0]["gross"]), "144000.00");
    assert_eq!(lines[1]["kind"], "discount");
    assert_eq!(money(&lines[1]["gross"]), "-14400.00");
    assert_eq!(money(&draft["totals"]["gross"]), "129600.00");
    // A later order takes the new list price.
    let later = d.order(&c, "face-detect", &["--devices", "500"]);
    let draft = d.json(&["invoice", "create", "--order", &later]);
    assert_eq!(money(&draft["totals"]["gross"]), "150000.00");
    // The discount is its own line on every rendering.
    let text = d.ok(&["invoice", "show", "D-000001"]);
    assert!(text.contains("Discount 10% as agreed"), "{text}");
    let html = d.ok(&["invoice", "show", "D-000001", "--format", "html"]);
    assert!(html.contains("<tr class=\"discount\">"), "no discount row");
    // No tax columns at 0% VAT.
    assert!(!html.contains("Tax 税额"), "tax column at 0% VAT");
    d.refused(
        &order_args(
            &c,
            "face-detect",
            &["--trial", "--devices", "2", "--discount", "10"],
        ),
        3,
        "a trial is not priced",
    );
}

#[test]
fn saved_quotes_become_orders_at_the_quoted_price_once() {
    let mut d = TestDesk::new();
    let acme = d.customer("Acme");
    let other = d.customer("Other Co");
    let save = |d: &TestDesk, customer: &str, devices: &str| {
        d.json(&[
            "quote",
            "--product",
            "face-detect",
            "--devices",
            devices,
            "--discount",
            "5",
            "--save",
            "--customer",
            customer,
        ])
    };
    let q = save(&d, &acme, "500");
    assert_eq!(q["number"], "Q-2026-000001");
    assert_eq!(q["valid_until"], "2026-11-30", "30 days from 2026-11-01");
    assert_eq!(money(&q["price"]["amount"]), "136800.00");
    let q2 = save(&d, &acme, "700");
    assert_eq!(q2["number"], "Q-2026-000002");
    // Shown like a statement, titled as a quote.
    for format in ["text", "html", "csv"] {
        let out = d.ok(&["quote", "show", "Q-2026-000001", "--format", format]);
        assert!(out.contains("Q-2026-000001"), "{format}");
        assert!(
            out.contains("136,800.00") || out.contains("136800.00"),
            "{format}: {out}"
        );
    }
    assert!(
        d.ok(&["quote", "show", "Q-2026-000001"])
            .contains("QUOTATION 报价单")
    );
    // The catalog changes; the quote's prices hold.
    edit_catalog(
        &d,
        r#"{ from = 50, to = 1000, unit_price = "288.00" }"#,
        r#"{ from = 50, to = 1000, unit_price = "300.00" }"#,
    );
    d.refused(
        &[
            "order",
            "new",
            "--quote",
            "Q-2026-000001",
            "--customer",
            &other,
        ],
        5,
        "is for Acme",
    );
    d.refused(
        &[
            "order",
            "new",
            "--quote",
            "Q-2026-000001",
            "--devices",
            "400",
        ],
        5,
        "offers 500 devices",
    );
    let order = d.json(&["order", "new", "--quote", "Q-2026-000001"]);
    assert_eq!(order["quote"], "Q-2026-000001");
    assert_eq!(money(&order["agreed"]["amount"]), "136800.00");
    let draft = d.json(&[
        "invoice",
        "create",
        "--order",
        order["id"].as_str().unwrap(),
    ]);
    assert_eq!(money(&draft["totals"]["gross"]), "136800.00");
    d.refused(
        &["order", "new", "--quote", "Q-2026-000001"],
        5,
        "already used by order O-000001",
    );
    // Valid through its last day, refused after it.
    at(&mut d, "2026-11-30T15:59:59Z"); // 23:59:59 in Beijing
    d.ok(&["quote", "show", "Q-2026-000002", "--format", "json"]);
    at(&mut d, "2026-11-30T16:00:00Z");
    d.refused(
        &["order", "new", "--quote", "Q-2026-000002"],
        5,
        "quote Q-2026-000002 expired on 2026-11-30",
    );
    d.refused(
        &[
            "quote",
            "--product",
            "face-detect",
            "--devices",
            "500",
            "--save",
            "--customer",
            &acme,
            "--valid-days",
            "0",
        ],
        3,
        "valid for 1 to 365 days",
    );
    let list = d.ok(&["quote", "list"]);
    assert!(
        list.contains("used by O-000001") && list.contains("expired"),
        "{list}"
    );
}

#[test]
fn billing_profiles_are_checked_audited_and_printed() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    d.refused(
        &["customer", "edit", &c, "--tax-id", "91440300708461136A"],
        3,
        "fails its GB 32100-2015 check: the last character should be 'T'",
    );
    d.refused(
        &["customer", "edit", &c, "--tax-id", "9144030070846113"],
        3,
        "has 18 characters",
    );
    d.refused(
        &[
            "customer",
            "edit",
            &c,
            "--fapiao-type",
            "special",
            "--tax-id",
            "91440300708461136T",
        ],
        5,
        "missing: address, phone, bank, bank account",
    );
    d.refused(&["customer", "edit", &c], 3, "nothing to change");
    let edited = d.json(&[
        "customer",
        "edit",
        &c,
        "--legal-name",
        "深圳市艾克米科技有限公司",
        "--tax-id",
        "91440300708461136T",
        "--address",
        "深圳市南山区科技园 1 号",
        "--phone",
        "+86 755 8600 0000",
        "--bank",
        "招商银行深圳分行",
        "--account",
        "7559 0000 0000 001",
        "--email",
        "finance@acme.example",
        "--fapiao-type",
        "专用发票",
        "--payment-terms",
        "45",
    ]);
    assert_eq!(edited["billing"]["fapiao_type"], "special");
    assert_eq!(edited["billing"]["payment_terms_days"], 45);
    let shown = d.ok(&["customer", "show", &c]);
    assert!(
        shown.contains("91440300708461136T") && shown.contains("net 45 days"),
        "{shown}"
    );
    let log = d.json(&["log"]);
    let edit = &log[0];
    assert_eq!(edit["action"], "customer.edit");
    assert_eq!(
        edit["detail"]["tax_id"]["to"], "91440300708461136T",
        "{edit}"
    );
    // The statement carries both parties' blocks, the terms and the due date.
    let number = statement(&d, &c, "50");
    let doc: Value =
        serde_json::from_str(&d.ok(&["invoice", "show", &number, "--format", "json"])).unwrap();
    assert_eq!(doc["buyer"]["name"], "深圳市艾克米科技有限公司");
    assert_eq!(doc["buyer"]["tax_id"], "91440300708461136T");
    assert_eq!(doc["date"], "2026-11-01");
    assert_eq!(doc["due_on"], "2026-12-16", "net 45");
    assert_eq!(doc["payment_terms_days"], 45);
    let html = d.ok(&["invoice", "show", &number, "--format", "html"]);
    for needle in [
        "91440300708461136T",
        "招商银行深圳分行",
        "Seller 销售方",
        "91440300EXAMPLE000",
        "net 45 days",
        "id=\"due\">2026-12-16<",
        "增值税专用发票",
    ] {
        assert!(html.contains(needle), "no {needle:?} in the HTML");
    }
    let csv = d.ok(&["invoice", "show", &number, "--format", "csv"]);
    assert!(csv.contains(",91440300708461136T,"), "{csv}");
}

#[test]
fn payments_move_an_invoice_from_unpaid_to_paid_and_never_overpay_it() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let number = statement(&d, &c, "50"); // 14,400.00, due 2026-12-01
    let status = |d: &TestDesk| {
        let doc: Value =
            serde_json::from_str(&d.ok(&["invoice", "show", &number, "--format", "json"])).unwrap();
        (
            doc["settlement"]["status"].as_str().unwrap().to_owned(),
            doc["settlement"]["balance"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(status(&d), ("unpaid".into(), "14400.00".into()));
    draft(&d, &c, "50");
    d.refused(
        &pay("D-000002", "1", &[]),
        5,
        "finalize it before recording payments",
    );
    at(&mut d, "2026-11-10T00:00:00Z");
    let p = d.json(&pay(
        &number,
        "4400",
        &["--date", "2026-11-09", "--reference", "CMB 20261109-01"],
    ));
    assert_eq!(p["id"], "P-000001");
    assert_eq!(money(&p["amount"]), "4400.00");
    assert_eq!(status(&d), ("partially-paid".into(), "10000.00".into()));
    d.refused(
        &pay(&number, "10000.01", &[]),
        5,
        "has 10,000.00 due; a payment of 10,000.01 would overpay it",
    );
    d.refused(
        &pay(&number, "1", &["--date", "2026-11-11"]),
        5,
        "in the future",
    );
    d.refused(
        &pay(&number, "1", &["--date", "2026-10-31"]),
        5,
        "before FL-2026-000001 was issued",
    );
    d.refused(&pay(&number, "1.001", &[]), 3, "--amount");
    // Past the due date: overdue, and listed as unpaid.
    at(&mut d, "2026-12-05T00:00:00Z");
    assert_eq!(status(&d), ("overdue".into(), "10000.00".into()));
    let unpaid = d.json(&["invoice", "list", "--unpaid"]);
    assert_eq!(unpaid.as_array().unwrap().len(), 1);
    assert_eq!(unpaid[0]["payment_status"], "overdue");
    assert_eq!(unpaid[0]["days_overdue"], 4);
    d.ok(&pay(&number, "10000", &[]));
    assert_eq!(status(&d), ("paid".into(), "0.00".into()));
    assert!(
        d.json(&["invoice", "list", "--unpaid"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    d.refused(&pay(&number, "0.01", &[]), 5, "would overpay it");
    // The ledger keeps payments as recorded.
    let err = d
        .ledger()
        .execute("UPDATE payments SET amount = '1.00'", [])
        .unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    let text = d.ok(&["invoice", "show", &number]);
    assert!(
        text.contains("payment P-000001 of 2026-11-09: -4,400.00 (CMB 20261109-01)"),
        "{text}"
    );
    assert!(text.contains("BALANCE DUE CNY 0.00  [paid]"), "{text}");
}

#[test]
fn receivables_are_aged_per_customer_as_text_json_csv_and_xlsx() {
    let mut d = TestDesk::new();
    let acme = d.customer("Acme");
    let beta = d.customer("Beta");
    d.ok(&["customer", "edit", &beta, "--payment-terms", "0"]);
    let old = statement(&d, &acme, "50"); // 2026-11-01, due 2026-12-01
    at(&mut d, "2027-01-15T00:00:00Z");
    let mid = statement(&d, &beta, "100"); // due the same day
    at(&mut d, "2027-03-01T00:00:00Z");
    let new = statement(&d, &acme, "60"); // due 2027-03-31
    d.ok(&pay(&old, "400", &[]));
    let aging: Value =
        serde_json::from_str(&d.ok(&["receivables", "--format", "json", "--as-of", "2027-03-10"]))
            .unwrap();
    // FL-1: 99 days past due; FL-2: 54 days; FL-3: current.
    assert_eq!(money(&aging["total"]["over_90"]), "14000.00");
    assert_eq!(money(&aging["total"]["days_31_60"]), "28800.00");
    assert_eq!(money(&aging["total"]["current"]), "17280.00");
    assert_eq!(money(&aging["total"]["total"]), "60080.00");
    let rows = aging["customers"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["customer"], "Acme");
    assert_eq!(money(&rows[0]["total"]), "31280.00");
    let _ = (&mid, &new);
    let text = d.ok(&["receivables", "--as-of", "2027-03-10"]);
    assert!(text.contains("receivables as of 2027-03-10"), "{text}");
    let csv = d.ok(&["receivables", "--as-of", "2027-03-10", "--format", "csv"]);
    assert!(csv.starts_with("\u{FEFF}customer_id,customer,current,days_1_30,days_31_60,days_61_90,over_90,total,invoices\n"), "{csv}");
    assert!(
        csv.contains("\n,TOTAL,17280.00,0.00,28800.00,0.00,14000.00,60080.00,3\n"),
        "{csv}"
    );
    d.refused(
        &["receivables", "--format", "xlsx"],
        3,
        "add --out FILE.xlsx",
    );
    let book = d.dir.path().join("receivables.xlsx");
    d.ok(&[
        "receivables",
        "--format",
        "xlsx",
        "--out",
        book.to_str().unwrap(),
    ]);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).unwrap()).unwrap();
    let mut shared = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut shared,
    )
    .unwrap();
    assert!(
        shared.contains("Acme") && shared.contains("TOTAL"),
        "{shared}"
    );
    // Never overwritten without --force.
    d.refused(
        &[
            "receivables",
            "--format",
            "xlsx",
            "--out",
            book.to_str().unwrap(),
        ],
        4,
        "exists",
    );
    let list = d.dir.path().join("invoices.xlsx");
    d.ok(&[
        "invoice",
        "list",
        "--format",
        "xlsx",
        "--out",
        list.to_str().unwrap(),
    ]);
    let csv = d.ok(&["invoice", "list", "--format", "csv"]);
    assert!(csv.contains("number,draft,status,for,customer,buyer_tax_id,date,due,gross,credited,paid,balance,payment,fapiao"), "{csv}");
    assert!(csv.contains("FL-2026-000001,D-000001,final,O-000001,Acme,,2026-11-01,2026-12-01,14400.00,0.00,400.00,14000.00,overdue,"), "{csv}");
}

#[test]
fn credit_notes_are_documents_and_reduce_the_balance() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let number = statement(&d, &c, "50");
    d.ok(&pay(&number, "4000", &[]));
    let note = d.json(&[
        "invoice",
        "credit",
        &number,
        "--amount",
        "1440",
        "--reason",
        "5 devices returned",
    ]);
    let cn = note["number"].as_str().unwrap();
    assert_eq!(cn, "CN-2026-000001");
    let doc: Value =
        serde_json::from_str(&d.ok(&["invoice", "show", cn, "--format", "json"])).unwrap();
    assert_eq!(doc["kind"], "credit-note");
    assert_eq!(doc["credits_invoice"], number.as_str());
    assert_eq!(money(&doc["lines"][0]["net"]), "1440.00");
    assert_eq!(money(&doc["lines"][0]["tax"]), "0.00");
    assert_eq!(money(&doc["totals"]["gross"]), "1440.00");
    for format in ["text", "html", "csv"] {
        let out = d.ok(&["invoice", "show", cn, "--format", format]);
        assert!(
            out.contains("CREDIT NOTE") || out.contains("credit-note"),
            "{format}: {out}"
        );
        assert!(out.contains(&number), "{format}");
    }
    let inv: Value =
        serde_json::from_str(&d.ok(&["invoice", "show", &number, "--format", "json"])).unwrap();
    assert_eq!(inv["settlement"]["credited"], "1440.00");
    assert_eq!(inv["settlement"]["balance"], "8960.00");
    // Paid 4,000 of 14,400 less 1,440 credited: at most 8,960 more.
    d.refused(&pay(&number, "8960.01", &[]), 5, "8,960.00 due");
    d.refused(&["invoice", "show", "CN-2026-000009"], 6, "CN-2026-000009");
}

#[test]
fn the_fapiao_is_recorded_once_and_shown_everywhere() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let number = statement(&d, &c, "50");
    draft(&d, &c, "50");
    d.refused(
        &[
            "invoice",
            "record-fapiao",
            "D-000002",
            "--number",
            "1",
            "--date",
            "2026-11-01",
        ],
        5,
        "D-000002 is a draft",
    );
    d.refused(
        &[
            "invoice",
            "record-fapiao",
            &number,
            "--number",
            "44031234",
            "--date",
            "2026-11-31",
        ],
        3,
        "not a date",
    );
    d.refused(
        &[
            "invoice",
            "record-fapiao",
            &number,
            "--number",
            " ",
            "--date",
            "2026-11-01",
        ],
        3,
        "a fapiao number",
    );
    let f = d.json(&[
        "invoice",
        "record-fapiao",
        &number,
        "--number",
        "26442000000012345678",
        "--date",
        "2026-11-01",
    ]);
    assert_eq!(f["number"], "26442000000012345678");
    d.refused(
        &[
            "invoice",
            "record-fapiao",
            &number,
            "--number",
            "2",
            "--date",
            "2026-11-01",
        ],
        5,
        "already has fapiao 26442000000012345678",
    );
    let text = d.ok(&["invoice", "show", &number]);
    assert!(
        text.contains("fapiao 发票 26442000000012345678 of 2026-11-01"),
        "{text}"
    );
    let csv = d.ok(&["invoice", "show", &number, "--format", "csv"]);
    assert!(
        csv.trim_end().ends_with(",26442000000012345678,2026-11-01"),
        "{csv}"
    );
    let html = d.ok(&["invoice", "show", &number, "--format", "html"]);
    assert!(html.contains("id=\"fapiao\">26442000000012345678 (2026-11-01)<"));
    let list = d.json(&["invoice", "list"]);
    assert_eq!(list[0]["fapiao_number"], "26442000000012345678");
}

/// Text of page `page` of a PDF.
fn pdf_page(pdf: &std::path::Path, page: usize) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_45_line_statement_prints_page_by_page() {
    if !have("chromium", "--version") || !have("pdftotext", "-v") {
        eprintln!("skipped: chromium or pdftotext missing");
        return;
    }
    let d = TestDesk::new();
    let c = d.customer("深圳市某某科技有限公司");
    let order = d.order(&c, "face-detect", &["--platform", "com.acme.gate"]);
    // 45 terms not yet invoiced: one statement of 45 lines.
    let out = d.out();
    let mut desk = d.library();
    for _ in 0..44 {
        desk.renew(&order, &out, &Default::default()).unwrap();
    }
    drop(desk);
    let draft = d.json(&["invoice", "create", "--order", &order]);
    assert_eq!(draft["lines"].as_array().unwrap().len(), 45);
    let pdf = d.dir.path().join("draft.pdf");
    d.ok(&[
        "invoice",
        "show",
        "D-000001",
        "--format",
        "pdf",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let first = pdf_page(&pdf, 1);
    let pages: usize = first
        .split("page 1 of ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'page 1 of M' on page 1:\n{first}"));
    assert!(pages >= 3, "45 lines on {pages} pages");
    for page in 1..=pages {
        let text = pdf_page(&pdf, page);
        assert!(
            text.contains(&format!("page {page} of {pages}")),
            "page {page}:\n{text}"
        );
        assert!(
            text.contains("DRAFT D-000001"),
            "page {page} has no document number"
        );
        assert!(text.contains("DRAFT 草稿"), "page {page} has no draft mark");
        assert!(
            text.contains("Unit price"),
            "page {page} repeats no table header"
        );
    }
    // No row split: each row's unit price and amount (both 300,000.00)
    // are on the same page, and all 45 rows are there.
    let all: Vec<String> = (1..=pages).map(|p| pdf_page(&pdf, p)).collect();
    let mut rows = 0;
    for (p, text) in all.iter().enumerate() {
        let cells = text.matches("300,000.00").count();
        assert_eq!(cells % 2, 0, "a row is split on page {}:\n{text}", p + 1);
        rows += cells / 2;
    }
    assert_eq!(rows, 45);
    let last = &all[pages - 1];
    assert!(last.contains("13,500,000.00"), "45 x 300,000.00:\n{last}");
    // Finalized: the number on every page, no draft mark.
    d.ok(&["invoice", "finalize", "D-000001"]);
    let final_pdf = d.dir.path().join("final.pdf");
    d.ok(&[
        "invoice",
        "show",
        "FL-2026-000001",
        "--format",
        "pdf",
        "--out",
        final_pdf.to_str().unwrap(),
    ]);
    for page in 1..=pages {
        let text = pdf_page(&final_pdf, page);
        assert!(
            text.contains("FL-2026-000001") && !text.contains("DRAFT"),
            "page {page}:\n{text}"
        );
    }
    d.refused(
        &[
            "invoice",
            "show",
            "FL-2026-000001",
            "--format",
            "pdf",
            "--out",
            final_pdf.to_str().unwrap(),
        ],
        4,
        "exists",
    );
    d.refused(
        &["invoice", "show", "FL-2026-000001", "--format", "pdf"],
        3,
        "--out FILE.pdf",
    );
}

#[test]
fn a_pdf_without_chromium_says_what_to_install() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let number = statement(&d, &c, "50");
    let pdf = d.dir.path().join("x.pdf");
    let out = d
        .cmd(&[
            "invoice",
            "show",
            &number,
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ])
        .env("PATH", "")
        .env_remove("FACELIC_CHROMIUM")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("apt-get install chromium"), "{err}");
    assert!(!pdf.exists());
}

#[test]
fn statements_from_before_due_dates_are_due_after_the_catalogs_terms() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let number = statement(&d, &c, "50");
    // What a schema-3 ledger holds: no document date, no due date.
    d.ledger()
        .execute_batch(
            "DROP TRIGGER invoices_final_is_immutable;
             UPDATE invoices SET due_on = NULL,
                 document = json_remove(document, '$.date', '$.due_on', '$.payment_terms_days');",
        )
        .unwrap();
    at(&mut d, "2026-12-05T00:00:00Z");
    let doc: Value =
        serde_json::from_str(&d.ok(&["invoice", "show", &number, "--format", "json"])).unwrap();
    assert_eq!(doc["date"], "2026-11-01");
    assert_eq!(doc["due_on"], "2026-12-01");
    assert_eq!(doc["settlement"]["status"], "overdue");
    let aging: Value = serde_json::from_str(&d.ok(&["receivables", "--format", "json"])).unwrap();
    assert_eq!(money(&aging["total"]["days_1_30"]), "14400.00");
}
