from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Category,
    Comment,
    DailySentiment,
    LabelCorrection,
    LexiconEntry,
    Person,
    PhraseRule,
    RollupPending,
    ScorerSettings,
    StaffDirectoryEntry,
    Thread,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Derived data: recomputed by Earshot, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Names, e-mail addresses and ids (often an e-mail) only with sentiment.view_identity;
    without it, searching by them is refused too (it would tell who is in here)."""

    IDENTITY = ("display_name", "email", "external_id")
    list_display = ["pseudonym", "display_name", "source", "department", "voice"]
    list_filter = ["voice", "source"]
    search_fields = ["display_name", "email", "pseudonym", "external_id"]
    readonly_fields = ["pseudonym"]

    def _identities(self, request: HttpRequest) -> bool:
        return request.user.has_perm("sentiment.view_identity")

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = super().get_list_display(request)
        return shown if self._identities(request) else [f for f in shown if f not in self.IDENTITY]

    def get_search_fields(self, request: HttpRequest) -> Any:
        return self.search_fields if self._identities(request) else ["pseudonym"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return None if self._identities(request) else self.IDENTITY


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "category", "department", "opened_at", "last_activity_at"]
    list_filter = ["source", "category"]
    search_fields = ["title", "external_id"]
    date_hierarchy = "last_activity_at"
    raw_id_fields = ["category"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "source", "voice", "created_at", "compound", "scorer_version"]
    list_filter = ["voice", "source", "scorer_version"]
    search_fields = ["external_id", "clean_body"]
    date_hierarchy = "created_at"
    raw_id_fields = ["thread", "author"]


@admin.register(DailySentiment)
class DailySentimentAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "source",
        "category",
        "department",
        "n",
        "n_positive",
        "n_negative",
        "n_neutral",
    ]
    list_filter = ["source", "category"]
    date_hierarchy = "day"


@admin.register(RollupPending)
class RollupPendingAdmin(ReadOnlyAdmin):
    list_display = ["source", "day", "marked_at"]


@admin.register(StaffDirectoryEntry)
class StaffDirectoryAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "voice", "source", "note"]
    list_filter = ["kind", "voice", "source"]
    search_fields = ["value", "note"]


@admin.register(LexiconEntry)
class LexiconEntryAdmin(admin.ModelAdmin):
    """The organisation's own words; a save bumps the scorer version and queues a rescore."""

    list_display = ["token", "valence", "note", "created_by", "updated_at"]
    search_fields = ["token", "note"]
    readonly_fields = ["created_by", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PhraseRule)
class PhraseRuleAdmin(LexiconEntryAdmin):
    list_display = ["name", "pattern", "is_regex", "valence", "kind", "enabled", "updated_at"]
    list_filter = ["enabled", "kind", "is_regex"]
    search_fields = ["name", "pattern", "note"]


@admin.register(LabelCorrection)
class LabelCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["comment", "label", "compound", "scorer_version", "created_by", "created_at"]
    list_filter = ["label", "scorer_version"]
    search_fields = ["text", "note"]
    raw_id_fields = ["comment"]


@admin.register(ScorerSettings)
class ScorerSettingsAdmin(ReadOnlyAdmin):
    list_display = ["revision", "changed_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
