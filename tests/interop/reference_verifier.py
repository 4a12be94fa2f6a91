#!/usr/bin/env python3
"""An independent facelic license verifier, written from docs/license-format.md alone.

It shares no code with the Rust implementation: the text, payload and
device-code rules are re-implemented here with the Python standard library,
and the Ed25519 signature is checked by OpenSSL (`openssl pkeyutl -verify
-rawin`). Run it over the shared vectors:

    python3 tests/interop/reference_verifier.py licenses/examples/vectors.json

It prints one line per case and exits non-zero if any verdict differs from
the manifest. Formats 1 and 2 (certified signing keys, section 10) and
revocation lists of formats 1 to 3 (section 9: a text read whole, complete
and not older than one held) are covered, save one rule: it does not reject
a certificate's small-order public key (that needs Edwards-curve arithmetic
the standard library lacks; the vectors hold no such key).
"""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from datetime import datetime, timezone

LICENSE = "LICENSE"
REVOCATION_LIST = "REVOCATION LIST"
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SKEW = 24 * 3600
FEATURES = ["detect", "ir-liveness", "3d-liveness", "search"]
KINDS = ["device", "device-trial", "platform", "platform-trial"]


class Refused(Exception):
    def __init__(self, code, name, why=""):
        super().__init__(f"{name}: {why}")
        self.code, self.name = code, name


def malformed(why):
    return Refused(1, "malformed", why)


def b64url(text):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise malformed("base64url alphabet")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != text:
        raise malformed("non-canonical base64url")
    return raw


def parse_time(value):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", value):
        raise malformed("time")
    try:
        t = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise malformed("time")
    if t.year < 1:
        raise malformed("time")
    return int(t.timestamp())


def luhn32(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d // 32 + d % 32
        total += d
    return (32 - total % 32) % 32


def device_code(attrs):
    h = hashlib.sha256(b"facelic-device-code-v1\0")
    for name in sorted(attrs):
        value = attrs[name].encode()
        h.update(len(name).to_bytes(4, "big") + name.encode() + len(value).to_bytes(4, "big") + value)
    n = int.from_bytes(h.digest()[:10], "big") >> 5
    digits = [(n >> (5 * (14 - i))) & 31 for i in range(15)]
    digits.append(luhn32(digits))
    s = "".join(ALPHABET[d] for d in digits)
    return "-".join(s[i:i + 4] for i in range(0, 16, 4))


def canonical_device_code(value):
    if not re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", value):
        raise malformed("device code")
    digits = [ALPHABET.index(c) for c in value.replace("-", "")]
    if luhn32(digits[:15]) != digits[15]:
        raise malformed("device check digit")
    return value


def armor_lines(label):
    return f"-----BEGIN FACELIC {label}-----".encode(), f"-----END FACELIC {label}-----".encode()


def trimmed_lines(data):
    lines = [l[:-1] if l.endswith(b"\r") else l for l in data.split(b"\n")]
    return [l.strip(b" \t") for l in lines]


def read_body(lines, begin, end):
    """The body of the first block in `lines` (already trimmed)."""
    try:
        start = lines.index(begin)
    except ValueError:
        raise malformed("no BEGIN")
    body = b""
    for line in lines[start + 1:]:
        if line == end:
            return body.decode()
        if any(not (0x20 <= b <= 0x7E or b == 9) for b in line):
            raise malformed("non-printable")
        if not line:
            continue
        if b":" in line:
            if body:
                raise malformed("header after body")
            continue
        if not re.fullmatch(rb"[A-Za-z0-9_.-]+", line):
            raise malformed("body character")
        body += line
    raise malformed("no END")


def key_id_hex(text):
    if not re.fullmatch(r"[0-9a-f]{16}", text):
        raise malformed("key id")
    return bytes.fromhex(text)


def signature(text):
    sig = b64url(text)
    if len(sig) != 64:
        raise malformed("signature length")
    return sig


def split_body(body, family, versions):
    """The version tag and the other parts; `versions` maps each tag to the part counts it allows."""
    parts = body.split(".")
    if parts[0] not in versions:
        if re.fullmatch(family + r"\d+", parts[0]):
            raise Refused(2, "unsupported-version")
        raise malformed("version tag")
    if len(parts) - 1 not in versions[parts[0]]:
        raise malformed("number of parts")
    return parts[0], parts[1:]


def read_license(data):
    if len(data) > 65536:
        raise malformed("too large")
    body = read_body(trimmed_lines(data), *armor_lines(LICENSE))
    return split_body(body, "FL", {"FL1": (3,), "FL2": (5,)})


SCHEMA = [
    ("serial", True), ("kind", True), ("product", True), ("features", True),
    ("customer-id", True), ("customer-name", True), ("order-id", True),
    ("issued-at", True), ("not-before", True), ("not-after", False),
    ("binding", True), ("cert-sha256", False),
]


def parse_payload(payload, v2=False):
    if len(payload) > 2048:
        raise malformed("payload size")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed("utf-8")
    if not text.endswith("\n"):
        raise malformed("final LF")
    lines = text[:-1].split("\n")
    fields, i = {}, 0
    for name, required in SCHEMA:
        key = name
        if i < len(lines) and "=" in lines[i]:
            k, v = lines[i].split("=", 1)
            if name == "binding" and k in ("device", "package"):
                key = k
            if k == key:
                fields[key] = v
                i += 1
                continue
        if required:
            raise malformed(f"missing {name}")
    if i != len(lines):
        raise malformed("extra field")
    ident = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", fields["serial"]):
        raise malformed("serial")
    if fields["kind"] not in KINDS:
        raise malformed("kind")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", fields["product"]):
        raise malformed("product")
    feats = fields["features"].split(",")
    if any(f not in FEATURES for f in feats) or [FEATURES.index(f) for f in feats] != sorted({FEATURES.index(f) for f in feats}):
        raise malformed("features")
    for k in ("customer-id", "order-id"):
        if not re.fullmatch(ident, fields[k]):
            raise malformed(k)
    name = fields["customer-name"]
    if not (1 <= len(name.encode()) <= 200) or name.strip() != name or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in name):
        raise malformed("customer-name")
    if v2 and any(unicodedata.category(c) == "Cf" for c in name):
        raise malformed("customer-name: a format character (v2)")
    for k in ("issued-at", "not-before", "not-after"):
        if k in fields:
            fields[k] = parse_time(fields[k])
    device_kind = fields["kind"].startswith("device")
    if device_kind != ("device" in fields) or (device_kind and "cert-sha256" in fields):
        raise malformed("binding")
    if device_kind:
        canonical_device_code(fields["device"])
    else:
        seg = r"[A-Za-z][A-Za-z0-9_]*"
        if len(fields["package"]) > 255 or not re.fullmatch(rf"{seg}(\.{seg})+", fields["package"]):
            raise malformed("package")
        if "cert-sha256" in fields and not re.fullmatch(r"[0-9a-f]{64}", fields["cert-sha256"]):
            raise malformed("cert")
    if fields["kind"] == "device":
        if "not-after" in fields:
            raise malformed("perpetual")
    elif "not-after" not in fields or fields["not-after"] <= fields["not-before"]:
        raise malformed("window")
    elif v2 and fields["not-after"] <= fields["issued-at"]:
        raise malformed("issued-at at or after not-after (v2)")
    return fields


