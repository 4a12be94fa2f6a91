//! The desk's issuer keys: one active signing key, earlier ones kept; the
//! offline roots the desk trusts, the certificates they gave its signing
//! keys (license format 2), and the root-signed lists that revoked keys.

use serde::Serialize;

use super::{Desk, DeskError, KEYS_DIR, KeyError, NotFound, Result, Tx, ledger};
use facelic_verifier::public_key_to_pem;

use crate::hsm::Hsm;
use crate::{Certificate, IssuerKey, KeyId, Keyring, License, Passphrase, RevocationList, Signer};
use facelic_verifier::{ListName, ListSigner, ListTerms};

/// A key the desk holds.
#[derive(Debug, Clone, Serialize)]
pub struct DeskKey {
    /// Key id.
    pub key_id: String,
    /// When it was created.
    #[serde(serialize_with = "super::fields::display")]
    pub created_at: crate::Timestamp,
    /// True for the key new licenses are signed with.
    pub active: bool,
    /// What the key is now.
    pub status: KeyStatus,
    /// The window its certificate lets it issue in (`from`, `until`), for a
    /// certified key.
    pub certified: Option<CertifiedWindow>,
    /// The public key (SPKI PEM).
    pub public_pem: String,
    /// The key's label in the desk's HSM, for a key that lives there (no
    /// key file then).
    pub hsm_label: Option<String>,
}

/// How a new signing key is made.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum NewKey<'a> {
    /// A key file in the desk, protected by the passphrase when given.
    File(Option<&'a Passphrase>),
    /// A key pair generated inside the desk's HSM, under this label
    /// (default: `facelic-` and eight random hex digits).
    InHsm(Option<&'a str>),
    /// The key pair already in the desk's HSM under this label; refused
    /// when another desk made it (its `CKA_ID` names another desk).
    FromHsm(&'a str),
    /// [`NewKey::FromHsm`], adopting it even when another desk made it
    /// (audited with the other desk's id): the operator's explicit override.
    AdoptFromHsm(&'a str),
}

/// Where a desk key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KeyStatus {
    /// New licenses are signed with it.
    Active,
    /// Made by `keys request`: waits for its certificate from a root.
    AwaitingCertificate,
    /// Certified for a window that has not opened yet (or for no product
    /// the desk sells): the active key keeps signing until
    /// [`Desk::activate_key`] makes this one active.
    Pending,
    /// No longer signs; its licenses keep verifying.
    Retired,
    /// A root revoked it: licenses it signed fail on devices that have the
    /// root's revocation list.
    Revoked,
}

impl KeyStatus {
    /// The status as `facelic keys list` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::AwaitingCertificate => "awaiting-certificate",
            KeyStatus::Pending => "pending",
            KeyStatus::Retired => "retired",
            KeyStatus::Revoked => "revoked",
        }
    }
}

/// The issuing window of a certified key.
#[derive(Debug, Clone, Serialize)]
pub struct CertifiedWindow {
    /// The root that certified it.
    pub root: String,
    /// First instant it may issue at.
    #[serde(serialize_with = "super::fields::display")]
    pub from: crate::Timestamp,
    /// End of the window (exclusive).
    #[serde(serialize_with = "super::fields::display")]
    pub until: crate::Timestamp,
    /// The only products it may issue, if the root restricted it.
    pub products: Option<Vec<String>>,
}

/// The active signing key, with its certificate when a root certified it:
/// licenses are then format 2, else format 1.
pub(crate) struct DeskSigner {
    key: Signer,
    certificate: Option<Certificate>,
}

impl DeskSigner {
    /// Signs a license (format 2 when the key is certified).
    pub(crate) fn sign(&self, license: &License) -> Result<String> {
        Ok(self.key.sign(license, self.certificate.as_ref())?)
    }

    /// The key's id.
    pub(crate) fn key_id(&self) -> KeyId {
        self.key.key_id()
    }

