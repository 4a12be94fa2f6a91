//! Revocation lists: signed, strict, and honoured by the verifier.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use facelic_verifier::{
    Context, Keyring, Kind, ListName, ListSigner, ListTerms, RevocationList, Serial, Verifier,
    VerifyError,
};

use crate::support::{TestKey, device, license, ts};

fn crl(key: &TestKey, serials: &[Serial]) -> String {
    RevocationList::encode(ts("2026-11-20T00:00:00Z"), serials, key.id(), |m| {
        key.0.sign(m).to_bytes()
    })
}

#[test]
fn a_revoked_serial_is_refused_and_others_pass() {
    let key = TestKey::from_seed(1);
    let revoked = license(Kind::Device);
    let mut other = license(Kind::Device);
    other.serial = Serial::from_bytes([9; 16]);
    let list = RevocationList::parse(
        crl(&key, &[revoked.serial, Serial::from_bytes([1; 16])]),
        &key.keyring(),
    )
    .unwrap();
    assert_eq!(list.serials().len(), 2);
    assert_eq!(list.issued_at(), ts("2026-11-20T00:00:00Z"));
    let verifier = Verifier::new(key.keyring()).with_revocation_list(list);
    let ctx = Context::at(ts("2026-11-21T00:00:00Z")).device(device(1));
    let err = verifier.verify(key.sign(&revoked), &ctx).unwrap_err();
    assert_eq!((err.code(), err.name()), (10, "revoked"));
    assert!(verifier.verify(key.sign(&other), &ctx).is_ok());
}

#[test]
fn an_empty_list_round_trips() {
    let key = TestKey::from_seed(1);
    let list = RevocationList::parse(crl(&key, &[]), &key.keyring()).unwrap();
    assert!(list.serials().is_empty());
}

#[test]
fn forged_or_foreign_lists_are_refused() {
    let key = TestKey::from_seed(1);
    let other = TestKey::from_seed(2);
    let text = crl(&key, &[Serial::from_bytes([3; 16])]);
    assert_eq!(
        RevocationList::parse(crl(&other, &[]), &key.keyring()),
        Err(VerifyError::UnknownKey(other.id()))
    );
    // A license is not a revocation list, and a list is not a license.
    assert!(matches!(
        RevocationList::parse(key.sign(&license(Kind::Device)), &key.keyring()),
        Err(VerifyError::Malformed(_))
    ));
    let ctx = Context::at(ts("2026-11-21T00:00:00Z")).device(device(1));
    assert!(matches!(
        Verifier::new(key.keyring()).verify(&text, &ctx),
        Err(VerifyError::Malformed(_))
    ));
    // No bit flip yields a different valid list.
    let original = RevocationList::parse(&text, &key.keyring()).unwrap();
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.to_vec();
            flipped[i] ^= 1 << bit;
            if let Ok(list) = RevocationList::parse(&flipped, &key.keyring()) {
                assert_eq!(list, original, "flip of bit {bit} at byte {i}");
            }
        }
    }
}

#[test]
fn a_list_signed_with_the_license_domain_does_not_verify() {
    // Domain separation: a signature made for a license message cannot be a list's.
    let key = TestKey::from_seed(1);
    let text = crl(&key, &[]);
    let body: String = text
        .lines()
        .filter(|l| {
            l.starts_with("FR1") || (!l.contains(':') && !l.starts_with("-----") && !l.is_empty())
        })
        .collect();
    let parts: Vec<&str> = body.split('.').collect();
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[2])
        .unwrap();
    let wrong_sig = key
        .0
        .sign(&[&b"facelic-license-v1\0"[..], &key.id().to_bytes(), &payload].concat())
        .to_bytes();
    let forged = format!(
        "-----BEGIN FACELIC REVOCATION LIST-----\nFR1.{}.{}.{}\n-----END FACELIC REVOCATION LIST-----\n",
        parts[1],
        parts[2],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(wrong_sig)
    );
    assert_eq!(
        RevocationList::parse(forged, &key.keyring()),
        Err(VerifyError::BadSignature)
    );
}

/// A format-3 list signed directly by `by`, number `sequence`, naming `lists`.
fn list3(by: &TestKey, sequence: u64, lists: &[ListName], serials: &[Serial]) -> String {
    let terms = ListTerms {
        issued_at: ts("2026-11-20T00:00:00Z"),
        sequence,
        lists,
        signing_keys: &[],
        serials,
    };
    RevocationList::encode_v3(&terms, ListSigner::Key(by.id()), |m| {
        by.0.sign(m).to_bytes()
    })
    .unwrap()
}

fn name(by: &TestKey, sequence: u64) -> ListName {
    ListSigner::Key(by.id()).name(sequence)
}

/// Two lists in one text, each naming the other: `a`'s (number 5,
/// revoking serial 3) and `b`'s (number 2).
fn two_lists(a: &TestKey, b: &TestKey) -> String {
    list3(a, 5, &[name(b, 2)], &[Serial::from_bytes([3; 16])])
        + &list3(b, 2, &[name(a, 5)], &[Serial::from_bytes([4; 16])])
}

