"""The default IT service catalogue, seeded by migration 0002 and restorable with ensure_catalogue()."""

from __future__ import annotations

from typing import Any

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


def ensure_catalogue(category_model: Any) -> None:
    """Create or refresh the default categories (keeps any the admin added)."""
    for position, (name, slug, aliases, keywords) in enumerate(CATALOGUE):
        category_model.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "aliases": aliases, "keywords": keywords,
                      "position": 10_000 if slug == "other" else (position + 1) * 10},
        )
