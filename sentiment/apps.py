from __future__ import annotations

from django.apps import AppConfig


class SentimentConfig(AppConfig):
    name = "sentiment"
    verbose_name = "Sentiment"
