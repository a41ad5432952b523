"""The three roles, as Django groups: what each may do.

- Executive: the overview and aggregates; never author identities.
- Analyst: also the explorer and threads (authors pseudonymized unless a user is also
  given sentiment.view_identity), reviews and "wrong sentiment".
- Admin: also sources, the IT-staff directory, categories, scoring rules, annotations
  and users.

The groups are created by a migration (0006) and their permissions re-synced after
every `migrate`, so a permission added by a later release reaches its role.
"""

from __future__ import annotations

from typing import Any

EXECUTIVE = "Executive"
ANALYST = "Analyst"
ADMIN = "Admin"

_EXECUTIVE = ["sentiment.view_overview"]
_ANALYST = [
    *_EXECUTIVE,
    "sentiment.use_explorer",
    "sentiment.export_comments",
    "sentiment.view_thread",
    "sentiment.view_comment",
    "sentiment.view_category",
    "sentiment.add_labelcorrection",
    "sentiment.view_labelcorrection",
    "sentiment.add_threadreview",
    "sentiment.view_threadreview",
    "dashboards.add_annotation",
    "dashboards.view_annotation",
]
# Admins manage these models fully (add, change, delete, view).
_ADMIN_MODELS = [
    "collectors.source",
    "collectors.syncrun",
    "sentiment.staffdirectoryentry",
    "sentiment.category",
    "sentiment.lexiconentry",
    "sentiment.phraserule",
    "dashboards.annotation",
    "auth.user",
    "auth.group",
    "django_celery_beat.periodictask",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
]
_ADMIN = [
    *_ANALYST,
    "sentiment.view_person",
    "sentiment.view_scorersettings",
    "sentiment.view_threadviewlog",
    "dashboards.view_auditevent",
    "collectors.view_taskfailure",
    "collectors.view_webhookevent",
    *(f"{m.split('.')[0]}.{action}_{m.split('.')[1]}" for m in _ADMIN_MODELS
      for action in ("add", "change", "delete", "view")),
]

ROLES: dict[str, list[str]] = {EXECUTIVE: _EXECUTIVE, ANALYST: _ANALYST, ADMIN: _ADMIN}


def sync_roles(group_model: Any, permission_model: Any) -> None:
    """Create the groups and set exactly their permissions (those that exist)."""
    for name, perms in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for perm in dict.fromkeys(perms):
            app_label, codename = perm.split(".", 1)
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
