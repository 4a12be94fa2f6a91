//! The ledger schema and its migrations.
//!
//! `PRAGMA user_version` records how many migrations have run; opening a
//! desk runs the missing ones, each in its own transaction, under the
//! writers' lock (see [`super::ledger`]).

use rusqlite::{Connection, Transaction};

use super::Result;

/// One schema change: SQL, or SQL followed by a step that fills new columns.
enum Migration {
    Sql(&'static str),
    SqlThen(&'static str, fn(&Transaction<'_>) -> Result<()>),
}

/// Migrations in order; never edit one that has shipped, append a new one.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
        // 1: the initial ledger.
        r#"
    CREATE TABLE keys (
        key_id      TEXT PRIMARY KEY,
        public_pem  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        active      INTEGER NOT NULL CHECK (active IN (0, 1))
    );
    CREATE UNIQUE INDEX keys_one_active ON keys(active) WHERE active = 1;

    CREATE TABLE customers (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL UNIQUE,
        created_at  TEXT NOT NULL
    );

    CREATE TABLE orders (
        seq           INTEGER PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE,
        customer_id   TEXT NOT NULL REFERENCES customers(id),
        product       TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('device', 'device-trial', 'platform', 'platform-trial')),
        devices       INTEGER CHECK (devices IS NULL OR devices > 0),
        package       TEXT,
        trial_ends_at TEXT,
        created_at    TEXT NOT NULL,
        CHECK ((kind LIKE 'device%') = (devices IS NOT NULL)),
        CHECK ((kind LIKE 'platform%') = (package IS NOT NULL))
    );
    CREATE UNIQUE INDEX orders_one_device_trial ON orders(customer_id, product) WHERE kind = 'device-trial';
    CREATE UNIQUE INDEX orders_one_platform_trial ON orders(customer_id, product) WHERE kind = 'platform-trial';
    CREATE INDEX orders_customer ON orders(customer_id);

    CREATE TABLE terms (
        order_id    TEXT NOT NULL REFERENCES orders(id),
        seq         INTEGER NOT NULL,
        starts_at   TEXT NOT NULL,
        ends_at     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (order_id, seq),
        CHECK (ends_at > starts_at)
    );

    CREATE TABLE licenses (
        serial        TEXT PRIMARY KEY,
        order_id      TEXT NOT NULL REFERENCES orders(id),
        customer_id   TEXT NOT NULL REFERENCES customers(id),
        product       TEXT NOT NULL,
        kind          TEXT NOT NULL,
        device        TEXT,
        package       TEXT,
        term_seq      INTEGER,
        key_id        TEXT NOT NULL REFERENCES keys(key_id),
        issued_at     TEXT NOT NULL,
        not_before    TEXT NOT NULL,
        not_after     TEXT,
        file_name     TEXT NOT NULL,
        text          TEXT NOT NULL,
        revoked_at    TEXT,
        revoke_reason TEXT,
        replaced_by   TEXT REFERENCES licenses(serial),
        CHECK ((device IS NULL) != (package IS NULL))
    );
    CREATE UNIQUE INDEX licenses_one_live_per_device ON licenses(order_id, device)
        WHERE device IS NOT NULL AND revoked_at IS NULL;
    CREATE INDEX licenses_order ON licenses(order_id, replaced_by);
    CREATE INDEX licenses_customer ON licenses(customer_id, product);
    CREATE INDEX licenses_product ON licenses(product);
    CREATE INDEX licenses_not_after ON licenses(not_after) WHERE not_after IS NOT NULL AND revoked_at IS NULL;
    CREATE INDEX licenses_revoked ON licenses(revoked_at) WHERE revoked_at IS NOT NULL;

    CREATE TABLE audit (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        operator  TEXT NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT NOT NULL,
        detail    TEXT NOT NULL
    );
    "#,
    ),
    // 2: invoices, credit notes and gapless number sequences.
    Migration::Sql(
        r#"
    CREATE TABLE invoices (
        seq           INTEGER PRIMARY KEY,
        draft_id      TEXT NOT NULL UNIQUE,
        number        TEXT UNIQUE,
        order_id      TEXT NOT NULL REFERENCES orders(id),
        status        TEXT NOT NULL CHECK (status IN ('draft', 'final')),
        created_at    TEXT NOT NULL,
        finalized_at  TEXT,
        gross         TEXT NOT NULL,
        document      TEXT NOT NULL,
        CHECK ((status = 'final') = (number IS NOT NULL))
    );
    CREATE INDEX invoices_order ON invoices(order_id);

    -- What each invoice covers: a device order (term_seq 0) or one platform term.
    CREATE TABLE invoice_items (
        draft_id  TEXT NOT NULL REFERENCES invoices(draft_id) ON DELETE CASCADE,
        order_id  TEXT NOT NULL REFERENCES orders(id),
        term_seq  INTEGER NOT NULL,
        PRIMARY KEY (order_id, term_seq)
    );

    CREATE TABLE credit_notes (
        number          TEXT PRIMARY KEY,
        invoice_number  TEXT NOT NULL REFERENCES invoices(number),
        issued_at       TEXT NOT NULL,
        amount          TEXT NOT NULL,
        reason          TEXT NOT NULL
    );
    CREATE INDEX credit_notes_invoice ON credit_notes(invoice_number);

    CREATE TABLE sequences (
        name  TEXT PRIMARY KEY,
        last  INTEGER NOT NULL
    );

    CREATE TRIGGER invoices_final_is_immutable BEFORE UPDATE ON invoices WHEN OLD.status = 'final'
    BEGIN SELECT RAISE(ABORT, 'a finalized invoice cannot be changed'); END;
    CREATE TRIGGER invoices_final_is_kept BEFORE DELETE ON invoices WHEN OLD.status = 'final'
    BEGIN SELECT RAISE(ABORT, 'a finalized invoice cannot be deleted'); END;
    CREATE TRIGGER invoice_items_final_are_kept BEFORE DELETE ON invoice_items
        WHEN (SELECT status FROM invoices WHERE draft_id = OLD.draft_id) = 'final'
    BEGIN SELECT RAISE(ABORT, 'a finalized invoice cannot be changed'); END;
    CREATE TRIGGER credit_notes_are_immutable BEFORE UPDATE ON credit_notes
    BEGIN SELECT RAISE(ABORT, 'a credit note cannot be changed'); END;
    CREATE TRIGGER credit_notes_are_kept BEFORE DELETE ON credit_notes
    BEGIN SELECT RAISE(ABORT, 'a credit note cannot be deleted'); END;
    "#,
    ),
    // 3: the facelic application id (a ledger is recognised as one), the
    // desk clock's high-water mark, the index of revoked devices on large orders
    // (partial: issuing a license never writes to it),
    // and customers' normalised name keys (uniqueness beyond spelling).
    Migration::SqlThen(
        r#"
    PRAGMA application_id = 1179403339; -- 0x464C444B, "FLDK": ledger::APPLICATION_ID
    CREATE TABLE desk_clock (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        latest  TEXT NOT NULL
    );
    INSERT INTO desk_clock (id, latest) SELECT 1, MAX(at) FROM audit HAVING COUNT(*) > 0;
    CREATE INDEX licenses_revoked_device ON licenses(order_id, device)
        WHERE device IS NOT NULL AND revoked_at IS NOT NULL;
    ALTER TABLE customers ADD COLUMN name_key TEXT;
    ALTER TABLE orders ADD COLUMN cert_sha256 TEXT
        CHECK (cert_sha256 IS NULL OR (length(cert_sha256) = 64 AND kind LIKE 'platform%'));
    CREATE INDEX customers_name_key ON customers(name_key);
    "#,
        super::customers::fill_name_keys,
    ),
    // 4: money a finance team can file: the price agreed on each order and
    // term, saved quotes, customers' billing profiles, payments, and the
    // official fapiao recorded against a statement. Orders made before keep
    // NULL agreements and are priced from the catalog when invoiced.
    Migration::Sql(
        r#"
    CREATE TABLE quotes (
        seq           INTEGER PRIMARY KEY,
        number        TEXT NOT NULL UNIQUE,
        customer_id   TEXT NOT NULL REFERENCES customers(id),
        product       TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('device', 'platform')),
        devices       INTEGER CHECK (devices IS NULL OR devices > 0),
        price         TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        valid_until   TEXT NOT NULL,
        CHECK ((kind = 'device') = (devices IS NOT NULL))
    );
    CREATE TRIGGER quotes_are_immutable BEFORE UPDATE ON quotes
    BEGIN SELECT RAISE(ABORT, 'a saved quote cannot be changed'); END;
    CREATE TRIGGER quotes_are_kept BEFORE DELETE ON quotes
    BEGIN SELECT RAISE(ABORT, 'a saved quote cannot be deleted'); END;

    ALTER TABLE orders ADD COLUMN agreed TEXT;
    ALTER TABLE orders ADD COLUMN quote_number TEXT REFERENCES quotes(number);
    CREATE UNIQUE INDEX orders_one_per_quote ON orders(quote_number) WHERE quote_number IS NOT NULL;
    ALTER TABLE terms ADD COLUMN fee TEXT;
    ALTER TABLE terms ADD COLUMN discount_pct TEXT;

    ALTER TABLE customers ADD COLUMN legal_name TEXT;
    ALTER TABLE customers ADD COLUMN tax_id TEXT;
    ALTER TABLE customers ADD COLUMN address TEXT;
    ALTER TABLE customers ADD COLUMN phone TEXT;
    ALTER TABLE customers ADD COLUMN bank TEXT;
    ALTER TABLE customers ADD COLUMN bank_account TEXT;
    ALTER TABLE customers ADD COLUMN email TEXT;
    ALTER TABLE customers ADD COLUMN fapiao_type TEXT CHECK (fapiao_type IN ('ordinary', 'special'));
    ALTER TABLE customers ADD COLUMN payment_terms_days INTEGER CHECK (payment_terms_days BETWEEN 0 AND 365);

    ALTER TABLE invoices ADD COLUMN due_on TEXT;

    CREATE TABLE payments (
        seq             INTEGER PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        invoice_number  TEXT NOT NULL REFERENCES invoices(number),
        amount          TEXT NOT NULL,
        paid_on         TEXT NOT NULL,
        reference       TEXT NOT NULL,
        recorded_at     TEXT NOT NULL
    );
    CREATE INDEX payments_invoice ON payments(invoice_number);
    CREATE TRIGGER payments_are_immutable BEFORE UPDATE ON payments
    BEGIN SELECT RAISE(ABORT, 'a recorded payment cannot be changed'); END;
    CREATE TRIGGER payments_are_kept BEFORE DELETE ON payments
    BEGIN SELECT RAISE(ABORT, 'a recorded payment cannot be deleted'); END;

    CREATE TABLE fapiao (
        invoice_number  TEXT PRIMARY KEY REFERENCES invoices(number),
        number          TEXT NOT NULL,
        issued_on       TEXT NOT NULL,
        recorded_at     TEXT NOT NULL
    );
    CREATE TRIGGER fapiao_is_immutable BEFORE UPDATE ON fapiao
    BEGIN SELECT RAISE(ABORT, 'a recorded fapiao cannot be changed'); END;
    CREATE TRIGGER fapiao_is_kept BEFORE DELETE ON fapiao
    BEGIN SELECT RAISE(ABORT, 'a recorded fapiao cannot be deleted'); END;
    "#,
    ),
];