fn both(a: &TestKey, b: &TestKey) -> Keyring {
    let mut ring = a.keyring();
    ring.add(b.public());
    ring
}

#[test]
fn a_damaged_begin_or_end_line_refuses_the_whole_text() {
    // The old reader skipped a list whose END line was damaged and never
    // saw one whose BEGIN line was: the other lists were used without it.
    let (a, b) = (TestKey::from_seed(1), TestKey::from_seed(2));
    let text = two_lists(&a, &b);
    let ring = both(&a, &b);
    assert_eq!(
        RevocationList::parse(&text, &ring).unwrap().serials().len(),
        2
    );
    let lines: Vec<&str> = text.lines().collect();
    let mut armor_lines = 0;
    for (at, line) in lines.iter().enumerate() {
        if !line.starts_with("-----") {
            continue;
        }
        armor_lines += 1;
        let mut damaged = lines.clone();
        let shorter = line.replacen('-', "", 1);
        damaged[at] = &shorter;
        let damaged = damaged.join("\n") + "\n";
        let err = RevocationList::parse(&damaged, &ring).unwrap_err();
        assert_eq!(err.name(), "malformed", "line {at} damaged: {err}");
    }
    assert_eq!(armor_lines, 4);
    // The same with a legacy text: two format-1 lists one after the other.
    let legacy = crl(&a, &[Serial::from_bytes([3; 16])]) + &crl(&b, &[]);
    let broken_end = legacy.replacen(
        "-----END FACELIC REVOCATION LIST-----",
        "----END FACELIC REVOCATION LIST-----",
        1,
    );
    assert_eq!(
        RevocationList::parse(&broken_end, &ring)
            .unwrap_err()
            .name(),
        "malformed"
    );
}

#[test]
fn a_text_cut_short_anywhere_is_refused() {
    let (a, b) = (TestKey::from_seed(1), TestKey::from_seed(2));
    let text = two_lists(&a, &b);
    let ring = both(&a, &b);
    let lines: Vec<&str> = text.lines().collect();
    for cut in 1..lines.len() {
        let short = lines[..cut].join("\n") + "\n";
        assert!(
            RevocationList::parse(&short, &ring).is_err(),
            "the first {cut} lines were accepted"
        );
    }
    // Text between or after the lists is refused too (a damaged line).
    let (first, second) = text.split_at(text.find("-----BEGIN").unwrap() + 1);
    let at = second.find("-----BEGIN").unwrap();
    let spliced = format!("{first}{}stray\n{}", &second[..at], &second[at..]);
    assert_eq!(
        RevocationList::parse(&spliced, &ring).unwrap_err().name(),
        "malformed"
    );
    assert!(
        RevocationList::parse(format!("\n\n{text}\n\n"), &ring).is_ok(),
        "blank lines are fine"
    );
}

#[test]
fn a_list_swapped_for_another_or_left_unnamed_is_refused() {
    let (a, b) = (TestKey::from_seed(1), TestKey::from_seed(2));
    let ring = both(&a, &b);
    // b's number 1 instead of the number 2 that a's list names.
    let swapped = list3(&a, 5, &[name(&b, 2)], &[]) + &list3(&b, 1, &[name(&a, 5)], &[]);
    let err = RevocationList::parse(&swapped, &ring).unwrap_err();
    assert!(
        matches!(err, VerifyError::Malformed(why) if why.contains("incomplete")),
        "{err}"
    );
    // Two lists of which none names the other: not a whole text.
    let unnamed = list3(&a, 5, &[], &[]) + &list3(&b, 2, &[], &[]);
    assert_eq!(
        RevocationList::parse(&unnamed, &ring).unwrap_err().name(),
        "malformed"
    );
    // One list naming a list the text lacks.
    let alone = list3(&a, 5, &[name(&b, 2)], &[]);
    assert_eq!(
        RevocationList::parse(&alone, &ring).unwrap_err().name(),
        "malformed"
    );
}

#[test]
fn a_list_for_apps_of_another_keyring_is_passed_over() {
    // A desk signs its list with its oldest key (for apps built before its
    // rotations) and with a newer one: each app reads what it can check.
    let (old, new, stranger) = (
        TestKey::from_seed(1),
        TestKey::from_seed(2),
        TestKey::from_seed(3),
    );
    let text = two_lists(&old, &new);
    let by_old = RevocationList::parse(&text, &old.keyring()).unwrap();
    assert_eq!(by_old.lists(), &[name(&old, 5)]);
    assert_eq!(by_old.serials(), &[Serial::from_bytes([3; 16])]);
    let by_new = RevocationList::parse(&text, &new.keyring()).unwrap();
    assert_eq!(by_new.lists(), &[name(&new, 2)]);
    assert_eq!(
        RevocationList::parse(&text, &stranger.keyring()),
        Err(VerifyError::UnknownKey(old.id()))
    );
    // The list passed over must be the one named: one by another key is not.
    let other = list3(&old, 5, &[name(&new, 2)], &[]) + &list3(&stranger, 2, &[], &[]);
    assert_eq!(
        RevocationList::parse(&other, &old.keyring())
            .unwrap_err()
            .name(),
        "malformed"
    );
}

