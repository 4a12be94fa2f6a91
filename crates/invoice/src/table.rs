//! Tables finance files: one description of the columns and rows, rendered
//! as CSV that Excel opens in Chinese (UTF-8 with a byte-order mark) or as
//! an `.xlsx` workbook (money as numbers with two decimals, dates as dates).

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::dates::Date;

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// Money, shown with two decimals.
    Money(Decimal),
    /// A whole number.
    Int(i64),
    /// A calendar date.
    Date(Date),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as CSV/text shows it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money(m) => format!("{:.2}", m.round_dp(2)),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }

    /// The cell as a CSV file holds it: text made [`spreadsheet_text`].
    fn csv_text(&self) -> String {
        match self {
            Cell::Text(t) => spreadsheet_text(t).into_owned(),
            other => other.text(),
        }
    }
}

impl From<&str> for Cell {
    fn from(t: &str) -> Cell {
        Cell::Text(t.to_owned())
    }
}

impl From<String> for Cell {
    fn from(t: String) -> Cell {
        Cell::Text(t)
    }
}

impl From<Option<Date>> for Cell {
    fn from(d: Option<Date>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the workbook: {0}")]
pub struct TableError(#[from] XlsxError);

/// A titled table: a header row and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Sheet name (at most 31 characters in a workbook).
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these columns and no rows yet.
    pub fn new(title: &str, columns: &[&str]) -> Table {
        Table {
            title: title.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// CSV (RFC 4180 quoting) starting with a UTF-8 byte-order mark.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("\u{FEFF}");
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",")
        };
        s.push_str(&line(self.columns.clone()));
        s.push('\n');
        for row in &self.rows {
            s.push_str(&line(row.iter().map(Cell::csv_text).collect()));
            s.push('\n');
        }
        s
    }

    /// An `.xlsx` workbook with one sheet: bold header, money as numbers in
    /// `#,##0.00`, dates as dates.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, TableError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let name: String = self
            .title
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
        let bold = Format::new().set_bold();
        let money = Format::new().set_num_format("#,##0.00");
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (c, title) in self.columns.iter().enumerate() {
            sheet.write_string_with_format(0, col(c), title, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let c = col(c);
                match cell {
                    Cell::Text(t) => {
                        // A string cell is never a formula in a workbook.
                        sheet.write_string(r, c, t)?;
                    }
                    Cell::Money(m) => {
                        // Two decimals exactly; f64 holds every such amount a
                        // desk deals in (below 2^53 fen) without error.
                        let v: f64 = format!("{:.2}", m.round_dp(2)).parse().unwrap_or(0.0);
                        sheet.write_number_with_format(r, c, v, &money)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Date(d) => {
                        let x = rust_xlsxwriter::ExcelDateTime::parse_from_str(&d.to_string())?;
                        sheet.write_datetime_with_format(r, c, &x, &date)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.autofit();
        Ok(book.save_to_buffer()?)
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A text cell made safe for a spreadsheet: one that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return (which Excel, LibreOffice and
/// Sheets would run as a formula: `=HYPERLINK(…)`) gets a leading `'`, as
/// the OWASP guidance on CSV injection says. Money and counts are numbers
/// and are never given one.
pub fn spreadsheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// One CSV field, quoted when it has to be (RFC 4180).
pub fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new("Receivables 应收", &["customer", "amount", "due"]);
        t.rows.push(vec![
            Cell::from("深圳市某某科技有限公司, \"A\""),
            Cell::Money("1740".parse().unwrap()),
            Cell::Date(Date::parse("2027-01-31").unwrap()),
        ]);
        t
    }

    #[test]
    fn csv_has_a_bom_and_quotes_what_needs_it() {
        assert_eq!(
            sample().to_csv(),
            "\u{FEFF}customer,amount,due\n\"深圳市某某科技有限公司, \"\"A\"\"\",1740.00,2027-01-31\n"
        );
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_neutralised() {
        // A customer named `=HYPERLINK(...)` reached CSV cells as a formula.
        let mut t = Table::new("t", &["customer", "amount"]);
        for name in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
        ] {
            t.rows
                .push(vec![Cell::from(name), Cell::Money("-5".parse().unwrap())]);
        }
        let csv = t.to_csv();
        for line in csv.lines().skip(1) {
            let first = line.trim_start_matches('"');
            assert!(first.starts_with('\''), "{line}");
            assert!(line.ends_with(",-5.00"), "money stays a number: {line}");
        }
        assert_eq!(spreadsheet_text("Acme"), "Acme");
    }

    #[test]
    fn the_workbook_is_a_zip_with_a_sheet() {
        let bytes = sample().to_xlsx().unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert!(bytes.len() > 1000);
    }
}
