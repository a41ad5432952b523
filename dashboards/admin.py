from __future__ import annotations

from django.contrib import admin

from .models import Annotation


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