#[test]
fn an_older_or_stripped_list_does_not_replace_the_one_held() {
    let (desk, root) = (TestKey::from_seed(1), TestKey::from_seed(2));
    let ring = both(&desk, &root);
    let revoked = license(Kind::Device);
    let text = |sequence: u64, with_root: bool| {
        let names: &[ListName] = if with_root { &[name(&root, 7)] } else { &[] };
        let serials: &[Serial] = if sequence >= 5 {
            &[revoked.serial]
        } else {
            &[]
        };
        let desk_list = list3(&desk, sequence, names, serials);
        match with_root {
            true => desk_list + &list3(&root, 7, &[], &[]),
            false => desk_list,
        }
    };
    let parse = |t: String| RevocationList::parse(t, &ring).unwrap();
    let held = parse(text(5, true));
    assert_eq!(
        parse(text(4, true)).check_supersedes(&held),
        Err(VerifyError::RevocationListOutdated(desk.id()))
    );
    let stripped = parse(text(6, false));
    assert_eq!(
        stripped.check_supersedes(&held),
        Err(VerifyError::RevocationListOutdated(root.id()))
    );
    assert_eq!(VerifyError::RevocationListOutdated(root.id()).code(), 18);
    assert!(parse(text(6, true)).check_supersedes(&held).is_ok());
    assert!(
        parse(text(5, true)).check_supersedes(&held).is_ok(),
        "the same list again"
    );
    // A verifier keeps the list it holds when given an older one.
    let mut verifier = Verifier::new(ring.clone()).with_revocation_list(held);
    assert_eq!(
        verifier.set_revocation_list(parse(text(4, true))),
        Err(VerifyError::RevocationListOutdated(desk.id()))
    );
    let ctx = Context::at(ts("2026-11-21T00:00:00Z")).device(device(1));
    assert_eq!(
        verifier.verify(desk.sign(&revoked), &ctx),
        Err(VerifyError::Revoked)
    );
    verifier.set_revocation_list(parse(text(6, true))).unwrap();
    assert_eq!(
        verifier.verify(desk.sign(&revoked), &ctx),
        Err(VerifyError::Revoked)
    );
}

#[test]
fn sequence_numbers_are_canonical() {
    let key = TestKey::from_seed(1);
    let text = list3(&key, 12, &[], &[]);
    let list = RevocationList::parse(&text, &key.keyring()).unwrap();
    assert_eq!(list.lists()[0].sequence, 12);
    let terms = |sequence| ListTerms {
        issued_at: ts("2026-11-20T00:00:00Z"),
        sequence,
        lists: &[],
        signing_keys: &[],
        serials: &[],
    };
    let sign = |m: &[u8]| key.0.sign(m).to_bytes();
    for bad in [0, u64::MAX] {
        assert!(RevocationList::encode_v3(&terms(bad), ListSigner::Key(key.id()), sign).is_err());
    }
    // A payload with a leading zero in its sequence is refused.
    let payload = "issued-at=2026-11-20T00:00:00Z\nsequence=012\n";
    let body = format!(
        "FR3.{}.{}.{}",
        key.id(),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(sign(
            &[
                b"facelic-revocation-list-v3\0".as_slice(),
                &key.id().to_bytes(),
                payload.as_bytes()
            ]
            .concat()
        ))
    );
    let text = format!(
        "-----BEGIN FACELIC REVOCATION LIST-----\n{body}\n-----END FACELIC REVOCATION LIST-----\n"
    );
    let err = RevocationList::parse(&text, &key.keyring()).unwrap_err();
    assert!(
        matches!(err, VerifyError::Malformed(why) if why.contains("sequence")),
        "{err}"
    );
}

#[test]
fn no_edit_of_a_two_list_text_yields_another_valid_text() {
    // Flip one bit anywhere, or cut one line out: refused, or (in text
    // outside the signed parts: trailing space, header) the same lists.
    let (a, b) = (TestKey::from_seed(1), TestKey::from_seed(2));
    let text = two_lists(&a, &b);
    let ring = both(&a, &b);
    let original = RevocationList::parse(&text, &ring).unwrap();
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let mut flipped = bytes.to_vec();
        flipped[i] ^= 1;
        if let Ok(list) = RevocationList::parse(&flipped, &ring) {
            assert_eq!(list, original, "flip at byte {i}");
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    for cut in 0..lines.len() {
        let mut without = lines.clone();
        without.remove(cut);
        let without = without.join("\n") + "\n";
        if let Ok(list) = RevocationList::parse(&without, &ring) {
            assert_eq!(list, original, "line {cut} cut: {:?}", lines[cut]);
        }
    }
}
