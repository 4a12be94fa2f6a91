//! The ledger schema and its migrations.
//!
//! `PRAGMA user_version` records how many migrations have run; opening a
//! desk runs the missing ones, each in its own transaction, under the
//! writers' lock (see [`super::file`]).

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};

use super::Result;

/// One schema change: SQL, SQL followed by a step that fills new columns,
/// or SQL that rebuilds tables (run with foreign-key enforcement off, as
/// SQLite's documented table rebuild requires, and checked before commit).
enum Migration {
    Sql(&'static str),
    SqlThen(&'static str, fn(&Transaction<'_>) -> Result<()>),
    Rebuild(&'static str),
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
        fill_name_keys,
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
    // 5: metered billing. Invoices may bill something other than an order
    // (a pack sale, a usage bill): `order_id` becomes optional, so the table
    // is rebuilt. Then usage accounts (activation and settlement cycle per
    // product family), prepaid packs, imported calls, usage bills and which
    // pack covered which calls.
    Migration::Rebuild(
        r#"
    DROP TRIGGER invoice_items_final_are_kept;
    CREATE TABLE invoices_v5 (
        seq           INTEGER PRIMARY KEY,
        draft_id      TEXT NOT NULL UNIQUE,
        number        TEXT UNIQUE,
        order_id      TEXT REFERENCES orders(id),
        status        TEXT NOT NULL CHECK (status IN ('draft', 'final')),
        created_at    TEXT NOT NULL,
        finalized_at  TEXT,
        gross         TEXT NOT NULL,
        document      TEXT NOT NULL,
        due_on        TEXT,
        CHECK ((status = 'final') = (number IS NOT NULL))
    );
    INSERT INTO invoices_v5 (seq, draft_id, number, order_id, status, created_at, finalized_at, gross, document, due_on)
        SELECT seq, draft_id, number, order_id, status, created_at, finalized_at, gross, document, due_on FROM invoices;
    DROP TABLE invoices;
    ALTER TABLE invoices_v5 RENAME TO invoices;
    CREATE INDEX invoices_order ON invoices(order_id);
    CREATE TRIGGER invoices_final_is_immutable BEFORE UPDATE ON invoices WHEN OLD.status = 'final'
    BEGIN SELECT RAISE(ABORT, 'a finalized invoice cannot be changed'); END;
    CREATE TRIGGER invoices_final_is_kept BEFORE DELETE ON invoices WHEN OLD.status = 'final'
    BEGIN SELECT RAISE(ABORT, 'a finalized invoice cannot be deleted'); END;
    CREATE TRIGGER invoice_items_final_are_kept BEFORE DELETE ON invoice_items
        WHEN (SELECT status FROM invoices WHERE draft_id = OLD.draft_id) = 'final'
    BEGIN SELECT RAISE(ABORT, 'a finalized invoice cannot be changed'); END;

    CREATE TABLE usage_accounts (
        customer_id   TEXT NOT NULL REFERENCES customers(id),
        family        TEXT NOT NULL,
        activated_on  TEXT NOT NULL,
        cycle         TEXT NOT NULL CHECK (cycle IN ('monthly', 'daily')),
        recorded_at   TEXT NOT NULL,
        PRIMARY KEY (customer_id, family)
    );
    CREATE TRIGGER usage_accounts_are_immutable BEFORE UPDATE ON usage_accounts
    BEGIN SELECT RAISE(ABORT, 'an activation cannot be changed'); END;
    CREATE TABLE packs (
        seq           INTEGER PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE,
        customer_id   TEXT NOT NULL REFERENCES customers(id),
        product       TEXT NOT NULL,
        calls         INTEGER NOT NULL CHECK (calls > 0),
        price         TEXT NOT NULL,
        price_list    TEXT NOT NULL,
        bought_on     TEXT NOT NULL,
        last_day      TEXT NOT NULL,
        origin        TEXT NOT NULL CHECK (origin IN ('sale', 'trial')),
        invoice       TEXT REFERENCES invoices(number),
        recorded_at   TEXT NOT NULL,
        refunded_at   TEXT,
        refund_note   TEXT REFERENCES credit_notes(number),
        CHECK (last_day > bought_on),
        CHECK ((origin = 'sale') = (invoice IS NOT NULL))
    );
    CREATE INDEX packs_customer ON packs(customer_id, product);
    CREATE TRIGGER packs_keep_their_terms BEFORE UPDATE ON packs
        WHEN NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id OR NEW.product IS NOT OLD.product
          OR NEW.calls IS NOT OLD.calls OR NEW.price IS NOT OLD.price OR NEW.bought_on IS NOT OLD.bought_on
          OR NEW.last_day IS NOT OLD.last_day OR NEW.invoice IS NOT OLD.invoice OR OLD.refunded_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a pack cannot be changed, only refunded once'); END;
    CREATE TRIGGER packs_are_kept BEFORE DELETE ON packs
    BEGIN SELECT RAISE(ABORT, 'a pack cannot be deleted'); END;
    -- Calls per customer, product and day; `period` is the day, or the month
    -- (YYYY-MM) for a monthly total.
    CREATE TABLE usage (
        customer_id   TEXT NOT NULL REFERENCES customers(id),
        product       TEXT NOT NULL,
        period        TEXT NOT NULL,
        month         TEXT NOT NULL,
        calls         INTEGER NOT NULL CHECK (calls >= 0),
        imported_at   TEXT NOT NULL,
        PRIMARY KEY (customer_id, product, period)
    );
    CREATE INDEX usage_month ON usage(month, customer_id);
    CREATE TABLE usage_bills (
        seq           INTEGER PRIMARY KEY,
        customer_id   TEXT NOT NULL REFERENCES customers(id),
        month         TEXT NOT NULL,
        first_day     TEXT NOT NULL,
        last_day      TEXT NOT NULL,
        cycle         TEXT NOT NULL CHECK (cycle IN ('monthly', 'daily')),
        amount        TEXT NOT NULL,
        invoice       TEXT REFERENCES invoices(number),
        detail        TEXT NOT NULL,
        billed_at     TEXT NOT NULL,
        UNIQUE (customer_id, cycle, first_day)
    );
    CREATE INDEX usage_bills_month ON usage_bills(customer_id, month);
    CREATE TRIGGER usage_bills_are_immutable BEFORE UPDATE ON usage_bills
    BEGIN SELECT RAISE(ABORT, 'a usage bill cannot be changed'); END;
    CREATE TRIGGER usage_bills_are_kept BEFORE DELETE ON usage_bills
    BEGIN SELECT RAISE(ABORT, 'a usage bill cannot be deleted'); END;
    CREATE TABLE pack_uses (
        pack_id       TEXT NOT NULL REFERENCES packs(id),
        bill_seq      INTEGER NOT NULL REFERENCES usage_bills(seq),
        first_day     TEXT NOT NULL,
        last_day      TEXT NOT NULL,
        calls         INTEGER NOT NULL CHECK (calls > 0)
    );
    CREATE INDEX pack_uses_pack ON pack_uses(pack_id);
    CREATE TRIGGER pack_uses_are_immutable BEFORE UPDATE ON pack_uses
    BEGIN SELECT RAISE(ABORT, 'a pack use cannot be changed'); END;
    CREATE TRIGGER pack_uses_are_kept BEFORE DELETE ON pack_uses
    BEGIN SELECT RAISE(ABORT, 'a pack use cannot be deleted'); END;
    CREATE TABLE pack_expiries (
        pack_id       TEXT PRIMARY KEY REFERENCES packs(id),
        last_day      TEXT NOT NULL,
        unused        INTEGER NOT NULL CHECK (unused > 0),
        bill_seq      INTEGER NOT NULL REFERENCES usage_bills(seq)
    );
    "#,
    ),
    Migration::Sql(
        // Offline roots and certified signing keys (license format 2): the
        // roots the desk trusts, each signing key's certificate (or that it
        // awaits one), keys a root revoked, and the root-signed lists that
        // revoked them (exported with every revocation list).
        r#"
    ALTER TABLE keys ADD COLUMN certificate TEXT;
    ALTER TABLE keys ADD COLUMN awaiting_certificate INTEGER NOT NULL DEFAULT 0
        CHECK (awaiting_certificate IN (0, 1));
    ALTER TABLE keys ADD COLUMN revoked_at TEXT;
    CREATE TABLE roots (
        key_id      TEXT PRIMARY KEY,
        public_pem  TEXT NOT NULL,
        added_at    TEXT NOT NULL
    );
    CREATE TABLE key_revocation_lists (
        seq          INTEGER PRIMARY KEY,
        issued_at    TEXT NOT NULL,
        text         TEXT NOT NULL,
        imported_at  TEXT NOT NULL
    );
    CREATE TRIGGER key_revocation_lists_are_kept BEFORE DELETE ON key_revocation_lists
    BEGIN SELECT RAISE(ABORT, 'a root-signed revocation list cannot be deleted'); END;
    "#,
    ),
    Migration::Sql(
        // Keys in an HSM (PKCS#11): a key's label in the desk's token (no
        // key file then), and where that token is. The PIN is never stored:
        // `pin_env` names the environment variable it is read from (NULL:
        // asked for at the terminal).
        r#"
    ALTER TABLE keys ADD COLUMN hsm_label TEXT;
    CREATE TABLE hsm (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        module         TEXT NOT NULL,
        token          TEXT NOT NULL,
        pin_env        TEXT,
        configured_at  TEXT NOT NULL
    );
    "#,
    ),
    Migration::Sql(
        // The desk's own random id: written on the keys it makes in an HSM
        // (their CKA_ID), so another desk sharing the token cannot adopt
        // them unnoticed.
        r#"
    CREATE TABLE desk_identity (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        desk_id  TEXT NOT NULL CHECK (length(desk_id) = 16)
    );
    INSERT INTO desk_identity (id, desk_id) VALUES (1, lower(hex(randomblob(8))));
    CREATE TRIGGER desk_identity_is_kept BEFORE UPDATE ON desk_identity
    BEGIN SELECT RAISE(ABORT, 'the desk id cannot be changed'); END;
    "#,
    ),
    Migration::Sql(
        // Fapiao records that are corrected, never edited: a wrong record is
        // voided by a later one (`voids`; `number` NULL for a void alone),
        // and a statement's fapiao is its newest record that nothing voids.
        // The one-row-per-statement table's rows move here.
        r#"
    CREATE TABLE fapiao_records (
        seq             INTEGER PRIMARY KEY,
        invoice_number  TEXT NOT NULL REFERENCES invoices(number),
        number          TEXT,
        issued_on       TEXT,
        recorded_at     TEXT NOT NULL,
        voids           INTEGER REFERENCES fapiao_records(seq),
        reason          TEXT,
        CHECK ((number IS NULL) = (issued_on IS NULL)),
        CHECK ((voids IS NULL) = (reason IS NULL))
    );
    INSERT INTO fapiao_records (invoice_number, number, issued_on, recorded_at)
        SELECT invoice_number, number, issued_on, recorded_at FROM fapiao ORDER BY rowid;
    DROP TABLE fapiao;
    CREATE INDEX fapiao_records_invoice ON fapiao_records(invoice_number);
    CREATE INDEX fapiao_records_number ON fapiao_records(number);
    CREATE TRIGGER fapiao_records_are_immutable BEFORE UPDATE ON fapiao_records
    BEGIN SELECT RAISE(ABORT, 'a recorded fapiao cannot be changed: void it'); END;
    CREATE TRIGGER fapiao_records_are_kept BEFORE DELETE ON fapiao_records
    BEGIN SELECT RAISE(ABORT, 'a recorded fapiao cannot be deleted: void it'); END;
    "#,
    ),
    Migration::Sql(
        // Customer accounts: money received (receipts, `R-…`) that payments
        // apply to statements, the movements of customer credit and refunds
        // owed, and post-paid holds (`A-…`). Kept forever, like payments.
        // Fapiao records may be a credit note's red-letter fapiao.
        r#"
    CREATE TABLE account_entries (
        seq             INTEGER PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        customer_id     TEXT NOT NULL REFERENCES customers(id),
        kind            TEXT NOT NULL
            CHECK (kind IN ('receipt', 'credit', 'refund-owed', 'credit-applied', 'refund-paid',
                            'hold', 'hold-release')),
        amount          TEXT NOT NULL,
        entry_on        TEXT NOT NULL,
        statement       TEXT REFERENCES invoices(number),
        credit_note     TEXT REFERENCES credit_notes(number),
        receipt         TEXT REFERENCES account_entries(id),
        bucket          TEXT CHECK (bucket IN ('unapplied', 'credit', 'refund-owed')),
        reference       TEXT NOT NULL,
        recorded_at     TEXT NOT NULL,
        CHECK ((kind = 'refund-paid') = (bucket IS NOT NULL)),
        CHECK ((kind IN ('credit', 'refund-owed')) = (credit_note IS NOT NULL)),
        CHECK (kind <> 'credit-applied' OR statement IS NOT NULL)
    );
    CREATE INDEX account_entries_customer ON account_entries(customer_id);
    CREATE INDEX account_entries_statement ON account_entries(statement);
    CREATE TRIGGER account_entries_are_immutable BEFORE UPDATE ON account_entries
    BEGIN SELECT RAISE(ABORT, 'an account entry cannot be changed'); END;
    CREATE TRIGGER account_entries_are_kept BEFORE DELETE ON account_entries
    BEGIN SELECT RAISE(ABORT, 'an account entry cannot be deleted'); END;
    ALTER TABLE fapiao_records ADD COLUMN credit_note TEXT REFERENCES credit_notes(number);
    ALTER TABLE payments ADD COLUMN receipt TEXT REFERENCES account_entries(id);
    CREATE INDEX payments_receipt ON payments(receipt);
    "#,
    ),
    Migration::Sql(
        // Stored documents carry their version. Statements written before
        // are version 1: their JSON holds every field, some stale where a
        // column changed since (the columns win when read). From now on
        // version 2: the JSON holds no fact a column holds (number, status,
        // order, times, due date) nor what is joined when it is read
        // (credit notes, payments, fapiao); `ledger/invoices.rs`.
        r#"
    ALTER TABLE invoices ADD COLUMN doc_version INTEGER NOT NULL DEFAULT 1
        CHECK (doc_version >= 1);
    "#,
    ),
    Migration::Sql(
        // The other stored documents carry their version too. Usage bills
        // written before are version 1 (the whole bill in `detail`); from
        // now on version 2 leaves the first and last day and the amount to
        // their columns. Stored prices (an order's agreement, a quote's
        // price) are version 1, the shape they have had since schema 4.
        r#"
    ALTER TABLE usage_bills ADD COLUMN doc_version INTEGER NOT NULL DEFAULT 1
        CHECK (doc_version >= 1);
    ALTER TABLE orders ADD COLUMN agreed_version INTEGER NOT NULL DEFAULT 1
        CHECK (agreed_version >= 1);
    ALTER TABLE quotes ADD COLUMN price_version INTEGER NOT NULL DEFAULT 1
        CHECK (price_version >= 1);
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
        let next = conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .ok()
            .and_then(|v| usize::try_from(v).ok())
            .and_then(|v| MIGRATIONS.get(v));
        // Enforcement can only be switched outside a transaction.
        let rebuild = matches!(next, Some(Migration::Rebuild(_)));
        if rebuild {
            conn.pragma_update(None, "foreign_keys", "OFF")?;
        }
        let outcome = migrate_one(conn, target);
        if rebuild {
            conn.pragma_update(None, "foreign_keys", "ON")?;
        }
        if !outcome? {
            return Ok(());
        }
    }
}

/// Runs the next migration below `target` in its own transaction; false
/// when there was none to run.
fn migrate_one(conn: &mut Connection, target: i64) -> Result<bool> {
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(migration) = usize::try_from(version)
            .ok()
            .filter(|_| version < target)
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(false);
        };
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::SqlThen(sql, fill) => {
                tx.execute_batch(sql)?;
                fill(&tx)?;
            }
            Migration::Rebuild(sql) => {
                let enforced: bool = tx.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
                if enforced {
                    // Another process migrated while this one waited: the
                    // next migration is not the one enforcement was
                    // switched off for. Go round again.
                    return Ok(true);
                }
                tx.execute_batch(sql)?;
                let broken: Option<String> = tx
                    .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
                    .optional()?;
                if let Some(table) = broken {
                    return Err(super::DeskError::Damaged(format!(
                        "upgrading the ledger to schema {} found a dangling reference in table {table}",
                        version + 1
                    )));
                }
            }
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        Ok(true)
    }
}

