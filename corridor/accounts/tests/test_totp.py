"""TOTP against the test vectors of RFC 4226 (HOTP) and RFC 6238 (TOTP)."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from corridor.accounts import totp

RFC_SHA1_KEY = b"12345678901234567890"
RFC_SHA256_KEY = b"12345678901234567890123456789012"
RFC_SHA512_KEY = b"1234567890" * 6 + b"1234"
RFC_SHA1_SECRET = base64.b32encode(RFC_SHA1_KEY).decode()


def test_hotp_matches_rfc_4226_appendix_d():
    expected = [
        "755224",
        "287082",
        "359152",
        "969429",
        "338314",
        "254676",
        "287922",
        "162583",
        "399871",
        "520489",
    ]
    assert [totp.hotp(RFC_SHA1_KEY, counter) for counter in range(10)] == expected


@pytest.mark.parametrize(
    ("timestamp", "sha1", "sha256", "sha512"),
    [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ],
)
def test_totp_matches_rfc_6238_appendix_b(timestamp, sha1, sha256, sha512):
    step = totp.step_at(timestamp)
    assert totp.hotp(RFC_SHA1_KEY, step, digits=8) == sha1
    assert totp.hotp(RFC_SHA256_KEY, step, digits=8, digest=hashlib.sha256) == sha256
    assert totp.hotp(RFC_SHA512_KEY, step, digits=8, digest=hashlib.sha512) == sha512
    # Our 6-digit codes are the last six digits of the same number.
    assert totp.code_at_step(RFC_SHA1_SECRET, step) == sha1[-6:]


def test_new_secrets_are_160_random_bits_in_base32():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert len(secret) == 32 and "=" not in secret
        assert len(base64.b32decode(secret)) == 20


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    at = 1234567890.0
    current = totp.step_at(at)
    for offset in (-1, 0, 1):
        code = totp.code_at_step(RFC_SHA1_SECRET, current + offset)
        assert totp.matching_step(RFC_SHA1_SECRET, code, at=at, last_step=None) == current + offset
    for offset in (-2, 2):
        code = totp.code_at_step(RFC_SHA1_SECRET, current + offset)
        assert totp.matching_step(RFC_SHA1_SECRET, code, at=at, last_step=None) is None


def test_a_used_step_and_the_ones_before_it_are_refused():
    at = 1234567890.0
    current = totp.step_at(at)
    code = totp.code_at_step(RFC_SHA1_SECRET, current)
    assert totp.matching_step(RFC_SHA1_SECRET, code, at=at, last_step=current) is None
    earlier = totp.code_at_step(RFC_SHA1_SECRET, current - 1)
    assert totp.matching_step(RFC_SHA1_SECRET, earlier, at=at, last_step=current) is None
    later = totp.code_at_step(RFC_SHA1_SECRET, current + 1)
    assert totp.matching_step(RFC_SHA1_SECRET, later, at=at, last_step=current) == current + 1


@pytest.mark.parametrize("typed", ["{} {}", " {}-{} ", "{}{}"])
def test_spaces_and_dashes_in_a_typed_code_are_ignored(typed):
    at = 59.0
    code = totp.code_at_step(RFC_SHA1_SECRET, totp.step_at(at))
    typed_code = typed.format(code[:3], code[3:])
    assert totp.matching_step(RFC_SHA1_SECRET, typed_code, at=at, last_step=None) == 1


@pytest.mark.parametrize("code", ["", "28708", "2870822", "abcdef", "٢٨٧٠٨٢"])
def test_malformed_codes_are_refused(code):
    assert totp.matching_step(RFC_SHA1_SECRET, code, at=59.0, last_step=None) is None


def test_provisioning_uri_follows_the_key_uri_format():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "marie.dupont@ong")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Corridor:marie.dupont%40ong"
    assert parse_qs(parts.query) == {
        "secret": ["JBSWY3DPEHPK3PXP"],
        "issuer": ["Corridor"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }


def test_secret_is_grouped_by_four_for_typing():
    assert totp.grouped("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == (
        "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567"
    )
    # Typed back with its spaces, it is the same key.
    assert totp.code_at_step("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", 1) == "287082"


def test_qr_code_is_an_inline_svg():
    svg = totp.qr_code_svg(totp.provisioning_uri(totp.new_secret(), "someone"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<?xml" not in svg
