from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class SentimentConfig(AppConfig):
    name = "sentiment"
    verbose_name = "Sentiment"

    def ready(self) -> None:
        from .models import LexiconEntry, PhraseRule

        def changed(**kwargs: object) -> None:
            from .custom import bump_revision

            bump_revision()

        post_migrate.connect(_sync_roles, dispatch_uid="earshot-sync-roles")

        # Every change to the organisation's own scoring bumps the scorer version.
        for model in (LexiconEntry, PhraseRule):
            post_save.connect(changed, sender=model, dispatch_uid=f"scoring-{model.__name__}-save")
            post_delete.connect(
                changed, sender=model, dispatch_uid=f"scoring-{model.__name__}-delete"
            )


def _sync_roles(sender: AppConfig, **kwargs: object) -> None:
    """After every migrate: the roles get permissions that later releases added."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if sender is not list(apps.get_app_configs())[-1]:
        return  # once, after every app's permissions exist

    from .roles import sync_roles

    sync_roles(Group, Permission)