    /// Refuses, before anything is recorded, what the certificate would not
    /// let the key sign: a product it does not cover, a time outside its window.
    pub(crate) fn check_may_issue(&self, product: &str, now: crate::Timestamp) -> Result<()> {
        let Some(cert) = &self.certificate else {
            return Ok(());
        };
        cert.allows(product, now).map_err(|e| {
            let key = cert.key_id().to_string();
            match e {
                facelic_verifier::VerifyError::CertificateWindow(_) => KeyError::OutsideWindow {
                    key,
                    not_before: cert.not_before(),
                    not_after: cert.not_after(),
                },
                _ => KeyError::ProductNotCertified {
                    key,
                    certified: cert
                        .products()
                        .unwrap_or_default()
                        .iter()
                        .map(|p| p.to_string())
                        .collect(),
                    product: product.to_owned(),
                },
            }
            .into()
        })
    }

    /// How this key signs a revocation list: with its certificate, or
    /// directly (a key apps trust themselves).
    fn list_signer(&self) -> ListSigner<'_> {
        match &self.certificate {
            Some(cert) => ListSigner::Certified(cert),
            None => ListSigner::Key(self.key.key_id()),
        }
    }

    /// The name of the list this key signs as number `sequence`.
    pub(crate) fn list_name(&self, sequence: u64) -> ListName {
        self.list_signer().name(sequence)
    }

    /// A format-3 revocation list of `serials`, number `sequence`, naming
    /// the other lists of its text (`lists`), signed by this key.
    pub(crate) fn revocation_list(
        &self,
        now: crate::Timestamp,
        sequence: u64,
        lists: &[ListName],
        serials: &[crate::Serial],
    ) -> Result<String> {
        let terms = ListTerms {
            issued_at: now,
            sequence,
            lists,
            signing_keys: &[],
            serials,
        };
        self.key
            .encode_with(|sign| RevocationList::encode_v3(&terms, self.list_signer(), sign))?
            .map_err(|e| DeskError::Internal(e.reason))
    }
}

impl DeskSigner {
    /// Refuses, inside the transaction that records what this key signs,
    /// a key a root revoked since it was loaded (`keys import-revocation`
    /// may commit between loading the key and that transaction).
    pub(crate) fn check_still_trusted(&self, tx: &Tx<'_>) -> Result<()> {
        let id = self.key_id().to_string();
        match ledger::keys::revoked_at(tx, &id)? {
            Some(None) => Ok(()),
            Some(Some(at)) => Err(KeyError::RevokedWhileStarting { key: id, at }.into()),
            None => Err(DeskError::Internal("the signing key is not in the ledger")),
        }
    }
}

impl Desk {
    /// Makes a new signing key as `new` says and makes it the active key
    /// — or, with `awaiting`, leaves it waiting for a root's certificate.
    /// Earlier keys stay in the keyring.
    pub(crate) fn add_key(&mut self, new: NewKey<'_>, awaiting: bool) -> Result<DeskKey> {
        self.add_key_publishing(new, awaiting, &mut |_| Ok(()))
    }

    /// [`Desk::add_key`], with `publish` given the new public key (PEM)
    /// inside the transaction that records it: when it fails, nothing is
    /// recorded and a new key file is removed again.
    fn add_key_publishing(
        &mut self,
        new: NewKey<'_>,
        awaiting: bool,
        publish: &mut dyn FnMut(&str) -> Result<()>,
    ) -> Result<DeskKey> {
        let token = match new {
            NewKey::File(_) => None,
            NewKey::InHsm(_) | NewKey::FromHsm(_) | NewKey::AdoptFromHsm(_) => {
                Some(self.open_hsm()?)
            }
        };
        self.add_key_with(new, token, awaiting, publish)
    }

