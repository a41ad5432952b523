"""Source credentials at rest: Fernet tokens under keys from the environment.

EARSHOT_ENCRYPTION_KEYS lists keys newest first. The first encrypts; all decrypt,
so a key is rotated by prepending a new one and running `rotate_secrets`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretsError(Exception):
    """Stored credentials cannot be decrypted with the configured keys."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt_json(values: dict[str, Any]) -> str:
    return _current().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    try:
        return json.loads(_current().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretsError(
            "Stored credentials cannot be decrypted: EARSHOT_ENCRYPTION_KEYS does not hold "
            "the key they were encrypted with."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    return _current().rotate(token.encode()).decode()
