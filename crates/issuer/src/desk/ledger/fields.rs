//! Ledger values read and written through types.
//!
//! Every column that holds more than free text (a time, a kind, a serial, a
//! device code, an amount) is read with [`Fields`], which parses it into its
//! type and turns a value that does not parse into a [`CorruptValue`] naming
//! the table, the row and the column. Nothing falls back to a default.

use facelic_invoice::Decimal;
use rusqlite::Row;
use rusqlite::types::{FromSql, ToSql, ToSqlOutput, Type, ValueRef};

use crate::desk::CorruptValue;
use crate::{DeviceCode, Kind, Serial, Timestamp};

/// A type stored in the ledger as text, in one canonical form.
pub(crate) trait LedgerText: Sized {
    /// What the column holds, for error messages ("a timestamp").
    const EXPECTED: &'static str;
    /// Parses the stored form; `None` when it is not one.
    fn from_ledger(text: &str) -> Option<Self>;
    /// The stored form.
    fn to_ledger(&self) -> String;
}

impl LedgerText for Timestamp {
    const EXPECTED: &'static str = "a timestamp (YYYY-MM-DDTHH:MM:SSZ)";
    fn from_ledger(text: &str) -> Option<Self> {
        Timestamp::parse(text)
    }
    fn to_ledger(&self) -> String {
        self.to_string()
    }
}

impl LedgerText for Kind {
    const EXPECTED: &'static str = "a license kind";
    fn from_ledger(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn to_ledger(&self) -> String {
        self.as_str().to_owned()
    }
}

impl LedgerText for Serial {
    const EXPECTED: &'static str = "a license serial (UUID)";
    fn from_ledger(text: &str) -> Option<Self> {
        let serial: Serial = text.parse().ok()?;
        // The ledger keeps the one canonical (lower-case) spelling.
        (serial.to_string() == text).then_some(serial)
    }
    fn to_ledger(&self) -> String {
        self.to_string()
    }
}

impl LedgerText for DeviceCode {
    const EXPECTED: &'static str = "a device code";
    fn from_ledger(text: &str) -> Option<Self> {
        let code: DeviceCode = text.parse().ok()?;
        (code.to_string() == text).then_some(code)
    }
    fn to_ledger(&self) -> String {
        self.to_string()
    }
}

impl LedgerText for Decimal {
    const EXPECTED: &'static str =
        "an amount (digits, at most two decimals, at most 999,999,999,999,999.99)";
    fn from_ledger(text: &str) -> Option<Self> {
        facelic_invoice::money::parse_decimal(text)
            .filter(|d| d.scale() <= 2 && d.abs() <= facelic_invoice::money::MAX_TOTAL)
    }
    fn to_ledger(&self) -> String {
        format!("{:.2}", self.round_dp(2))
    }
}

impl LedgerText for facelic_invoice::Cycle {
    const EXPECTED: &'static str = "a settlement cycle (monthly or daily)";
    fn from_ledger(text: &str) -> Option<Self> {
        facelic_invoice::Cycle::parse(text)
    }
    fn to_ledger(&self) -> String {
        self.as_str().to_owned()
    }
}

impl LedgerText for facelic_invoice::dates::Date {
    const EXPECTED: &'static str = "a date (YYYY-MM-DD)";
    fn from_ledger(text: &str) -> Option<Self> {
        let date = facelic_invoice::dates::Date::parse(text)?;
        (date.to_string() == text).then_some(date)
    }
    fn to_ledger(&self) -> String {
        self.to_string()
    }
}

impl LedgerText for facelic_invoice::dates::Stamp {
    const EXPECTED: &'static str = "a time (RFC 3339, to the second)";
    fn from_ledger(text: &str) -> Option<Self> {
        facelic_invoice::dates::Stamp::parse(text)
    }
    fn to_ledger(&self) -> String {
        self.to_string()
    }
}

impl LedgerText for facelic_invoice::invoice::DocumentStatus {
    const EXPECTED: &'static str = "draft or final";
    fn from_ledger(text: &str) -> Option<Self> {
        facelic_invoice::invoice::DocumentStatus::parse(text)
    }
    fn to_ledger(&self) -> String {
        self.as_str().to_owned()
    }
}

/// The one value a query returns (an aggregate such as `MAX(not_after)`),
/// read as `T`; `None` when it is NULL. A value that does not read as `T`
/// is a [`CorruptValue`] naming `table`, `row` and `column`.
pub(crate) fn scalar<T: LedgerText>(
    db: &super::Db,
    sql: &str,
    params: impl rusqlite::Params,
    (table, row, column): (&'static str, &str, &str),
) -> super::Result<Option<T>> {
    let value: Option<String> = db.conn.query_row(sql, params, |r| r.get(0))?;
    value
        .map(|text| {
            T::from_ledger(&text).ok_or_else(|| {
                CorruptValue {
                    table,
                    row: row.to_owned(),
                    column: column.to_owned(),
                    value: format!("{text:?}"),
                    expected: T::EXPECTED,
                }
                .into()
            })
        })
        .transpose()
}

/// `value` as a stored JSON document without the fields `names` (a column
/// of its row holds them; [`Fields::json_with_columns`] reads it back).
pub(crate) fn json_without(value: &impl serde::Serialize, names: &[&str]) -> super::Result<String> {
    let mut body = serde_json::to_value(value)?;
    if let Some(fields) = body.as_object_mut() {
        for name in names {
            fields.remove(*name);
        }
    }
    Ok(serde_json::to_string(&body)?)
}

/// Serializes a value by its `Display` form (timestamps, kinds, serials in JSON output).
pub(crate) fn display<T: std::fmt::Display, S: serde::Serializer>(
    value: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// [`display`] for optional values (`null` when absent).
pub(crate) fn display_opt<T: std::fmt::Display, S: serde::Serializer>(
    value: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// A SHA-256 digest, as 64 lower-case hex digits.
impl LedgerText for [u8; 32] {
    const EXPECTED: &'static str = "a SHA-256 digest (64 lower-case hex digits)";
    fn from_ledger(text: &str) -> Option<Self> {
        let nibble = |b: u8| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        };
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            *o = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Some(out)
    }
    fn to_ledger(&self) -> String {
        self.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Serializes an optional SHA-256 digest as hex (`null` when absent).
pub(crate) fn hex_opt<S: serde::Serializer>(
    value: &Option<[u8; 32]>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(d) => s.serialize_str(&d.to_ledger()),
        None => s.serialize_none(),
    }
}

/// A value written to the ledger in its [`LedgerText`] form.
pub(crate) struct Text<'a, T: LedgerText>(pub(crate) &'a T);

impl<T: LedgerText> ToSql for Text<'_, T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.to_ledger()))
    }
}

/// The columns of one ledger row, read by name, with the row's key for errors.
pub(crate) struct Fields<'r, 's> {
    row: &'r Row<'s>,
    table: &'static str,
    key: String,
}

impl<'r, 's> Fields<'r, 's> {
    /// Reads `row` of `table`, whose key is in column `key_column`.
    pub(crate) fn new(
        row: &'r Row<'s>,
        table: &'static str,
        key_column: &str,
    ) -> rusqlite::Result<Self> {
        let key = match row.get_ref(key_column)? {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            ValueRef::Integer(n) => n.to_string(),
            other => format!("{other:?}"),
        };
        Ok(Fields { row, table, key })
    }

