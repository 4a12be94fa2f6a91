//! Customers.
//!
//! A customer's name is unique at the desk beyond its spelling: two names
//! are the same customer when their *name keys* are equal. The key is the
//! name in Unicode compatibility form (NFKC), without invisible format
//! characters (zero-width spaces, bidi controls: category Cf), with runs of
//! white space folded to one space, in lower case. So "ACME GATE SYSTEMS",
//! "Acme Gate Systems" and "Acme\u{200B} Gate Systems" cannot be three
//! customers (and claim three trials).

use serde::Serialize;
use unicode_normalization::UnicodeNormalization as _;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};

use super::{CustomerError, Db, Desk, InputError, NotFound, Result, ledger};
use crate::Timestamp;

/// A customer of the vendor.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Customer {
    /// Desk id, e.g. `C-000001`.
    pub id: String,
    /// Name, unique at the desk (see the module docs).
    pub name: String,
    /// When the customer was added.
    #[serde(serialize_with = "super::fields::display")]
    pub created_at: Timestamp,
    /// What finance needs to bill the customer.
    pub billing: BillingProfile,
}

/// The fapiao (发票) type a customer wants from the tax system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FapiaoType {
    /// 增值税普通发票: the ordinary VAT fapiao.
    Ordinary,
    /// 增值税专用发票: the special VAT fapiao (input tax deductible); needs the
    /// buyer's tax id, address, phone, bank and account.
    Special,
}

impl FapiaoType {
    /// `ordinary` or `special`, as the ledger stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            FapiaoType::Ordinary => "ordinary",
            FapiaoType::Special => "special",
        }
    }

    /// The name on documents.
    pub fn name_zh(self) -> &'static str {
        match self {
            FapiaoType::Ordinary => "增值税普通发票 (ordinary)",
            FapiaoType::Special => "增值税专用发票 (special)",
        }
    }

    /// Reads `ordinary`/`special` or the Chinese names (普通发票, 专用发票, 普票, 专票).
    pub fn parse(text: &str) -> Option<FapiaoType> {
        match text.trim() {
            "ordinary" | "普通发票" | "增值税普通发票" | "普票" => {
                Some(FapiaoType::Ordinary)
            }
            "special" | "专用发票" | "增值税专用发票" | "专票" => {
                Some(FapiaoType::Special)
            }
            _ => None,
        }
    }
}

/// A customer's billing profile: shown on its documents.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BillingProfile {
    /// Legal name on documents (default: the customer's name).
    pub legal_name: Option<String>,
    /// Unified social credit code (统一社会信用代码), checked.
    pub tax_id: Option<String>,
    /// Registered address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Bank (开户行).
    pub bank: Option<String>,
    /// Bank account (账号).
    pub bank_account: Option<String>,
    /// E-mail for documents.
    pub email: Option<String>,
    /// The fapiao type wanted (default ordinary).
    pub fapiao_type: Option<FapiaoType>,
    /// Days to pay (default: the catalog's `payment_terms_days`).
    pub payment_terms_days: Option<u32>,
}

/// A change to a billing profile: `Some("")` clears a field, `None` keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileEdit {
    /// Legal name.
    pub legal_name: Option<String>,
    /// Unified social credit code.
    pub tax_id: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Bank.
    pub bank: Option<String>,
    /// Bank account.
    pub bank_account: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Fapiao type (`ordinary`, `special`, or the Chinese names).
    pub fapiao_type: Option<String>,
    /// Payment terms in days.
    pub payment_terms_days: Option<u32>,
}

/// Longest text of a profile field, in bytes.
const MAX_FIELD: usize = 200;

/// Checks one edited text field: `None` to clear it.
fn field(name: &str, text: &str) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > MAX_FIELD || text.chars().any(char::is_control) {
        return Err(InputError::BadText {
            what: name.to_owned(),
            max: MAX_FIELD,
        }
        .into());
    }
    Ok(Some(text.to_owned()))
}

