//! `facelic quickstart`: the desk flow, start to finish, on a fresh temporary desk.

use std::path::Path;
use std::process::ExitCode;

use facelic_invoice::Decimal;
use facelic_invoice::money::format_money;
use facelic_issuer::desk::{
    BuyerTaxId, Desk, LicenseFilter, NewOrder, NewPack, NewQuote, ProfileEdit, Session,
};
use facelic_issuer::{DeviceCode, Kind};
use facelic_verifier::{Context, Keyring, Verifier};

use super::{CliError, clock, render};

/// Arguments of `facelic quickstart`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Keep the temporary desk and print its path.
    #[arg(long)]
    keep: bool,
}

fn device(android_id: &str) -> Result<DeviceCode, CliError> {
    DeviceCode::derive(&[("android-id", android_id)]).map_err(|e| CliError::input(e.to_string()))
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, CliError> {
    let dir = tempfile::Builder::new()
        .prefix("facelic-quickstart-")
        .tempdir()
        .map_err(CliError::io(Path::new("temporary directory")))?;
    let desk_dir = dir.path().join("desk");
    let out = dir.path().join("licenses");
    let clock = clock::clock()?;
    let now = clock.now()?;
    let session = Session::new(clock, "quickstart")?;
    println!(
        "facelic quickstart on a fresh desk in {}\n",
        dir.path().display()
    );

    // A demo seller tax id: the shipped catalog leaves it to the vendor,
    // and statements are finalized only once it is set.
    std::fs::create_dir_all(&desk_dir).map_err(CliError::io(&desk_dir))?;
    let catalog = desk_dir.join(facelic_issuer::desk::CATALOG_FILE);
    let demo = facelic_invoice::DEFAULT_CATALOG.replacen(
        "seller_tax_id = \"\"",
        "seller_tax_id = \"91440300MA5DEM0019\"",
        1,
    );
    std::fs::write(&catalog, demo).map_err(CliError::io(&catalog))?;
    let (mut desk, key) = Desk::init(&desk_dir, session)?;
    println!(
        "1. facelic init: ledger, catalog ({} products), issuer key {}",
        desk.catalog().products.len(),
        key.key_id
    );

    let customer = desk.add_customer("Acme Gate Systems")?;
    let customer = desk.edit_customer(
        &customer.id,
        &ProfileEdit {
            legal_name: Some("深圳市艾克米门禁系统有限公司".into()),
            tax_id: Some("91440300708461136T".into()),
            payment_terms_days: Some(30),
            ..ProfileEdit::default()
        },
    )?;
    println!(
        "2. facelic customer add + edit: {} {} (tax id {}, net 30)",
        customer.id,
        customer.name,
        customer.billing.tax_id.as_deref().unwrap_or_default()
    );

    let order = |kind, devices, package: Option<&str>, product: &str| NewOrder {
        devices,
        package: package.map(str::to_owned),
        ..NewOrder::new(customer.id.clone(), product, kind)
    };
    let quote = desk.save_quote(&NewQuote {
        customer: customer.id.clone(),
        product: "ir-liveness".into(),
        devices: Some(50),
        years: 1,
        discount_pct: Some(Decimal::TEN),
        valid_days: None,
    })?;
    let bought = desk.create_order(&NewOrder {
        quote: Some(quote.number.clone()),
        ..order(Kind::Device, Some(50), None, "ir-liveness")
    })?;
    println!(
        "3. facelic quote --devices 50 --discount 10 --save: {} ({}, valid until {}),\n   then facelic order new --quote {}: {} ({} of ir-liveness at the quoted price)",
        quote.number,
        format_money(quote.price.amount),
        quote.valid_until,
        quote.number,
        bought.id,
        bought.kind
    );
    let too_few = desk.create_order(&order(Kind::Device, Some(49), None, "ir-liveness"));
    if let Err(e) = too_few {
        println!("   and --devices 49 is refused: {e}");
    }

    let fleet: Vec<DeviceCode> = ["9774d56d682e549c", "5a1f0c2e8b7d4e31", "c0ffee00deadbeef"]
        .into_iter()
        .map(device)
        .collect::<Result<_, _>>()?;
    let report = desk.issue_devices(&bought.id, &fleet, &out, &mut |_, _| {})?;
    let again = desk.issue_devices(&bought.id, &fleet[..1], &out, &mut |_, _| {})?;
    let seats = desk.order(&bought.id)?;
    println!(
        "4. facelic issue: {} device licenses; issuing one again returns it ({} new); seats {} used, {} free",
        report.issued.len(),
        again.issued.len(),
        seats.seats_used,
        seats.seats_free.unwrap_or(0)
    );

    let trial = desk.create_order(&order(
        Kind::DeviceTrial,
        Some(2),
        None,
        "3d-liveness-search",
    ))?;
    let trial_report = desk.issue_devices(
        &trial.id,
        &[device("7e57da7a00000001")?],
        &out,
        &mut |_, _| {},
    )?;
    println!(
        "5. device trial {}: license until {}",
        trial.id,
        trial_report
            .issued
            .first()
            .and_then(|l| l.not_after)
            .map(|t| t.to_string())
            .unwrap_or_default()
    );

    let platform = desk.create_order(&order(
        Kind::Platform,
        None,
        Some("com.acme.gate"),
        "face-search",
    ))?;
    let platform_report = desk.issue_platform(&platform.id, &out)?;
    println!(
        "6. platform order {} for com.acme.gate: license until {}",
        platform.id,
        platform_report
            .issued
            .first()
            .and_then(|l| l.not_after)
            .map(|t| t.to_string())
            .unwrap_or_default()
    );

    println!("7. an app verifies its license offline with the exported keyring:");
    let keyring =
        Keyring::from_pem(&desk.keyring_pem()?).map_err(|e| CliError::input(e.to_string()))?;
    let verifier = Verifier::new(keyring);
    for l in desk.licenses(&LicenseFilter::default())?.iter().rev() {
        let text = desk
            .license(&l.serial.to_string())?
            .text
            .unwrap_or_default();
        let mut ctx = Context::at(now).package("com.acme.gate");
        if let Some(code) = l.device {
            ctx = ctx.device(code);
        }
        let verdict = match verifier.verify(&text, &ctx) {
            Ok(v) => format!("valid ({})", v.features),
            Err(e) => format!("REJECTED: {e}"),
        };
        let bound = render::bound_to(l);
        println!("   {:<14} {:<19} {verdict}", l.kind, bound);
    }
    if let Some(first) = report.issued.first() {
        let text = desk
            .license(&first.serial.to_string())?
            .text
            .unwrap_or_default();
        let stranger = device("0000000000000001")?;
        if let Err(e) = verifier.verify(&text, &Context::at(now).device(stranger)) {
            println!(
                "   the first device's license on device {stranger}: {e} [{} {}]",
                e.code(),
                e.name()
            );
        }
    }

    println!("\n8. facelic license list:");
    println!(
        "{}",
        render::licenses_table(&desk.licenses(&LicenseFilter::default())?)
    );
    let draft = desk.create_invoice(&bought.id)?;
    let invoice = desk.finalize_invoice(&draft.draft_id, BuyerTaxId::Required)?;
    println!(
        "\n9. facelic invoice create + finalize: statement {} for order {}: {} {} ({}), due {}",
        invoice.reference(),
        bought.id,
        invoice.currency,
        format_money(invoice.totals.gross),
        facelic_invoice::money::chinese_upper(invoice.totals.gross).unwrap_or_default(),
        invoice.due_on.map(|d| d.to_string()).unwrap_or_default()
    );
    let number = invoice.number.clone().unwrap_or_default();
    let half = facelic_invoice::money::round_fen(invoice.totals.gross / Decimal::TWO);
    let today = desk.today();
    let paid = desk.record_payment(&number, half, today, "bank transfer 0001")?;
    let after = desk.invoice(&number)?;
    println!(
        "10. facelic payment record --invoice {number} --amount {}: {}, balance {} ({})",
        format_money(half),
        paid.id,
        after
            .settlement
            .as_ref()
            .map(|s| format_money(s.balance))
            .unwrap_or_default(),
        after
            .settlement
            .as_ref()
            .map(|s| s.status.to_string())
            .unwrap_or_default()
    );
    let aging = desk.receivables(None)?;
    println!(
        "11. facelic receivables: {} owed by {} customer(s), {} of it not yet due",
        format_money(aging.total.total),
        aging.customers.len(),
        format_money(aging.total.current)
    );
    // Metered calls: last month's face-search calls against a pack.
    let this_month = facelic_invoice::dates::Month::of(today);
    let last_month = facelic_invoice::dates::Month::of(this_month.first_day().add_days(-1));
    let first = last_month.first_day();
    let (pack, _) = desk.buy_pack(&NewPack {
        customer: customer.id.clone(),
        product: "api-face-search".into(),
        calls: 1_000_000,
        date: Some(first),
        price: None,
    })?;
    let calls: String = (0..20)
        .map(|d| {
            format!(
                "{},api-face-search,{},60000\n",
                customer.id,
                first.add_days(d)
            )
        })
        .collect();
    let report = desk.import_usage("calls.csv", &format!("customer,product,day,calls\n{calls}"))?;
    let bills = desk.run_usage(last_month, Some(&customer.id))?;
    println!(
        "12. facelic pack buy + usage import ({} days of calls) + usage run --month {last_month}: {} covered {} calls; usage statement {} for {}",
        report.rows,
        pack.id,
        facelic_invoice::money::group_digits(
            bills
                .iter()
                .flat_map(|b| &b.bill.products)
                .map(|p| p.pack_calls)
                .sum::<u64>()
        ),
        bills
            .iter()
            .filter_map(|b| b.invoice.clone())
            .collect::<Vec<_>>()
            .join(", "),
        format_money(bills.iter().map(|b| b.bill.amount).sum())
    );
    // Returned devices after a part payment: the credit beyond what was
    // still due becomes customer credit; the statement of account shows it.
    let credited = facelic_invoice::money::round_fen(invoice.totals.gross * Decimal::new(6, 1));
    let note = desk.credit_invoice(
        &number,
        "devices returned",
        Some(credited),
        Some(facelic_issuer::desk::OwedBack::Credit),
    )?;
    let account = desk.account(&customer.id, None)?;
    println!(
        "13. facelic invoice credit {number} --amount {} --owed-back credit: {}; customer credit on account {}",
        format_money(credited),
        note.number,
        format_money(account.on_account.credit)
    );
    let soa = desk.statement_of_account(&customer.id, first, today)?;
    println!(
        "14. facelic account statement {} --from {first}: opening {}, {} lines, closing {} (对账单, with a space for the customer's seal)",
        customer.id,
        format_money(soa.opening),
        soa.lines.len(),
        format_money(soa.closing)
    );
    println!(
        "\nLicense files are in {}; the audit log has {} entries.",
        out.display(),
        desk.audit_log(1000)?.len()
    );
    if args.keep {
        let kept = dir.keep();
        println!(
            "kept {} (try: facelic --desk {} license list)",
            kept.display(),
            kept.join("desk").display()
        );
    } else {
        println!("(run with --keep to keep the desk and look around)");
    }
    Ok(ExitCode::SUCCESS)
}
