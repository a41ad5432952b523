"""Seed the IT service catalogue and the periodic safety-net tasks."""

from django.db import migrations

CATALOGUE = [
    # name, slug, aliases (source field values), keywords (text rules)
    ("E-mail & calendar", "email", "email\ne-mail\nmail\noutlook\nexchange\ncalendar",
     "email\ne-mail\nmailbox\noutlook\ninbox\ncalendar\nmeeting invite\nshared mailbox\nspam\nphishing"),
    ("Network & VPN", "network", "network\nvpn\nwifi\nwi-fi\nconnectivity\nremote access",
     "vpn\nwifi\nwi-fi\nwireless\nnetwork\ninternet\nconnection\nconnectivity\nethernet\nfirewall\nproxy"),
    ("Laptops & devices", "devices", "hardware\nlaptop\ndesktop\ndevice\nend user computing\nmonitor",
     "laptop\nnotebook\ndesktop\nmonitor\nkeyboard\nmouse\ndocking station\ndock\nbattery\nscreen\nheadset\nwebcam"),
    ("Accounts & access", "access", "access\naccount\nidentity\niam\npassword\nmfa",
     "password\nlogin\nlog in\nlocked out\naccount\naccess\npermission\nmfa\n2fa\nauthenticator\nsso\nsingle sign-on"),
    ("Printing", "printing", "printing\nprinter\nprint",
     "printer\nprinting\nprint\nscanner\ntoner\npaper jam"),
    ("Business applications", "applications", "application\napplications\nsoftware\nerp\ncrm\nsap",
     "sap\ncrm\nerp\nsalesforce\nexcel\nword\npowerpoint\nteams\nsharepoint\nonedrive\nlicense\nlicence\ninstall\nsoftware\napp\napplication"),
    ("Phones & mobile", "mobile", "mobile\nphone\ntelephony",
     "phone\nmobile\nsmartphone\niphone\nandroid\nvoicemail\nsim"),
    ("Service desk", "service-desk", "service desk\nhelpdesk\nhelp desk\nsupport\nit support\ngeneral",
     "service desk\nhelp desk\nhelpdesk\nticket\nagent\nsupport\nresponse time\nwaiting\nescalat"),
    ("Other", "other", "", ""),
]


def seed(apps, schema_editor):
    Category = apps.get_model("sentiment", "Category")
    for position, (name, slug, aliases, keywords) in enumerate(CATALOGUE):
        Category.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "aliases": aliases, "keywords": keywords,
                      "position": 10_000 if slug == "other" else (position + 1) * 10},
        )
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
