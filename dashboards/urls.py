from __future__ import annotations

from django.urls import include, path

from . import explorer, scoring_views, threads, views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("annotations/", views.annotation_add, name="annotation-add"),
    path("explore/", explorer.explore, name="explore"),
    path("explore/export.csv", explorer.explore_export, name="explore-export"),
    path("threads/<int:pk>/", threads.thread_detail, name="thread"),
    path("threads/<int:pk>/review/", threads.thread_review, name="thread-review"),
    path("comments/<int:pk>/label/", threads.comment_label, name="comment-label"),
    path("scoring/", scoring_views.scoring_overview, name="scoring"),
    path("sources/", include("dashboards.sources_urls")),
]