    /// [`Desk::add_key`] with the desk's HSM `token` already open (for a
    /// key in the HSM). A key file is written 0600 (protected when asked)
    /// before the key is recorded.
    pub(crate) fn add_key_with(
        &mut self,
        new: NewKey<'_>,
        token: Option<Hsm>,
        awaiting: bool,
        publish: &mut dyn FnMut(&str) -> Result<()>,
    ) -> Result<DeskKey> {
        let mut written = Vec::new();
        let mut adopted_from = None;
        let (id, public_pem, hsm) = match (new, token) {
            (NewKey::File(protect), _) => {
                let key = IssuerKey::generate()?;
                let id = key.key_id().to_string();
                let dir = self.dir().join(KEYS_DIR);
                std::fs::create_dir_all(&dir).map_err(DeskError::io(&dir))?;
                let (private, public) =
                    (dir.join(format!("{id}.key")), dir.join(format!("{id}.pub")));
                key.write_files_with(&private, &public, protect, false)?;
                written = vec![private, public];
                (id, key.public_pem(), None)
            }
            (NewKey::InHsm(label), Some(token)) => {
                let label = match label {
                    Some(l) => l.to_owned(),
                    None => default_hsm_label()?,
                };
                let key = token.generate_key(&label, &self.hsm_owner()?)?;
                let token = key.token().to_owned();
                (
                    key.key_id().to_string(),
                    key.public_pem(),
                    Some((token, label)),
                )
            }
            (NewKey::FromHsm(label) | NewKey::AdoptFromHsm(label), Some(token)) => {
                let key = token.find_key(label)?;
                let id = key.key_id().to_string();
                let ours = self.hsm_owner()?;
                if let Some(owner) = key
                    .owner()
                    .filter(|o| o.starts_with("facelic") && *o != ours)
                {
                    if !matches!(new, NewKey::AdoptFromHsm(_)) {
                        return Err(KeyError::OtherDesksKey {
                            key: id,
                            label: label.to_owned(),
                            owner: owner.to_owned(),
                        }
                        .into());
                    }
                    adopted_from = Some(owner.to_owned());
                }
                if self.keys()?.iter().any(|k| k.key_id == id) {
                    return Err(KeyError::HeldAlready {
                        key: id,
                        label: label.to_owned(),
                    }
                    .into());
                }
                if self.roots()?.get(key.key_id()).is_some() {
                    return Err(KeyError::RootAsSigningKey {
                        key: id,
                        label: label.to_owned(),
                    }
                    .into());
                }
                let token = key.token().to_owned();
                (id, key.public_pem(), Some((token, label.to_owned())))
            }
            (NewKey::InHsm(_) | NewKey::FromHsm(_) | NewKey::AdoptFromHsm(_), None) => {
                return Err(DeskError::Internal("an HSM key without an open token"));
            }
        };
        let recorded = self.ledger.write(|tx| {
            let previous = ledger::keys::active_id(tx)?;
            ledger::keys::insert(
                tx,
                &ledger::keys::NewKeyRow {
                    id: &id,
                    public_pem: &public_pem,
                    active: !awaiting,
                    awaiting,
                    hsm_label: hsm.as_ref().map(|(_, label)| label.as_str()),
                },
            )?;
            let action = match (awaiting, &previous) {
                (true, _) => "keys.request",
                (false, Some(_)) => "keys.rotate",
                (false, None) => "keys.create",
            };
            let hsm = hsm
                .as_ref()
                .map(|(token, label)| serde_json::json!({ "token": token, "label": label }));
            let detail = match &adopted_from {
                Some(owner) => {
                    serde_json::json!({ "previous": previous, "hsm": hsm, "adopted_from": owner })
                }
                None => serde_json::json!({ "previous": previous, "hsm": hsm }),
            };
            tx.audit(action, &id, &detail)?;
            publish(&public_pem)
        });
        if let Err(e) = recorded {
            // Nothing recorded: a key file the ledger does not know is removed.
            for path in written {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
        self.key(&id)
    }

    /// What the desk writes as the `CKA_ID` of the keys it makes in an
    /// HSM: `facelic desk <its id>`.
    fn hsm_owner(&self) -> Result<String> {
        let id = ledger::keys::desk_id(self.db())?;
        Ok(format!("facelic desk {id}"))
    }

    /// Makes a new active signing key; licenses signed by earlier keys keep
    /// verifying with the exported keyring.
    pub fn rotate_key(&mut self) -> Result<DeskKey> {
        self.add_key(NewKey::File(None), false)
    }

    /// [`Desk::rotate_key`], the new key made as `new` says (a protected
    /// file, or in the desk's HSM).
    pub fn rotate_key_with(&mut self, new: NewKey<'_>) -> Result<DeskKey> {
        self.add_key(new, false)
    }

    /// Makes a new signing key that waits for a root's certificate (its
    /// public key is the certification request); the active key stays
    /// active until [`Desk::import_certificate`]. Audited as `keys.request`.
    pub fn request_signing_key(&mut self, new: NewKey<'_>) -> Result<DeskKey> {
        self.request_signing_key_to(new, &mut |_| Ok(()))
    }

    /// [`Desk::request_signing_key`], handing the request (the public key,
    /// PEM) to `publish` inside the transaction that records the key: when
    /// it cannot be written, no key is recorded or kept.
    pub fn request_signing_key_to(
        &mut self,
        new: NewKey<'_>,
        publish: &mut dyn FnMut(&str) -> Result<()>,
    ) -> Result<DeskKey> {
        self.trusted_roots()?;
        self.add_key_publishing(new, true, publish)
    }

    /// Trusts a root public key (SPKI PEM): certificates it signed can be
    /// imported, and its key revocations honoured. Audited as `keys.root`.
    pub fn add_root(&mut self, public_pem: &str) -> Result<String> {
        let key = crate::keyring::single_key(public_pem)
            .map_err(|e| KeyError::BadRootKey(e.to_string()))?;
        let pem = public_key_to_pem(&key);
        let id = KeyId::of(&key).to_string();
        if self.keys()?.iter().any(|k| k.key_id == id) {
            return Err(KeyError::SigningKeyAsRoot(id).into());
        }
        self.ledger.write(|tx| {
            if !ledger::keys::add_root(tx, &id, &pem)? {
                return Err(KeyError::RootTrusted(id.clone()).into());
            }
            tx.audit("keys.root", &id, &serde_json::json!({}))
        })?;
        Ok(id)
    }

    /// The roots the desk trusts, as a keyring.
    pub fn roots(&self) -> Result<Keyring> {
        let pems = ledger::keys::root_pems(self.db())?;
        if pems.is_empty() {
            return Ok(Keyring::new());
        }
        Keyring::from_pem(&pems.concat()).map_err(|e| corrupt("roots", "", "public_pem", &e))
    }

    /// [`Desk::roots`], refused when there are none yet.
    fn trusted_roots(&self) -> Result<Keyring> {
        let roots = self.roots()?;
        if roots.is_empty() {
            return Err(KeyError::NoRoot.into());
        }
        Ok(roots)
    }

    /// Imports a root's certificate for one of the desk's signing keys and
    /// makes that key the active one: licenses are format 2 from now on.
    /// A certificate whose window has not opened yet, or that covers no
    /// product the catalog sells, is stored and its key left
    /// [`KeyStatus::Pending`]: the working key keeps signing until
    /// [`Desk::activate_key`]. Refused when no trusted root signed it, when
    /// it certifies no key of the desk, a revoked key, or a window that has
    /// ended. Audited as `keys.certify`.
    pub fn import_certificate(&mut self, text: &str) -> Result<DeskKey> {
        let roots = self.trusted_roots()?;
        let cert = Certificate::parse(text, &roots)
            .map_err(|e| KeyError::BadCertificate(e.to_string()))?;
        let id = cert.key_id().to_string();
        let key = self.key(&id).map_err(|e| match e {
            DeskError::NotFound(_) => KeyError::CertificateForUnknownKey(id.clone()).into(),
            other => other,
        })?;
        if key.status == KeyStatus::Revoked {
            return Err(KeyError::RevokedByRoot(id).into());
        }
        let now = self.now();
        if now >= cert.not_after() {
            return Err(KeyError::CertificateEnded(cert.not_after()).into());
        }
        let pending = self.activation_refused(&cert, now).is_some();
        let window = serde_json::json!({
            "root": cert.root_key_id().to_string(),
            "from": cert.not_before().to_string(),
            "until": cert.not_after().to_string(),
            "products": cert.products(),
            "pending": pending,
        });
        self.ledger.write(|tx| {
            ledger::keys::store_certificate(tx, &id, text, pending)?;
            tx.audit("keys.certify", &id, &window)
        })?;
        self.key(&id)
    }

    /// Why a key certified by `cert` may not become the signing key at
    /// `now`: its window has not opened (or has ended), or it covers no
    /// product the catalog sells.
    fn activation_refused(&self, cert: &Certificate, now: crate::Timestamp) -> Option<KeyError> {
        if now < cert.not_before() || now >= cert.not_after() {
            return Some(KeyError::NotInWindow {
                key: cert.key_id().to_string(),
                not_before: cert.not_before(),
                not_after: cert.not_after(),
            });
        }
        let products = cert.products()?;
        let sold = self
            .catalog
            .products
            .iter()
            .any(|p| products.contains(&p.id));
        (!sold).then(|| KeyError::NothingSold {
            key: cert.key_id().to_string(),
            products: products.iter().map(|p| p.to_string()).collect(),
        })
    }

    /// Makes a [`KeyStatus::Pending`] key the active signing key, once its
    /// certificate's window has opened and it covers a product the desk
    /// sells. Audited as `keys.activate`.
    pub fn activate_key(&mut self, id: &str) -> Result<DeskKey> {
        let key = self.key(id)?;
        if key.status != KeyStatus::Pending {
            return Err(KeyError::NotPending {
                key: key.key_id,
                status: key.status.as_str(),
            }
            .into());
        }
        let text = ledger::keys::certificate_of(self.db(), &key.key_id)?
            .ok_or(DeskError::Internal("a pending key without its certificate"))?;
        let cert = stored_certificate(&text, &key.key_id, &self.roots()?)?;
        if let Some(why) = self.activation_refused(&cert, self.now()) {
            return Err(why.into());
        }
        let id = key.key_id;
        self.ledger.write(|tx| {
            let previous = ledger::keys::active_id(tx)?;
            ledger::keys::activate(tx, &id)?;
            tx.audit(
                "keys.activate",
                &id,
                &serde_json::json!({ "previous": previous }),
            )
        })?;
        self.key(&id)
    }

    /// Imports a root-signed revocation list of signing keys: each listed
    /// key of the desk is marked revoked (an active one stops signing:
    /// certify a new key, then `reissue` its licenses), and the list is
    /// kept, to go out with every revocation list the desk exports. Returns
    /// the ids of the desk's keys it revoked. Audited as `keys.revoke`.
    pub fn import_key_revocations(&mut self, text: &str) -> Result<Vec<String>> {
        let roots = self.roots()?;
        let list =
            RevocationList::parse(text, &roots).map_err(|e| KeyError::BadKeyList(e.to_string()))?;
        if list.signing_keys().is_empty() || !list.serials().is_empty() {
            return Err(KeyError::KeyListWithSerials.into());
        }
        let ids: Vec<String> = list
            .signing_keys()
            .iter()
            .map(ToString::to_string)
            .collect();
        self.ledger.write(|tx| {
            let mut revoked = Vec::new();
            for id in &ids {
                if ledger::keys::revoke(tx, id)? {
                    revoked.push(id.clone());
                }
            }
            ledger::keys::insert_revocation_list(tx, list.issued_at(), text)?;
            let detail = serde_json::json!({ "listed": ids, "revoked": revoked });
            tx.audit("keys.revoke", &ids.join(","), &detail)?;
            Ok(revoked)
        })
    }

    /// The root-signed key revocation lists imported, oldest first.
    pub(crate) fn key_revocation_lists(&self) -> Result<Vec<String>> {
        ledger::keys::revocation_lists(self.db())
    }

    /// Protects every plain private key file of the desk with `passphrase`;
    /// keys already protected are left as they are. Returns the ids of the
    /// keys it protected; audited as `keys.protect`.
    ///
    /// In three steps, so that a command killed part-way is finished by the
    /// next desk command rather than leaving plain and protected keys mixed
    /// without a trace: every protected file is written beside its key
    /// (`<id>.key.protecting`), then the audit row is committed, then each
    /// is renamed over its key (the next desk command completes the
    /// renames an audited run did not reach, and removes the files of a run
    /// killed before its audit row).
    pub fn protect_keys(&mut self, passphrase: &Passphrase) -> Result<Vec<String>> {
        self.finish_protecting()?;
        let dir = self.dir().join(KEYS_DIR);
        let mut staged = Vec::new();
        for key in self.keys()?.into_iter().filter(|k| k.hsm_label.is_none()) {
            let path = dir.join(format!("{}.key", key.key_id));
            let loaded = match IssuerKey::load(&path) {
                Err(crate::KeyFileError::NeedsPassphrase(_)) => continue, // protected already
                loaded => loaded?,
            };
            let loaded = key_of_id(&path, loaded, &key.key_id)?;
            let next = protecting(&path);
            loaded.write_protected(&next, passphrase, true)?;
            staged.push((key.key_id, next, path));
        }
        if staged.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = staged.iter().map(|(id, ..)| id.clone()).collect();
        let audited = self.ledger.write(|tx| {
            let detail = serde_json::json!({ "keys": ids });
            tx.audit("keys.protect", &ids.join(","), &detail)
        });
        if let Err(e) = audited {
            for (_, next, _) in &staged {
                let _ = std::fs::remove_file(next);
            }
            return Err(e);
        }
        super::pause::at(super::pause::Point::ProtectAudited);
        for (_, next, path) in &staged {
            std::fs::rename(next, path).map_err(DeskError::io(path))?;
        }
        Ok(ids)
    }

    /// Completes a `keys protect` that was killed part-way: a staged
    /// `<id>.key.protecting` file that the newest `keys.protect` audit row
    /// lists replaces its key (the run was audited); any other is removed
    /// (the run stopped before its audit row, so nothing changed). Run by
    /// every desk open.
    pub(crate) fn finish_protecting(&self) -> Result<()> {
        let dir = self.dir().join(KEYS_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        let staged: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "protecting"))
            .collect();
        if staged.is_empty() {
            return Ok(());
        }
        let audited: Vec<String> = ledger::audit::latest_detail(self.db(), "keys.protect")?
            .and_then(|detail| serde_json::from_str::<serde_json::Value>(&detail).ok())
            .and_then(|d| {
                d["keys"].as_array().map(|keys| {
                    keys.iter()
                        .filter_map(|k| k.as_str().map(str::to_owned))
                        .collect()
                })
            })
            .unwrap_or_default();
        for next in staged {
            let key = next.with_extension("");
            let id = key.file_stem().map(|s| s.to_string_lossy().into_owned());
            match id {
                Some(id) if audited.contains(&id) => {
                    std::fs::rename(&next, &key).map_err(DeskError::io(&key))?;
                }
                _ => std::fs::remove_file(&next).map_err(DeskError::io(&next))?,
            }
        }
        Ok(())
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> Result<Vec<DeskKey>> {
        let rows = ledger::keys::all(self.db())?;
        let roots = self.roots()?;
        rows.into_iter()
            .map(|row| with_window(row, &roots))
            .collect()
    }

    /// One key, by id.
    pub fn key(&self, id: &str) -> Result<DeskKey> {
        let row =
            ledger::keys::by_id(self.db(), id)?.ok_or_else(|| NotFound::Key(id.to_owned()))?;
        with_window(row, &self.roots()?)
    }

    /// The keyring apps embed, as PEM: the roots the desk trusts (they
    /// verify every format-2 license) and the desk's uncertified keys that
    /// signed format-1 licenses (or, on a desk without roots, every key).
    pub fn keyring_pem(&self) -> Result<String> {
        let roots = self.roots()?;
        let mut pem: String = roots
            .ids()
            .filter_map(|id| roots.get(id).map(|key| (id, key)))
            .map(|(id, key)| format!("# facelic root key {id}\n{}", public_key_to_pem(key)))
            .collect();
        for k in self.keys()? {
            if k.certified.is_some() || k.status == KeyStatus::AwaitingCertificate {
                continue;
            }
            let note = if k.active { " (active)" } else { "" };
            pem.push_str(&format!(
                "# facelic key id {}{note}\n{}",
                k.key_id, k.public_pem
            ));
        }
        Ok(pem)
    }

    /// Loads the active signing key (from its file, or opens the HSM it
    /// lives in) and its certificate.
    pub(crate) fn signing_key(&self) -> Result<DeskSigner> {
        let key = ledger::keys::active(self.db())?.ok_or(DeskError::NoActiveKey)?;
        self.load_signer(key.id, key.certificate, key.hsm_label)
    }

    /// The keys that sign the desk's revocation list, so that every app
    /// holding any key the desk still trusts can check it: the active key
    /// (certified: apps that embed the root; else apps built since it
    /// became active), and the oldest uncertified key apps still trust
    /// (apps built before any rotation: every keyring the desk exported
    /// holds it). Refused when the active key's certificate does not cover
    /// `now` (every app would refuse the list).
    pub(crate) fn list_signers(&self, now: crate::Timestamp) -> Result<Vec<DeskSigner>> {
        let mut signers = Vec::with_capacity(2);
        let active = self.signing_key()?;
        if let Some(cert) = &active.certificate
            && cert.allows_issuing_at(now).is_err()
        {
            return Err(KeyError::ListOutsideWindow {
                key: cert.key_id().to_string(),
                not_before: cert.not_before(),
                not_after: cert.not_after(),
                now,
            }
            .into());
        }
        let oldest = self.keys()?.into_iter().find(|k| {
            k.certified.is_none()
                && !matches!(
                    k.status,
                    KeyStatus::AwaitingCertificate | KeyStatus::Revoked
                )
        });
        let active_id = active.key_id().to_string();
        signers.push(active);
        if let Some(key) = oldest.filter(|k| k.key_id != active_id) {
            signers.push(self.load_signer(key.key_id, None, key.hsm_label)?);
        }
        Ok(signers)
    }

    /// Desk key `key_id` ready to sign: from its file, or from the HSM it
    /// lives in (under `hsm_label`), with its stored `certificate`.
    fn load_signer(
        &self,
        key_id: String,
        certificate: Option<String>,
        hsm_label: Option<String>,
    ) -> Result<DeskSigner> {
        let key = match hsm_label {
            Some(label) => {
                let key = self.open_hsm()?.find_key(&label)?;
                if key.key_id().to_string() != key_id {
                    return Err(DeskError::HsmKeyMismatch {
                        token: key.token().to_owned(),
                        label,
                        expected: key_id,
                        found: key.key_id().to_string(),
                    });
                }
                Signer::Hsm(key)
            }
            None => Signer::File(self.key_file(&key_id)?),
        };
        let certificate = match certificate {
            Some(text) => Some(stored_certificate(&text, &key_id, &self.roots()?)?),
            None => None,
        };
        Ok(DeskSigner { key, certificate })
    }

    /// The private key file of desk key `key_id`, opened (with the
    /// session's passphrase source) and checked to be that key.
    fn key_file(&self, key_id: &str) -> Result<IssuerKey> {
        let path = self.dir().join(KEYS_DIR).join(format!("{key_id}.key"));
        let key = match &self.session().passphrase {
            Some(source) => IssuerKey::load_with(&path, source)?,
            None => IssuerKey::load(&path)?,
        };
        key_of_id(&path, key, key_id)
    }
}

/// `key`, loaded from `path`, if it is desk key `key_id` (a key file that
/// was swapped for another is refused, never used).
fn key_of_id(path: &std::path::Path, key: IssuerKey, key_id: &str) -> Result<IssuerKey> {
    if key.key_id().to_string() != key_id {
        return Err(DeskError::KeyMismatch {
            path: path.to_owned(),
            expected: key_id.to_owned(),
            found: key.key_id().to_string(),
        });
    }
    Ok(key)
}

/// Key `key_id`'s stored certificate, checked again against the roots: one
/// that no longer checks out is a damaged ledger.
fn stored_certificate(text: &str, key_id: &str, roots: &Keyring) -> Result<Certificate> {
    Certificate::parse(text, roots).map_err(|e| corrupt("keys", key_id, "certificate", &e))
}

/// Where `keys protect` stages the protected file of key file `path`.
fn protecting(path: &std::path::Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".protecting");
    std::path::PathBuf::from(name)
}

/// A label for a key made in the HSM: `facelic-` and 8 random hex digits.
fn default_hsm_label() -> Result<String> {
    let serial = crate::new_serial()?.to_string();
    Ok(format!("facelic-{}", &serial[..8]))
}

/// The key with the window its certificate states ([`stored_certificate`]).
fn with_window(
    (mut key, certificate): (DeskKey, Option<String>),
    roots: &Keyring,
) -> Result<DeskKey> {
    if let Some(text) = certificate {
        let cert = stored_certificate(&text, &key.key_id, roots)?;
        key.certified = Some(CertifiedWindow {
            root: cert.root_key_id().to_string(),
            from: cert.not_before(),
            until: cert.not_after(),
            products: cert.products().map(<[String]>::to_vec),
        });
    }
    Ok(key)
}

/// A stored key or certificate that no longer reads back.
fn corrupt(table: &'static str, row: &str, column: &str, why: &dyn std::fmt::Display) -> DeskError {
    DeskError::Corrupt(super::error::CorruptValue {
        table,
        row: row.to_owned(),
        column: column.to_owned(),
        value: format!("(refused: {why})"),
        expected: "a key or certificate that verifies against the desk's roots",
    })
}
