"""Complaint explorer (IT staff): threads filtered by date range, source, category,
department, voice, score range and free text; sorted by most negative, most recent or
largest volume; paginated; and the CSV export of exactly what is filtered (one row per
comment)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Max, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from collectors.models import Source
from sentiment import scoring
from sentiment.models import Category, Comment, Thread, Voice, WeeklyRollup
from sentiment.retention import comment_text_removed, removed_notice, thread_title_removed

from .audit import audit_record

PAGE_SIZE = 25
MAX_EXPORT = 200_000
SORTS = {
    "negative": ("Most negative", ("avg_score", "-last_at")),
    "recent": ("Most recent", ("-last_at",)),
    "volume": ("Largest volume", ("-n", "avg_score")),
}


class ExplorerFilters(forms.Form):
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("name"), required=False, empty_label="All sources"
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="All services"
    )
    department = forms.CharField(required=False, max_length=120)
    voice = forms.ChoiceField(
        required=False,
        choices=[
            ("business", "Business users (counted)"),
            ("all", "Everyone"),
            *[(v, label) for v, label in Voice.choices if v != Voice.BUSINESS],
        ],
    )
    min_score = forms.FloatField(required=False, min_value=-1, max_value=1, label="Score from")
    max_score = forms.FloatField(required=False, min_value=-1, max_value=1, label="to")
    q = forms.CharField(required=False, max_length=200, label="Text")
    sort = forms.ChoiceField(required=False, choices=[(k, v[0]) for k, v in SORTS.items()])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        lo, hi = data.get("min_score"), data.get("max_score")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("max_score", "The upper score is below the lower one.")
        return data


@dataclass
class Filters:
    start: date | None = None
    end: date | None = None
    source: Source | None = None
    category: Category | None = None
    department: str = ""
    voice: str = "business"
    min_score: float | None = None
    max_score: float | None = None
    q: str = ""
    sort: str = "negative"

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as instants in the current time zone: from the first moment of
        the start day to the first moment of the day after the end day."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz) if self.start else None,
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
            if self.end
            else None,
        )


def filters_from(form: ExplorerFilters) -> Filters:
    if not form.is_valid():
        return Filters()
    d = form.cleaned_data
    return Filters(
        start=d.get("start"),
        end=d.get("end"),
        source=d.get("source"),
        category=d.get("category"),
        department=(d.get("department") or "").strip(),
        voice=d.get("voice") or "business",
        min_score=d.get("min_score"),
        max_score=d.get("max_score"),
        q=(d.get("q") or "").strip(),
        sort=d.get("sort") or "negative",
    )


def _filter_q(f: Filters, *, comment: str, thread: str) -> Q:
    """The filters as one condition, with the path to the comment's and to the thread's
    fields: ("", "thread__") from Comment, ("comments__", "") from Thread."""
    q = Q()
    start, end = f.bounds()
    if start:
        q &= Q(**{f"{comment}created_at__gte": start})
    if end:
        q &= Q(**{f"{comment}created_at__lt": end})
    if f.source:
        q &= Q(**{f"{thread}source": f.source})
    if f.category:
        q &= Q(**{f"{thread}category": f.category})
    if f.department:
        q &= Q(**{f"{thread}department__iexact": f.department}) | Q(
            **{f"{comment}author__department__iexact": f.department}
        )
    if f.voice != "all":
        q &= Q(**{f"{comment}voice": f.voice})
    if f.min_score is not None:
        q &= Q(**{f"{comment}compound__gte": f.min_score})
    if f.max_score is not None:
        q &= Q(**{f"{comment}compound__lte": f.max_score})
    if f.q:
        q &= Q(**{f"{comment}raw_body__icontains": f.q})
    return q


def comments_filtered(f: Filters) -> QuerySet[Comment]:
    """The comments the filters select (the export's rows; the threads they belong to are
    the explorer's rows)."""
    return Comment.objects.filter(_filter_q(f, comment="", thread="thread__"))


def threads_matching(f: Filters) -> QuerySet[Thread]:
    """Threads with a matching comment (no figures: what the pager counts)."""
    # A thread's span covers its comments (ingest widens it, never narrows it), so the
    # date range (with the thread's own filters, repeated here) narrows the threads
    # through their (category, last activity) index before any comment is read.
    span = Q()
    if f.source:
        span &= Q(source=f.source)
    if f.category:
        span &= Q(category=f.category)
    start, end = f.bounds()
    if start:
        span &= Q(last_activity_at__gte=start)
    if end:
        span &= Q(opened_at__lt=end)
    return Thread.objects.filter(span, id__in=comments_filtered(f).values("thread_id"))


def threads_filtered(f: Filters) -> QuerySet[Thread]:
    """Threads with a matching comment; their figures are over the matching comments."""
    matching = _filter_q(f, comment="comments__", thread="")
    qs = (
        threads_matching(f)
        .select_related("source", "category")
        .annotate(
            n=Count("comments", filter=matching, distinct=True),
            avg_score=Avg("comments__compound", filter=matching),
            min_score=Min("comments__compound", filter=matching),
            last_at=Max("comments__created_at", filter=matching),
        )
    )
    return qs.order_by(*SORTS.get(f.sort, SORTS["negative"])[1], "-id")


def departments_known() -> list[str]:
    """The departments business users wrote from (the filter's choices), from the weekly
    rollups: a few hundred rows, where a DISTINCT over every thread reads them all."""
    keys = (
        WeeklyRollup.objects.filter(dimension=WeeklyRollup.DEPARTMENT)
        .exclude(key="")
        .values_list("key", flat=True)
        .distinct()
        .order_by("key")
    )
    return list(keys[:500])


class _Pager(Paginator):
    """Counts with a plain query: counting the annotated one would compute every
    thread's figures a second time."""

    def __init__(self, object_list: Any, per_page: int, *, total: Callable[[], int]) -> None:
        super().__init__(object_list, per_page)
        self._total = total

    @cached_property
    def count(self) -> int:
        return self._total()


@login_required
@permission_required("sentiment.use_explorer", raise_exception=True)
def explore(request: HttpRequest) -> HttpResponse:
    form = ExplorerFilters(request.GET or None)
    f = filters_from(form) if request.GET else Filters()
    page = _Pager(threads_filtered(f), PAGE_SIZE, total=threads_matching(f).count).get_page(
        request.GET.get("page")
    )
    for thread in page.object_list:
        if thread_title_removed(thread):
            thread.title = removed_notice()  # shown only; the row is never saved
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filters": f,
        "query": query.urlencode(),
        "thresholds": (scoring.NEGATIVE_THRESHOLD, scoring.POSITIVE_THRESHOLD),
        "can_export": request.user.has_perm("sentiment.export_comments"),
        "departments": departments_known(),
    }
    return render(request, "dashboards/explore.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def filters_describe(f: Filters) -> str:
    """The filters an export used, for the audit log ("all comments" when none)."""
    parts = []
    for name, default in (
        ("start", None),
        ("end", None),
        ("source", None),
        ("category", None),
        ("department", ""),
        ("voice", "business"),
        ("min_score", None),
        ("max_score", None),
        ("q", ""),
    ):
        value = getattr(f, name)
        if value != default:
            parts.append(f"{name}={value}")
    return ", ".join(parts) or "all comments"


def _safe_cell(value: Any) -> Any:
    """No formula injection when the CSV is opened in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
@permission_required("sentiment.export_comments", raise_exception=True)
def explore_export(request: HttpRequest) -> HttpResponse:
    form = ExplorerFilters(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse(
            "The filters are not valid: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    f = filters_from(form) if request.GET else Filters()
    identities = request.user.has_perm("sentiment.view_identity")
    rows = (
        comments_filtered(f)
        .select_related("thread", "thread__category", "source", "author")
        .order_by("thread_id", "created_at", "id")[:MAX_EXPORT]
    )
    writer = csv.writer(_Echo())
    audit_record(
        action="export",
        actor=request.user,
        target_type="comments",
        target="explorer CSV",
        detail=f"{min(rows.count(), MAX_EXPORT)} rows"
        f"{' with authors named' if identities else ''}; filters: {filters_describe(f)}",
    )
    notice = removed_notice()

    def stream():
        yield "\ufeff"  # Excel reads UTF-8 with a BOM
        yield writer.writerow(
            [
                "thread_id",
                "thread_title",
                "thread_url",
                "source",
                "service",
                "department",
                "comment_id",
                "created_at",
                "voice",
                "author",
                "compound",
                "label",
                "text",
            ]
        )
        for c in rows.iterator(chunk_size=2000):
            author = ""
            if c.author is not None:
                author = (
                    c.author.display_name
                    if identities and c.author.display_name
                    else c.author.pseudonym
                )
            yield writer.writerow(
                [
                    _safe_cell(v)
                    for v in (
                        c.thread_id,
                        notice if thread_title_removed(c.thread) else c.thread.title,
                        c.thread.safe_url,
                        c.source.name,
                        c.thread.category.name,
                        c.thread.department or (c.author.department if c.author else ""),
                        c.pk,
                        timezone.localtime(c.created_at).isoformat(),
                        c.voice,
                        author,
                        "" if c.compound is None else f"{c.compound:.4f}",
                        "" if c.compound is None else scoring.label_for(c.compound),
                        notice if comment_text_removed(c) else c.raw_body,
                    )
                ]
            )

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="earshot-comments-{stamp}.csv"'
    return response
