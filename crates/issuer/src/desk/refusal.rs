//! Why the desk refused: one enum per area, the facts as fields, each
//! message written once in its `Display`. A caller chooses what to do from
//! the variant ([`DeskError::kind`](super::DeskError::kind) sorts them for
//! an exit code or an HTTP status), never from the text.

use facelic_invoice::Decimal;
use facelic_invoice::dates::Date;
use facelic_invoice::money::format_money;

use super::ErrorKind;
use crate::{Kind, Serial, Timestamp};

impl CustomerError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CustomerError::Exists { .. } | CustomerError::SpecialFapiaoIncomplete { .. } => {
                ErrorKind::Refused
            }
            _ => ErrorKind::BadInput,
        }
    }
}

impl OrderError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            OrderError::BelowMinimum { .. }
            | OrderError::TrialDevices { .. }
            | OrderError::TrialTaken { .. }
            | OrderError::QuoteForAnotherCustomer { .. }
            | OrderError::QuoteForAnotherProduct { .. }
            | OrderError::QuoteMismatch { .. }
            | OrderError::StartTooEarly { .. } => ErrorKind::Refused,
            _ => ErrorKind::BadInput,
        }
    }
}

impl IssueError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IssueError::BadCodes { .. } | IssueError::NoCodes => ErrorKind::BadInput,
            _ => ErrorKind::Refused,
        }
    }
}

impl RevokeError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            RevokeError::NoReason | RevokeError::BadReason | RevokeError::SameDevice => {
                ErrorKind::BadInput
            }
            _ => ErrorKind::Refused,
        }
    }
}

impl KeyError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            KeyError::BadRootKey(_)
            | KeyError::BadCertificate(_)
            | KeyError::BadKeyList(_)
            | KeyError::KeyListWithSerials => ErrorKind::BadInput,
            _ => ErrorKind::Refused,
        }
    }
}

impl ClockError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClockError::BadReason => ErrorKind::BadInput,
            _ => ErrorKind::Refused,
        }
    }
}

impl QuoteError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            QuoteError::Used { .. } | QuoteError::Expired { .. } => ErrorKind::Refused,
            _ => ErrorKind::BadInput,
        }
    }
}

/// Something named that the ledger does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotFound {
    /// No customer with this id or name.
    #[error("no customer {0:?}")]
    Customer(String),
    /// No order with this id.
    #[error("no order {0:?}")]
    Order(String),
    /// No license with this serial.
    #[error("no license {0:?}")]
    License(String),
    /// No quote with this number.
    #[error("no quote {0:?}")]
    Quote(String),
    /// No invoice, draft or statement with this number.
    #[error("no invoice or draft {0:?}")]
    Invoice(String),
    /// No credit note with this number.
    #[error("no credit note {0:?}")]
    CreditNote(String),
    /// No receipt with this id.
    #[error("no receipt {0:?}")]
    Receipt(String),
    /// No prepaid pack with this id.
    #[error("no pack {0:?}")]
    Pack(String),
    /// No signing key with this id.
    #[error("key {0}")]
    Key(String),
    /// No usage family of this id in the catalog.
    #[error("no usage family {family:?} (the catalog has: {known})")]
    UsageFamily {
        /// The family asked for.
        family: String,
        /// The catalog's families, comma-separated.
        known: String,
    },
    /// No usage-billed product of this id in the catalog.
    #[error("no usage-billed product {0:?}")]
    UsageProduct(String),
}

