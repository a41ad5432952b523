"""Scoring page (admins): the scorer version, what is waiting for a rescore, analysts'
corrections, and "try a sentence" to see a score and why before changing a rule."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sentiment import scoring
from sentiment.models import Comment, LabelCorrection, LexiconEntry, PhraseRule

MAX_TRY = 5000


@login_required
@permission_required("sentiment.view_lexiconentry", raise_exception=True)
def scoring_overview(request: HttpRequest) -> HttpResponse:
    version = scoring.current_version()
    text = request.GET.get("text", "")[:MAX_TRY]
    corrections = LabelCorrection.objects.aggregate(
        n=Count("id"), comments=Count("comment", distinct=True)
    )
    context = {
        "version": version,
        "outdated": Comment.objects.exclude(compound__isnull=True)
        .exclude(scorer_version=version)
        .count(),
        "unscored": Comment.objects.filter(compound__isnull=True).count(),
        "lexicon": LexiconEntry.objects.all()[:200],
        "rules": PhraseRule.objects.all()[:200],
        "corrections": corrections,
        "recent": LabelCorrection.objects.select_related("created_by")[:10],
        "text": text,
        "why": scoring.explain(text) if text.strip() else None,
        "thresholds": (scoring.NEGATIVE_THRESHOLD, scoring.POSITIVE_THRESHOLD),
    }
    return render(request, "dashboards/scoring.html", context)