/// Migration step: gives every existing customer its name key.
pub(crate) fn fill_name_keys(tx: &Transaction<'_>) -> Result<()> {
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT seq, name FROM customers")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare("UPDATE customers SET name_key = ?1 WHERE seq = ?2")?;
    for (seq, name) in rows {
        update.execute(params![crate::desk::customers::name_key(&name), seq])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamped_application_id_is_the_ledgers() {
        assert_eq!(1_179_403_339, super::super::file::APPLICATION_ID);
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
        assert_eq!(app_id(&conn), super::super::file::APPLICATION_ID);
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
    fn recorded_fapiao_move_to_records_that_are_voided_not_edited() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        // Version 8: the last with one fapiao row per statement.
        migrate_to(&mut conn, 8).unwrap();
        conn.execute_batch(
            "INSERT INTO customers (seq, id, name, created_at) VALUES (1, 'C-000001', 'Acme', '2026-01-01T00:00:00Z');
             INSERT INTO invoices (seq, draft_id, number, status, created_at, finalized_at, gross, document, due_on)
                 VALUES (1, 'D-000001', 'FL-2026-000001', 'final', 't', 't', '14400.00', '{}', '2026-02-01');
             INSERT INTO fapiao (invoice_number, number, issued_on, recorded_at)
                 VALUES ('FL-2026-000001', '26442000000012345678', '2026-01-05', '2026-01-05T02:00:00Z');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let row: (String, String, Option<i64>) = conn
            .query_row(
                "SELECT number, issued_on, voids FROM fapiao_records",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            ("26442000000012345678".into(), "2026-01-05".into(), None)
        );
        assert!(conn.execute("DELETE FROM fapiao_records", []).is_err());
        assert!(
            conn.query_row("SELECT 1 FROM fapiao", [], |_| Ok(()))
                .is_err(),
            "the old table is gone"
        );
    }

    #[test]
    fn a_version_4_ledger_keeps_its_invoices_through_the_rebuild() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate_to(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO customers (seq, id, name, created_at) VALUES (1, 'C-000001', 'Acme', '2026-01-01T00:00:00Z');
             INSERT INTO orders (seq, id, customer_id, product, kind, devices, created_at)
                 VALUES (1, 'O-000001', 'C-000001', 'face-detect', 'device', 50, '2026-01-01T00:00:00Z');
             INSERT INTO invoices (seq, draft_id, number, order_id, status, created_at, finalized_at, gross, document, due_on)
                 VALUES (1, 'D-000001', 'FL-2026-000001', 'O-000001', 'final', 't', 't', '14400.00', '{}', '2026-02-01');
             INSERT INTO invoice_items (draft_id, order_id, term_seq) VALUES ('D-000001', 'O-000001', 0);
             INSERT INTO credit_notes (number, invoice_number, issued_at, amount, reason)
                 VALUES ('CN-2026-000001', 'FL-2026-000001', 't', '1.00', 'r');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let row: (String, String, String) = conn
            .query_row("SELECT number, order_id, due_on FROM invoices", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(
            row,
            (
                "FL-2026-000001".into(),
                "O-000001".into(),
                "2026-02-01".into()
            )
        );
        // The immutability triggers and foreign keys came through.
        let changed = conn.execute("UPDATE invoices SET gross = '1.00'", []);
        assert!(
            changed
                .unwrap_err()
                .to_string()
                .contains("cannot be changed")
        );
        let removed = conn.execute("DELETE FROM invoice_items", []);
        assert!(
            removed
                .unwrap_err()
                .to_string()
                .contains("cannot be changed")
        );
        let dangling = conn.execute(
            "INSERT INTO credit_notes (number, invoice_number, issued_at, amount, reason) VALUES ('CN-2', 'FL-X', 't', '1.00', 'r')",
            [],
        );
        assert!(dangling.is_err(), "foreign keys are enforced again");
        // Invoices that bill no order are now possible.
        conn.execute(
            "INSERT INTO invoices (seq, draft_id, status, created_at, gross, document) VALUES (2, 'D-000002', 'draft', 't', '0.00', '{}')",
            [],
        )
        .unwrap();
    }

    /// The oldest shape of each stored document: only the fields that were
    /// there from the first (every later field arrived with a default).
    const OLDEST_STATEMENT: &str = r#"{
        "draft_id": "D-000001", "number": null, "status": "draft", "order_id": "O-000001",
        "created_at": "2026-01-01T08:00:00+08:00", "finalized_at": null,
        "seller": {"name": "Vendor", "address": "", "id": "91110000MA00000000"},
        "buyer": {"name": "Acme", "address": "", "id": "C-000001"},
        "currency": "CNY", "vat_rate": "6", "prices_include_tax": true,
        "lines": [{"product": "face-detect", "name_zh": "人脸检测", "name_en": "Face detection",
                   "description": "50 device licenses", "tier": "50-1000", "quantity": 50,
                   "unit_price": "288.00", "discount_pct": null,
                   "net": "13584.91", "tax": "815.09", "gross": "14400.00"}],
        "totals": {"net": "13584.91", "tax": "815.09", "gross": "14400.00"},
        "credits": []
    }"#;
    const OLDEST_PRICE: &str = r#"{"quantity": 50, "mode": "tier", "tier": "50-1000",
        "unit_price": "288.00", "portions": [], "subtotal": "14400.00",
        "discount_pct": null, "amount": "14400.00"}"#;
    const OLDEST_BILL: &str = r#"{"first_day": "2026-09-01", "last_day": "2026-09-30",
        "products": [], "amount": "0.00"}"#;

    /// A ledger left at every earlier schema, holding the documents of that
    /// time in their oldest shape (finalized statements, a quote, an
    /// agreement, a usage bill), is migrated by this build and every
    /// document reads back: what issue 26 asks of versioned documents.
    #[test]
    fn a_ledger_of_every_earlier_schema_migrates_and_its_documents_read() {
        let db = |conn| super::super::Db { conn };
        for schema in 2..SCHEMA_VERSION {
            let mut conn = Connection::open_in_memory().unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            migrate_to(&mut conn, schema).unwrap();
            conn.execute_batch(&format!(
                "INSERT INTO customers (seq, id, name, created_at)
                     VALUES (1, 'C-000001', 'Acme', '2026-01-01T00:00:00Z');
                 INSERT INTO orders (seq, id, customer_id, product, kind, devices, created_at)
                     VALUES (1, 'O-000001', 'C-000001', 'face-detect', 'device', 50,
                             '2026-01-01T00:00:00Z');
                 INSERT INTO invoices (seq, draft_id, order_id, status, created_at, gross, document)
                     VALUES (1, 'D-000001', 'O-000001', 'draft', '2026-01-01T08:00:00+08:00',
                             '14400.00', '{OLDEST_STATEMENT}');
                 UPDATE invoices SET number = 'FL-2026-000001', status = 'final',
                     finalized_at = '2026-01-02T08:00:00+08:00' WHERE draft_id = 'D-000001';"
            ))
            .unwrap();
            if schema >= 4 {
                conn.execute_batch(&format!(
                    "UPDATE orders SET agreed = '{OLDEST_PRICE}';
                     INSERT INTO quotes (seq, number, customer_id, product, kind, devices, price,
                                         created_at, valid_until)
                         VALUES (1, 'Q-2026-000001', 'C-000001', 'face-detect', 'device', 50,
                                 '{OLDEST_PRICE}', '2026-01-01T00:00:00Z', '2026-01-31');"
                ))
                .unwrap();
            }
            if schema >= 5 {
                conn.execute_batch(&format!(
                    "INSERT INTO usage_bills (customer_id, month, first_day, last_day, cycle,
                                              amount, detail, billed_at)
                         VALUES ('C-000001', '2026-09', '2026-09-01', '2026-09-30', 'monthly',
                                 '0.00', '{OLDEST_BILL}', '2026-10-01T00:00:00Z');"
                ))
                .unwrap();
            }
            migrate(&mut conn).unwrap();
            let ledger = db(conn);
            let statement = super::super::invoices::by_key(&ledger, "FL-2026-000001")
                .unwrap()
                .unwrap_or_else(|| panic!("schema {schema}: the statement is gone"));
            assert_eq!(statement.number.as_deref(), Some("FL-2026-000001"));
            assert_eq!(
                statement.status,
                facelic_invoice::invoice::DocumentStatus::Final,
                "schema {schema}: the column wins over the document's stale status"
            );
            assert_eq!(statement.totals.gross.to_string(), "14400.00");
            let order = super::super::orders::by_id(&ledger, "O-000001")
                .unwrap()
                .unwrap();
            if schema >= 4 {
                assert_eq!(order.agreed.unwrap().amount.to_string(), "14400.00");
                let zone = facelic_invoice::dates::TimeZone::default();
                let quote = super::super::quotes::by_number(&ledger, "Q-2026-000001", zone)
                    .unwrap()
                    .unwrap();
                assert_eq!(quote.price.quantity, 50);
            }
            if schema >= 5 {
                let month = facelic_invoice::dates::Month::parse("2026-09").unwrap();
                let bills = super::super::usage::bills_of_month(&ledger, "C-000001", month)
                    .unwrap_or_else(|e| panic!("schema {schema}: {e}"));
                assert_eq!(bills[0].bill.last_day.to_string(), "2026-09-30");
            }
        }
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