/// Input that does not read as what it should be, found before anything
/// is looked up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A required text is empty.
    #[error("{what} is empty")]
    Empty {
        /// The field.
        what: String,
    },
    /// A one-line text is too long or holds control characters.
    #[error("{what} must be at most {max} bytes on one line, without control characters")]
    BadLine {
        /// The field.
        what: String,
        /// Its most bytes.
        max: usize,
    },
    /// A text field is too long or holds control characters.
    #[error("{what} must be at most {max} bytes without control characters")]
    BadText {
        /// The field.
        what: String,
        /// Its most bytes.
        max: usize,
    },
    /// An amount that is not a positive number of fen.
    #[error("{what} is a positive amount in fen, not {amount}")]
    NotPositive {
        /// What the amount is.
        what: String,
        /// The amount given.
        amount: Decimal,
    },
    /// A date range that ends before it starts.
    #[error("the {what} starts ({from}) after it ends ({to})")]
    Reversed {
        /// `range` or `period`.
        what: &'static str,
        /// Its start.
        from: Date,
        /// Its end.
        to: Date,
    },
    /// A date or time beyond what the desk records.
    #[error("{0} is out of range")]
    OutOfRange(String),
    /// A product the catalog does not sell.
    #[error("unknown product {product:?}; the catalog has: {known}")]
    UnknownProduct {
        /// The product asked for.
        product: String,
        /// The catalog's products.
        known: String,
    },
    /// The operator name is empty, too long or holds control characters.
    #[error("operator {0:?} must be 1 to 200 bytes without control characters")]
    Operator(String),
    /// The same statement is named twice.
    #[error("{0} is named twice")]
    NamedTwice(String),
    /// A count too large for the ledger.
    #[error("{0} calls is too many")]
    TooMany(u64),
    /// A path the desk cannot use.
    #[error("{0}")]
    Path(String),
    /// A unified social credit code (tax id) that does not check.
    #[error(transparent)]
    TaxId(#[from] facelic_invoice::tax_id::UsccError),
    /// A fapiao number that does not read.
    #[error(transparent)]
    FapiaoNumber(#[from] facelic_invoice::fapiao::FapiaoNumberError),
}

/// A customer or its billing profile refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomerError {
    /// The name is empty, too long or not visible text.
    #[error("customer name must be 1 to {max} bytes of visible text without control characters")]
    BadName {
        /// The most bytes.
        max: usize,
    },
    /// The name reads like a customer id (`C-000001`).
    #[error("customer name {0:?} reads like a customer id; choose the customer's real name")]
    NameLikeId(String),
    /// A customer of this name exists.
    #[error("customer {name:?} already exists as {id} ({existing:?})")]
    Exists {
        /// The name given.
        name: String,
        /// The existing customer's id.
        id: String,
        /// The existing customer's name as recorded.
        existing: String,
    },
    /// Not a phone number.
    #[error("phone {0:?} is not a phone number (digits, spaces, + - ( ))")]
    Phone(String),
    /// Not an e-mail address.
    #[error("e-mail {0:?} is not an e-mail address")]
    Email(String),
    /// Neither fapiao type.
    #[error("fapiao type {0:?} is neither ordinary (普通发票) nor special (专用发票)")]
    FapiaoType(String),
    /// Payment terms beyond a year.
    #[error("payment terms of {0} days: at most 365")]
    PaymentTerms(u32),
    /// A special VAT fapiao needs the whole profile.
    #[error(
        "a special VAT fapiao (增值税专用发票) needs the buyer's tax id, address, phone, bank and account; missing: {}",
        .missing.join(", ")
    )]
    SpecialFapiaoIncomplete {
        /// The profile fields missing.
        missing: Vec<&'static str>,
    },
}

