//! Trusted public keys: key ids, SPKI PEM parsing and the keyring.

#![forbid(unsafe_code)]

use core::fmt;
use core::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

/// Domain-separation prefix of the key-id hash.
const KEY_ID_DOMAIN: &[u8] = b"facelic-key-id-v1\0";
/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow.
pub(crate) const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const PEM_END: &str = "-----END PUBLIC KEY-----";
/// Largest keyring text accepted, in bytes.
const MAX_KEYRING_LEN: usize = 256 * 1024;

/// The 8-byte id of an issuer key: the first 8 bytes of
/// SHA-256(`"facelic-key-id-v1\0"` ‖ 32-byte public key), written as 16
/// lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub(crate) [u8; 8]);

/// An Ed25519 public key as the formats accept it: the canonical encoding
/// of a point that is not of small order (docs/license-format.md §5). Its
/// own type, so the verifier's API does not change with the Ed25519
/// library it is built on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// The key these 32 bytes encode; refused when the encoding is not
    /// canonical (`y >= p`) or the point is of small order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        canonical_key(bytes).map(Self).ok_or(KeyError::InvalidKey)
    }

    /// The one key of an SPKI PEM block (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let ring = Keyring::from_pem(text)?;
        match ring.keys.as_slice() {
            [(_, key)] => Ok(*key),
            _ => Err(KeyError::BadPem("more than one key")),
        }
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The 32-byte encoding, borrowed.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    /// Its key id.
    pub fn key_id(&self) -> KeyId {
        KeyId::of(self)
    }

    /// As an SPKI PEM block.
    pub fn to_pem(&self) -> String {
        public_key_to_pem(self)
    }

    /// True when `signature` is this key's Ed25519 signature of `message`,
    /// by the strict rules every verifier applies (docs/license-format.md
    /// §4): what an issuer checks a signature an HSM made against.
    pub fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok()
    }

    /// A key this crate derived itself (from a signing key): unchecked.
    #[cfg(all(test, any(feature = "ffi", feature = "jni")))]
    pub(crate) fn from_dalek(key: VerifyingKey) -> Self {
        Self(key)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

impl KeyId {
    /// The id of a public key.
    pub fn of(key: &PublicKey) -> Self {
        let digest = Sha256::new()
            .chain_update(KEY_ID_DOMAIN)
            .chain_update(key.as_bytes())
            .finalize();
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        Self(id)
    }

    /// The raw 8 bytes, as they enter the signed message.
    pub fn to_bytes(self) -> [u8; 8] {
        self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl FromStr for KeyId {
    type Err = KeyError;

    /// Parses exactly 16 lower-case hex digits.
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let mut id = [0u8; 8];
        if s.len() != 16 || !hex_decode(s.as_bytes(), &mut id) {
            return Err(KeyError::BadKeyId);
        }
        Ok(Self(id))
    }
}

/// Decodes lower-case hex into `out`; false unless `text` is exactly twice as long.
pub(crate) fn hex_decode(text: &[u8], out: &mut [u8]) -> bool {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    if text.len() != out.len() * 2 {
        return false;
    }
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => *byte = hi << 4 | lo,
            _ => return false,
        }
    }
    true
}

/// Why a public key or keyring was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// No `-----BEGIN PUBLIC KEY-----` block was found.
    #[error("no PUBLIC KEY PEM block found")]
    NoKey,
    /// A PEM block is not closed, or its base64 does not decode.
    #[error("malformed PEM: {0}")]
    BadPem(&'static str),
    /// The DER inside is not an Ed25519 SubjectPublicKeyInfo.
    #[error("not an Ed25519 public key (SubjectPublicKeyInfo, OID 1.3.101.112)")]
    NotEd25519,
    /// The 32 bytes are not a valid (canonical, non-small-order) Ed25519 point.
    #[error("invalid Ed25519 public key")]
    InvalidKey,
    /// A key id is not 16 lower-case hex digits.
    #[error("key id must be 16 lower-case hex digits")]
    BadKeyId,
    /// The keyring text is larger than 256 KiB.
    #[error("keyring larger than 256 KiB")]
    TooLarge,
}

/// Parses one public key from the 44-byte DER of an Ed25519 SubjectPublicKeyInfo.
pub(crate) fn public_key_from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
    let raw = der
        .strip_prefix(&SPKI_PREFIX[..])
        .filter(|raw| raw.len() == 32)
        .ok_or(KeyError::NotEd25519)?;
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(raw);
    PublicKey::from_bytes(&bytes)
}

/// The Ed25519 public key these 32 bytes encode, if they are the canonical
/// encoding (`y < p`, as RFC 8032 §5.1.3 requires) of a curve point that is
/// not of small order; `None` otherwise (docs/license-format.md §5).
pub(crate) fn canonical_key(bytes: &[u8; 32]) -> Option<VerifyingKey> {
    // y is the little-endian number of the bytes without the sign bit;
    // p = 2^255 - 19, so y >= p exactly when the top byte is 0x7f, the 30
    // bytes below it are 0xff and the lowest byte is at least 0xed.
    let (low, middle, top) = (bytes[0], &bytes[1..31], bytes[31] & 0x7f);
    if top == 0x7f && middle.iter().all(|&b| b == 0xff) && low >= 0xed {
        return None;
    }
    VerifyingKey::from_bytes(bytes)
        .ok()
        .filter(|key| !key.is_weak())
}

