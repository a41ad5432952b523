"""Thread view (IT staff): every comment of one ticket / chat thread / survey response in
order, its score as colour and number, why it scored so, and "wrong sentiment"."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sentiment import scoring
from sentiment.models import (
    Comment,
    LabelCorrection,
    Thread,
    ThreadReview,
    ThreadViewLog,
    Voice,
)
from sentiment.retention import comment_text_removed, removed_notice, thread_title_removed

# Helpdesk bodies arrive as HTML: their formatting tags become line breaks or vanish so the
# text reads as written. Any other markup (<script>, <img onerror=...>, <iframe>) is not
# formatting: it stays in the text and the template escapes it, so it shows as text.
_BREAK_TAGS = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/pre)\s*/?\s*>", re.I)
_FORMAT_TAGS = re.compile(
    r"</?\s*(?:p|div|span|b|i|u|em|strong|small|font|li|ul|ol|table|tbody|thead|tr|td|th|"
    r"h[1-6]|blockquote|pre|code|hr|a)(?:\s+[^<>]{0,500})?\s*/?\s*>",
    re.I,
)
_BLANK_LINES = re.compile(r"\n{3,}")


def display_text(raw: str) -> str:
    """A comment's raw body as text to show (the template escapes it)."""
    if "<" in raw:
        raw = _BREAK_TAGS.sub("\n", raw)
        raw = _FORMAT_TAGS.sub("", raw)
    if "&" in raw:
        raw = html.unescape(raw)
    return _BLANK_LINES.sub("\n\n", raw).strip()


@dataclass
class CommentView:
    comment: Comment
    author: str
    body: str
    label: str
    counted: bool
    why: dict[str, Any] | None
    correction: LabelCorrection | None
    removed: bool = False  # its text was removed by retention (sentiment/retention.py)


def author_label(comment: Comment, *, identities: bool) -> str:
    person = comment.author
    if person is None:
        return "Unknown author"
    if identities and person.display_name:
        return person.display_name
    return person.pseudonym or "Unknown author"


@login_required
@permission_required("sentiment.view_thread", raise_exception=True)
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = get_object_or_404(Thread.objects.select_related("source", "category"), pk=pk)
    identities = request.user.has_perm("sentiment.view_identity")
    ThreadViewLog.objects.create(
        thread=thread,
        user=request.user,
        username=request.user.get_username(),
        with_identities=identities,
    )
    comments = list(
        Comment.objects.filter(thread=thread).select_related("author").order_by("created_at", "id")
    )
    latest: dict[int, LabelCorrection] = {}
    for c in LabelCorrection.objects.filter(comment__thread=thread).select_related("created_by"):
        latest.setdefault(c.comment_id, c)  # ordered newest first
    an = scoring.analyzer()
    rows = []
    for c in comments:
        removed = comment_text_removed(c)
        why = (
            an.explain(c.clean_body, cleaned=True)
            if c.compound is not None and not removed
            else None
        )
        rows.append(
            CommentView(
                comment=c,
                author=author_label(c, identities=identities),
                body=removed_notice() if removed else display_text(c.raw_body),
                label=scoring.label_for(c.compound) if c.compound is not None else "unscored",
                counted=c.voice == Voice.BUSINESS,
                why=why,
                correction=latest.get(c.pk),
                removed=removed,
            )
        )
    business = [r.comment.compound for r in rows if r.counted and r.comment.compound is not None]
    context = {
        "thread": thread,
        "title_removed": removed_notice() if thread_title_removed(thread) else "",
        "rows": rows,
        "labels": LabelCorrection.Label.choices,
        "can_correct": request.user.has_perm("sentiment.add_labelcorrection"),
        "can_review": request.user.has_perm("sentiment.add_threadreview"),
        "reviews": list(thread.reviews.select_related("created_by")[:20]),
        "review_statuses": ThreadReview.Status.choices,
        "mean": sum(business) / len(business) if business else None,
        "n_business": len(business),
        "version": scoring.current_version(),
        "thresholds": (scoring.NEGATIVE_THRESHOLD, scoring.POSITIVE_THRESHOLD),
    }
    return render(request, "dashboards/thread.html", context)


@require_POST
@login_required
@permission_required("sentiment.add_labelcorrection", raise_exception=True)
def comment_label(request: HttpRequest, pk: int) -> HttpResponse:
    """Record "wrong sentiment": the label this comment should have had."""
    comment = get_object_or_404(Comment, pk=pk)
    back = f"{comment.thread.get_absolute_url()}#c{comment.pk}"
    label = request.POST.get("label", "")
    if label not in LabelCorrection.Label.values:
        messages.error(request, "Choose negative, neutral or positive.")
        return redirect(back)
    LabelCorrection.objects.create(
        comment=comment,
        label=label,
        text=comment.clean_body,
        compound=comment.compound,
        scorer_version=comment.scorer_version,
        note=request.POST.get("note", "").strip()[:300],
        created_by=request.user,
    )
    messages.success(
        request,
        f"Recorded: this comment is {LabelCorrection.Label(label).label.lower()}. "
        "It joins the labelled set (manage.py export_labels); the score itself is unchanged.",
    )
    return redirect(back)


@require_POST
@login_required
@permission_required("sentiment.add_threadreview", raise_exception=True)
def thread_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a thread reviewed or actioned, with a note; who and when are recorded."""
    thread = get_object_or_404(Thread, pk=pk)
    status = request.POST.get("status", "")
    if status not in ThreadReview.Status.values:
        messages.error(request, "Choose reviewed or actioned.")
        return redirect(thread.get_absolute_url())
    note = request.POST.get("note", "").strip()
    if len(note) > 2000:
        messages.error(request, "The note is longer than 2,000 characters; nothing was saved.")
        return redirect(thread.get_absolute_url())
    ThreadReview.objects.create(thread=thread, status=status, note=note, created_by=request.user)
    messages.success(request, f"Thread marked {ThreadReview.Status(status).label.lower()}.")
    return redirect(thread.get_absolute_url())
