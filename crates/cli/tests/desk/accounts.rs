//! Customer accounts through the binary: credits after payment owed back
//! as a refund or as customer credit, refunds paid out, one transfer paying
//! several statements, unapplied cash, and receivables with credit balances.

use serde_json::Value;

use crate::desk::{TestDesk, at};

/// A finalized statement for a new order of 50 face-detect devices
/// (14,400.00): its number.
fn statement(d: &TestDesk, customer: &str) -> String {
    let order = d.order(customer, "face-detect", &["--devices", "50"]);
    let draft = d.json(&["invoice", "create", "--order", &order]);
    let fin = d.json(&[
        "invoice",
        "finalize",
        draft["draft_id"].as_str().unwrap(),
        "--without-buyer-tax-id",
    ]);
    fin["number"].as_str().unwrap().to_owned()
}

fn settlement(d: &TestDesk, number: &str) -> (String, String) {
    let doc: Value =
        serde_json::from_str(&d.ok(&["invoice", "show", number, "--format", "json"])).unwrap();
    let s = &doc["settlement"];
    (
        s["balance"].as_str().unwrap().to_owned(),
        s["status"].as_str().unwrap().to_owned(),
    )
}

fn on_account(d: &TestDesk, customer: &str, as_of: Option<&str>) -> Value {
    let mut args = vec!["account", "show", customer];
    if let Some(day) = as_of {
        args.extend(["--as-of", day]);
    }
    d.json(&args)["on_account"].clone()
}

/// The receivables row of `customer` (as JSON), if any.
fn receivables_row(d: &TestDesk, customer: &str, as_of: &str) -> Option<Value> {
    let aging: Value =
        serde_json::from_str(&d.ok(&["receivables", "--as-of", as_of, "--format", "json"]))
            .unwrap();
    aging["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["customer_id"] == customer)
        .cloned()
}

#[test]
fn a_credit_after_payment_is_owed_back_as_the_operator_chooses() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let paid = statement(&d, &c);
    d.ok(&["payment", "record", "--invoice", &paid, "--amount", "14400"]);
    at(&mut d, "2026-11-05T02:00:00Z");
    // The defect: a credit after payment left -14,400.00 "paid".
    let said = d.refused(
        &["invoice", "credit", &paid, "--reason", "returned"],
        5,
        "14,400.00 of this credit is owed back",
    );
    assert!(said.contains("--owed-back refund"), "{said}");
    d.ok(&[
        "invoice",
        "credit",
        &paid,
        "--reason",
        "returned",
        "--owed-back",
        "refund",
    ]);
    assert_eq!(settlement(&d, &paid), ("0.00".into(), "credited".into()));
    let acct = on_account(&d, &c, None);
    assert_eq!(acct["refund_owed"], "14400.00", "{acct}");
    assert_eq!(acct["credit"], "0.00", "{acct}");
    // Receivables show the credit balance the old report left out.
    let row = receivables_row(&d, &c, "2026-11-05").expect("a credit balance is a row");
    assert_eq!(row["total"], "0.00", "{row}");
    assert_eq!(row["on_account"], "14400.00", "{row}");
    assert_eq!(row["net"], "-14400.00", "{row}");
    // Paying it out: never more than is owed, never in the future.
    d.refused(
        &[
            "account",
            "refund",
            &c,
            "--amount",
            "14400.01",
            "--reference",
            "CMB R1",
        ],
        5,
        "14,400.00 refund owed",
    );
    d.refused(
        &[
            "account",
            "refund",
            &c,
            "--amount",
            "1",
            "--date",
            "2026-11-06",
        ],
        5,
        "in the future",
    );
    d.refused(
        &["account", "refund", &c, "--amount", "1", "--from", "gift"],
        3,
        "--from",
    );
    let paid_out = d.json(&[
        "account",
        "refund",
        &c,
        "--amount",
        "14400",
        "--reference",
        "CMB R1",
    ]);
    assert_eq!(paid_out["kind"], "refund-paid", "{paid_out}");
    assert_eq!(on_account(&d, &c, None)["refund_owed"], "0.00");
    assert!(receivables_row(&d, &c, "2026-11-05").is_none());
    // Point in time: the day before the credit, nothing was owed back.
    assert_eq!(
        on_account(&d, &c, Some("2026-11-04"))["refund_owed"],
        "0.00"
    );
    for action in ["account.owed-back", "account.refund", "payment.receive"] {
        let n: i64 = d
            .ledger()
            .query_row(
                "SELECT COUNT(*) FROM audit WHERE action = ?1",
                [action],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{action} audited once");
    }
}

#[test]
fn customer_credit_pays_a_later_statement() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let first = statement(&d, &c);
    d.ok(&[
        "payment",
        "record",
        "--invoice",
        &first,
        "--amount",
        "14400",
    ]);
    at(&mut d, "2026-11-03T02:00:00Z");
    d.ok(&[
        "invoice",
        "credit",
        &first,
        "--reason",
        "5 devices returned",
        "--amount",
        "1440",
        "--owed-back",
        "credit",
    ]);
    assert_eq!(on_account(&d, &c, None)["credit"], "1440.00");
    let second = statement(&d, &c);
    // Another customer's statement is not paid with this credit.
    let other = d.customer("Other");
    let theirs = statement(&d, &other);
    d.refused(
        &["account", "apply-credit", &c, "--invoice", &theirs],
        5,
        "is not a statement of",
    );
    d.refused(
        &[
            "account",
            "apply-credit",
            &c,
            "--invoice",
            &second,
            "--amount",
            "1440.01",
        ],
        5,
        "not 1,440.01",
    );
    let e = d.json(&["account", "apply-credit", &c, "--invoice", &second]);
    assert_eq!(e["amount"], "1440.00", "{e}");
    assert_eq!(
        settlement(&d, &second),
        ("12960.00".into(), "partially-paid".into())
    );
    assert_eq!(on_account(&d, &c, None)["credit"], "0.00");
    d.refused(
        &["account", "apply-credit", &c, "--invoice", &second],
        5,
        "nothing left to apply",
    );
    // The statement prints the credit it was paid with.
    let text = d.ok(&["invoice", "show", &second]);
    assert!(text.contains("Customer credit applied"), "{text}");
    assert!(text.contains("-1,440.00"), "{text}");
}

