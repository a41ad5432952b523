"""/sources/: the admins' pages for sources, the IT-staff directory and category rules."""

from __future__ import annotations

from django.urls import path

from . import audit, sources, sources_catalogue

urlpatterns = [
    path("", sources.source_list, name="sources-list"),
    path("add/", sources.source_add_kind, name="sources-add"),
    path("add/<str:kind>/", sources.source_add, name="sources-add-kind"),
    path("<int:pk>/", sources.source_detail, name="sources-detail"),
    path("<int:pk>/edit/", sources.source_edit, name="sources-edit"),
    path("<int:pk>/test/", sources.source_test, name="sources-test"),
    path("<int:pk>/run/", sources.source_run, name="sources-run"),
    path("<int:pk>/progress/", sources.source_progress, name="sources-progress"),
    path("<int:pk>/pause/", sources.source_toggle, name="sources-toggle"),
    path("<int:pk>/schedule/", sources.source_schedule_change, name="sources-schedule"),
    path("<int:pk>/delete/", sources.source_delete, name="sources-delete"),
    path("directory/", sources_catalogue.directory, name="sources-directory"),
    path(
        "directory/<int:pk>/delete/",
        sources_catalogue.directory_delete,
        name="sources-directory-delete",
    ),
    path("categories/", sources_catalogue.categories, name="sources-categories"),
    path("categories/add/", sources_catalogue.category_add, name="sources-category-add"),
    path("categories/<int:pk>/", sources_catalogue.category_edit, name="sources-category-edit"),
    path("audit/", audit.audit_log, name="sources-audit"),
]
