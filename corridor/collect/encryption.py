"""Encrypted forms: ODK's scheme, as ODK Collect and KoboCollect apply it on the phone.

A form whose XForm has `<submission base64RsaPublicKey="…"/>` is encrypted on the phone when
it is finalised; Corridor then stores only what it cannot read (receive.py) until an
administrator types the passphrase of the form's private key (keys.py).

What the phone does (ODK Collect's EncryptionUtils; the ODK XForms specification, "Encrypted
submissions"; ODK Central and Briefcase decrypt the same way):

- a random 256-bit AES key per submission, encrypted with the form's RSA public key using
  "RSA/NONE/OAEPWithSHA256AndMGF1Padding". On Android (BouncyCastle) that is OAEP with SHA-256
  *and* MGF1 with SHA-256, not the SHA-1 MGF1 of desktop Java's default provider: ODK Central
  decrypts with SHA-256 for both. We decrypt with SHA-256/SHA-256 and, should a sender have
  used the desktop-Java default, retry with MGF1-SHA-1: OAEP's own check makes a wrong guess
  fail, never decrypt to something else.
- every file is encrypted with "AES/CFB/PKCS5Padding": AES-256 in 128-bit CFB, with PKCS#7
  padding all the same (Java pads even in CFB mode).
- the IVs: seed = md5(instanceID as UTF-8 + AES key); before file i (0-based) is encrypted,
  byte i % 16 of the seed is incremented (wrapping at 256) and the whole seed is the IV, so
  the increments add up from file to file. Files are encrypted in this order: the media files
  as the envelope lists them in `<media><file>`, then submission.xml last.
- the envelope (what the phone POSTs as xml_submission_file) holds the encrypted AES key, the
  instanceID, the names of the `.enc` files and `base64EncryptedElementSignature`: the
  RSA-encrypted md5 of the lines "form id", "version" (only when the form has one), the
  base64 encrypted key, the instanceID, "name::md5" for each media file and
  "submission.xml::md5", each followed by a newline, where md5 is the zero-padded lower-case
  hex digest of the *decrypted* file. Checking it tells a file damaged or swapped in transit.

The private key is kept encrypted (PKCS#8, with the passphrase through the best encryption the
library offers). Neither the passphrase nor the clear private key is ever stored or logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from corridor.collect.instance import InstanceProblem, envelope, local_name, parse
from corridor.collect.models import DecryptionKey, Submission

# Long enough that guessing it from a stolen database dump is out of reach, short enough to be
# typed from a sealed envelope in a safe.
MIN_PASSPHRASE_LENGTH = 12
RSA_KEY_BITS = 2048
AES_KEY_BYTES = 32
IV_BYTES = 16
SUBMISSION_FILE = "submission.xml"


class EncryptionProblem(ValueError):
    """Something the administrator must be told, in plain words (the message)."""


class WeakPassphrase(EncryptionProblem):
    pass


class WrongPassphrase(EncryptionProblem):
    pass


class DecryptionFailed(EncryptionProblem):
    """One submission cannot be decrypted or does not check out; the others may."""


def check_passphrase(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE_LENGTH:
        raise WeakPassphrase(
            _(
                "The passphrase must have at least %(count)s characters. A few unrelated words "
                "make one that is long yet easy to type."
            )
            % {"count": MIN_PASSPHRASE_LENGTH}
        )


@sensitive_variables()
def generate_key_pair(passphrase: str) -> tuple[str, str]:
    """A new RSA key pair: (private key as encrypted PKCS#8 PEM, public key as base64 DER).

    The public key is what an XLSForm's `public_key` setting holds and what the XForm's
    `base64RsaPublicKey` carries: the SubjectPublicKeyInfo, base64, no PEM lines.
    """
    check_passphrase(passphrase)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    encrypted_pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    ).decode("ascii")
    public_der = private_key.public_key().public_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return encrypted_pem, base64.b64encode(public_der).decode("ascii")


@sensitive_variables()
def load_private_key(decryption_key: DecryptionKey, passphrase: str) -> rsa.RSAPrivateKey:
    """The form's clear private key, in memory only; WrongPassphrase if it does not open."""
    try:
        key = serialization.load_pem_private_key(
            decryption_key.encrypted_private_key.encode("ascii"),
            password=(passphrase or "").encode("utf-8"),
        )
    except (ValueError, TypeError):
        # The library says the same for a wrong passphrase and a damaged key; the passphrase
        # is by far the likelier, and either way nothing can be decrypted.
        raise WrongPassphrase(
            _(
                "This passphrase does not open the form's key. Check it (capital letters, "
                "spaces) and type it again. Nothing was decrypted."
            )
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise WrongPassphrase(_("The stored key of this form is not an RSA key."))
    return key


def public_key_from_base64(public_key: str) -> rsa.RSAPublicKey:
    key = serialization.load_der_public_key(base64.b64decode(public_key))
    if not isinstance(key, rsa.RSAPublicKey):
        raise EncryptionProblem(_("The public key of this form is not an RSA key."))
    return key


# --- the phone's scheme, both ways -----------------------------------------------------------


def oaep(mgf_hash: hashes.HashAlgorithm | None = None) -> OAEP:
    return OAEP(mgf=MGF1(mgf_hash or hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@sensitive_variables()
def rsa_decrypt(private_key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """Undo "RSA/NONE/OAEPWithSHA256AndMGF1Padding" (SHA-256 MGF1, then SHA-1 MGF1)."""
    # SHA-1 here is the mask generation of a sender that used Java's default, not a digest.
    for mgf_hash in (hashes.SHA256(), hashes.SHA1()):  # noqa: S303
        try:
            return private_key.decrypt(data, oaep(mgf_hash))
        except ValueError:
            continue
    raise ValueError("OAEP decryption failed")


def ivs(instance_id: str, aes_key: bytes, count: int) -> list[bytes]:
    """The IVs of the first `count` files of a submission, in the order they were encrypted."""
    digest = hashlib.md5(instance_id.encode("utf-8") + aes_key, usedforsecurity=False)
    seed = bytearray(digest.digest())
    found = []
    for index in range(count):
        seed[index % IV_BYTES] = (seed[index % IV_BYTES] + 1) % 256
        found.append(bytes(seed))
    return found


def aes_decrypt(aes_key: bytes, iv: bytes, content: bytes) -> bytes:
    """Raises ValueError when the padding is wrong: a damaged file, or not this key's."""
    decryptor = Cipher(algorithms.AES(aes_key), CFB(iv)).decryptor()
    padded = decryptor.update(content) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def md5_hex(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest().zfill(32)


def signature_source(
    *,
    form_id: str,
    version: str | None,
    encrypted_key: str,
    instance_id: str,
    files: list[tuple[str, bytes]],
) -> bytes:
    """The text whose md5 the phone encrypts as the element signature; `files` are the clear
    files by their clear names, media first and submission.xml last."""
    lines = [form_id]
    if version is not None:
        lines.append(version)
    lines += [encrypted_key, instance_id]
    lines += [f"{name}::{md5_hex(content)}" for name, content in files]
    return "".join(line + "\n" for line in lines).encode("utf-8")


# --- reading an envelope ---------------------------------------------------------------------


@dataclass
class EncryptedEnvelope:
    form_id: str
    version: str | None
    instance_id: str
    encrypted_key: str
    media: list[str] = field(default_factory=list)  # the .enc names, in the envelope's order
    xml_file: str = SUBMISSION_FILE + ".enc"
    signature: str = ""


def _text(root: Element, name: str) -> str:
    for element in root.iter():
        if local_name(element) == name:
            return (element.text or "").strip()
    return ""


def read_envelope(xml: str | bytes) -> EncryptedEnvelope:
    try:
        root = parse(xml)
    except InstanceProblem as problem:
        raise DecryptionFailed(str(problem)) from None
    found = envelope(root)
    if not found.encrypted:
        raise DecryptionFailed(_("This submission is not an encrypted envelope."))
    media = [
        (child.text or "").strip()
        for element in root.iter()
        if local_name(element) == "media"
        for child in element
        if local_name(child) == "file" and (child.text or "").strip()
    ]
    result = EncryptedEnvelope(
        form_id=found.form_id,
        # Collect leaves the attribute out when the form has no version; so does the signature.
        version=root.get("version"),
        instance_id=found.instance_id,
        encrypted_key=_text(root, "base64EncryptedKey"),
        media=media,
        xml_file=_text(root, "encryptedXmlFile") or SUBMISSION_FILE + ".enc",
        signature=_text(root, "base64EncryptedElementSignature"),
    )
    missing = [
        name
        for name, value in (
            ("instanceID", result.instance_id),
            ("base64EncryptedKey", result.encrypted_key),
            ("base64EncryptedElementSignature", result.signature),
        )
        if not value
    ]
    if missing:
        raise DecryptionFailed(
            _("The encrypted envelope lacks %(elements)s: it was not made by ODK Collect.")
            % {"elements": ", ".join(missing)}
        )
    return result


def _clear_name(encrypted_name: str) -> str:
    return encrypted_name.removesuffix(".enc")


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionFailed(
            _("The %(what)s in the envelope is not valid base64.") % {"what": what}
        ) from None


@sensitive_variables()
def decrypt_submission(
    submission: Submission, private_key: rsa.RSAPrivateKey
) -> tuple[bytes, dict[str, bytes]]:
    """The clear submission.xml and media files {clear name: content} of an encrypted
    submission, after checking its signature. Raises DecryptionFailed saying why."""
    sealed = read_envelope(submission.xml)
    if sealed.form_id != submission.form.form_id:
        raise DecryptionFailed(
            _("The envelope names the form “%(found)s”, not “%(expected)s”.")
            % {"found": sealed.form_id, "expected": submission.form.form_id}
        )
    attachments = {a.filename: bytes(a.content) for a in submission.attachments.all()}
    order = [*sealed.media, sealed.xml_file]
    missing = [name for name in order if name not in attachments]
    if missing:
        raise DecryptionFailed(
            _(
                "These files of the submission never arrived: %(files)s. The phone may still "
                "send them; otherwise the submission cannot be decrypted whole."
            )
            % {"files": ", ".join(missing)}
        )
    try:
        aes_key = rsa_decrypt(private_key, _b64(sealed.encrypted_key, "base64EncryptedKey"))
    except ValueError:
        raise DecryptionFailed(
            _(
                "This submission was encrypted with another key than this form's: it was filled "
                "with a version of the form whose key was replaced, or comes from another server."
            )
        ) from None
    if len(aes_key) != AES_KEY_BYTES:
        raise DecryptionFailed(_("The submission's encrypted key has the wrong length."))
    clear: list[tuple[str, bytes]] = []
    for name, iv in zip(order, ivs(sealed.instance_id, aes_key, len(order)), strict=True):
        try:
            clear.append((_clear_name(name), aes_decrypt(aes_key, iv, attachments[name])))
        except ValueError:
            raise DecryptionFailed(
                _("The file %(file)s is damaged: it does not decrypt.") % {"file": name}
            ) from None
    try:
        expected = rsa_decrypt(private_key, _b64(sealed.signature, "signature"))
    except ValueError:
        expected = b""
    source = signature_source(
        form_id=sealed.form_id,
        version=sealed.version,
        encrypted_key=sealed.encrypted_key,
        instance_id=sealed.instance_id,
        files=clear,
    )
    if not hmac.compare_digest(expected, hashlib.md5(source, usedforsecurity=False).digest()):
        raise DecryptionFailed(
            _(
                "The submission's signature does not match its files: a file was changed or "
                "swapped after the phone encrypted it. It was not processed."
            )
        )
    xml = clear[-1][1]
    try:
        inner = envelope(parse(xml))
    except InstanceProblem as problem:
        raise DecryptionFailed(str(problem)) from None
    if inner.instance_id != sealed.instance_id or inner.form_id != sealed.form_id:
        raise DecryptionFailed(
            _("The decrypted form does not belong to this envelope (another form or instance).")
        )
    return xml, dict(clear[:-1])
