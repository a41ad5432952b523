"""Stable pseudonyms for authors: a keyed hash whose key lives outside the database."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def pseudonym(source_id: int, external_id: str) -> str:
    digest = hmac.new(
        settings.PSEUDONYM_KEY.encode(), f"{source_id}:{external_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"Person-{digest[:8].upper()}"