/// An order refused when it is made or its terms change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrderError {
    /// A device order without a device count, or with a package.
    #[error("a device order needs a device count and no package")]
    DeviceShape,
    /// A platform order without a package, or with a device count.
    #[error("a platform order needs a package name and no device count")]
    PlatformShape,
    /// A start date on a device order.
    #[error("a start date applies to platform orders only")]
    StartOnDeviceOrder,
    /// A pinned certificate on a device order.
    #[error("a signing certificate is pinned by platform orders only")]
    CertificateOnDeviceOrder,
    /// More devices than an order may hold.
    #[error("at most {max} devices per order")]
    TooManyDevices {
        /// The most.
        max: u64,
    },
    /// A purchase below the minimum quantity.
    #[error("a per-device purchase is at least {minimum} devices; this order has {devices}")]
    BelowMinimum {
        /// The catalog's minimum.
        minimum: u64,
        /// The order's devices.
        devices: u64,
    },
    /// A device trial of too many devices (or none).
    #[error("a device trial binds 1 to {max} devices; this order has {devices}")]
    TrialDevices {
        /// The catalog's most.
        max: u64,
        /// The order's devices.
        devices: u64,
    },
    /// Not an Android application id.
    #[error(
        "{0:?} is not an Android application id (e.g. com.acme.gate: two or more dot-separated segments of letters, digits and _, each starting with a letter)"
    )]
    Package(String),
    /// A discount on a trial.
    #[error("a trial is not priced: it takes no discount")]
    TrialDiscount,
    /// A discount beside a quote.
    #[error("an order made from a quote takes the quote's discount")]
    QuoteDiscount,
    /// A second trial of a product for one customer.
    #[error(
        "{customer_name} ({customer}) already had a {kind} of {product}: order {order} of {at}; one trial per customer and product"
    )]
    TrialTaken {
        /// The customer's name.
        customer_name: String,
        /// The customer's id.
        customer: String,
        /// The trial's kind.
        kind: Kind,
        /// The product.
        product: String,
        /// The earlier trial order.
        order: String,
        /// When it was made.
        at: String,
    },
    /// A quote for another customer.
    #[error(
        "quote {quote} is for {quote_customer_name} ({quote_customer}), not {customer_name} ({customer})"
    )]
    QuoteForAnotherCustomer {
        /// The quote.
        quote: String,
        /// Its customer's name.
        quote_customer_name: String,
        /// Its customer's id.
        quote_customer: String,
        /// The order's customer name.
        customer_name: String,
        /// The order's customer id.
        customer: String,
    },
    /// A quote for another product.
    #[error("quote {quote} is for {quoted}, not {product}")]
    QuoteForAnotherProduct {
        /// The quote.
        quote: String,
        /// Its product.
        quoted: String,
        /// The order's product.
        product: String,
    },
    /// A quote offering another kind or quantity.
    #[error(
        "quote {quote} offers {}; this order is a {kind} order{}",
        match .quoted_devices { Some(n) => format!("{n} devices"), None => format!("platform terms ({} year(s))", .quoted_years) },
        .devices.map(|n| format!(" of {n} devices")).unwrap_or_default()
    )]
    QuoteMismatch {
        /// The quote.
        quote: String,
        /// Its devices (a device quote).
        quoted_devices: Option<u64>,
        /// Its years (a platform quote).
        quoted_years: u64,
        /// The order's kind.
        kind: Kind,
        /// The order's devices.
        devices: Option<u64>,
    },
    /// A platform term that would start too early.
    #[error("start {start} is before {earliest}: {rule}")]
    StartTooEarly {
        /// The start asked for.
        start: Timestamp,
        /// The earliest allowed.
        earliest: Timestamp,
        /// The rule that sets it.
        rule: String,
    },
    /// A negative platform fee.
    #[error("a platform fee cannot be negative")]
    NegativeFee,
}

/// A platform order's term refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TermError {
    /// The order is not of the kind the operation needs.
    #[error("order {order} is a {kind} order: {why}")]
    WrongKind {
        /// The order.
        order: String,
        /// Its kind.
        kind: Kind,
        /// What the operation needs.
        why: &'static str,
    },
    /// A platform order without a term.
    #[error("order {0} has no term")]
    NoTerm(String),
    /// A renewal that has not begun yet.
    #[error(
        "order {order} is renewed already: term {term} starts on {starts}; renew again once it has begun"
    )]
    RenewedAlready {
        /// The order.
        order: String,
        /// The newest term.
        term: i64,
        /// When it starts.
        starts: String,
    },
    /// The term's license was revoked.
    #[error("the license {0} of this term was revoked; nothing issued")]
    LicenseRevoked(String),
    /// A revoked license covers the term.
    #[error("a revoked license of order {order} covers term {term} to its end; nothing issued")]
    CoveredByRevoked {
        /// The order.
        order: String,
        /// The term.
        term: i64,
    },
}

