"""The audit log: how events are recorded, and its page (/sources/audit/, admins).

Who acted is passed explicitly by the services and views that know it (a user, or the
labels "command line" and "system"); otherwise it is the signed-in user of the current
request (AuditActorMiddleware) or the command wrapped in `acting_as(CLI)`, else "system".
Sources are recorded by collectors/services.py and the admin; CSV exports by the export
view; categories, IT-staff directory entries, scoring rules, users, groups and their
memberships by the signal receivers below, whichever page, admin screen or command
changed them. Secret values never enter an event (passwords are "changed", no value).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from collectors.secrets import redact

from .models import AuditEvent

Action = AuditEvent.Action
SYSTEM = "system"
CLI = "command line"
PAGE_SIZE = 50

_actor: ContextVar[Any] = ContextVar("earshot_audit_actor", default=None)


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Everything recorded inside is done by `actor` (a user or a label such as CLI)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


class AuditActorMiddleware:
    """The signed-in user is the actor of whatever this request changes."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _actor.set(request)  # request.user is read only when something is recorded
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


def _resolve(actor: Any) -> tuple[Any, str]:
    if actor is None:
        actor = _actor.get()
    if isinstance(actor, HttpRequest):
        actor = getattr(actor, "user", None)
    if isinstance(actor, str):
        return None, actor
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor, actor.get_username()
    return None, SYSTEM  # no one signed in (a webhook delivery, a task)


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: Any = None,
    target_type: str = "",
    target_id: Any = "",
    detail: str = "",
) -> AuditEvent:
    """Write one audit event. `target` is a model instance (its type, id and name are
    taken) or a name; call inside the transaction of the change, so both or neither stay."""
    user, name = _resolve(actor)
    if isinstance(target, models.Model):
        target_type = target_type or str(target._meta.verbose_name)
        target_id = target_id or target.pk
        target = str(target)
    return AuditEvent.objects.create(
        user=user,
        actor=name[:150],
        action=action,
        target_type=target_type[:40],
        target_id=str(target_id or "")[:64],
        target=str(target or "")[:200],
        detail=redact(detail)[:1000],
    )


def shown(value: Any, limit: int = 80) -> str:
    """A value as a short one-line quote for a detail."""
    text = " / ".join(str(value).split("\n")) if value not in (None, "") else "—"
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --- changes recorded by signals ------------------------------------------------------

# model label -> (action, fields whose changes are described)
_TRACKED: dict[str, tuple[str, tuple[str, ...]]] = {
    "sentiment.category": (Action.CATEGORY, ("name", "slug", "aliases", "keywords", "position")),
    "sentiment.staffdirectoryentry": (
        Action.DIRECTORY,
        ("kind", "value", "voice", "source", "note"),
    ),
    "sentiment.lexiconentry": (Action.SCORING, ("token", "valence", "note")),
    "sentiment.phraserule": (
        Action.SCORING,
        ("name", "pattern", "is_regex", "valence", "kind", "enabled", "note"),
    ),
    "auth.user": (
        Action.USER,
        (
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "password",
        ),
    ),
    "auth.group": (Action.USER, ("name",)),
}
_NO_VALUE = frozenset({"password"})  # said to have changed, never shown


def _tracked(sender: Any) -> tuple[str, tuple[str, ...]] | None:
    return _TRACKED.get(getattr(sender._meta, "label_lower", ""))


def _values(instance: Any, fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(instance, name, None)
        out[name] = str(value) if isinstance(value, models.Model) else value
    return out


def _untracked_write(spec: tuple[str, tuple[str, ...]], update_fields: Any) -> bool:
    # e.g. a log-in writing last_login only
    return update_fields is not None and not set(update_fields) & set(spec[1])


def _before_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    spec = _tracked(sender)
    if (
        spec is None
        or raw
        or instance.pk is None
        or _untracked_write(spec, kw.get("update_fields"))
    ):
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _values(old, spec[1]) if old is not None else None


def _after_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    spec = _tracked(sender)
    if spec is None or raw or _untracked_write(spec, kw.get("update_fields")):
        return
    action, fields = spec
    now = _values(instance, fields)
    before = instance.__dict__.pop("_audit_before", None)
    if created or before is None:
        parts = [
            f"{name} {shown(value)}"
            for name, value in now.items()
            if value not in (None, "", False) and name not in _NO_VALUE
        ]
        detail = "added" + (": " + ", ".join(parts) if parts else "")
    else:
        changes = [
            f"{name} changed" if name in _NO_VALUE else f"{name} {shown(before[name])} → {shown(v)}"
            for name, v in now.items()
            if before.get(name) != v
        ]
        if not changes:
            return
        detail = "changed: " + "; ".join(changes)
    audit_record(action=action, target=instance, detail=detail)


def _after_delete(sender: Any, instance: Any, **kw: Any) -> None:
    spec = _tracked(sender)
    if spec is not None:
        audit_record(action=spec[0], target=instance, detail="deleted")


def _memberships(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kw: Any
) -> None:
    """Roles of a user (user.groups), a user's own permissions and a role's permissions,
    from either side of the relation."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model()
    # through model -> ((what, manager) from the forward side, the same from the reverse)
    sides = {
        user.groups.through: (("roles", "groups"), ("members", "user_set")),
        user.user_permissions.through: (("permissions", "user_permissions"), ("users", "user_set")),
        Group.permissions.through: (("permissions", "permissions"), ("roles", "group_set")),
    }
    if sender not in sides:
        return
    what, manager = sides[sender][1 if reverse else 0]
    if action == "pre_clear":
        instance._audit_cleared = [str(o) for o in getattr(instance, manager).all()]
        return
    if action == "post_clear":
        names, verb = instance.__dict__.pop("_audit_cleared", []), "removed"
    elif action in ("post_add", "post_remove") and pk_set:
        names = [str(o) for o in model._default_manager.filter(pk__in=pk_set)]
        verb = "added" if action == "post_add" else "removed"
    else:
        return
    if not names:
        return
    listed = ", ".join(sorted(names)[:10])
    if len(names) > 10:
        listed += f" and {len(names) - 10} more"
    audit_record(action=Action.USER, target=instance, detail=f"{what}: {verb} {listed}")


def connect_audit_signals() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    for label in _TRACKED:
        model = apps.get_model(label)
        uid = f"earshot-audit-{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(_memberships, dispatch_uid="earshot-audit-memberships")


# --- the page -------------------------------------------------------------------------


@login_required
@permission_required("dashboards.view_auditevent", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    events = AuditEvent.objects.all()
    unknown = ""
    if action and action not in Action.values:
        unknown, action = action, ""
    if action:
        events = events.filter(action=action)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/sources/audit.html",
        {
            "page": page,
            "actions": Action.choices,
            "action": action,
            "action_label": Action(action).label if action else "",
            "unknown": unknown,
        },
    )
