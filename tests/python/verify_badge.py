#!/usr/bin/env python3
"""An independent verifier of amphi's Open Badges 3.0 credentials.

Written apart from the server (another language, another JOSE library:
joserfc), it checks what a relying party would: the VC-JWT's EdDSA signature
against the issuer's published JWKS (fetched from the `jku` the header names,
which must sit under the issuer's id), the OB 3.0 shape and the JWT claims
that mirror the credential (iss, jti, nbf, exp), the salted hash of the
recipient, the validity period, and the revocation bit in the issuer's
Bitstring Status List (itself a VC-JWT checked with the same keys).

    verify_badge.py credential FILE [--recipient ID] [--now SECONDS]
    verify_badge.py vector FILE --x BASE64URL --now SECONDS
    verify_badge.py pdf-text FILE

Prints one JSON object: {"verdict": "valid" | "revoked" | "expired" |
"tampered" | "malformed", "reason": ..., ...}.
"""

import base64
import gzip
import hashlib
import json
import sys
import time
import urllib.request
from datetime import datetime, timezone

from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet, OKPKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode("utf-8")


def seconds(text):
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp())


def unverified_header(token):
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


def decode(token, keys):
    """The claims of `token`, checked with `keys`; raises on a bad signature."""
    return jwt.decode(token, keys, algorithms=["EdDSA"]).claims


def check_shape(claims, now):
    """Problems with an OpenBadgeCredential's shape, claims and dates."""
    if claims.get("@context", [])[:2] != [VC_CONTEXT, OB_CONTEXT]:
        return "malformed", "@context is not VC 2.0 + OB 3.0"
    if "OpenBadgeCredential" not in claims.get("type", []):
        return "malformed", "type has no OpenBadgeCredential"
    issuer = claims.get("issuer", {})
    if claims.get("iss") != issuer.get("id") or "Profile" not in issuer.get("type", []):
        return "malformed", "iss does not match issuer.id"
    if claims.get("jti") != claims.get("id"):
        return "malformed", "jti does not match id"
    if claims.get("nbf") != seconds(claims["validFrom"]):
        return "malformed", "nbf does not match validFrom"
    subject = claims.get("credentialSubject", {})
    achievement = subject.get("achievement", {})
    if "Achievement" not in achievement.get("type", []) or not achievement.get("criteria", {}).get("narrative"):
        return "malformed", "credentialSubject.achievement is incomplete"
    if "validUntil" in claims:
        if claims.get("exp") != seconds(claims["validUntil"]):
            return "malformed", "exp does not match validUntil"
        if now >= claims["exp"]:
            return "expired", "validUntil has passed"
    return None


def identity_matches(claims, recipient):
    for identity in claims["credentialSubject"].get("identifier", []):
        if identity.get("hashed"):
            digest = hashlib.sha256((recipient + identity["salt"]).encode()).hexdigest()
            if identity["identityHash"] == "sha256$" + digest:
                return True
    return False


def revoked(claims, keys):
    status = claims["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    listed = decode(fetch(status["statusListCredential"]).strip(), keys)
    assert "BitstringStatusListCredential" in listed["type"]
    assert listed["iss"] == claims["iss"], "the status list is not the issuer's"
    encoded = listed["credentialSubject"]["encodedList"]
    assert encoded.startswith("u"), "encodedList is not multibase base64url"
    body = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert len(bits) * 8 >= 131072, "the list is shorter than 131,072 entries"
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def verify_credential(token, recipient, now):
    header = unverified_header(token)
    unverified = json.loads(
        base64.urlsafe_b64decode(token.split(".")[1] + "=" * (-len(token.split(".")[1]) % 4))
    )
    issuer_id = unverified["issuer"]["id"]
    jku = header.get("jku", "")
    if not jku.startswith(issuer_id + "/"):
        return {"verdict": "malformed", "reason": "the key set is not published under the issuer's id"}
    profile = json.loads(fetch(issuer_id))
    if profile.get("id") != issuer_id:
        return {"verdict": "malformed", "reason": "the issuer profile does not have the issuer's id"}
    keys = KeySet.import_key_set(json.loads(fetch(jku)))
    try:
        claims = decode(token, keys)
    except BadSignatureError:
        return {"verdict": "tampered", "reason": "bad signature"}
    except JoseError as error:
        return {"verdict": "malformed", "reason": str(error)}
    problem = check_shape(claims, now)
    if problem:
        return {"verdict": problem[0], "reason": problem[1]}
    if recipient is not None and not identity_matches(claims, recipient):
        return {"verdict": "malformed", "reason": "the recipient's hash does not match"}
    if revoked(claims, keys):
        return {"verdict": "revoked", "reason": "the issuer's status list has its bit set"}
    return {
        "verdict": "valid",
        "reason": "signature, shape, dates and status checked",
        "kid": header.get("kid"),
        "achievement": claims["credentialSubject"]["achievement"]["name"],
        "issuer": claims["issuer"]["name"],
    }


def verify_vector(token, x, now):
    key = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": x})
    try:
        claims = decode(token, key)
    except BadSignatureError:
        return {"verdict": "tampered", "reason": "bad signature"}
    problem = check_shape(claims, now)
    if problem:
        return {"verdict": problem[0], "reason": problem[1]}
    return {"verdict": "valid", "achievement": claims["credentialSubject"]["achievement"]["name"]}


def option(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main():
    command, path = sys.argv[1], sys.argv[2]
    if command == "pdf-text":
        from pypdf import PdfReader

        print(json.dumps({"text": "\n".join(page.extract_text() for page in PdfReader(path).pages)}))
        return
    token = open(path, encoding="utf-8").read().strip()
    now = int(option("--now", time.time()))
    if command == "vector":
        print(json.dumps(verify_vector(token, option("--x"), now)))
    else:
        print(json.dumps(verify_credential(token, option("--recipient"), now)))


if __name__ == "__main__":
    main()
