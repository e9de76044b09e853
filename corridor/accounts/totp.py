"""Time-based one-time passwords (TOTP, RFC 6238, built on HOTP, RFC 4226).

The parameters are the ones every authenticator app (FreeOTP, Aegis, Google Authenticator)
assumes when a provisioning URI says nothing else: HMAC-SHA1, 6 digits, 30-second steps.
A few dozen lines on the standard library, checked against the RFCs' test vectors, rather than
a dependency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from collections.abc import Callable
from urllib.parse import quote, urlencode

ISSUER = "Corridor"
DIGITS = 6
STEP_SECONDS = 30
# A phone's clock may be a little off, and a code typed at the end of its step arrives in the
# next: the steps just before and just after the current one are accepted too.
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends; 32 base32 characters


def new_secret() -> str:
    """A random secret, in base32 as authenticator apps expect it (no padding needed)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: Callable = hashlib.sha1) -> str:
    """RFC 4226, section 5.3: the HMAC of the counter, dynamically truncated to `digits`."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(timestamp: float) -> int:
    """The number of the 30-second step a Unix time falls in (RFC 6238's T)."""
    return int(timestamp // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    return hotp(_key(secret), step)


def code_now(secret: str) -> str:
    return code_at_step(secret, step_at(time.time()))


def normalise(code: str) -> str:
    # People copy codes shown as "123 456"; spaces and dashes are not part of the code.
    return code.replace(" ", "").replace("-", "").strip()


def matching_step(secret: str, code: str, *, at: float, last_step: int | None) -> int | None:
    """The step whose code this is, within the allowed drift and after `last_step`, or None.

    A step at or before `last_step` is refused: a code, once accepted, cannot be used again
    (RFC 6238, section 5.2), even by someone who saw it typed.
    """
    code = normalise(code)
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    key = _key(secret)
    current = step_at(at)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        # Constant-time comparison: the time taken says nothing about how many digits matched.
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI that authenticator apps read from a QR code (Key Uri Format)."""
    label = quote(f"{ISSUER}:{account}", safe=":")
    parameters = {
        "secret": secret,
        "issuer": ISSUER,
        "algorithm": "SHA1",
        "digits": DIGITS,
        "period": STEP_SECONDS,
    }
    return f"otpauth://totp/{label}?{urlencode(parameters)}"


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(uri: str) -> str:
    """An inline SVG QR code of the URI, drawn on the server: no JavaScript, no image request."""
    # Imported here: only the enrolment page needs it.
    import segno

    return segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