/// Writes a public key as an SPKI PEM block (what `openssl pkey -pubout` prints).
pub fn public_key_to_pem(key: &PublicKey) -> String {
    let mut der = Vec::with_capacity(44);
    der.extend_from_slice(&SPKI_PREFIX);
    der.extend_from_slice(key.as_bytes());
    format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", STANDARD.encode(der))
}

/// A set of trusted issuer public keys, looked up by key id.
///
/// Several keys let the vendor rotate its signing key: licenses signed by an
/// older key keep verifying as long as its public key stays in the keyring.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<(KeyId, PublicKey)>,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses every `PUBLIC KEY` PEM block in `text` (text outside the blocks,
    /// such as `#` comments, is ignored). At least one key is required.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        if text.len() > MAX_KEYRING_LEN {
            return Err(KeyError::TooLarge);
        }
        let mut ring = Self::new();
        let mut block: Option<String> = None;
        for line in text.lines().map(str::trim) {
            match (&mut block, line) {
                (None, PEM_BEGIN) => block = Some(String::new()),
                (None, _) => {}
                (Some(_), PEM_BEGIN) => return Err(KeyError::BadPem("nested BEGIN line")),
                (Some(b64), PEM_END) => {
                    let der = STANDARD
                        .decode(b64.as_bytes())
                        .map_err(|_| KeyError::BadPem("invalid base64"))?;
                    ring.add(public_key_from_spki_der(&der)?);
                    block = None;
                }
                (Some(b64), line) => b64.push_str(line),
            }
        }
        if block.is_some() {
            return Err(KeyError::BadPem("missing END line"));
        }
        if ring.keys.is_empty() {
            return Err(KeyError::NoKey);
        }
        Ok(ring)
    }

    /// Adds a trusted key (a key already present is not added twice) and returns its id.
    pub fn add(&mut self, key: PublicKey) -> KeyId {
        let id = KeyId::of(&key);
        if self.get(id).is_none() {
            self.keys.push((id, key));
        }
        id
    }

    /// The key with this id, if trusted.
    pub fn get(&self, id: KeyId) -> Option<&PublicKey> {
        self.keys.iter().find(|(k, _)| *k == id).map(|(_, key)| key)
    }

    /// Ids of the trusted keys, in the order they were added.
    pub fn ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.keys.iter().map(|(id, _)| *id)
    }

    /// Number of trusted keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is trusted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keyring as PEM text: one commented `PUBLIC KEY` block per key.
    pub fn to_pem(&self) -> String {
        self.keys
            .iter()
            .map(|(id, key)| format!("# facelic key id {id}\n{}", public_key_to_pem(key)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every encoding with `y >= p`: the 19 values of y from p to 2^255 - 1,
    /// with either sign bit.
    fn non_canonical() -> impl Iterator<Item = [u8; 32]> {
        [0u8, 0x80].into_iter().flat_map(|sign| {
            (0xedu8..=0xff).map(move |low| {
                let mut bytes = [0xff; 32];
                bytes[0] = low;
                bytes[31] = 0x7f | sign;
                bytes
            })
        })
    }

    #[test]
    fn a_key_encoded_with_y_at_or_above_p_is_refused() {
        // ed25519-dalek decodes some of them to points of large order: the
        // check of y is what refuses them.
        let decoded = non_canonical()
            .filter(|b| VerifyingKey::from_bytes(b).is_ok_and(|k| !k.is_weak()))
            .count();
        assert!(decoded > 0);
        for bytes in non_canonical() {
            assert!(canonical_key(&bytes).is_none(), "{bytes:02x?}");
            assert_eq!(PublicKey::from_bytes(&bytes), Err(KeyError::InvalidKey));
            let der = [&SPKI_PREFIX[..], &bytes].concat();
            assert_eq!(public_key_from_spki_der(&der), Err(KeyError::InvalidKey));
        }
        // The largest canonical y (p - 1) is not refused for its encoding.
        let mut below = [0xff; 32];
        below[0] = 0xec;
        below[31] = 0x7f;
        assert_eq!(
            canonical_key(&below).is_some(),
            VerifyingKey::from_bytes(&below).is_ok_and(|k| !k.is_weak())
        );
    }

    #[test]
    fn a_public_key_is_the_verifiers_own_type() {
        use ed25519_dalek::Signer as _;
        let signing = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let key = PublicKey::from_bytes(signing.verifying_key().as_bytes()).unwrap();
        assert_eq!(key.to_bytes(), signing.verifying_key().to_bytes());
        assert_eq!(PublicKey::from_pem(&key.to_pem()), Ok(key));
        assert_eq!(key.key_id(), KeyId::of(&key));
        let signature = signing.sign(b"message").to_bytes();
        assert!(key.verifies(b"message", &signature));
        assert!(!key.verifies(b"massage", &signature));
        // Small order (the identity point) is refused.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(PublicKey::from_bytes(&identity), Err(KeyError::InvalidKey));
        let two = key.to_pem() + &key.to_pem();
        assert_eq!(
            PublicKey::from_pem(&two),
            Ok(key),
            "the same key twice is one key"
        );
        let other = PublicKey::from_bytes(
            ed25519_dalek::SigningKey::from_bytes(&[10; 32])
                .verifying_key()
                .as_bytes(),
        )
        .unwrap();
        assert!(PublicKey::from_pem(&(key.to_pem() + &other.to_pem())).is_err());
    }
}
