"""Seed the IT service catalogue and the periodic safety-net tasks."""

from django.db import migrations

from sentiment.catalogue import ensure_catalogue

def seed(apps, schema_editor):
    ensure_catalogue(apps.get_model("sentiment", "Category"))
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every5, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="earshot: score what was never scored, refresh pending rollups",
        defaults={"task": "sentiment.sweep", "interval": every5, "enabled": True},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="sentiment.sweep").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sentiment", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