/// The first schema version whose ledgers carry the application id.
pub(crate) const STAMPED_FROM: i64 = 3;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Runs the migrations the ledger has not seen yet.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Runs the migrations up to schema version `target`.
fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(super::DeskError::NewerLedger {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    // Re-read the version inside each write transaction: another process
    // may have migrated while this one waited for the lock.
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(migration) = usize::try_from(version)
            .ok()
            .filter(|_| version < target)
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::SqlThen(sql, fill) => {
                tx.execute_batch(sql)?;
                fill(&tx)?;
            }
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamped_application_id_is_the_ledgers() {
        assert_eq!(1_179_403_339, super::super::ledger::APPLICATION_ID);
    }

    #[test]
    fn a_version_2_ledger_is_upgraded_in_place() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO customers (seq, id, name, created_at) VALUES (1, 'C-000001', 'ACME  Gate', '2026-01-01T00:00:00Z');
             INSERT INTO audit (at, operator, action, subject, detail) VALUES
                ('2026-01-01T00:00:00Z', 'a', 'customer.add', 'C-000001', '{}'),
                ('2026-03-01T00:00:00Z', 'a', 'customer.add', 'C-000001', '{}');",
        )
        .unwrap();
        let app_id = |c: &Connection| -> i32 {
            c.query_row("PRAGMA application_id", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(app_id(&conn), 0);
        migrate(&mut conn).unwrap();
        assert_eq!(app_id(&conn), super::super::ledger::APPLICATION_ID);
        let key: String = conn
            .query_row("SELECT name_key FROM customers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(key, "acme gate");
        let latest: String = conn
            .query_row("SELECT latest FROM desk_clock", [], |r| r.get(0))
            .unwrap();
        assert_eq!(latest, "2026-03-01T00:00:00Z");
        // Running the migrations again changes nothing.
        migrate(&mut conn).unwrap();
    }

    #[test]
    fn a_fresh_ledger_has_no_clock_mark_yet() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM desk_clock", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }
}
