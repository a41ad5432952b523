from __future__ import annotations

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from .audit import connect_audit_signals

        # Changes to categories, the IT-staff directory, scoring rules, users and roles are
        # recorded in the audit log, whichever page, admin screen or command made them.
        connect_audit_signals()
