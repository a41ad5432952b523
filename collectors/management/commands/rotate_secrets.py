"""`manage.py rotate_secrets` — re-encrypt every source's credentials under the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from collectors.models import Source
from collectors.secrets import SecretsError, rotate


class Command(BaseCommand):
    help = (
        "After putting a new key first in EARSHOT_ENCRYPTION_KEYS: re-encrypt all stored "
        "credentials with it. Then the old key can be removed."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        n = 0
        with transaction.atomic():
            for source in Source.objects.exclude(credentials="").select_for_update():
                try:
                    source.credentials = rotate(source.credentials)
                except SecretsError as exc:
                    raise CommandError(f"{source.name}: {exc} Nothing was changed.") from None
                source.save(update_fields=["credentials"])
                n += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the credentials of {n} sources."))
