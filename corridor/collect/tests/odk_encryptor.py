"""Encrypt a filled form the way ODK Collect does, to test decryption against.

Written from Collect's EncryptionUtils (EncryptedFormInformation, encryptSubmissionFiles,
writeSubmissionManifest), not from corridor.collect.encryption, so that a mistake in the
decryptor is not mirrored here: the IV seed is a Java byte array incremented in place, the
signature source a string built line by line, the envelope laid out as Collect writes it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

ENCRYPTED_NAMESPACE = "http://www.opendatakit.org/xforms/encrypted"
OPENROSA_NAMESPACE = "http://openrosa.org/xforms"


def collect_oaep(mgf1: hashes.HashAlgorithm | None = None) -> asymmetric.OAEP:
    # "RSA/NONE/OAEPWithSHA256AndMGF1Padding" on Android (BouncyCastle): SHA-256 for MGF1 too.
    return asymmetric.OAEP(
        mgf=asymmetric.MGF1(mgf1 or hashes.SHA256()), algorithm=hashes.SHA256(), label=None
    )


class FormInformation:
    """Collect's EncryptedFormInformation: one per submission."""

    def __init__(
        self,
        form_id: str,
        form_version: str | None,
        instance_id: str,
        public_key_base64: str,
        *,
        mgf1: hashes.HashAlgorithm | None = None,
    ) -> None:
        self.public_key = serialization.load_der_public_key(base64.b64decode(public_key_base64))
        self.mgf1 = mgf1
        self.key = os.urandom(32)
        digest = hashlib.md5(instance_id.encode("utf-8") + self.key, usedforsecurity=False).digest()
        # Java: byte[] ivSeedArray, each ++ wraps from 127 to -128; as unsigned, 255 to 0.
        self.iv_seed = [digest[i % len(digest)] for i in range(16)]
        self.iv_counter = 0
        self.encrypted_key = base64.b64encode(
            self.public_key.encrypt(self.key, collect_oaep(mgf1))
        ).decode("ascii")
        self.signature_source = ""
        self.append(form_id)
        if form_version is not None:
            self.append(form_version)
        self.append(self.encrypted_key)
        self.append(instance_id)

    def append(self, value: str) -> None:
        self.signature_source += value + "\n"

    def append_file(self, name: str, content: bytes) -> None:
        md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
        self.append(name + "::" + md5.rjust(32, "0"))

    def cipher_encrypt(self, content: bytes) -> bytes:
        # getCipher(): increment, then use the whole seed as the IV.
        position = self.iv_counter % len(self.iv_seed)
        self.iv_seed[position] = (self.iv_seed[position] + 1) & 0xFF
        self.iv_counter += 1
        iv = bytes(self.iv_seed)
        padder = padding.PKCS7(128).padder()  # Java's PKCS5Padding on a 16-byte block
        padded = padder.update(content) + padder.finalize()
        encryptor = Cipher(algorithms.AES(self.key), CFB(iv)).encryptor()
        return encryptor.update(padded) + encryptor.finalize()

    def element_signature(self) -> str:
        digest = hashlib.md5(self.signature_source.encode("utf-8"), usedforsecurity=False).digest()
        return base64.b64encode(self.public_key.encrypt(digest, collect_oaep(self.mgf1))).decode()


@dataclass
class Encrypted:
    envelope: bytes
    files: dict[str, bytes]  # name.enc -> encrypted content


def encrypt_like_collect(
    *,
    xml: bytes,
    public_key: str,
    form_id: str,
    version: str | None,
    instance_id: str,
    media: dict[str, bytes] | None = None,
    mgf1: hashes.HashAlgorithm | None = None,
) -> Encrypted:
    info = FormInformation(form_id, version, instance_id, public_key, mgf1=mgf1)
    files = {}
    # encryptSubmissionFiles: the media files first, then submission.xml last.
    for name, content in (media or {}).items():
        info.append_file(name, content)
        files[name + ".enc"] = info.cipher_encrypt(content)
    info.append_file("submission.xml", xml)
    files["submission.xml.enc"] = info.cipher_encrypt(xml)
    version_attribute = f' version="{version}"' if version is not None else ""
    media_elements = "".join(f"<media><file>{name}.enc</file></media>\n" for name in media or {})
    envelope = (
        "<?xml version='1.0' encoding='UTF-8' ?>"
        f'<data xmlns="{ENCRYPTED_NAMESPACE}" id="{form_id}"{version_attribute} encrypted="yes">'
        f"<base64EncryptedKey>{info.encrypted_key}</base64EncryptedKey>"
        f'<orx:meta xmlns:orx="{OPENROSA_NAMESPACE}">'
        f"<orx:instanceID>{instance_id}</orx:instanceID></orx:meta>\n"
        f"{media_elements}"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        f"<base64EncryptedElementSignature>{info.element_signature()}"
        "</base64EncryptedElementSignature></data>"
    )
    return Encrypted(envelope=envelope.encode("utf-8"), files=files)