impl BillingProfile {
    /// This profile with `edit` applied, checked.
    fn edited(&self, edit: &ProfileEdit) -> Result<BillingProfile> {
        let mut p = self.clone();
        let set = |slot: &mut Option<String>, name: &str, value: &Option<String>| -> Result<()> {
            if let Some(v) = value {
                *slot = field(name, v)?;
            }
            Ok(())
        };
        set(&mut p.legal_name, "legal name", &edit.legal_name)?;
        set(&mut p.address, "address", &edit.address)?;
        set(&mut p.bank, "bank", &edit.bank)?;
        set(&mut p.bank_account, "bank account", &edit.bank_account)?;
        if let Some(v) = &edit.tax_id {
            p.tax_id = match field("tax id", v)? {
                None => None,
                Some(code) => {
                    Some(facelic_invoice::tax_id::check_uscc(&code).map_err(InputError::from)?)
                }
            };
        }
        if let Some(v) = &edit.phone {
            p.phone = field("phone", v)?;
            if let Some(phone) = &p.phone {
                let digits = phone.chars().filter(char::is_ascii_digit).count();
                if digits < 5
                    || !phone
                        .chars()
                        .all(|c| c.is_ascii_digit() || " +-()".contains(c))
                {
                    return Err(CustomerError::Phone(phone.clone()).into());
                }
            }
        }
        if let Some(v) = &edit.email {
            p.email = field("e-mail", v)?;
            if let Some(email) = &p.email {
                let ok = email.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty()
                        && host.contains('.')
                        && !host.starts_with('.')
                        && !host.ends_with('.')
                }) && !email.contains(char::is_whitespace);
                if !ok {
                    return Err(CustomerError::Email(email.clone()).into());
                }
            }
        }
        if let Some(v) = &edit.fapiao_type {
            p.fapiao_type = match v.trim() {
                "" => None,
                t => Some(
                    FapiaoType::parse(t).ok_or_else(|| CustomerError::FapiaoType(t.to_owned()))?,
                ),
            };
        }
        if let Some(days) = edit.payment_terms_days {
            if days > 365 {
                return Err(CustomerError::PaymentTerms(days).into());
            }
            p.payment_terms_days = Some(days);
        }
        if p.fapiao_type == Some(FapiaoType::Special) {
            let missing: Vec<&'static str> = [
                ("tax id", &p.tax_id),
                ("address", &p.address),
                ("phone", &p.phone),
                ("bank", &p.bank),
                ("bank account", &p.bank_account),
            ]
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| n)
            .collect();
            if !missing.is_empty() {
                return Err(CustomerError::SpecialFapiaoIncomplete { missing }.into());
            }
        }
        Ok(p)
    }
}

/// Longest customer name, in bytes (the license format's limit).
const MAX_NAME: usize = facelic_verifier::MAX_NAME_LEN;