/// Device licenses refused: codes, seats and trials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// Device codes that do not read (a mistyped code fails its check
    /// character).
    #[error("{count} invalid device code(s), nothing issued: {}{}", .lines.join("; "),
        if *.count > .lines.len() { format!("; and {} more", .count - .lines.len()) } else { String::new() })]
    BadCodes {
        /// How many codes are bad.
        count: usize,
        /// The first of them, each with its line and what is wrong.
        lines: Vec<String>,
    },
    /// No device code at all.
    #[error("no device codes given")]
    NoCodes,
    /// The order's product left the catalog.
    #[error("product {0:?} is no longer in the desk catalog")]
    ProductGone(String),
    /// A platform order is issued without devices.
    #[error("order {order} is a {kind} order: it is issued without devices")]
    NotDeviceBound {
        /// The order.
        order: String,
        /// Its kind.
        kind: Kind,
    },
    /// A device whose license on the order was revoked.
    #[error(
        "device {device} had license {serial} on order {order} and it was revoked; nothing issued"
    )]
    DeviceRevoked {
        /// The device code.
        device: String,
        /// The revoked license.
        serial: String,
        /// The order.
        order: String,
    },
    /// More new devices than free seats.
    #[error(
        "order {order} has {free} free seat(s) of {seats}; this needs {new} new (and {issued} already issued); nothing issued"
    )]
    SeatsExhausted {
        /// The order.
        order: String,
        /// Its seats.
        seats: u64,
        /// Its free seats.
        free: u64,
        /// The new devices asked for.
        new: u64,
        /// The devices asked for that hold a license already.
        issued: usize,
    },
    /// The device trial is over.
    #[error("the trial on order {order} ended at {ended}; nothing issued")]
    TrialEnded {
        /// The order.
        order: String,
        /// When its trial ended.
        ended: Timestamp,
    },
}

/// A revocation or replacement refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevokeError {
    /// No reason given.
    #[error("a revocation needs a reason")]
    NoReason,
    /// A reason too long or with control characters.
    #[error("a revocation reason is at most 500 bytes on one line, without control characters")]
    BadReason,
    /// The license is revoked already.
    #[error("license {serial} was already revoked at {at}")]
    AlreadyRevoked {
        /// The license.
        serial: Serial,
        /// When.
        at: Timestamp,
    },
    /// Only device licenses are replaced.
    #[error("license {serial} is a {kind} license: only device licenses are replaced")]
    NotReplaceable {
        /// The license.
        serial: Serial,
        /// Its kind.
        kind: Kind,
    },
    /// The replacement is the same device.
    #[error("the replacement device is the same device")]
    SameDevice,
    /// The replacement device is licensed on the order already.
    #[error("device {device} already has a license on order {order}")]
    DeviceLicensed {
        /// The device.
        device: String,
        /// The order.
        order: String,
    },
    /// A key revoked while it signs.
    #[error("key {0} is the active signing key: certify or rotate to a new key first")]
    ActiveKey(String),
}

