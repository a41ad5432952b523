from __future__ import annotations

from django.apps import AppConfig


class CollectorsConfig(AppConfig):
    name = "collectors"
    verbose_name = "Collectors"

    def ready(self) -> None:
        from .secrets import install_log_redaction

        # Every process (web, worker, beat, CLI): no credential in any log record.
        install_log_redaction()