    fn corrupt(
        &self,
        column: &str,
        value: ValueRef<'_>,
        expected: &'static str,
    ) -> rusqlite::Error {
        let value = match value {
            ValueRef::Null => "NULL".to_owned(),
            ValueRef::Integer(n) => n.to_string(),
            ValueRef::Real(x) => x.to_string(),
            ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
            ValueRef::Blob(b) => format!("a {}-byte blob", b.len()),
        };
        let index = self.row.as_ref().column_index(column).unwrap_or(0);
        rusqlite::Error::FromSqlConversionFailure(
            index,
            Type::Text,
            Box::new(CorruptValue {
                table: self.table,
                row: self.key.clone(),
                column: column.to_owned(),
                value,
                expected,
            }),
        )
    }

    /// A corrupt-value error for `column` of this row, whatever it holds.
    pub(crate) fn corrupt_text(&self, column: &str, expected: &'static str) -> rusqlite::Error {
        match self.row.get_ref(column) {
            Ok(value) => self.corrupt(column, value, expected),
            Err(e) => e,
        }
    }

    /// A typed column that must hold a value.
    pub(crate) fn get<T: LedgerText>(&self, column: &str) -> rusqlite::Result<T> {
        self.opt(column)?
            .ok_or_else(|| self.corrupt(column, ValueRef::Null, T::EXPECTED))
    }

    /// A typed column that may be `NULL`.
    pub(crate) fn opt<T: LedgerText>(&self, column: &str) -> rusqlite::Result<Option<T>> {
        let value = self.row.get_ref(column)?;
        match value {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .ok()
                .and_then(T::from_ledger)
                .map(Some)
                .ok_or_else(|| self.corrupt(column, value, T::EXPECTED)),
            _ => Err(self.corrupt(column, value, T::EXPECTED)),
        }
    }

    /// A plain column (text, integer) that must have its SQL type.
    pub(crate) fn plain<T: FromSql>(&self, column: &str) -> rusqlite::Result<T> {
        let value = self.row.get_ref(column)?;
        T::column_result(value).map_err(|_| self.corrupt(column, value, plain_expected::<T>()))
    }

    /// A column of JSON text.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self, column: &str) -> rusqlite::Result<T> {
        let value = self.row.get_ref(column)?;
        match value {
            ValueRef::Text(t) => serde_json::from_slice(t)
                .map_err(|_| self.corrupt(column, value, "a JSON document")),
            _ => Err(self.corrupt(column, value, "a JSON document")),
        }
    }

