//! The unified social credit code (统一社会信用代码, GB 32100-2015): the tax
//! id on Chinese documents. 18 characters from a 31-character alphabet (the
//! digits and the upper-case letters without I, O, Z, S and V); the last is
//! a check character over the first 17 (weights 3^i mod 31).

/// The code's alphabet: a character's value is its position.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the first 17 characters: 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a text is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsccError {
    /// Not 18 characters long.
    #[error("a unified social credit code has 18 characters; {0:?} has {1}")]
    Length(String, usize),
    /// A character outside the alphabet.
    #[error(
        "character {position} of {code:?} ({found:?}) is not in a unified social credit code (digits and upper-case letters except I, O, Z, S, V)"
    )]
    Character {
        /// The code.
        code: String,
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The check character does not match.
    #[error("{code:?} fails its GB 32100-2015 check: the last character should be {expected:?}")]
    Check {
        /// The code.
        code: String,
        /// The check character the first 17 give.
        expected: char,
    },
}

/// Checks a unified social credit code (upper case, no spaces) and returns
/// it normalised: surrounding white space trimmed.
pub fn check_uscc(text: &str) -> Result<String, UsccError> {
    let code = text.trim();
    let count = code.chars().count();
    if count != 18 {
        return Err(UsccError::Length(code.to_owned(), count));
    }
    let mut values = [0u32; 18];
    for (i, c) in code.chars().enumerate() {
        let value = u8::try_from(c)
            .ok()
            .and_then(|b| ALPHABET.iter().position(|&a| a == b))
            .ok_or_else(|| UsccError::Character {
                code: code.to_owned(),
                position: i + 1,
                found: c,
            })?;
        values[i] = value as u32;
    }
    let sum: u32 = WEIGHTS.iter().zip(&values).map(|(w, v)| w * v).sum();
    let check = ((31 - sum % 31) % 31) as usize;
    let expected = char::from(ALPHABET[check]);
    if values[17] as usize != check {
        return Err(UsccError::Check {
            code: code.to_owned(),
            expected,
        });
    }
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_pass() {
        // Published codes of well-known companies, and the standard's example.
        for code in [
            "91350100M000100Y43",
            "91110108551385082Q",
            "91440300708461136T",
            "914403001922038216",
        ] {
            assert_eq!(check_uscc(code).as_deref(), Ok(code));
        }
        assert_eq!(
            check_uscc(" 91350100M000100Y43\n").as_deref(),
            Ok("91350100M000100Y43")
        );
    }

    #[test]
    fn every_single_character_change_is_caught() {
        let code = "91440300708461136T";
        for i in 0..18 {
            for &a in ALPHABET {
                let mut bytes = code.as_bytes().to_vec();
                if bytes[i] == a {
                    continue;
                }
                bytes[i] = a;
                let changed = String::from_utf8(bytes).unwrap();
                assert!(check_uscc(&changed).is_err(), "{changed}");
            }
        }
    }

    #[test]
    fn refusals_name_the_problem() {
        assert!(matches!(
            check_uscc("9144030070846113"),
            Err(UsccError::Length(_, 16))
        ));
        assert!(matches!(
            check_uscc("91440300708461136t"),
            Err(UsccError::Character { position: 18, .. })
        ));
        assert!(matches!(
            check_uscc("9144030070846113IT"),
            Err(UsccError::Character { position: 17, .. })
        ));
        assert_eq!(
            check_uscc("91440300708461136A"),
            Err(UsccError::Check {
                code: "91440300708461136A".into(),
                expected: 'T'
            })
        );
        assert!(matches!(
            check_uscc("９1440300708461136T"),
            Err(UsccError::Character { position: 1, .. })
        ));
    }
}
