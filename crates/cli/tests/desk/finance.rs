//! The money side as finance runs it: agreed prices, saved quotes, billing
//! profiles, payments and receivables, credit notes and fapiao through the
//! desk library; exports, renderings and printed statements (checked page
//! by page) through the binary.

use std::process::Command;

use facelic_invoice::dates::Date;
use facelic_invoice::invoice::{DocumentKind, Invoice, LineKind, Payment, PaymentStatus};
use facelic_issuer::Kind;
use facelic_issuer::desk::{
    BuyerTaxId, Desk, DeskError, ErrorKind, NewOrder, NewQuote, ProfileEdit, ShownDate,
};

use crate::desk::{TestDesk, at, day, fen};
use crate::have;

/// A draft statement for a new order of `devices` face-detect devices: its id.
fn draft(d: &TestDesk, customer: &str, devices: &str) -> String {
    let order = d.order(customer, "face-detect", &["--devices", devices]);
    d.library().create_invoice(&order).unwrap().draft_id
}

/// A finalized statement for a new device order: its number.
fn statement(d: &TestDesk, customer: &str, devices: &str) -> String {
    let draft = draft(d, customer, devices);
    d.library()
        .finalize_invoice(&draft, BuyerTaxId::MayBeMissing)
        .unwrap()
        .number
        .unwrap()
}

/// The document `key` (a number or draft id) as the desk shows it today.
fn document(d: &TestDesk, key: &str) -> Invoice {
    d.library().invoice(key).unwrap()
}

/// `payment record --invoice INVOICE --amount AMOUNT [--date DATE]
/// [--reference REF]` as a library call (the date defaults to today).
fn pay(
    invoice: &str,
    amount: &str,
    date: Option<&str>,
    reference: &str,
) -> impl FnOnce(&mut Desk) -> Result<Payment, DeskError> {
    let (invoice, reference) = (invoice.to_owned(), reference.to_owned());
    let amount = amount.parse().unwrap();
    let date = date.map(day);
    move |k: &mut Desk| {
        let date: Date = date.unwrap_or_else(|| k.today());
        k.record_payment(&invoice, amount, date, &reference)
    }
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
    let discounted = |kind, devices| NewOrder {
        devices: Some(devices),
        discount_pct: Some(10.into()),
        ..NewOrder::new(&c, "face-detect", kind)
    };
    let order = d
        .library()
        .create_order(&discounted(Kind::Device, 500))
        .unwrap()
        .id;
    let shown = d.library().order(&order).unwrap();
    assert_eq!(fen(shown.agreed.unwrap().amount), "129600.00");
    // The list price of 50-1000 face-detect devices goes from 288 to 300.
    edit_catalog(
        &d,
        r#"{ from = 50, to = 1000, unit_price = "288.00" }"#,
        r#"{ from = 50, to = 1000, unit_price = "300.00" }"#,
    );
    let draft = d.library().create_invoice(&order).unwrap();
    let lines = &draft.lines;
    assert_eq!(lines.len(), 2, "{draft:?}");
    assert_eq!(fen(lines[0].unit_price), "288.00");
    assert_eq!(fen(lines[0].gross), "144000.00");
    assert_eq!(lines[1].kind, LineKind::Discount);
    assert_eq!(fen(lines[1].gross), "-14400.00");
    assert_eq!(fen(draft.totals.gross), "129600.00");
    // A later order takes the new list price.
    let later = d.order(&c, "face-detect", &["--devices", "500"]);
    let draft = d.library().create_invoice(&later).unwrap();
    assert_eq!(fen(draft.totals.gross), "150000.00");
    // The discount is its own line on every rendering.
    let text = d.ok(&["invoice", "show", "D-000001"]);
    assert!(text.contains("Discount 10% as agreed"), "{text}");
    // `--json` is `--format json`, and not both (issue 26 item 8).
    assert_eq!(
        d.ok(&["invoice", "show", "D-000001", "--json"]),
        d.ok(&["invoice", "show", "D-000001", "--format", "json"])
    );
    let both = d.run(&["invoice", "show", "D-000001", "--json", "--format", "csv"]);
    assert_eq!(both.status.code(), Some(2), "{both:?}");
    assert!(
        String::from_utf8_lossy(&both.stderr).contains("cannot be used with"),
        "{both:?}"
    );
    let html = d.ok(&["invoice", "show", "D-000001", "--format", "html"]);
    assert!(html.contains("<tr class=\"discount\">"), "no discount row");
    // No tax columns at 0% VAT.
    assert!(!html.contains("Tax 税额"), "tax column at 0% VAT");
    let trial = discounted(Kind::DeviceTrial, 2);
    let err = d.rejects(|k| k.create_order(&trial), "a trial is not priced");
    assert!(err.kind() == ErrorKind::BadInput, "{err:?}");
}

