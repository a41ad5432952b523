"""Push endpoints: one webhook URL per source (collectors/webhooks.py)."""

from __future__ import annotations

from django.urls import path

from . import webhooks

app_name = "collectors"
urlpatterns = [
    path("<int:source_id>/<str:token>/", webhooks.receive, name="hook"),
]
