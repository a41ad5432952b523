from __future__ import annotations

from django.contrib import admin

from .models import Annotation, AuditEvent


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ("start", "end", "kind", "title", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "note")
    date_hierarchy = "start"
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by Earshot, never edited (also at /sources/audit/)."""

    list_display = ("at", "actor", "action", "target_type", "target", "detail")
    list_filter = ("action", "target_type")
    search_fields = ("actor", "target", "detail")
    date_hierarchy = "at"
    fields = ("at", "actor", "user", "action", "target_type", "target_id", "target", "detail")
    readonly_fields = fields

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