def key_id(pem_path):
    b64 = "".join(l for l in open(pem_path).read().splitlines() if not l.startswith("-----"))
    der = base64.b64decode(b64)
    assert der[:12] == SPKI_PREFIX and len(der) == 44
    return raw_key_id(der[12:])


def raw_key_id(raw):
    return hashlib.sha256(b"facelic-key-id-v1\0" + raw).digest()[:8]


def openssl_verify(pub_path, message, signature):
    with tempfile.TemporaryDirectory() as d:
        msg, sig = os.path.join(d, "msg"), os.path.join(d, "sig")
        open(msg, "wb").write(message)
        open(sig, "wb").write(signature)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub_path,
                            "-rawin", "-in", msg, "-sigfile", sig], capture_output=True)
        return r.returncode == 0


def raw_key_verify(raw, message, sig):
    with tempfile.TemporaryDirectory() as d:
        pem = os.path.join(d, "key.pem")
        b64 = base64.b64encode(SPKI_PREFIX + raw).decode()
        open(pem, "w").write(f"-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
        return openssl_verify(pem, message, sig)


def certificate(parts, keyring):
    """Section 10: the root's signature first, then the payload.

    Returns (raw signing key, its key id, window start, window end, products or None)."""
    root, payload, sig = key_id_hex(parts[0]), b64url(parts[1]), signature(parts[2])
    message = b"facelic-signing-key-certificate-v1\0" + root + payload
    if root not in keyring or not openssl_verify(keyring[root], message, sig):
        raise Refused(14, "uncertified-key")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed("certificate utf-8")
    if len(payload) > 4096 or not text.endswith("\n"):
        raise malformed("certificate payload")
    lines = text[:-1].split("\n")
    names = ["public-key", "not-before", "not-after", "products"][:len(lines)]
    if len(lines) not in (3, 4) or [l.split("=", 1)[0] for l in lines] != names:
        raise malformed("certificate fields")
    values = [l.split("=", 1)[1] for l in lines]
    raw = b64url(values[0])
    if len(raw) != 32:
        raise malformed("certificate key")
    if int.from_bytes(raw, "little") & ((1 << 255) - 1) >= 2**255 - 19:
        raise malformed("certificate key not canonical (y >= p)")
    start, until = parse_time(values[1]), parse_time(values[2])
    if until <= start:
        raise malformed("certificate window")
    products = None
    if len(values) == 4:
        products = values[3].split(",")
        if (not 1 <= len(products) <= 64 or products != sorted(set(products))
                or not all(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", p) for p in products)):
            raise malformed("certificate products")
    return raw, raw_key_id(raw), start, until, products


def blocks(data):
    """Section 9: the lists of a text, each its trimmed lines from BEGIN to END; only blank lines outside."""
    begin, end = armor_lines(REVOCATION_LIST)
    out, current = [], None
    for line in trimmed_lines(data):
        if current is None:
            if line == begin:
                current = [line]
            elif line:
                raise malformed("text outside the lists")
        elif line == begin:
            raise malformed("BEGIN inside a list")
        else:
            current.append(line)
            if line == end:
                out.append(current)
                current = None
    if current is not None:
        raise malformed("list without END")
    if not out:
        raise malformed("no BEGIN")
    return out


def sequence_number(text):
    if not re.fullmatch(r"0|[1-9][0-9]*", text) or int(text) > 2**63 - 1:
        raise malformed("sequence")
    return int(text)


def one_list(lines, keyring):
    """One list: ("foreign", authority) when the keyring lacks its authority, else its contents."""
    begin, end = armor_lines(REVOCATION_LIST)
    body = read_body(lines, begin, end)
    tag, parts = split_body(body, "FR", {"FR1": (3,), "FR2": (3, 5), "FR3": (3, 5)})
    domain = {"FR1": b"facelic-revocation-list-v1\0", "FR2": b"facelic-revocation-list-v2\0",
              "FR3": b"facelic-revocation-list-v3\0"}[tag]
    certified = len(parts) == 5
    authority = key_id_hex(parts[0])
    if authority not in keyring:
        return ("foreign", authority, Refused(14, "uncertified-key") if certified else Refused(3, "unknown-key"))
    if certified:
        raw, signer, start, until, _ = certificate(parts[:3], keyring)
        payload, sig = b64url(parts[3]), signature(parts[4])
        if not raw_key_verify(raw, domain + signer + payload, sig):
            raise Refused(4, "bad-signature")
    else:
        signer, payload, sig = authority, b64url(parts[1]), signature(parts[2])
        if not openssl_verify(keyring[signer], domain + signer + payload, sig):
            raise Refused(4, "bad-signature")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed("list utf-8")
    if not text.endswith("\n") or not text.startswith("issued-at="):
        raise malformed("list payload")
    rows = text[:-1].split("\n")
    issued = parse_time(rows[0][len("issued-at="):])
    rows = rows[1:]
    sequence, names = 0, []
    if tag == "FR3":
        if not rows or not rows[0].startswith("sequence="):
            raise malformed("FR3 needs its sequence")
        sequence = sequence_number(rows[0][len("sequence="):])
        if sequence == 0:
            raise malformed("FR3 sequence starts at 1")
        rows = rows[1:]
        while rows and rows[0].startswith("list="):
            m = re.fullmatch(r"([0-9a-f]{16})\.([0-9a-f]{16})\.([0-9]+)", rows[0][len("list="):])
            if not m:
                raise malformed("list line")
            names.append((bytes.fromhex(m[1]), bytes.fromhex(m[2]), sequence_number(m[3])))
            rows = rows[1:]
    if certified and not start <= issued < until:
        raise Refused(15, "certificate-window")
    own_keys = [r[len("signing-key="):] for r in rows if r.startswith("signing-key=")]
    own_serials = [r[len("serial="):] for r in rows if r.startswith("serial=")]
    if rows != [f"signing-key={k}" for k in own_keys] + [f"serial={s}" for s in own_serials]:
        raise malformed("list lines")
    if own_keys and (tag == "FR1" or certified):
        raise malformed("only a root's list revokes signing keys")
    for values in (own_keys, own_serials):
        if values != sorted(set(values)):
            raise malformed("not strictly ascending")
    return {"name": (authority, signer, sequence), "issued": issued, "names": names,
            "keys": {key_id_hex(k) for k in own_keys}, "serials": set(own_serials)}


def revocation_list(data, keyring):
    """Section 9: the text read whole (every list it may use verified, complete), or refused whole.

    Returns (serials, signing keys, series) where series maps (authority, certified) to the
    newest (sequence, issued-at) the text holds."""
    if len(data) > 16 * 1024 * 1024:
        raise malformed("too large")
    read = [one_list(lines, keyring) for lines in blocks(data)]
    verified = [r for r in read if isinstance(r, dict)]
    if not verified:
        raise read[0][2]
    if len(read) > 1:
        named = False
        for i, r in enumerate(read):
            if not isinstance(r, dict) or not r["names"]:
                continue
            others = read[:i] + read[i + 1:]
            if len(r["names"]) != len(others) or not all(
                    (o["name"] == n) if isinstance(o, dict) else (o[1] == n[0])
                    for n, o in zip(r["names"], others)):
                raise malformed("incomplete")
            named = True
        if not named:
            raise malformed("several lists and none names the others")
    elif read[0]["names"]:
        raise malformed("names lists the text lacks")
    keys = set().union(*(r["keys"] for r in verified))
    serials = set().union(*(r["serials"] for r in verified))
    if any(r["name"][0] != r["name"][1] and r["name"][1] in keys for r in verified):
        raise Refused(17, "signing-key-revoked")
    series = {}
    for r in verified:
        authority, signer, sequence = r["name"]
        key = (authority, authority != signer)
        series[key] = max(series.get(key, (-1, r["issued"])), (sequence, r["issued"]))
    return serials, keys, series


def check_supersedes(new, held):
    """Section 9: the new text keeps every series of the held one, no older."""
    for key, position in held[2].items():
        if key not in new[2] or new[2][key] < position:
            raise Refused(18, "revocation-list-outdated")


def verify(data, keyring, ctx, revoked=(set(), set())):
    tag, parts = read_license(data)
    if tag == "FL2":
        raw, kid, start, until, products = certificate(parts[:3], keyring)
        payload, sig = b64url(parts[3]), signature(parts[4])
        ok = raw_key_verify(raw, b"facelic-license-v2\0" + kid + payload, sig)
    else:
        kid, payload, sig = key_id_hex(parts[0]), b64url(parts[1]), signature(parts[2])
        if kid not in keyring:
            raise Refused(3, "unknown-key")
        ok = openssl_verify(keyring[kid], b"facelic-license-v1\0" + kid + payload, sig)
    if not ok:
        raise Refused(4, "bad-signature")
    f = parse_payload(payload, v2=tag == "FL2")
    serials, keys = revoked[0], revoked[1]
    if kid in keys:
        raise Refused(17, "signing-key-revoked")
    if tag == "FL2":
        if not start <= f["issued-at"] < until:
            raise Refused(15, "certificate-window")
        if products is not None and f["product"] not in products:
            raise Refused(16, "certificate-product")
    if f["serial"] in serials:
        raise Refused(10, "revoked")
    if "device" in f and ctx.get("device") != f["device"]:
        raise Refused(7, "wrong-device")
    if "package" in f:
        if ctx.get("package") != f["package"]:
            raise Refused(8, "wrong-package")
        if "cert-sha256" in f and ctx.get("cert_sha256") != f["cert-sha256"]:
            raise Refused(9, "wrong-certificate")
    now = parse_time(ctx["now"])
    if f["not-before"] > now + SKEW or f["issued-at"] > now + SKEW:
        raise Refused(5, "not-yet-valid")
    if "not-after" in f and now >= f["not-after"]:
        raise Refused(6, "expired")
    return f


def main(manifest_path):
    base = os.path.dirname(manifest_path)
    m = json.load(open(manifest_path))
    pub = os.path.join(base, m["keyring"])
    keyring = {key_id(pub): pub}
    failures = 0
    for v in m["device_codes"]:
        got = device_code(v["attrs"])
        ok = got == v["code"]
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} device code {got}")
    for case in m["cases"]:
        data = open(os.path.join(base, case["license"]), "rb").read()
        try:
            revoked = (set(), set())
            lists = case["context"]
            if lists.get("held_revocation_list"):
                revoked = revocation_list(open(os.path.join(base, lists["held_revocation_list"]), "rb").read(), keyring)
            if lists.get("revocation_list"):
                crl = revocation_list(open(os.path.join(base, lists["revocation_list"]), "rb").read(), keyring)
                if lists.get("held_revocation_list"):
                    check_supersedes(crl, revoked)
                revoked = crl
            f = verify(data, keyring, case["context"], revoked)
            got = {"valid": True, "kind": f["kind"]}
        except Refused as r:
            got = {"valid": False, "code": r.code, "name": r.name}
        ok = got == case["expect"]
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {case['name']}: {got}")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "licenses/examples/vectors.json"))
