"""The check code printed on every certificate beside its number (issue 16, item 6).

Certificate numbers are short and sequential (a 4-digit scope plus a serial), so a number alone
would let anyone walk /verify through the whole register.  /verify therefore answers only for a
number *and* its check code: six characters derived from the number with a keyed hash
(HMAC-SHA256 under the ``verify_key`` setting), printed on the certificate and carried in its QR
link.  Nothing is stored: the batch workers, the documents and /verify compute the same code from
the same key.  Changing the key changes every code, so a deployment keeps it (``WUHAO_VERIFY_KEY``,
by default the ``SECRET_KEY``) for as long as its printed certificates are in use.
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

#: no 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off paper is typed back without guessing
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 6
#: the query parameter of the QR's link
PARAM = "code"


def check_code(number: str, key: str) -> str:
    """The six-character check code of certificate ``number`` under ``key``."""
    if not key:
        raise ValueError("verify key is empty")
    digest = hmac.new(key.encode("utf-8"), b"wuhao-certificate:" + str(number).strip().encode("utf-8"),
                      hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big")
    out = []
    for _ in range(LENGTH):
        value, r = divmod(value, len(ALPHABET))
        out.append(ALPHABET[r])
    return "".join(out)


def normalise(code: str) -> str:
    """What a person typed, as the code is printed: upper case, no spaces or dashes, at most 16 chars."""
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())[:16]


def matches(number: str, code: str, key: str) -> bool:
    """Whether ``code`` (as typed or scanned) is ``number``'s check code; constant time."""
    typed = normalise(code)
    return bool(typed) and hmac.compare_digest(typed, check_code(number, key))


def verify_link(base: str, number: str, key: str) -> str:
    """The /verify link of a certificate with its check code (what the QR holds)."""
    return (f"{base.rstrip('/')}/verify/{quote(str(number), safe='')}"
            f"?{PARAM}={check_code(number, key)}")


def mask_name(name: str) -> str:
    """A holder's name as /verify shows it: first and last character, the rest as * (张三明 → 张*明,
    张三 → 张*, 欧阳小明 → 欧**明)."""
    name = " ".join(str(name or "").split())
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