#[test]
fn one_transfer_pays_several_statements_and_the_rest_stays_on_account() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let a = statement(&d, &c);
    let b = statement(&d, &c);
    let third = statement(&d, &c);
    at(&mut d, "2026-11-04T02:00:00Z");
    // More than both ask for is refused as an overpayment, with the way on.
    let said = d.refused(
        &[
            "payment",
            "record",
            "--invoice",
            &a,
            "--invoice",
            &b,
            "--amount",
            "30000",
        ],
        5,
        "have 28,800.00 due; a payment of 30,000.00 would overpay them",
    );
    assert!(said.contains("payment receive --customer"), "{said}");
    let r = d.json(&[
        "payment",
        "receive",
        "--customer",
        &c,
        "--invoice",
        &a,
        "--invoice",
        &b,
        "--amount",
        "30,000.00",
        "--reference",
        "CMB 7",
    ]);
    let receipt = r["id"].as_str().unwrap().to_owned();
    assert_eq!(r["payments"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(r["unapplied"], "1200.00", "{r}");
    assert_eq!(settlement(&d, &a).1, "paid");
    assert_eq!(settlement(&d, &b).1, "paid");
    assert_eq!(on_account(&d, &c, None)["unapplied"], "1200.00");
    // The aging report nets the unapplied cash against what is still due.
    let row = receivables_row(&d, &c, "2026-11-04").unwrap();
    assert_eq!(row["total"], "14400.00", "{row}");
    assert_eq!(row["on_account"], "1200.00", "{row}");
    assert_eq!(row["net"], "13200.00", "{row}");
    // Applied later to the third statement.
    at(&mut d, "2026-11-06T02:00:00Z");
    let p = d.json(&["payment", "apply", &receipt, "--invoice", &third]);
    assert_eq!(p["amount"], "1200.00", "{p}");
    assert_eq!(p["receipt"], receipt.as_str(), "{p}");
    assert_eq!(
        settlement(&d, &third),
        ("13200.00".into(), "partially-paid".into())
    );
    d.refused(
        &["payment", "apply", &receipt, "--invoice", &third],
        5,
        "nothing left to apply",
    );
    // As of the day before it was applied, it was still on account.
    assert_eq!(
        on_account(&d, &c, Some("2026-11-05"))["unapplied"],
        "1200.00"
    );
    assert_eq!(on_account(&d, &c, None)["unapplied"], "0.00");
    // Nothing is dated before the desk's first day.
    d.refused(
        &[
            "payment",
            "receive",
            "--customer",
            &c,
            "--amount",
            "1",
            "--date",
            "1999-12-31",
        ],
        5,
        "before 2000-01-01",
    );
    // Money received by mistake is sent back from its receipt.
    let r2 = d.json(&["payment", "receive", "--customer", &c, "--amount", "500"]);
    let r2 = r2["id"].as_str().unwrap();
    d.refused(
        &["account", "refund", &c, "--from", r2, "--amount", "500.01"],
        5,
        "a refund of 500.01 is more",
    );
    d.ok(&["account", "refund", &c, "--from", r2, "--amount", "500"]);
    assert_eq!(on_account(&d, &c, None)["unapplied"], "0.00");
}

#[test]
fn a_paid_pack_refunded_is_owed_back() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    d.ok(&["usage", "activate", "--customer", &c, "--family", "kyc"]);
    let bought = d.json(&[
        "pack",
        "buy",
        "--customer",
        &c,
        "--product",
        "kyc-id-check",
        "--size",
        "1000",
    ]);
    let number = bought["invoice"]["number"].as_str().unwrap().to_owned();
    let price = settlement(&d, &number).0;
    d.ok(&[
        "payment",
        "record",
        "--invoice",
        &number,
        "--amount",
        &price,
    ]);
    let pack = bought["pack"]["id"].as_str().unwrap();
    d.refused(
        &["pack", "refund", pack, "--reason", "not needed"],
        5,
        "owed back",
    );
    d.ok(&[
        "pack",
        "refund",
        pack,
        "--reason",
        "not needed",
        "--owed-back",
        "credit",
    ]);
    assert_eq!(on_account(&d, &c, None)["credit"], price.as_str());
    assert_eq!(settlement(&d, &number), ("0.00".into(), "credited".into()));
}