    /// A stored document written by [`json_without`]: the JSON in `column`,
    /// refused if it holds any of the fields `columns` names (they are the
    /// row's, kept once), read with those fields put back from `columns`.
    pub(crate) fn json_with_columns<T: serde::de::DeserializeOwned>(
        &self,
        column: &str,
        columns: impl IntoIterator<Item = (&'static str, serde_json::Value)>,
        expected: &'static str,
    ) -> rusqlite::Result<T> {
        let mut fields: serde_json::Map<String, serde_json::Value> = self.json(column)?;
        for (name, value) in columns {
            if fields.insert(name.to_owned(), value).is_some() {
                return Err(self.corrupt_text(column, expected));
            }
        }
        serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|_| self.corrupt_text(column, expected))
    }

    /// A count or quantity: a non-negative integer.
    pub(crate) fn count(&self, column: &str) -> rusqlite::Result<u64> {
        let value = self.row.get_ref(column)?;
        match value {
            ValueRef::Integer(n) if n >= 0 => Ok(n.unsigned_abs()),
            _ => Err(self.corrupt(column, value, "a non-negative integer")),
        }
    }

    /// A count that may be `NULL`.
    pub(crate) fn opt_count(&self, column: &str) -> rusqlite::Result<Option<u64>> {
        match self.row.get_ref(column)? {
            ValueRef::Null => Ok(None),
            _ => self.count(column).map(Some),
        }
    }
}

fn plain_expected<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    if name.contains("String") {
        "text"
    } else if name.contains("bool") {
        "0 or 1"
    } else {
        "an integer"
    }
}

/// Free text that reaches a document or the audit log (a reason, a note):
/// trimmed, 1 to `max` bytes on one line, no control characters — a line
/// break in a credit reason could forge a "BALANCE DUE" line on the text
/// statement. `what` names the field in the refusal.
pub(crate) fn one_line(what: &str, text: &str, max: usize) -> super::Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(crate::desk::InputError::Empty {
            what: what.to_owned(),
        }
        .into());
    }
    if text.len() > max || text.chars().any(char::is_control) {
        return Err(crate::desk::InputError::BadLine {
            what: what.to_owned(),
            max,
        }
        .into());
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_exactly_two_decimals() {
        assert_eq!(
            Decimal::from_ledger("1740.00").map(|d| d.to_ledger()),
            Some("1740.00".into())
        );
        assert_eq!(
            Decimal::from_ledger("-3.50").map(|d| d.to_ledger()),
            Some("-3.50".into())
        );
        assert_eq!(
            Decimal::from_ledger("348.5").map(|d| d.to_ledger()),
            Some("348.50".into())
        );
        for bad in [
            "", "1e2", "12.", ".5", "12.500", "abc", "1,00", " 1.00", "--1.00", "NaN",
        ] {
            assert_eq!(Decimal::from_ledger(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn serials_and_codes_only_in_their_canonical_spelling() {
        let serial = "0190b3c0-8a5e-4c3e-9a43-6f1f0d1d2e3f";
        assert!(Serial::from_ledger(serial).is_some());
        assert!(Serial::from_ledger(&serial.to_uppercase()).is_none());
        assert!(Kind::from_ledger("device-trial").is_some());
        assert!(Kind::from_ledger("perpetual").is_none());
        assert!(Timestamp::from_ledger("2026-11-01T00:00:00Z").is_some());
        assert!(Timestamp::from_ledger("2026-11-01").is_none());
    }

    #[test]
    fn document_statuses_and_stamps_read_only_their_own_forms() {
        use facelic_invoice::dates::Stamp;
        use facelic_invoice::invoice::DocumentStatus;
        for status in ["draft", "final", "open", "used"] {
            let read = DocumentStatus::from_ledger(status).unwrap();
            assert_eq!(read.to_ledger(), status);
        }
        for bad in ["Draft", "finalized", ""] {
            assert!(DocumentStatus::from_ledger(bad).is_none(), "{bad:?}");
        }
        for stamp in ["2027-01-05T18:00:00+08:00", "2026-11-01T00:00:00Z"] {
            assert_eq!(Stamp::from_ledger(stamp).unwrap().to_ledger(), stamp);
        }
        assert!(Stamp::from_ledger("2027-01-05").is_none());
    }

    #[test]
    fn a_bad_value_names_table_row_and_column() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let err = db
            .query_row("SELECT 'O-000007' AS id, 'perpetual' AS kind", [], |r| {
                Fields::new(r, "orders", "id")?.get::<Kind>("kind")
            })
            .unwrap_err();
        let desk: super::super::DeskError = err.into();
        assert_eq!(
            desk.to_string(),
            "ledger table orders, row O-000007: column kind holds \"perpetual\", which is not a license kind"
        );
        let null = db
            .query_row("SELECT 'O-1' AS id, NULL AS created_at", [], |r| {
                Fields::new(r, "orders", "id")?.get::<Timestamp>("created_at")
            })
            .unwrap_err();
        assert!(
            super::super::DeskError::from(null)
                .to_string()
                .contains("holds NULL")
        );
    }
}