/// A signing key, root or certificate refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The certificate's window does not cover now.
    #[error(
        "the active signing key {key} may issue from {not_before} until {not_after} only; have a root certify a new key"
    )]
    OutsideWindow {
        /// The key.
        key: String,
        /// Its window's start.
        not_before: Timestamp,
        /// Its window's end.
        not_after: Timestamp,
    },
    /// The certificate does not cover the product.
    #[error("the active signing key {key} is certified for {} only, not for {product}", .certified.join(", "))]
    ProductNotCertified {
        /// The key.
        key: String,
        /// The products it is certified for.
        certified: Vec<String>,
        /// The product asked for.
        product: String,
    },
    /// A revocation list would be signed outside the key's window.
    #[error(
        "the active signing key {key} may sign from {not_before} until {not_after} only, and it is {now}: every app would refuse its revocation list; have a root certify a key for now"
    )]
    ListOutsideWindow {
        /// The key.
        key: String,
        /// Its window's start.
        not_before: Timestamp,
        /// Its window's end.
        not_after: Timestamp,
        /// Now.
        now: Timestamp,
    },
    /// The signing key was revoked while the command started.
    #[error(
        "signing key {key} was revoked by a root at {at}, while this command was starting: nothing was signed or recorded"
    )]
    RevokedWhileStarting {
        /// The key.
        key: String,
        /// When it was revoked.
        at: String,
    },
    /// An HSM key another desk made.
    #[error(
        "key {key} (labelled {label:?}) was made by another desk ({owner}); a desk signs only with keys it made, unless told to adopt this one"
    )]
    OtherDesksKey {
        /// The key.
        key: String,
        /// Its label.
        label: String,
        /// The desk that made it.
        owner: String,
    },
    /// A key the desk holds already.
    #[error("key {key} (labelled {label:?}) is a key of the desk already")]
    HeldAlready {
        /// The key.
        key: String,
        /// Its label.
        label: String,
    },
    /// A root offered as a signing key.
    #[error(
        "key {key} (labelled {label:?}) is a root the desk trusts; a root lives apart from the desk"
    )]
    RootAsSigningKey {
        /// The key.
        key: String,
        /// Its label.
        label: String,
    },
    /// A signing key offered as a root.
    #[error("key {0} is one of the desk's signing keys; a root lives apart from the desk")]
    SigningKeyAsRoot(String),
    /// The root is trusted already.
    #[error("root {0} is trusted already")]
    RootTrusted(String),
    /// No root is trusted yet.
    #[error("the desk trusts no root key yet: add the root's public key first")]
    NoRoot,
    /// A root public key that does not read.
    #[error("root public key: {0}")]
    BadRootKey(String),
    /// A certificate that does not read or verify.
    #[error("certificate: {0}")]
    BadCertificate(String),
    /// A certificate for a key the desk does not hold.
    #[error("the certificate is for key {0}, which this desk does not hold")]
    CertificateForUnknownKey(String),
    /// A key a root revoked.
    #[error("key {0} was revoked by a root")]
    RevokedByRoot(String),
    /// A certificate whose window has ended.
    #[error("the certificate's window ended at {0}; ask the root for a new one")]
    CertificateEnded(Timestamp),
    /// Only a pending key is activated.
    #[error("key {key} is {status}: only a pending key (certified, not yet signing) is activated")]
    NotPending {
        /// The key.
        key: String,
        /// Its status.
        status: &'static str,
    },
    /// A pending key whose certificate's window does not cover now.
    #[error("key {key} may sign from {not_before} until {not_after} only")]
    NotInWindow {
        /// The key.
        key: String,
        /// Its window's start.
        not_before: Timestamp,
        /// Its window's end.
        not_after: Timestamp,
    },
    /// A pending key certified for nothing the catalog sells.
    #[error("key {key} is certified for {}, which the desk's catalog does not sell", .products.join(", "))]
    NothingSold {
        /// The key.
        key: String,
        /// The products it is certified for.
        products: Vec<String>,
    },
    /// A root's key revocation list that does not read.
    #[error("key revocation list: {0}")]
    BadKeyList(String),
    /// A root's list that revokes serials.
    #[error("key revocation list: a root's list revokes signing keys only (no serials)")]
    KeyListWithSerials,
    /// HSM settings that would leave the desk's keys behind.
    #[error("keys of the desk live in token {0:?}; the HSM settings cannot move away from it")]
    TokenMove(String),
    /// An HSM operation on a desk without one.
    #[error("the desk has no HSM configured")]
    NoHsm,
}

/// A quote refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuoteError {
    /// The quote made an order already.
    #[error("quote {quote} was already used by order {order}")]
    Used {
        /// The quote.
        quote: String,
        /// The order made from it.
        order: String,
    },
    /// The quote expired.
    #[error("quote {quote} expired on {valid_until}; save a new quote")]
    Expired {
        /// The quote.
        quote: String,
        /// Its last day.
        valid_until: String,
    },
    /// A validity outside the allowed days.
    #[error("a quote is valid for 1 to {max} days, not {days}")]
    ValidDays {
        /// The most.
        max: u32,
        /// The days given.
        days: u32,
    },
}