/// The key two names share when they name the same customer.
pub(crate) fn name_key(name: &str) -> String {
    let visible: String = name
        .nfkc()
        .filter(|c| c.general_category() != GeneralCategory::Format)
        .collect();
    visible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `key` reads like a customer id (`c-000123`), which a name may not.
fn looks_like_an_id(key: &str) -> bool {
    key.strip_prefix("c-")
        .or_else(|| key.strip_prefix("c "))
        .or_else(|| key.strip_prefix('c'))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The customer with this id, read inside or outside a transaction.
pub(crate) fn load_customer(db: &Db, id: &str) -> Result<Customer> {
    ledger::customers::by_id(db, id)?.ok_or_else(|| NotFound::Customer(id.to_owned()).into())
}

/// The customer with this id or name (see [`Desk::customer`]), if any.
pub(crate) fn find_customer(db: &Db, id_or_name: &str) -> Result<Option<Customer>> {
    let id_or_name = id_or_name.trim();
    ledger::customers::by_id_or_name_key(
        db,
        &id_or_name.to_ascii_uppercase(),
        &name_key(id_or_name),
    )
}

impl Desk {
    /// Adds a customer. The name must be 1 to 200 bytes without control
    /// characters (surrounding white space is trimmed), must not read like a
    /// customer id, and must not be an existing customer's name in another
    /// spelling (see the module docs).
    pub fn add_customer(&mut self, name: &str) -> Result<Customer> {
        let name = name.trim();
        let key = name_key(name);
        if key.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(CustomerError::BadName { max: MAX_NAME }.into());
        }
        if looks_like_an_id(&key) {
            return Err(CustomerError::NameLikeId(name.to_owned()).into());
        }
        self.ledger.write(|tx| {
            if let Some(existing) = ledger::customers::by_name_key(tx, &key)? {
                return Err(CustomerError::Exists {
                    name: name.to_owned(),
                    id: existing.id,
                    existing: existing.name,
                }
                .into());
            }
            let seq = ledger::customers::next_seq(tx)?;
            let customer = Customer {
                id: format!("C-{seq:06}"),
                name: name.to_owned(),
                created_at: tx.now(),
                billing: BillingProfile::default(),
            };
            ledger::customers::insert(tx, seq, &customer, &key)?;
            tx.audit(
                "customer.add",
                &customer.id,
                &serde_json::json!({ "name": name }),
            )?;
            Ok(customer)
        })
    }

    /// Changes a customer's billing profile (audited with the old and new
    /// values of every field that changed).
    pub fn edit_customer(&mut self, id_or_name: &str, edit: &ProfileEdit) -> Result<Customer> {
        // Checked here for a quick refusal, then applied inside the write
        // transaction to the row as it is then: concurrent edits of other
        // fields are kept, not overwritten with what this process read.
        let id = self.customer(id_or_name)?.id;
        self.ledger.write(|tx| {
            let before = load_customer(tx, &id)?;
            let after = before.billing.edited(edit)?;
            let p = &after;
            ledger::customers::set_billing(tx, &id, p)?;
            let old = serde_json::to_value(&before.billing).unwrap_or_default();
            let new = serde_json::to_value(p).unwrap_or_default();
            let changed: serde_json::Map<String, serde_json::Value> = new
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| old.get(k.as_str()) != Some(v))
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::json!({ "from": old.get(k.as_str()), "to": v }),
                    )
                })
                .collect();
            tx.audit("customer.edit", &id, &serde_json::Value::Object(changed))
        })?;
        self.customer(&id)
    }

    /// Every customer, in the order they were added.
    pub fn customers(&self) -> Result<Vec<Customer>> {
        ledger::customers::all(self.db())
    }

    /// The customer with this id (`C-000001`) or name (in any spelling with
    /// the same name key).
    pub fn customer(&self, id_or_name: &str) -> Result<Customer> {
        find_customer(self.db(), id_or_name)?
            .ok_or_else(|| NotFound::Customer(id_or_name.trim().to_owned()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        let key = name_key("Acme Gate Systems");
        for twin in [
            "ACME GATE SYSTEMS",
            "acme  gate\tsystems",
            "Acme\u{200B} Gate Systems",
            "Acme Gate\u{202E} Systems",
            "\u{FF21}cme Gate Systems", // full-width A
            "Acme\u{00A0}Gate Systems", // no-break space
        ] {
            assert_eq!(name_key(twin), key, "{twin:?}");
        }
        assert_ne!(name_key("Acme Gate System"), key);
    }

    #[test]
    fn a_special_fapiao_needs_the_whole_profile() {
        let edit = ProfileEdit {
            fapiao_type: Some("专用发票".into()),
            tax_id: Some("91440300708461136T".into()),
            ..ProfileEdit::default()
        };
        let err = BillingProfile::default()
            .edited(&edit)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("missing: address, phone, bank, bank account"),
            "{err}"
        );
        let full = ProfileEdit {
            address: Some("深圳市南山区".into()),
            phone: Some("+86 755 8601 3388".into()),
            bank: Some("招商银行深圳分行".into()),
            bank_account: Some("7559 0000 0000 001".into()),
            ..edit
        };
        let p = BillingProfile::default().edited(&full).unwrap();
        assert_eq!(p.fapiao_type, Some(FapiaoType::Special));
        // Clearing a field the special fapiao needs is refused too.
        let clear = ProfileEdit {
            bank: Some(String::new()),
            ..ProfileEdit::default()
        };
        assert!(p.edited(&clear).is_err());
    }

    #[test]
    fn profile_fields_are_checked() {
        let p = BillingProfile::default();
        for edit in [
            ProfileEdit {
                tax_id: Some("91440300708461136A".into()),
                ..Default::default()
            },
            ProfileEdit {
                email: Some("finance@".into()),
                ..Default::default()
            },
            ProfileEdit {
                phone: Some("call me".into()),
                ..Default::default()
            },
            ProfileEdit {
                fapiao_type: Some("electronic".into()),
                ..Default::default()
            },
            ProfileEdit {
                payment_terms_days: Some(400),
                ..Default::default()
            },
            ProfileEdit {
                address: Some("a\u{7}b".into()),
                ..Default::default()
            },
        ] {
            assert!(p.edited(&edit).is_err(), "{edit:?}");
        }
    }

    #[test]
    fn names_that_read_like_ids() {
        for id in ["C-000001", "c-12", "C000001", "c 7"] {
            assert!(looks_like_an_id(&name_key(id)), "{id}");
        }
        for name in ["C-Tech", "Cisco", "C-3PO Robotics", "C"] {
            assert!(!looks_like_an_id(&name_key(name)), "{name}");
        }
    }
}