#[test]
fn the_statement_of_account_runs_from_opening_to_closing_balance() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let other = d.customer("Other");
    let a = statement(&d, &c);
    statement(&d, &other);
    at(&mut d, "2026-11-03T02:00:00Z");
    d.ok(&[
        "payment",
        "record",
        "--invoice",
        &a,
        "--amount",
        "14400",
        "--reference",
        "CMB 1",
    ]);
    at(&mut d, "2026-11-05T02:00:00Z");
    d.ok(&[
        "invoice",
        "credit",
        &a,
        "--reason",
        "5 devices returned",
        "--amount",
        "1440",
        "--owed-back",
        "credit",
    ]);
    at(&mut d, "2026-12-01T02:00:00Z");
    let b = statement(&d, &c);
    d.ok(&["account", "apply-credit", &c, "--invoice", &b]);
    at(&mut d, "2026-12-02T02:00:00Z");
    d.ok(&[
        "payment",
        "receive",
        "--customer",
        &c,
        "--invoice",
        &b,
        "--amount",
        "5000",
        "--reference",
        "CMB 2",
    ]);
    let json: Value = serde_json::from_str(&d.ok(&[
        "account",
        "statement",
        &c,
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
    ]))
    .unwrap();
    // November: 14,400 charged, 14,400 paid, 1,440 credited: the customer
    // opens December 1,440.00 in credit.
    assert_eq!(json["opening"], "-1440.00", "{json}");
    let lines = json["lines"].as_array().unwrap();
    let docs: Vec<&str> = lines
        .iter()
        .map(|l| l["document"].as_str().unwrap())
        .collect();
    assert_eq!(docs, [b.as_str(), "R-000002"], "{json}");
    assert_eq!(lines[0]["debit"], "14400.00");
    assert_eq!(lines[1]["credit"], "5000.00");
    assert_eq!(json["closing"], "7960.00", "{json}");
    // It reconciles with what is open and on account.
    assert_eq!(json["open_statements"][0]["number"], b.as_str());
    assert_eq!(json["open_statements"][0]["balance"], "7960.00");
    assert_eq!(json["on_account"]["credit"], "0.00");
    // November alone: the credit note and the payment, to -1,440.00.
    let text = d.ok(&[
        "account",
        "statement",
        &c,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ]);
    assert!(
        text.contains("opening balance 期初余额             0.00"),
        "{text}"
    );
    assert!(
        text.contains("closing balance 期末余额        -1,440.00"),
        "{text}"
    );
    assert!(text.contains("CN-2026-000001"), "{text}");
    assert!(text.contains("customer credit 1,440.00"), "{text}");
    assert!(text.contains("客户确认（盖章）"), "{text}");
    assert!(
        !text.contains(&b),
        "December's statement is not November's: {text}"
    );
    let csv = d.ok(&[
        "account",
        "statement",
        &c,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "csv",
    ]);
    assert!(
        csv.starts_with("\u{FEFF}date,document,kind,description,debit,credit,balance\n"),
        "{csv}"
    );
    assert!(
        csv.contains(",closing balance 期末余额,,14400.00,15840.00,-1440.00\n"),
        "{csv}"
    );
    let html = d.ok(&[
        "account",
        "statement",
        &c,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "html",
    ]);
    assert!(html.contains("class=\"seal\""), "no seal box");
    assert!(
        html.contains("id=\"closing\">-1,440.00<"),
        "closing in HTML"
    );
    if crate::have("chromium", "--version") && crate::have("pdftotext", "-v") {
        let pdf = d.dir.path().join("soa.pdf");
        let pdf_arg = pdf.to_str().unwrap();
        d.ok(&[
            "account",
            "statement",
            &c,
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--format",
            "pdf",
            "--out",
            pdf_arg,
        ]);
        let page = crate::finance::pdf_page(&pdf, 1);
        assert!(page.contains("对账单"), "{page}");
        assert!(page.contains("-1,440.00"), "{page}");
        assert!(page.contains("page 1 of 1"), "{page}");
    }
    // Bad periods and unknown customers are refused.
    d.refused(
        &[
            "account",
            "statement",
            &c,
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
        ],
        3,
        "after it ends",
    );
    d.refused(
        &["account", "statement", &c, "--from", "2026-13-01"],
        3,
        "--from",
    );
    d.refused(
        &["account", "statement", "Nobody", "--from", "2026-11-01"],
        6,
        "no customer",
    );
    // The invoice list filters by customer and date range.
    let listed: Value = serde_json::from_str(&d.ok(&[
        "invoice",
        "list",
        "--customer",
        "acme",
        "--from",
        "2026-12-01",
        "--json",
    ]))
    .unwrap();
    let numbers: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [b.as_str()], "{listed}");
    d.refused(
        &["invoice", "list", "--customer", "Nobody"],
        6,
        "no customer",
    );
}