/// An invoice, statement or credit note refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvoiceError {
    /// A draft where a statement is needed.
    #[error("{draft} is a draft: {instead}")]
    IsDraft {
        /// The draft.
        draft: String,
        /// What to do instead.
        instead: String,
    },
    /// Trials are not invoiced.
    #[error("order {order} is a {kind}: trials are not invoiced")]
    Trial {
        /// The order.
        order: String,
        /// Its kind.
        kind: Kind,
    },
    /// A product no longer in the catalog.
    #[error("product {0} is not in the desk catalog")]
    ProductGone(String),
    /// A device order invoiced already.
    #[error("order {0} is already invoiced")]
    Invoiced(String),
    /// Every term of a platform order is invoiced.
    #[error("every term of order {0} is already invoiced; renew it to invoice a new term")]
    TermsInvoiced(String),
    /// The seller's tax id is not set.
    #[error(
        "the catalog's [invoicing] seller_tax_id is not set: a statement carries the seller's unified social credit code"
    )]
    NoSellerTaxId,
    /// A draft finalized already.
    #[error("{draft} is already finalized as {number}; it cannot change")]
    Finalized {
        /// The draft.
        draft: String,
        /// Its statement number.
        number: String,
    },
    /// A finalized statement is credited, not deleted.
    #[error("{0} is finalized: issue a credit note instead")]
    FinalizedNotDeleted(String),
    /// Nothing is left to credit.
    #[error("{0} has nothing left to credit")]
    NothingToCredit(String),
    /// A credit beyond what is left.
    #[error("{number} has {} left to credit; {} is more", format_money(*.open), format_money(*.amount))]
    CreditTooLarge {
        /// The statement.
        number: String,
        /// What is left to credit.
        open: Decimal,
        /// The credit asked for.
        amount: Decimal,
    },
}

/// A payment, refund, application or fapiao refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentError {
    /// A date after today.
    #[error("{what} date {date} is in the future (today is {today})")]
    Future {
        /// What is dated.
        what: String,
        /// Its date.
        date: Date,
        /// Today.
        today: Date,
    },
    /// A date before the statement was issued.
    #[error("{what} date {date} is before {number} was issued ({issued})")]
    BeforeIssue {
        /// What is dated.
        what: String,
        /// Its date.
        date: Date,
        /// The statement.
        number: String,
        /// Its issue date.
        issued: Date,
    },
    /// A statement of another customer.
    #[error("{number} is not a statement of {customer} ({name})")]
    NotTheirs {
        /// The statement.
        number: String,
        /// The customer paying.
        customer: String,
        /// Its name.
        name: String,
    },
    /// Nothing due on the statement.
    #[error("{0} has nothing due")]
    NothingDue(String),
    /// Nothing was applied.
    #[error("nothing was applied")]
    NothingApplied,
    /// A source with nothing left.
    #[error("{what} {source_id} has nothing left to apply")]
    NothingLeft {
        /// `receipt` or `credit`.
        what: String,
        /// The receipt or customer.
        source_id: String,
    },
    /// More applied than the source holds or the statement asks for.
    #[error("{} of {what} {source_id} can go to {number} ({} left, {} due), not {}",
        format_money((*.holds).min(*.due)), format_money(*.holds), format_money(*.due),
        format_money(*.wanted))]
    MoreThanApplies {
        /// `receipt` or `credit`.
        what: String,
        /// The receipt or customer.
        source_id: String,
        /// The statement.
        number: String,
        /// What the source holds.
        holds: Decimal,
        /// What the statement asks for.
        due: Decimal,
        /// What was asked to apply.
        wanted: Decimal,
    },
    /// A receipt of another customer.
    #[error("{receipt} is a receipt of {owner}, not of {customer}")]
    OtherReceipt {
        /// The receipt.
        receipt: String,
        /// Its customer.
        owner: String,
        /// The customer named.
        customer: String,
    },
    /// A refund dated before the money came.
    #[error("refund date {date} is before {receipt} was received ({received})")]
    RefundBeforeReceipt {
        /// The refund's date.
        date: Date,
        /// The receipt.
        receipt: String,
        /// When it was received.
        received: Date,
    },
    /// A refund beyond what is held.
    #[error("{from} has {} {bucket} to pay back; a refund of {} is more{}",
        format_money(*.holds), format_money(*.amount),
        if *.held > Decimal::ZERO { format!(" ({} is held until the next settlement)", format_money(*.held)) } else { String::new() })]
    RefundTooLarge {
        /// The receipt or customer.
        from: String,
        /// What it holds.
        holds: Decimal,
        /// `refund owed`, `customer credit` or `unapplied`.
        bucket: &'static str,
        /// The refund asked for.
        amount: Decimal,
        /// Held until the next settlement (shown when not zero).
        held: Decimal,
    },
    /// A fapiao recorded already.
    #[error("{number} already has fapiao {fapiao} of {date}; a recorded fapiao cannot change")]
    FapiaoRecorded {
        /// The document.
        number: String,
        /// Its fapiao.
        fapiao: String,
        /// The fapiao's date.
        date: String,
    },
    /// A red-letter fapiao before its blue one.
    #[error(
        "a red-letter (红字) fapiao corrects a blue one: {0} has no fapiao recorded; record it first"
    )]
    RedBeforeBlue(String),
    /// A fapiao of another document.
    #[error(
        "fapiao {fapiao} is recorded against {other} already; a fapiao belongs to one document"
    )]
    FapiaoElsewhere {
        /// The fapiao.
        fapiao: String,
        /// The document it belongs to.
        other: String,
    },
    /// No fapiao to void.
    #[error("{0} has no fapiao recorded to void")]
    NoFapiao(String),
}