#[test]
fn saved_quotes_become_orders_at_the_quoted_price_once() {
    let mut d = TestDesk::new();
    let acme = d.customer("Acme");
    let other = d.customer("Other Co");
    let quote = |devices, valid_days| NewQuote {
        customer: acme.clone(),
        product: "face-detect".into(),
        devices: Some(devices),
        years: 1,
        discount_pct: Some(5.into()),
        valid_days,
    };
    let q = d.library().save_quote(&quote(500, None)).unwrap();
    assert_eq!(q.number, "Q-2026-000001");
    assert_eq!(q.valid_until, day("2026-11-30"), "30 days from 2026-11-01");
    assert_eq!(fen(q.price.amount), "136800.00");
    let q2 = d.library().save_quote(&quote(700, None)).unwrap();
    assert_eq!(q2.number, "Q-2026-000002");
    // Shown like a statement, titled as a quote.
    for format in ["text", "html", "csv"] {
        let out = d.ok(&["quote", "show", "Q-2026-000001", "--format", format]);
        assert!(out.contains("Q-2026-000001"), "{format}");
        assert!(
            out.contains("136,800.00") || out.contains("136800.00"),
            "{format}: {out}"
        );
        if format == "text" {
            assert!(out.contains("QUOTATION 报价单"), "{out}");
        }
    }
    // The catalog changes; the quote's prices hold.
    edit_catalog(
        &d,
        r#"{ from = 50, to = 1000, unit_price = "288.00" }"#,
        r#"{ from = 50, to = 1000, unit_price = "300.00" }"#,
    );
    let from_quote = |customer: &str, number: &str, devices| NewOrder {
        devices: Some(devices),
        quote: Some(number.into()),
        ..NewOrder::new(customer, "face-detect", Kind::Device)
    };
    let for_other = from_quote(&other, "Q-2026-000001", 500);
    d.refuses(|k| k.create_order(&for_other), "is for Acme");
    let fewer = from_quote(&acme, "Q-2026-000001", 400);
    d.refuses(|k| k.create_order(&fewer), "offers 500 devices");
    // The binary takes the customer, product and devices from the quote.
    let order = d.json(&["order", "new", "--quote", "Q-2026-000001"]);
    assert_eq!(order["quote"], "Q-2026-000001");
    assert_eq!(order["agreed"]["amount"], "136800.00");
    let draft = d
        .library()
        .create_invoice(order["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(fen(draft.totals.gross), "136800.00");
    let again = from_quote(&acme, "Q-2026-000001", 500);
    d.refuses(|k| k.create_order(&again), "already used by order O-000001");
    // Valid through its last day, refused after it.
    let second = from_quote(&acme, "Q-2026-000002", 700);
    at(&mut d, "2026-11-30T15:59:59Z"); // 23:59:59 in Beijing
    let today = d.library().today();
    d.library()
        .quote("Q-2026-000002")
        .unwrap()
        .check_usable(today)
        .unwrap();
    at(&mut d, "2026-11-30T16:00:00Z");
    d.refuses(
        |k| k.create_order(&second),
        "quote Q-2026-000002 expired on 2026-11-30",
    );
    let never = quote(500, Some(0));
    let err = d.rejects(|k| k.save_quote(&never), "valid for 1 to 365 days");
    assert!(err.kind() == ErrorKind::BadInput, "{err:?}");
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
    let edit = |edit: ProfileEdit| {
        let c = c.clone();
        move |k: &mut Desk| k.edit_customer(&c, &edit)
    };
    let tax_id = |id: &str| ProfileEdit {
        tax_id: Some(id.into()),
        ..ProfileEdit::default()
    };
    for (profile, message) in [
        (
            tax_id("91440300708461136A"),
            "fails its GB 32100-2015 check: the last character should be 'T'",
        ),
        (tax_id("9144030070846113"), "has 18 characters"),
    ] {
        let err = d.rejects(edit(profile), message);
        assert!(err.kind() == ErrorKind::BadInput, "{err:?}");
    }
    // An edit naming no field is the CLI's to refuse, with its flags.
    d.refused(&["customer", "edit", &c], 3, "nothing to change");
    let special = ProfileEdit {
        fapiao_type: Some("special".into()),
        ..tax_id("91440300708461136T")
    };
    d.refuses(edit(special), "missing: address, phone, bank, bank account");
    let full = ProfileEdit {
        legal_name: Some("深圳市艾克米科技有限公司".into()),
        tax_id: Some("91440300708461136T".into()),
        address: Some("深圳市南山区科技园 1 号".into()),
        phone: Some("+86 755 8600 0000".into()),
        bank: Some("招商银行深圳分行".into()),
        bank_account: Some("7559 0000 0000 001".into()),
        email: Some("finance@acme.example".into()),
        fapiao_type: Some("专用发票".into()),
        payment_terms_days: Some(45),
    };
    let edited = edit(full)(&mut d.library()).unwrap();
    assert_eq!(
        edited.billing.fapiao_type.map(|t| t.as_str()),
        Some("special")
    );
    assert_eq!(edited.billing.payment_terms_days, Some(45));
    let shown = d.ok(&["customer", "show", &c]);
    assert!(
        shown.contains("91440300708461136T") && shown.contains("net 45 days"),
        "{shown}"
    );
    let log = d.library().audit_log(1).unwrap();
    assert_eq!(log[0].action, "customer.edit");
    assert_eq!(
        log[0].detail["tax_id"]["to"], "91440300708461136T",
        "{:?}",
        log[0]
    );
    // The statement carries both parties' blocks, the terms and the due date.
    let number = statement(&d, &c, "50");
    let doc = document(&d, &number);
    assert_eq!(doc.buyer.name, "深圳市艾克米科技有限公司");
    assert_eq!(doc.buyer.tax_id, "91440300708461136T");
    assert_eq!(doc.date, Some(day("2026-11-01")));
    assert_eq!(doc.due_on, Some(day("2026-12-16")), "net 45");
    assert_eq!(doc.payment_terms_days, Some(45));
    let html = d.ok(&["invoice", "show", &number, "--format", "html"]);
    for needle in [
        "91440300708461136T",
        "招商银行深圳分行",
        "Seller 销售方",
        crate::desk::SELLER_TAX_ID,
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
        let s = document(d, &number).settlement.unwrap();
        (s.status, fen(s.balance))
    };
    assert_eq!(status(&d), (PaymentStatus::Unpaid, "14400.00".into()));
    draft(&d, &c, "50");
    d.refuses(
        pay("D-000002", "1", None, ""),
        "finalize it before recording payments",
    );
    at(&mut d, "2026-11-10T00:00:00Z");
    let p = pay(&number, "4400", Some("2026-11-09"), "CMB 20261109-01")(&mut d.library()).unwrap();
    assert_eq!(p.id, "P-000001");
    assert_eq!(fen(p.amount), "4400.00");
    assert_eq!(
        status(&d),
        (PaymentStatus::PartiallyPaid, "10000.00".into())
    );
    let err = d.rejects(
        pay(&number, "10000.01", None, ""),
        "has 10,000.00 due; a payment of 10,000.01 would overpay it",
    );
    assert!(matches!(err, DeskError::Overpayment { .. }), "{err:?}");
    d.refuses(pay(&number, "1", Some("2026-11-11"), ""), "in the future");
    d.refuses(
        pay(&number, "1", Some("2026-10-31"), ""),
        "before FL-2026-000001 was issued",
    );
    // Amounts are the CLI's to parse: fen, never fractions of one; a comma
    // only groups thousands (`0,50` was recorded as 50.00, `1,5` as
    // 15.00); nothing beyond 999,999,999,999.99.
    for bad in [
        "1.001",
        "0,50",
        "1,5",
        "1,00",
        "79228162514264337593543950335",
    ] {
        d.refused(
            &["payment", "record", "--invoice", &number, "--amount", bad],
            3,
            "--amount",
        );
    }
    // Past the due date: overdue, and listed as unpaid.
    at(&mut d, "2026-12-05T00:00:00Z");
    assert_eq!(status(&d), (PaymentStatus::Overdue, "10000.00".into()));
    let unpaid = d.json(&["invoice", "list", "--unpaid"]);
    assert_eq!(unpaid.as_array().unwrap().len(), 1);
    assert_eq!(unpaid[0]["payment_status"], "overdue");
    assert_eq!(unpaid[0]["days_overdue"], 4);
    pay(&number, "10000", None, "")(&mut d.library()).unwrap();
    assert_eq!(status(&d), (PaymentStatus::Paid, "0.00".into()));
    assert!(
        d.json(&["invoice", "list", "--unpaid"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    d.rejects(pay(&number, "0.01", None, ""), "would overpay it");
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
    // The HTML (and so the PDF) names the bank's reference too.
    let html = d.ok(&["invoice", "show", &number, "--format", "html"]);
    assert!(
        html.contains("Payment 收款 P-000001 (2026-11-09, CMB 20261109-01)"),
        "{html}"
    );
}

#[test]
fn receivables_are_aged_per_customer_as_text_json_csv_and_xlsx() {
    let mut d = TestDesk::new();
    let acme = d.customer("Acme");
    let beta = d.customer("Beta");
    let terms = ProfileEdit {
        payment_terms_days: Some(0),
        ..ProfileEdit::default()
    };
    d.library().edit_customer(&beta, &terms).unwrap();
    let old = statement(&d, &acme, "50"); // 2026-11-01, due 2026-12-01
    at(&mut d, "2027-01-15T00:00:00Z");
    let mid = statement(&d, &beta, "100"); // due the same day
    at(&mut d, "2027-03-01T00:00:00Z");
    let new = statement(&d, &acme, "60"); // due 2027-03-31
    pay(&old, "400", None, "")(&mut d.library()).unwrap();
    let aging = d.library().receivables(Some(day("2027-03-10"))).unwrap();
    // FL-1: 99 days past due; FL-2: 54 days; FL-3: current.
    let total = &aging.total;
    assert_eq!(
        [total.over_90, total.days_31_60, total.current, total.total].map(fen),
        ["14000.00", "28800.00", "17280.00", "60080.00"]
    );
    let rows = &aging.customers;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].customer, "Acme");
    assert_eq!(fen(rows[0].total), "31280.00");
    let _ = (&mid, &new);
    let text = d.ok(&["receivables", "--as-of", "2027-03-10"]);
    assert!(text.contains("receivables as of 2027-03-10"), "{text}");
    assert_eq!(
        d.ok(&["receivables", "--as-of", "2027-03-10", "--json"]),
        d.ok(&["receivables", "--as-of", "2027-03-10", "--format", "json"])
    );
    let csv = d.ok(&["receivables", "--as-of", "2027-03-10", "--format", "csv"]);
    assert!(csv.starts_with("\u{FEFF}customer_id,customer,current,days_1_30,days_31_60,days_61_90,over_90,total,on_account,net,invoices\n"), "{csv}");
    assert!(
        csv.contains("\n,TOTAL,17280.00,0.00,28800.00,0.00,14000.00,60080.00,0.00,60080.00,3\n"),
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
    pay(&number, "4000", None, "")(&mut d.library()).unwrap();
    let note = d
        .library()
        .credit_invoice(&number, "5 devices returned", Some(1440.into()), None)
        .unwrap();
    let cn = note.number.as_str();
    assert_eq!(cn, "CN-2026-000001");
    let doc = document(&d, cn);
    assert_eq!(doc.kind, DocumentKind::CreditNote);
    assert_eq!(doc.credits_invoice.as_deref(), Some(number.as_str()));
    // A red-letter (红字) document: amounts negative, 大写 with 负.
    assert_eq!(
        (fen(doc.lines[0].net), fen(doc.lines[0].tax)),
        ("-1440.00".into(), "0.00".into())
    );
    assert_eq!(fen(doc.totals.gross), "-1440.00");
    let text = d.ok(&["invoice", "show", cn]);
    assert!(text.contains("-1 x 1,440.00"), "{text}");
    assert!(text.contains("负壹仟肆佰肆拾元整"), "{text}");
    for format in ["text", "html", "csv"] {
        let out = d.ok(&["invoice", "show", cn, "--format", format]);
        assert!(
            out.contains("CREDIT NOTE") || out.contains("credit-note"),
            "{format}: {out}"
        );
        assert!(out.contains(&number), "{format}");
    }
    let settled = document(&d, &number).settlement.unwrap();
    assert_eq!(
        (fen(settled.credited), fen(settled.balance)),
        ("1440.00".into(), "8960.00".into())
    );
    // Paid 4,000 of 14,400 less 1,440 credited: at most 8,960 more.
    d.rejects(pay(&number, "8960.01", None, ""), "8,960.00 due");
    let err = d.rejects(|k| k.invoice("CN-2026-000009"), "CN-2026-000009");
    assert!(err.kind() == ErrorKind::NotFound, "{err:?}");
    // Its red-letter fapiao cites the statement's blue one, so it waits for it.
    let red = "26442000000012349999";
    d.refused(
        &[
            "invoice",
            "record-fapiao",
            cn,
            "--number",
            red,
            "--date",
            "2026-11-01",
        ],
        5,
        "a red-letter (红字) fapiao corrects a blue one",
    );
    let blue = "26442000000012345678";
    d.ok(&[
        "invoice",
        "record-fapiao",
        &number,
        "--number",
        blue,
        "--date",
        "2026-11-01",
    ]);
    d.refused(
        &[
            "invoice",
            "record-fapiao",
            cn,
            "--number",
            blue,
            "--date",
            "2026-11-01",
        ],
        5,
        "belongs to one document",
    );
    d.ok(&[
        "invoice",
        "record-fapiao",
        cn,
        "--number",
        red,
        "--date",
        "2026-11-01",
    ]);
    let doc = document(&d, cn);
    assert_eq!(doc.fapiao.as_ref().map(|f| f.number.as_str()), Some(red));
    assert_eq!(
        doc.blue_fapiao.as_ref().map(|f| f.number.as_str()),
        Some(blue)
    );
    let text = d.ok(&["invoice", "show", cn]);
    assert!(
        text.contains(&format!("corrects blue fapiao 蓝字发票 {blue}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("fapiao 发票 (红字) {red}")),
        "{text}"
    );
    let html = d.ok(&["invoice", "show", cn, "--format", "html"]);
    assert!(
        html.contains(&format!("id=\"blue-fapiao\">{blue} (2026-11-01)<")),
        "{html}"
    );
    // The statement keeps its blue fapiao; the red one is the credit note's.
    assert_eq!(document(&d, &number).fapiao.unwrap().number, blue);
    d.ok(&["invoice", "void-fapiao", cn, "--reason", "wrong number"]);
    assert!(document(&d, cn).fapiao.is_none());
    assert_eq!(document(&d, &number).fapiao.unwrap().number, blue);
}

#[test]
fn the_fapiao_is_recorded_once_and_shown_everywhere() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let number = statement(&d, &c, "50");
    draft(&d, &c, "50");
    let fapiao = |invoice: &str, fapiao: &str| {
        let (invoice, fapiao) = (invoice.to_owned(), fapiao.to_owned());
        move |k: &mut Desk| k.record_fapiao(&invoice, &fapiao, day("2026-11-01"))
    };
    d.refuses(
        fapiao("D-000002", "26442000000012345670"),
        "D-000002 is a draft",
    );
    // Dates are the CLI's to parse.
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
    let err = d.rejects(fapiao(&number, " "), "a fapiao number");
    assert!(err.kind() == ErrorKind::BadInput, "{err:?}");
    let f = fapiao(&number, "26442000000012345678")(&mut d.library()).unwrap();
    assert_eq!(f.number, "26442000000012345678");
    d.refuses(
        fapiao(&number, "26442000000012345679"),
        "already has fapiao 26442000000012345678",
    );
    // Any text was a fapiao number ("x"), and one number could stand on two
    // statements: the formats in use only, each number once.
    let second = statement(&d, &c, "50");
    for bad in ["x", "1", "2644200000001234567", "=HYPERLINK(1)"] {
        d.rejects(fapiao(&second, bad), "is not a fapiao number");
    }
    d.refuses(
        fapiao(&second, "26442000000012345678"),
        "is recorded against",
    );
    let older = fapiao(&second, "044031900111-12345678")(&mut d.library()).unwrap();
    assert_eq!(older.number, "044031900111 12345678");
    // A wrong record is never edited: it is voided (audited, the record
    // kept), and the right one recorded; the voided number is free again.
    let err = d
        .ledger()
        .execute("UPDATE fapiao_records SET number = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("void it"), "{err}");
    d.rejects(|k| k.void_fapiao(&second, "two\nlines"), "on one line");
    let voided = d.json(&[
        "invoice",
        "void-fapiao",
        &second,
        "--reason",
        "typed the wrong code",
    ]);
    assert_eq!(voided["number"], "044031900111 12345678");
    let log: serde_json::Value = d.json(&["log", "--limit", "1"]);
    assert_eq!(log[0]["action"], "invoice.fapiao-void");
    d.refuses(
        |k| k.void_fapiao(&second, "again"),
        "no fapiao recorded to void",
    );
    let right = fapiao(&second, "044031900111 12345679")(&mut d.library()).unwrap();
    assert_eq!(document(&d, &second).fapiao.unwrap().number, right.number);
    let records: i64 = d
        .ledger()
        .query_row(
            "SELECT COUNT(*) FROM fapiao_records WHERE invoice_number = ?1",
            [&second],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(records, 3, "the wrong record, its void, the right one");
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
pub(crate) fn pdf_page(pdf: &std::path::Path, page: usize) -> String {
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
        crate::desk::missing("chromium or pdftotext is not installed");
        return;
    }
    let mut d = TestDesk::new();
    let c = d.customer("深圳市某某科技有限公司");
    let order = d.order(&c, "face-detect", &["--platform", "com.acme.gate"]);
    // 45 terms not yet invoiced: one statement of 45 lines (renewed year
    // after year: a renewal is made once the term before it has begun).
    let out = d.out();
    for _ in 0..44 {
        d.library()
            .renew(&order, &out, &Default::default())
            .unwrap();
        let last = d
            .library()
            .order(&order)
            .unwrap()
            .terms
            .last()
            .unwrap()
            .starts_at;
        d.now = last.to_string();
    }
    let draft = d.library().create_invoice(&order).unwrap();
    assert_eq!(draft.lines.len(), 45);
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
    let number = d
        .library()
        .finalize_invoice("D-000001", BuyerTaxId::MayBeMissing)
        .unwrap()
        .number
        .unwrap();
    let final_pdf = d.dir.path().join("final.pdf");
    d.ok(&[
        "invoice",
        "show",
        &number,
        "--format",
        "pdf",
        "--out",
        final_pdf.to_str().unwrap(),
    ]);
    for page in 1..=pages {
        let text = pdf_page(&final_pdf, page);
        assert!(
            text.contains(&number) && !text.contains("DRAFT"),
            "page {page}:\n{text}"
        );
    }
    d.refused(
        &[
            "invoice",
            "show",
            &number,
            "--format",
            "pdf",
            "--out",
            final_pdf.to_str().unwrap(),
        ],
        4,
        "exists",
    );
    d.refused(
        &["invoice", "show", &number, "--format", "pdf"],
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
    let doc = document(&d, &number);
    assert_eq!(doc.date, Some(day("2026-11-01")));
    assert_eq!(doc.due_on, Some(day("2026-12-01")));
    assert_eq!(doc.settlement.unwrap().status, PaymentStatus::Overdue);
    let aging = d.library().receivables(None).unwrap();
    assert_eq!(fen(aging.total.days_1_30), "14400.00");
}

#[test]
fn prices_and_totals_beyond_the_maximum_are_refused_at_input() {
    // A price of 79228162514264337593543950335 was accepted; afterwards
    // `invoice show` and `receivables` panicked for good.
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let platform = d.order(&c, "face-search", &["--platform", "com.acme.gate"]);
    let out = d.out();
    for huge in ["79228162514264337593543950335", "1000000000000"] {
        d.refused(
            &[
                "renew",
                "--order",
                &platform,
                "--out",
                out.to_str().unwrap(),
                "--price",
                huge,
            ],
            3,
            "at most 999,999,999,999.99",
        );
    }
    // A catalog price beyond the maximum is refused when the catalog loads.
    edit_catalog(
        &d,
        "unit_price = \"288.00\"",
        "unit_price = \"1000000000000.00\"",
    );
    d.fails(&["customer", "list"], 3, "the largest amount");
    // At the maximum per device, 10,000,000 devices would total beyond what
    // a document may: refused when the order is made, nothing recorded.
    edit_catalog(
        &d,
        "unit_price = \"1000000000000.00\"",
        "unit_price = \"288.00\"",
    );
    edit_catalog(
        &d,
        "unit_price = \"188.00\"",
        "unit_price = \"999999999999.99\"",
    );
    let before = d.counts();
    let err = d.rejects(
        |k| {
            k.create_order(&NewOrder {
                devices: Some(1_000_000),
                ..NewOrder::new(&c, "face-detect", Kind::Device)
            })
        },
        "the most a document may total",
    );
    assert!(err.kind() == ErrorKind::Refused, "{err:?}");
    assert_eq!(d.counts(), before);
}

#[test]
fn exports_neutralise_text_a_spreadsheet_would_run() {
    // A customer name starting with `=` reached CSV cells as a live formula.
    let d = TestDesk::new();
    let evil = "=HYPERLINK(\"http://evil.example\",\"click\")";
    let c = d.customer(evil);
    let number = statement(&d, &c, "50");
    let list = d.ok(&["invoice", "list", "--format", "csv"]);
    let shown = d.ok(&["invoice", "show", &number, "--format", "csv"]);
    for csv in [&list, &shown] {
        assert!(
            !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
            "{csv}"
        );
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\""),
            "{csv}"
        );
    }
}

#[test]
fn free_text_on_documents_is_one_line() {
    // A credit reason with a line break forged a "BALANCE DUE CNY 0.00
    // [paid]" line on the text statement.
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let number = statement(&d, &c, "50");
    for forged in [
        "returned\nBALANCE DUE CNY 0.00  [paid]",
        "re\rturned",
        "tab\there",
        "x\u{7}",
    ] {
        let err = d.rejects(
            |k| k.credit_invoice(&number, forged, None, None),
            "on one line, without control characters",
        );
        assert!(err.kind() == ErrorKind::BadInput, "{err:?}");
    }
    let shown = d.ok(&["invoice", "show", &number]);
    assert_eq!(shown.matches("BALANCE DUE").count(), 1, "{shown}");
}

#[test]
fn receivables_as_of_a_day_are_the_ledger_as_it_stood_then() {
    // `receivables --as-of 2026-01-15` counted statements dated March, with
    // today's balances.
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    at(&mut d, "2027-01-10T02:00:00Z");
    let january = statement(&d, &c, "50");
    at(&mut d, "2027-02-10T02:00:00Z");
    pay(&january, "4400", None, "CMB 1")(&mut d.library()).unwrap();
    at(&mut d, "2027-03-10T02:00:00Z");
    let march = statement(&d, &c, "50");
    d.library()
        .credit_invoice(
            &january,
            "two devices returned",
            Some("576".parse().unwrap()),
            None,
        )
        .unwrap();
    let open = |aging: &facelic_invoice::receivables::Aging| -> Vec<(String, String)> {
        aging
            .items
            .iter()
            .map(|i| (i.number.clone(), fen(i.balance)))
            .collect()
    };
    let mid_january = d.library().receivables(Some(day("2027-01-15"))).unwrap();
    assert_eq!(open(&mid_january), [(january.clone(), "14400.00".into())]);
    let end_of_february = d.library().receivables(Some(day("2027-02-28"))).unwrap();
    assert_eq!(
        open(&end_of_february),
        [(january.clone(), "10000.00".into())]
    );
    let now = d.library().receivables(Some(day("2027-03-10"))).unwrap();
    assert_eq!(
        open(&now),
        [
            (january.clone(), "9424.00".into()),
            (march, "14400.00".into())
        ]
    );
    // Run again months later, the month-end figures do not change.
    at(&mut d, "2027-06-01T00:00:00Z");
    assert_eq!(
        open(&d.library().receivables(Some(day("2027-02-28"))).unwrap()),
        open(&end_of_february)
    );
}

#[test]
fn the_seller_tax_id_is_a_real_code_or_nothing_is_finalized() {
    // The shipped placeholder failed its own check character and was
    // printed on every document.
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let order = d.order(&c, "face-detect", &["--devices", "50"]);
    let draft = d.library().create_invoice(&order).unwrap().draft_id;
    edit_catalog(
        &d,
        &format!("seller_tax_id = \"{}\"", crate::desk::SELLER_TAX_ID),
        "seller_tax_id = \"91440300EXAMPLE000\"",
    );
    let err = d.fails(&["invoice", "list"], 3, "seller_tax_id");
    assert!(
        err.contains("catalog.toml") && err.contains("line"),
        "{err}"
    );
    // Not set (as shipped): the desk works, but nothing is finalized.
    edit_catalog(
        &d,
        "seller_tax_id = \"91440300EXAMPLE000\"",
        "seller_tax_id = \"\"",
    );
    d.refuses(
        |k| k.finalize_invoice(&draft, BuyerTaxId::MayBeMissing),
        "seller_tax_id is not set",
    );
    assert_eq!(
        facelic_invoice::Catalog::default_catalog()
            .unwrap()
            .invoicing
            .seller_tax_id,
        "",
        "the shipped catalog names no seller"
    );
}

#[test]
fn statement_numbers_start_again_every_year() {
    // The first statement of 2027 was FL-2027-000002.
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let finalize = |d: &TestDesk| statement(d, &c, "50");
    assert_eq!(finalize(&d), "FL-2026-000001");
    assert_eq!(finalize(&d), "FL-2026-000002");
    at(&mut d, "2027-01-01T00:00:00Z"); // 08:00 in Shanghai: 2027 there
    let first = finalize(&d);
    assert_eq!(first, "FL-2027-000001");
    let note = d
        .library()
        .credit_invoice(&first, "returned", None, None)
        .unwrap();
    assert_eq!(note.number, "CN-2027-000001");
    // A ledger from before yearly numbers (its year's sequence unknown)
    // continues after the numbers it has issued that year.
    d.ledger()
        .execute("DELETE FROM sequences WHERE name = 'invoice-2027'", [])
        .unwrap();
    assert_eq!(finalize(&d), "FL-2027-000002");
}

#[test]
fn every_date_a_customer_reads_is_in_the_desks_time_zone() {
    // A platform term starting 07:30 Beijing time on 2027-01-01 printed as
    // "2026-12-31 to 2027-12-31" (UTC); the invoice list showed a usage
    // bill's run day where the statement carried its own date.
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    at(&mut d, "2026-12-31T23:30:00Z");
    let platform = d.order(&c, "face-search", &["--platform", "com.acme.gate"]);
    let invoice = d.library().create_invoice(&platform).unwrap();
    let line = &invoice.lines[0].description;
    assert!(line.contains("2027-01-01 to 2028-01-01"), "{line}");
    // A usage bill made on 2027-03-03 for February is dated as its run says;
    // the register shows that date, not the day the run happened.
    at(&mut d, "2027-02-10T00:00:00Z");
    d.library()
        .activate_usage(&c, "face-api", day("2027-02-01"))
        .unwrap();
    d.library()
        .import_usage(
            "feb.csv",
            &format!("customer,product,day,calls\n{c},api-face-search,2027-02-05,500000\n"),
        )
        .unwrap();
    at(&mut d, "2027-03-03T02:00:00Z");
    let billed = d
        .library()
        .run_usage(
            facelic_invoice::dates::Month::parse("2027-02").unwrap(),
            None,
        )
        .unwrap();
    let number = billed[0].invoice.as_ref().unwrap().clone();
    let shown = d.library().invoice(&number).unwrap();
    let listed = d.library().invoices(&Default::default()).unwrap();
    let row = listed
        .iter()
        .find(|i| i.number.as_deref() == Some(&number))
        .unwrap();
    assert_eq!(row.date, ShownDate::Day(shown.date.unwrap()));
    assert_ne!(row.date.to_string(), "2027-03-03", "{row:?}");
}

/// Issue 26: stored prices (a quote's, an order's agreement) say their
/// version; a version this build does not read is a damaged row, not a
/// price read with a guess.
#[test]
fn stored_prices_carry_their_version() {
    let d = TestDesk::new();
    let acme = d.customer("Acme Gate Systems");
    let q = d
        .library()
        .save_quote(&NewQuote {
            customer: acme.clone(),
            product: "face-detect".into(),
            devices: Some(500),
            years: 1,
            discount_pct: None,
            valid_days: None,
        })
        .unwrap();
    let order = d.order(&acme, "face-detect", &["--devices", "60"]);
    let versions: (i64, i64) = d
        .ledger()
        .query_row(
            "SELECT (SELECT price_version FROM quotes WHERE number = ?1),
                    (SELECT agreed_version FROM orders WHERE id = ?2)",
            [&q.number, &order],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(versions, (1, 1));
    let db = d.ledger();
    db.execute("DROP TRIGGER quotes_are_immutable", []).unwrap();
    db.execute("UPDATE quotes SET price_version = 2", [])
        .unwrap();
    db.execute("UPDATE orders SET agreed_version = 2", [])
        .unwrap();
    for err in [
        d.library().quote(&q.number).unwrap_err(),
        d.library().order(&order).unwrap_err(),
    ] {
        assert!(matches!(err, DeskError::Corrupt(_)), "{err}");
        assert!(err.to_string().contains("price version"), "{err}");
    }
}