/// Imports `calls` face-landmark calls of `customer` for month `m` and
/// bills that month.
fn bill_month(
    d: &TestDesk,
    customer: &str,
    m: &str,
    calls: u64,
) -> Vec<facelic_issuer::desk::BilledPeriod> {
    let text =
        format!("customer,product,month,calls\n{customer},api-facial-landmarks,{m},{calls}\n");
    d.library()
        .import_usage(&format!("{m}.csv"), &text)
        .unwrap();
    d.library()
        .run_usage(facelic_invoice::dates::Month::parse(m).unwrap(), None)
        .unwrap()
}

#[test]
fn a_postpaid_hold_is_kept_on_the_account_until_the_next_settlement() {
    let mut d = TestDesk::new();
    let c = d.customer("Landmarks Co");
    // Pricing-reference 3, example 3: 1M landmark calls post-paid =
    // 1,980.00; after settling, 120% of it (2,376.00) is held.
    let sep = bill_month(&d, &c, "2026-09", 1_000_000);
    assert_eq!(sep[0].bill.amount.to_string(), "1980.00");
    let held = |d: &TestDesk, as_of: &str| on_account(d, &c, Some(as_of))["held"].clone();
    assert_eq!(held(&d, "2026-10-01"), "2376.00");
    assert_eq!(held(&d, "2026-09-30"), "0.00");
    // Money on account is paid back only beyond the hold.
    at(&mut d, "2026-11-01T03:00:00Z");
    let r = d.json(&["payment", "receive", "--customer", &c, "--amount", "3000"]);
    let r = r["id"].as_str().unwrap();
    let said = d.refused(
        &["account", "refund", &c, "--from", r, "--amount", "3000"],
        5,
        "624.00 unapplied to pay back",
    );
    assert!(said.contains("2,376.00 is held"), "{said}");
    d.ok(&["account", "refund", &c, "--from", r, "--amount", "624"]);
    // The next settlement releases it and holds 120% of October's charge:
    // (500,000 − 10,000) × 0.002 = 980.00 → 1,176.00.
    let oct = bill_month(&d, &c, "2026-10", 500_000);
    assert_eq!(oct[0].bill.amount.to_string(), "980.00");
    assert_eq!(held(&d, "2026-11-01"), "1176.00");
    let kinds: Vec<String> = d.json(&["account", "show", &c])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        ["hold", "receipt", "refund-paid", "hold-release", "hold"],
        "{kinds:?}"
    );
    // The statement of account shows it.
    let text = d.ok(&["account", "statement", &c, "--from", "2026-09-01"]);
    assert!(
        text.contains("held against the account until the next settlement 冻结: 1,176.00"),
        "{text}"
    );
    assert_eq!(
        d.ok(&["account", "statement", &c, "--from", "2026-09-01", "--json"]),
        d.ok(&[
            "account",
            "statement",
            &c,
            "--from",
            "2026-09-01",
            "--format",
            "json"
        ])
    );
    // A family without a hold (人脸核身) holds nothing.
    let n: i64 = d
        .ledger()
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'account.hold'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}