/// Usage, activations and prepaid packs refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// Usage of a billed day.
    #[error("{customer}'s usage is billed up to {billed}: {what} {day} would offset billed usage")]
    Billed {
        /// The customer.
        customer: String,
        /// The last billed day.
        billed: Date,
        /// What would be recorded.
        what: String,
        /// Its day.
        day: Date,
    },
    /// A date after today.
    #[error("{what} on {day} is in the future (today is {today})")]
    Future {
        /// `an activation` or `a pack bought`.
        what: &'static str,
        /// The day.
        day: Date,
        /// Today.
        today: Date,
    },
    /// A family activated already.
    #[error("{customer} activated {family} on {on}; an activation is recorded once")]
    ActivatedAlready {
        /// The customer.
        customer: String,
        /// The family.
        family: String,
        /// When.
        on: String,
    },
    /// A month not yet billable.
    #[error(
        "{month} is billed from {from} (today is {today}); a daily-settled day is billed once it is over"
    )]
    MonthNotOver {
        /// The month.
        month: String,
        /// Its bill day.
        from: Date,
        /// Today.
        today: Date,
    },
    /// A day not over.
    #[error("{day} is billed once it is over (today is {today})")]
    DayNotOver {
        /// The day.
        day: Date,
        /// Today.
        today: Date,
    },
    /// An earlier month not billed.
    #[error("{customer}'s calls of {month} are not billed yet: run {month} first")]
    EarlierUnbilled {
        /// The customer.
        customer: String,
        /// The earlier month.
        month: String,
    },
    /// Nothing imported to bill.
    #[error("no calls imported for {what}{}", of_customer(.customer))]
    NothingImported {
        /// The month or day.
        what: String,
        /// The customer, when one was named.
        customer: Option<String>,
    },
    /// The month is billed already.
    #[error("{month} is already billed{}", of_customer(.customer))]
    MonthBilled {
        /// The month.
        month: String,
        /// The customer, when one was named.
        customer: Option<String>,
    },
    /// No daily-settled calls left to bill.
    #[error(
        "no daily-settled calls of {day}{} are left to bill (monthly-settled accounts are billed after the month)",
        of_customer(.customer)
    )]
    NothingLeftForDay {
        /// The day.
        day: Date,
        /// The customer, when one was named.
        customer: Option<String>,
    },
    /// Calls of a product no longer in the catalog.
    #[error("{customer} has calls of {product}, which is not in the desk catalog")]
    ProductGone {
        /// The customer.
        customer: String,
        /// The product.
        product: String,
    },
    /// A bill beyond the most a document may total.
    #[error("{customer}'s bill for {month} would total {}, beyond {}, the most a document may total",
        format_money(*.amount), format_money(facelic_invoice::money::MAX_TOTAL))]
    TooLarge {
        /// The customer.
        customer: String,
        /// The month.
        month: String,
        /// The bill's total.
        amount: Decimal,
    },
    /// Calls or packs before the family was activated.
    #[error("{customer} activated {family} on {on}, after {day}")]
    ActivatedAfter {
        /// The customer.
        customer: String,
        /// The family.
        family: String,
        /// The activation day.
        on: String,
        /// The day of the calls or pack.
        day: Date,
    },
    /// Calls or packs of a family not activated.
    #[error("{customer} has not activated {family} ({family_name}), needed for {product}")]
    NotActivated {
        /// The customer.
        customer: String,
        /// The family.
        family: String,
        /// Its name.
        family_name: String,
        /// The product.
        product: String,
    },
    /// A pack bought after its calls were imported post-paid.
    #[error(
        "calls of {product} from {period} are imported already and were incurred post-paid; a pack bought on {day} and recorded later never offsets them"
    )]
    PackAfterCalls {
        /// The product.
        product: String,
        /// The period of the calls.
        period: String,
        /// The pack's day.
        day: Date,
    },
    /// Packs not on sale yet.
    #[error("{product} packs are on sale from {from} ({zone}); not on {day}{}", if *.early_today { " before then" } else { "" })]
    PacksNotOnSale {
        /// The product.
        product: String,
        /// When they go on sale.
        from: String,
        /// The catalog's time zone.
        zone: String,
        /// The day asked for.
        day: Date,
        /// The same day, before the hour of sale.
        early_today: bool,
    },
    /// A product without a published price.
    #[error("{product} ({name}) is not sold: the catalog has no price for it ({why})")]
    Unpriced {
        /// The product.
        product: String,
        /// Its Chinese name.
        name: String,
        /// Why there is no price.
        why: String,
    },
    /// No price list on the day.
    #[error("{product} has no price on {day}")]
    NoPriceOn {
        /// The product.
        product: String,
        /// The day.
        day: Date,
    },
    /// A post-paid-only product.
    #[error("{0} is post-paid only: it sells no packs")]
    PostPaidOnly(String),
    /// No pack of that size.
    #[error("{product} sells no pack of {calls} calls on {day} (packs: {sizes})")]
    NoSuchPack {
        /// The product.
        product: String,
        /// The calls asked for.
        calls: u64,
        /// The day.
        day: Date,
        /// The sizes on sale.
        sizes: String,
    },
    /// A pack's agreed price that is not a positive amount.
    #[error("a pack's price is a positive amount in fen, not {0}")]
    PackPrice(Decimal),
    /// A pack product no longer in the catalog.
    #[error("product {0} is not in the desk catalog")]
    PackProductGone(String),
    /// A pack that cannot be refunded.
    #[error("{pack} cannot be refunded: {why}")]
    NotRefundable {
        /// The pack.
        pack: String,
        /// Why.
        why: String,
    },
    /// The bill could not be made from the catalog.
    #[error(transparent)]
    Bill(#[from] facelic_invoice::usage::UsageError),
}

fn of_customer(customer: &Option<String>) -> String {
    customer
        .as_ref()
        .map(|c| format!(" of {c}"))
        .unwrap_or_default()
}

/// A clock rewind refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClockError {
    /// No reason, or one too long.
    #[error("a clock rewind needs a reason of at most 500 bytes on one line")]
    BadReason,
    /// The clock is not behind the ledger.
    #[error(
        "the desk clock ({now}) is not behind the latest time in the ledger ({latest}): nothing to rewind"
    )]
    NotBehind {
        /// The desk's now.
        now: Timestamp,
        /// The latest time recorded.
        latest: Timestamp,
    },
    /// The ledger recorded no time yet.
    #[error("the ledger has recorded no time yet")]
    NothingRecorded,
}
