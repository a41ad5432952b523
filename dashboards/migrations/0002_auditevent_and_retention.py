"""The audit log (AuditEvent), and the daily retention task (sentiment.purge_old_text)
registered like the other periodic tasks; it does nothing while EARSHOT_RETENTION_DAYS is 0."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


PURGE = "earshot: remove text older than EARSHOT_RETENTION_DAYS (daily)"


def schedule_purge(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.update_or_create(
        name=PURGE, defaults={"task": "sentiment.purge_old_text", "interval": daily, "enabled": True}
    )


def unschedule_purge(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=PURGE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0001_annotation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('actor', models.CharField(help_text='The user\'s name, "system" or "command line"; kept when the user is deleted.', max_length=150)),
                ('action', models.CharField(choices=[('export', 'CSV export'), ('source_created', 'Source created'), ('source_changed', 'Source changed'), ('source_credentials', 'Source credentials changed'), ('source_deleted', 'Source deleted'), ('source_paused', 'Source paused'), ('source_resumed', 'Source resumed'), ('source_run', 'Collection started by hand'), ('source_scheduled', 'Source schedule changed'), ('directory_changed', 'IT-staff directory changed'), ('category_changed', 'Category rule changed'), ('scoring_changed', 'Scoring rule changed'), ('user_changed', 'User or role changed'), ('text_purged', 'Old text removed (retention)')], max_length=24)),
                ('target_type', models.CharField(blank=True, max_length=40)),
                ('target_id', models.CharField(blank=True, max_length=64)),
                ('target', models.CharField(blank=True, help_text="The object's name when it happened.", max_length=200)),
                ('detail', models.CharField(blank=True, max_length=1000)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at', '-id'],
                'default_permissions': ('view',),
                'indexes': [models.Index(fields=['action', '-at'], name='auditevent_action_at')],
            },
        ),
        migrations.RunPython(schedule_purge, unschedule_purge),
    ]
