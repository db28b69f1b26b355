"""NIK and No. KK protection (UU PDP): keyed hash for lookup, encryption for export, masking.

Keys are derived from SECRET_KEY with HKDF so the lookup hash and the ciphers never share
key material. The hash is HMAC-SHA256: without the key, a leaked table cannot be reversed by
enumerating the (small) space of valid NIKs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.identity import mask_number


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"nirmiskin", info=purpose).derive(
        secret
    )


def mask_name(name: str) -> str:
    """`Siti Aminah` -> `S*** A*****`: enough for a person to recognise their own household."""
    return " ".join(word[0] + "*" * (len(word) - 1) if word else word for word in name.split())


# Conversation data is sealed on every answer of a form, so it uses one AES-GCM call rather
# than Fernet's padding, AES-CBC and HMAC steps (a fifth of the time). Sealed values carry
# this prefix; older ones, sealed with Fernet, still open.
SEAL_PREFIX = "g1:"


class Protector:
    def __init__(self, secret: bytes) -> None:
        self._hash_key = _derive(secret, b"lookup-hash")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"export-cipher")))
        self._sealer = AESGCM(_derive(secret, b"conversation-seal"))

    def lookup_hash(self, number: str) -> str:
        return hmac.new(self._hash_key, number.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, number: str) -> str:
        return self._fernet.encrypt(number.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def try_decrypt(self, token: str) -> str | None:
        """None when the token was not made with this key or is damaged (an export goes on
        and names the row instead of stopping at it)."""
        try:
            return self.decrypt(token)
        except (InvalidToken, ValueError):
            return None

    def seal(self, text: str) -> str:
        """Encrypt and authenticate conversation data kept at rest (FSM storage)."""
        nonce = os.urandom(12)
        sealed = self._sealer.encrypt(nonce, text.encode(), None)
        return SEAL_PREFIX + base64.b64encode(nonce + sealed).decode()

    def unseal(self, token: str) -> str:
        if not token.startswith(SEAL_PREFIX):
            return self.decrypt(token)  # sealed before AES-GCM was used for this
        raw = base64.b64decode(token[len(SEAL_PREFIX) :])
        return self._sealer.decrypt(raw[:12], raw[12:], None).decode()

    def protect(self, number: str) -> tuple[str, str, str]:
        """(hash, ciphertext, masked) for storing a NIK or KK."""
        return self.lookup_hash(number), self.encrypt(number), mask_number(number)
