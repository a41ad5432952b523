from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .base import ConnectorError
from .models import Source, SyncRun, TaskFailure, WebhookEvent
from .registry import connector_class, kinds
from .services import source_check, source_collect, source_remove, source_schedule


class _SecretsTextarea(forms.Textarea):
    """Typed secrets are never sent back, not even when the form returns with an error."""

    def format_value(self, value: Any) -> None:
        return None


class SourceForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=[])
    new_secrets = forms.CharField(
        required=False,
        widget=_SecretsTextarea(attrs={"rows": 3, "autocomplete": "off"}),
        label="Set secrets",
        help_text="key=value, one per line. Stored encrypted and never shown again; "
        "leave empty to keep the current ones.",
    )
    upload = forms.FileField(
        required=False,
        help_text="csvfile sources: upload a survey export (CSV or XLSX, e.g. Microsoft Forms' "
        "Excel download); it is stored on the server and the settings' path points to it.",
    )
    schedule = forms.CharField(
        required=False,
        help_text="15m, 2h, 1d or five cron fields (for example '0 7 * * 1-5'). Empty: keep.",
    )

    class Meta:
        model = Source
        fields = ["name", "kind", "settings", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, f"{k} — {c.label}") for k, c in kinds().items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        settings_value = dict(data.get("settings") or {})
        upload = data.get("upload")
        if upload:
            folder = Path(settings.MEDIA_ROOT) / "uploads"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{uuid.uuid4().hex[:12]}-{Path(upload.name).name}"
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            settings_value["path"] = str(target)
            data["settings"] = settings_value
        try:
            connector_class(kind).parse_settings(settings_value)
        except ConnectorError as exc:
            raise forms.ValidationError({"settings": str(exc)}) from None
        secrets = {}
        for line in (data.get("new_secrets") or "").splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise forms.ValidationError({"new_secrets": "Write each secret as key=value."})
            secrets[key.strip()] = value.strip()
        unknown = set(secrets) - set(connector_class(kind).secret_names)
        if unknown:
            raise forms.ValidationError(
                {"new_secrets": f"Unknown secret(s): {', '.join(sorted(unknown))}"}
            )
        data["parsed_secrets"] = secrets
        return data


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = ["name", "kind", "enabled", "last_run_at", "last_status", "short_error"]
    list_filter = ["kind", "enabled", "last_status"]
    search_fields = ["name"]
    readonly_fields = [
        "secret_names_display",
        "cursor",
        "periodic_task",
        "last_run_at",
        "last_success_at",
        "last_status",
        "last_error",
        "collecting_since",
        "webhook_address",
    ]
    actions = ["run_now", "test_connection"]

    @admin.display(description="Webhook URL")
    def webhook_address(self, obj: Source) -> str:
        from django.conf import settings

        from .registry import connector_class
        from .webhooks import webhook_url

        try:
            push = obj.pk and connector_class(obj.kind).push
        except ConnectorError:
            push = False
        if not push:
            return "— (this kind is collected, not pushed to)"
        return webhook_url(obj, base_url=settings.EARSHOT_BASE_URL) + (
            "" if settings.EARSHOT_BASE_URL else "  (prefix with Earshot's address)"
        )

    @admin.display(description="Stored secrets")
    def secret_names_display(self, obj: Source) -> str:
        names = obj.secret_names() if obj.pk else []
        return ", ".join(names) + " (set, hidden)" if names else "none"

    @admin.display(description="Last error")
    def short_error(self, obj: Source) -> str:
        return obj.last_error[:120]

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        from dashboards.audit import audit_record

        secrets = form.cleaned_data.get("parsed_secrets") or {}
        if secrets:
            merged = obj.get_secrets() if obj.credentials else {}
            merged.update(secrets)
            obj.set_secrets(merged)
        super().save_model(request, obj, form, change)
        from .registry import connector_class

        cls = connector_class(obj.kind)
        if cls.push:
            from .webhooks import webhook_token_ensure

            webhook_token_ensure(source=obj)
        schedule = form.cleaned_data.get("schedule")
        if not cls.push_only and (schedule or obj.periodic_task_id is None):
            # A schedule set while adding is part of "created", recorded below.
            source_schedule(source=obj, schedule=schedule or "1h", actor=request.user, audit=change)
        changed = [f for f in form.changed_data if f not in ("new_secrets", "upload", "schedule")]
        if not change:
            audit_record(
                action="source_created",
                actor=request.user,
                target=obj,
                detail=f"{obj.kind} source, in the Django admin",
            )
        elif changed or form.cleaned_data.get("upload"):
            names = changed + (["upload"] if form.cleaned_data.get("upload") else [])
            audit_record(
                action="source_changed",
                actor=request.user,
                target=obj,
                detail=f"in the Django admin: {', '.join(names)}",
            )
        if secrets:
            audit_record(
                action="source_credentials",
                actor=request.user,
                target=obj,
                detail=f"set: {', '.join(sorted(secrets))} (values not recorded)",
            )

    def delete_model(self, request: HttpRequest, obj: Source) -> None:
        # Through the service: its schedule goes too, and the audit log records it.
        source_remove(source=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            source_remove(source=source, actor=request.user)

    @admin.action(description="Run a collection now")
    def run_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            run = source_collect(source=source, trigger="admin", actor=request.user)
            if run is None:
                self.message_user(request, f"{source}: already running", messages.WARNING)
            elif run.status == SyncRun.Status.FAILED:
                self.message_user(request, f"{source}: failed: {run.error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{source}: {run.created} created, {run.updated} updated, {run.skipped} skipped",
                )

    @admin.action(description="Test the connection")
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            result = source_check(source=source)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{source}: {result.message}", level)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = [
        "source",
        "started_at",
        "finished_at",
        "status",
        "seen",
        "created",
        "updated",
        "unchanged",
        "skipped",
    ]
    list_filter = ["status", "source"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Read-only: what arrived on each source's webhook URL and what became of it."""

    list_display = ["received_at", "source", "status", "short_delivery", "short_error"]
    list_filter = ["status", "source"]
    date_hierarchy = "received_at"
    search_fields = ["delivery_id"]
    fields = ["source", "delivery_id", "received_at", "status", "processed_at", "error", "body"]
    readonly_fields = fields

    @admin.display(description="Delivery")
    def short_delivery(self, obj: WebhookEvent) -> str:
        return obj.delivery_id[:60]

    @admin.display(description="Error")
    def short_error(self, obj: WebhookEvent) -> str:
        return obj.error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    """Background tasks that failed for good, after their bounded retries. Read-only;
    delete a row once its cause is fixed (the sweep re-queues the work)."""

    list_display = ["failed_at", "task", "attempts", "short_error"]
    list_filter = ["task"]
    date_hierarchy = "failed_at"
    fields = ["failed_at", "task", "task_id", "attempts", "error", "arguments"]
    readonly_fields = fields

    @admin.display(description="Error")
    def short_error(self, obj: TaskFailure) -> str:
        return obj.error[:160]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
