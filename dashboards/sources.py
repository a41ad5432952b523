"""Sources (admins): list with health, add / edit with the kind's settings form, test
connection, run now with progress, pause / resume, schedule, history, delete."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from collectors.base import ConnectorError
from collectors.models import Source, SyncRun, TaskFailure
from collectors.registry import connector_class, kinds
from collectors.secrets import redact
from collectors.services import (
    SourceError,
    schedule_describe,
    source_check,
    source_create,
    source_remove,
    source_schedule,
    source_set_enabled,
    source_update,
)

from .audit import audit_record
from .forms_sources import ScheduleForm, SourceForm, setting_specs, shown
from .sources_selectors import (
    kind_label,
    run_progress,
    source_delete_impact,
    source_runs,
    sources_with_health,
)

log = logging.getLogger(__name__)

RUNS_PER_PAGE = 20


def _source(pk: int) -> Source:
    return get_object_or_404(
        Source.objects.select_related("periodic_task__interval", "periodic_task__crontab"), pk=pk
    )


def _connector(kind: str) -> Any:
    try:
        return connector_class(kind)
    except ConnectorError:
        raise Http404("Unknown source kind") from None


def _detail(source: Source) -> str:
    return reverse("sources-detail", args=[source.pk])


@login_required
@permission_required("collectors.view_source", raise_exception=True)
def source_list(request: HttpRequest) -> HttpResponse:
    # Background tasks that failed for good (after their retries), newest first.
    failures = TaskFailure.objects.recent()
    return render(
        request,
        "dashboards/sources/list.html",
        {
            "sources": sources_with_health(),
            "task_failures": failures[:5],
            "task_failure_count": failures.count(),
        },
    )


@login_required
@permission_required("collectors.add_source", raise_exception=True)
def source_add_kind(request: HttpRequest) -> HttpResponse:
    choices = [
        {"kind": kind, "label": cls.label, "push": cls.push, "push_only": cls.push_only}
        for kind, cls in kinds().items()
    ]
    return render(request, "dashboards/sources/add_kind.html", {"kinds": choices})


def _store_upload(upload: UploadedFile) -> str:
    """Write an uploaded survey export under MEDIA_ROOT/uploads; the settings' relative
    path (resolved against MEDIA_ROOT by the csvfile kind)."""
    folder = Path(django_settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex[:12]}-{Path(upload.name or 'upload').name}"
    with (folder / name).open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return f"uploads/{name}"


def _settings_with_upload(form: SourceForm) -> dict[str, Any]:
    settings = dict(form.cleaned_data["settings"])
    upload = form.cleaned_data.get("upload")
    if upload:
        settings["path"] = _store_upload(upload)
    return settings


@login_required
@permission_required("collectors.add_source", raise_exception=True)
def source_add(request: HttpRequest, kind: str) -> HttpResponse:
    connector = _connector(kind)
    form = SourceForm(request.POST or None, request.FILES or None, connector=connector)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            source = source_create(
                name=data["name"],
                kind=kind,
                settings=_settings_with_upload(form),
                secrets=data["secrets"],
                schedule=data.get("schedule") or "1h",
                enabled=not data.get("start_paused"),
                actor=request.user,
            )
        except (SourceError, ConnectorError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Added {source.name}. Test the connection, then run it once."
            )
            return redirect(_detail(source))
    return render(
        request,
        "dashboards/sources/form.html",
        {"form": form, "kind": kind, "kind_label": connector.label, "source": None},
    )


@login_required
@permission_required("collectors.change_source", raise_exception=True)
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(pk)
    connector = _connector(source.kind)
    form = SourceForm(
        request.POST or None, request.FILES or None, connector=connector, source=source
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            source_update(
                source=source,
                name=data["name"],
                settings=_settings_with_upload(form),
                secrets=data["secrets"],
                actor=request.user,
            )
        except (SourceError, ConnectorError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Saved. The next collection uses the new settings.")
            return redirect(_detail(source))
    return render(
        request,
        "dashboards/sources/form.html",
        {"form": form, "kind": source.kind, "kind_label": connector.label, "source": source},
    )


def _settings_summary(source: Source) -> list[dict[str, Any]]:
    try:
        specs = setting_specs(connector_class(source.kind))
    except ConnectorError:
        return [{"name": k, "value": shown(v), "set": True} for k, v in source.settings.items()]
    stored = source.settings or {}
    rows = []
    for spec in specs:
        if spec.name in stored:
            rows.append({"name": spec.name, "value": shown(stored[spec.name]), "set": True})
        elif not spec.advanced:
            rows.append({"name": spec.name, "value": shown(spec.default), "set": False})
    return rows


def _webhook(request: HttpRequest, source: Source) -> str:
    try:
        push = connector_class(source.kind).push
    except ConnectorError:
        push = False
    if not push or not request.user.has_perm("collectors.change_source"):
        return ""
    from collectors.webhooks import webhook_url

    return webhook_url(source, base_url=django_settings.EARSHOT_BASE_URL)


@login_required
@permission_required("collectors.view_source", raise_exception=True)
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(pk)
    try:
        cls = connector_class(source.kind)
        push_only = cls.push_only
    except ConnectorError:
        push_only = False
    runs = source_runs(source)
    latest = runs.first()
    after: int | None = None
    if request.GET.get("after", "").isdigit():
        after = int(request.GET["after"])
    elif latest is not None and latest.status == SyncRun.Status.RUNNING:
        after = latest.pk - 1
    page = None
    if request.user.has_perm("collectors.view_syncrun"):
        page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "source": source,
        "kind_label": kind_label(source.kind),
        "schedule": schedule_describe(source),
        "push_only": push_only,
        "settings_rows": _settings_summary(source),
        "secret_names": [n for n in source.secret_names() if n != "hook_token"],
        "webhook_url": _webhook(request, source),
        "base_url_missing": not django_settings.EARSHOT_BASE_URL,
        "progress": run_progress(source, after=after) if after is not None else None,
        "after": after,
        "page": page,
        "schedule_form": ScheduleForm(initial={"schedule": ""}),
    }
    return render(request, "dashboards/sources/detail.html", context)


@login_required
@permission_required("collectors.view_source", raise_exception=True)
@require_GET
def source_progress(request: HttpRequest, pk: int) -> JsonResponse:
    source = get_object_or_404(Source, pk=pk)
    raw = request.GET.get("after", "0")
    after = int(raw) if raw.isdigit() else 0
    return JsonResponse(run_progress(source, after=after))


@login_required
@permission_required("collectors.change_source", raise_exception=True)
@require_POST
def source_test(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(pk)
    result = source_check(source=source)
    if result.ok:
        messages.success(request, f"Connection works. {result.message}")
    else:
        messages.error(request, f"Connection failed: {result.message}")
    return redirect(_detail(source))


@login_required
@permission_required("collectors.change_source", raise_exception=True)
@require_POST
def source_run(request: HttpRequest, pk: int) -> HttpResponse:
    from collectors.tasks import collect_source

    source = _source(pk)
    if not source.enabled:
        messages.error(request, "This source is paused: resume it first, then run it.")
        return redirect(_detail(source))
    latest = source_runs(source).first()
    if source.collecting_since is not None and latest is not None:
        messages.info(request, "A collection of this source is running already; see below.")
        return redirect(f"{_detail(source)}?after={latest.pk - 1}#progress")
    after = latest.pk if latest else 0
    try:
        # Inline in the embedded mode (the run is over when this returns); a worker's
        # job otherwise, and the page follows its progress.
        collect_source.delay(source.pk, trigger="manual")
    except Exception as exc:  # the broker is down: say so instead of a server error
        log.exception("could not queue a collection of %s", source.name)
        messages.error(request, f"Could not queue the collection: {redact(str(exc))}")
        return redirect(_detail(source))
    audit_record(action="source_run", actor=request.user, target=source, detail="from its page")
    return redirect(f"{_detail(source)}?after={after}#progress")


@login_required
@permission_required("collectors.change_source", raise_exception=True)
@require_POST
def source_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(pk)
    enable = request.POST.get("enabled") == "1"
    source_set_enabled(source=source, enabled=enable, actor=request.user)
    if enable:
        messages.success(request, f"Resumed: collected {schedule_describe(source)}.")
    else:
        messages.success(request, "Paused: no scheduled collection. Nothing stored is removed.")
    return redirect(_detail(source))


@login_required
@permission_required("collectors.change_source", raise_exception=True)
@require_POST
def source_schedule_change(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(pk)
    form = ScheduleForm(request.POST)
    if _connector(source.kind).push_only:
        messages.error(request, "This kind is only pushed to: it has no collection schedule.")
    elif form.is_valid():
        source_schedule(source=source, schedule=form.cleaned_data["schedule"], actor=request.user)
        source = _source(pk)
        messages.success(request, f"Schedule changed: collected {schedule_describe(source)}.")
    else:
        messages.error(request, " ".join(form.errors.get("schedule", ["Give a schedule."])))
    return redirect(_detail(source))


@login_required
@permission_required("collectors.delete_source", raise_exception=True)
def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(pk)
    if request.method == "POST":
        name = source.name
        source_remove(source=source, actor=request.user)
        messages.success(request, f"Deleted {name} and everything collected from it.")
        return redirect("sources-list")
    return render(
        request,
        "dashboards/sources/delete.html",
        {"source": source, "impact": source_delete_impact(source)},
    )
