"""Deterministic synthetic conversations about IT, for the demo kinds and the demo survey.

Synthetic data for demos and benchmarks, not a real upstream.

Everything here is a pure function of (seed, window): each day draws from its own
random generator seeded with (seed, kind, date), so the same settings always give the
same external ids and texts, and widening the window leaves the days already in it
as they were. The storyline (a slowly improving mood, one outage week, a laptop
refresh that people like) is placed relative to the window's last day.

Texts are composed from per-service vocabulary and tone templates written the way
business users write to IT: several hundred distinct sentences per kind.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from ..base import CommentRecord

HELPDESK_URL = "https://helpdesk.example.invalid/tickets/{n}"
CHAT_URL = "https://chat.example.invalid/archives/C04ITHELP/p{ts}"
CHAT_CHANNEL = "#it-help"
EMAIL_DOMAIN = "corp.example.com"
# The improving trend spans this many days up to the window's last day.
TREND_DAYS = 182
# Day 0 of ticket numbering: keeps ticket numbers stable whatever the window.
_EPOCH = date(2015, 1, 1)

DEPARTMENTS = (
    "Sales",
    "Finance",
    "Human Resources",
    "Marketing",
    "Operations",
    "Legal",
    "Customer Service",
    "Procurement",
)
# Relative sizes: Sales and Operations write to IT the most.
_DEPT_WEIGHTS = (18, 12, 8, 10, 18, 5, 16, 6)

FIRST_NAMES = (
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farid",
    "Hannah",
    "Ivan",
    "Julia",
    "Karim",
    "Laura",
    "Mateo",
    "Nina",
    "Oliver",
    "Paula",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Vera",
    "William",
    "Xiaoling",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
    "Elif",
    "Felix",
    "Gabriela",
    "Hugo",
    "Ines",
    "Jakob",
    "Kemi",
    "Leon",
    "Maya",
    "Nikos",
    "Olga",
    "Pedro",
    "Ruth",
    "Stefan",
    "Tomas",
    "Uma",
    "Victor",
    "Wendy",
    "Yara",
    "Amir",
    "Bianca",
    "Claire",
    "Dmitri",
    "Eva",
    "Frank",
    "Greta",
    "Hiro",
    "Isabel",
    "James",
    "Katja",
    "Luis",
)
LAST_NAMES = (
    "Andersen",
    "Becker",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "O'Brien",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Almeida",
    "Brennan",
    "Cho",
    "Dahl",
    "Eriksen",
    "Fontaine",
    "Gupta",
    "Haddad",
    "Ivanova",
    "Jovanovic",
    "Keller",
    "Lindgren",
    "Mensah",
    "Nakamura",
    "Ortiz",
    "Park",
    "Reyes",
    "Silva",
    "Thompson",
    "Walsh",
)
IT_STAFF = (
    ("Priya", "Sharma"),
    ("Marco", "Bianchi"),
    ("Grace", "Okafor"),
    ("Tomasz", "Nowak"),
    ("Daniel", "Kim"),
    ("Sofia", "Lindqvist"),
    ("Ahmed", "Hassan"),
    ("Lucy", "Bennett"),
    ("Raj", "Patel"),
    ("Elena", "Marsh"),
)
HELPDESK_BOT = ("helpdesk-automation", "Helpdesk Automation")
CHAT_BOT = ("B0ITSTATUS", "IT Status Bot")


# --- vocabulary -------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    subject: str  # ticket title
    problem: str  # present tense, lower case: "the VPN disconnects every few minutes"
    event: str  # past tense, lower case: "the VPN dropped"


@dataclass(frozen=True)
class Service:
    key: str
    hints: tuple[str, ...]  # the helpdesk's service field (mapped onto Earshot categories)
    survey_label: str  # the survey's choice (the catalogue name)
    thing: str  # "the VPN", "my laptop": what the writer has trouble with
    topic: str  # "the VPN": something that can be "down" for everyone; "" when that reads oddly
    short: str  # "VPN": as in "my VPN issue"
    issues: tuple[Issue, ...]
    requests: tuple[tuple[str, str], ...]  # (subject, sentence)
    fixes: tuple[str, ...]  # what the user thanks for: "the new VPN profile"
    steps: tuple[str, ...]  # what an agent asks: "restart the VPN client"
    actions: tuple[str, ...]  # what an agent did: "pushed a new VPN profile to your laptop"
    done: tuple[str, ...]  # a request fulfilled: "Visio is installed"
    errors: tuple[str, ...]
    howtos: tuple[str, ...]  # chat questions
    better: tuple[str, ...]  # survey: what should IT do better (unhappy)


SERVICES: tuple[Service, ...] = (
    Service(
        key="vpn",
        hints=("VPN", "Remote access"),
        survey_label="Network & VPN",
        thing="the VPN",
        topic="the VPN",
        short="VPN",
        issues=(
            Issue(
                "VPN keeps disconnecting",
                "the VPN disconnects every few minutes",
                "the VPN dropped",
            ),
            Issue(
                "Cannot connect to VPN from home",
                "I can't connect to the VPN from home",
                "the VPN refused to connect",
            ),
            Issue(
                "VPN very slow",
                "the VPN is painfully slow",
                "the VPN crawled so badly that files wouldn't open",
            ),
            Issue(
                "VPN login loop",
                "the VPN client keeps asking me to sign in again",
                "the VPN logged me out",
            ),
            Issue(
                "VPN breaks Teams calls",
                "Teams calls freeze whenever I'm on the VPN",
                "my call froze on the VPN",
            ),
            Issue(
                "No access to shared drives over VPN",
                "the shared drives don't open over the VPN",
                "the VPN lost the shared drives",
            ),
        ),
        requests=(
            ("VPN for new laptop", "Could you set up the VPN on my new laptop?"),
            (
                "VPN access for contractor",
                "Can we get VPN access for a contractor starting Monday?",
            ),
            (
                "Travel: VPN abroad",
                "I'm travelling to Singapore next week, will the VPN work there?",
            ),
        ),
        fixes=("the new VPN profile", "the VPN fix", "the faster VPN", "the new VPN client"),
        steps=(
            "disconnect, restart the VPN client and sign in again",
            "switch the VPN gateway to 'Europe-West' in the client settings",
            "send us the VPN client log from the system tray menu",
        ),
        actions=(
            "pushed a new VPN profile to your laptop",
            "moved your account to the new VPN gateway",
            "reset your VPN certificate",
        ),
        done=("your VPN access is active", "the VPN is configured on your new laptop"),
        errors=(
            "The VPN server did not respond (809)",
            "Gateway authentication failed",
            "Connection timed out",
        ),
        howtos=(
            "how do I connect to the VPN from a hotel Wi-Fi?",
            "do I need the VPN to open SharePoint from home?",
        ),
        better=(
            "Fix the VPN for good, it drops all the time",
            "Make the VPN usable for video calls",
        ),
    ),
    Service(
        key="wifi",
        hints=("Wi-Fi", "Network"),
        survey_label="Network & VPN",
        thing="the office Wi-Fi",
        topic="the Wi-Fi",
        short="Wi-Fi",
        issues=(
            Issue(
                "Wi-Fi drops on 3rd floor",
                "the Wi-Fi on the 3rd floor keeps dropping",
                "the Wi-Fi dropped again",
            ),
            Issue(
                "Meeting room Wi-Fi unusable",
                "the Wi-Fi in the big meeting room is unusable",
                "the Wi-Fi died",
            ),
            Issue(
                "Guest Wi-Fi not working",
                "the guest Wi-Fi doesn't hand out passwords",
                "the guest Wi-Fi failed for our visitors",
            ),
            Issue(
                "Network very slow",
                "the network is extremely slow today",
                "the network slowed to a crawl",
            ),
        ),
        requests=(
            (
                "Guest Wi-Fi for visitors",
                "Can you create guest Wi-Fi access for 12 visitors on Thursday?",
            ),
            ("Network port in room 2.14", "Could someone activate the network port in room 2.14?"),
        ),
        fixes=("the new Wi-Fi access points", "the Wi-Fi upgrade", "the faster network"),
        steps=("forget the network and reconnect", "tell us which meeting room you were in"),
        actions=(
            "restarted the access point on your floor",
            "moved your laptop to the new Wi-Fi network",
        ),
        done=("the guest Wi-Fi codes are in your inbox", "the network port is active"),
        errors=("No internet, secured", "Can't connect to this network"),
        howtos=("how do I get a Wi-Fi code for a visitor?",),
        better=("Fix the Wi-Fi in the meeting rooms", "Invest in a network that actually works"),
    ),
    Service(
        key="email",
        hints=("Email", "Outlook", "Calendar"),
        survey_label="E-mail & calendar",
        thing="Outlook",
        topic="Outlook",
        short="Outlook",
        issues=(
            Issue(
                "Outlook keeps crashing",
                "Outlook crashes every time I open an attachment",
                "Outlook crashed",
            ),
            Issue(
                "Emails not arriving",
                "external emails are not arriving",
                "customer emails disappeared",
            ),
            Issue(
                "Shared mailbox not syncing",
                "the shared mailbox stopped syncing",
                "the shared mailbox stopped updating",
            ),
            Issue(
                "Calendar invites vanish",
                "meeting invites vanish from my calendar",
                "my calendar lost two meetings",
            ),
            Issue(
                "Mailbox full",
                "my mailbox is full and I can't send anything",
                "my mailbox filled up and bounced emails",
            ),
            Issue(
                "Outlook asks for password",
                "Outlook keeps asking for my password",
                "Outlook asked for my password again and again",
            ),
        ),
        requests=(
            ("Access to shared mailbox", "Can I get access to the orders@ shared mailbox?"),
            ("Bigger mailbox", "Could you increase my mailbox size? I keep hitting the limit."),
            ("Delegate calendar", "Please give my assistant edit rights on my calendar."),
            (
                "New distribution list",
                "Can you create a distribution list for the regional managers?",
            ),
        ),
        fixes=(
            "the mailbox upgrade",
            "the shared mailbox fix",
            "the new Outlook",
            "the calendar fix",
        ),
        steps=(
            "close Outlook, then start it in safe mode",
            "check whether webmail shows the missing messages",
            "remove and re-add the shared mailbox",
        ),
        actions=(
            "repaired your Outlook profile",
            "increased your mailbox to 100 GB",
            "re-synced the shared mailbox",
            "restored the missing calendar items",
        ),
        done=(
            "you now have access to the shared mailbox",
            "the distribution list is created",
            "your mailbox is bigger now",
        ),
        errors=(
            "Cannot start Microsoft Outlook",
            "Your mailbox is full",
            "Delivery has failed to these recipients",
        ),
        howtos=(
            "how do I share my calendar with my assistant?",
            "how do I set an out-of-office reply on my phone?",
            "how do I recover an email I deleted last week?",
        ),
        better=(
            "Make e-mail reliable, we lose customer emails",
            "Stop the constant Outlook crashes",
        ),
    ),
    Service(
        key="laptop",
        hints=("Laptop", "Hardware", "Monitor"),
        survey_label="Laptops & devices",
        thing="my laptop",
        topic="",
        short="laptop",
        issues=(
            Issue("Laptop very slow", "my laptop takes ten minutes to start", "my laptop froze"),
            Issue("Battery dies quickly", "my laptop battery dies after an hour", "my laptop died"),
            Issue(
                "Docking station not working",
                "the docking station doesn't detect my monitors",
                "both monitors went black",
            ),
            Issue(
                "Laptop overheating", "my laptop overheats and shuts down", "my laptop shut down"
            ),
            Issue(
                "Broken keyboard",
                "half of the keys on my keyboard don't work",
                "my keyboard stopped working",
            ),
        ),
        requests=(
            ("Second monitor", "Could I get a second monitor for my desk?"),
            ("New starter laptop", "We have a new starter on the 1st, can you prepare a laptop?"),
            ("Headset request", "Can I get a noise-cancelling headset? The open office is loud."),
            ("Laptop replacement", "My laptop is five years old, can I get it replaced?"),
        ),
        fixes=(
            "the new laptop",
            "the new docking station",
            "the replacement battery",
            "the second monitor",
            "the new headset",
        ),
        steps=(
            "send us the asset tag on the bottom of the laptop",
            "try a different USB-C port for the dock",
        ),
        actions=(
            "ordered a replacement battery",
            "swapped your docking station",
            "reinstalled the graphics driver",
        ),
        done=(
            "your new laptop is ready for pick-up",
            "the monitor is on your desk",
            "the headset is at reception for you",
        ),
        errors=("No bootable device", "Battery: consider replacing", "Display not detected"),
        howtos=("where do I request a second monitor?", "who do I ask for a new laptop charger?"),
        better=(
            "Give us laptops that don't take ten minutes to start",
            "Replace old laptops faster",
        ),
    ),
    Service(
        key="password",
        hints=("Password", "Access", "MFA"),
        survey_label="Accounts & access",
        thing="my account",
        topic="the login page",
        short="login",
        issues=(
            Issue("Locked out of account", "I'm locked out of my account", "I got locked out"),
            Issue(
                "MFA not working",
                "the authenticator app doesn't send me prompts",
                "MFA locked me out",
            ),
            Issue(
                "Password reset not working",
                "the password reset link doesn't work",
                "the password reset failed",
            ),
            Issue(
                "Missing permissions",
                "I lost access to the Finance folder",
                "my permissions vanished",
            ),
        ),
        requests=(
            ("Access to Sales dashboard", "Can I get access to the Sales dashboard?"),
            ("Access to shared drive", "I need access to the Finance shared drive for the audit."),
            (
                "Account for new starter",
                "Please create an account for our new colleague starting Monday.",
            ),
            (
                "Remove access for leaver",
                "Please remove access for a colleague who left on Friday.",
            ),
        ),
        fixes=("the password reset", "the new single sign-on", "the access fix", "the MFA setup"),
        steps=("confirm your employee number", "try the self-service password reset first"),
        actions=(
            "unlocked your account",
            "reset your MFA registration",
            "added you to the right group",
        ),
        done=("you now have access", "the account is created", "the access has been removed"),
        errors=(
            "Your account has been locked",
            "Sign-in blocked",
            "You don't have permission to access this folder",
        ),
        howtos=(
            "how do I move the authenticator app to my new phone?",
            "how do I reset my password myself?",
        ),
        better=("Make password resets self-service", "Stop locking us out every month"),
    ),
    Service(
        key="printer",
        hints=("Printer", "Printing"),
        survey_label="Printing",
        thing="the printer on the 2nd floor",
        topic="the printer",
        short="printer",
        issues=(
            Issue(
                "Printer jammed",
                "the printer on the 2nd floor jams on every page",
                "the printer jammed again",
            ),
            Issue(
                "Cannot print from laptop", "I can't print from my laptop", "my print job vanished"
            ),
            Issue(
                "Scanner not sending emails",
                "the scanner doesn't send scans to my email",
                "the scanner lost my scans",
            ),
            Issue(
                "Printer out of toner",
                "the printer is out of toner again",
                "the printer ran out of toner",
            ),
        ),
        requests=(
            ("Printer driver", "Can you install the printer driver for the new printer?"),
            ("Printer for reception", "Could reception get its own printer?"),
        ),
        fixes=("the new printer", "the printer fix", "the new scanner"),
        steps=(
            "remove the printer and add it again from the print portal",
            "tell us the number on the printer's sticker",
        ),
        actions=(
            "replaced the toner",
            "cleared the queue and restarted the printer",
            "installed the driver",
        ),
        done=("the printer driver is installed", "the new printer is set up"),
        errors=("Paper jam in tray 2", "Printer offline", "Scan to email failed"),
        howtos=("how do I add the new printer on the 4th floor?",),
        better=("Get printers that don't jam every day",),
    ),
    Service(
        key="sap",
        hints=("SAP", "ERP"),
        survey_label="Business applications",
        thing="SAP",
        topic="SAP",
        short="SAP",
        issues=(
            Issue("SAP very slow", "SAP takes minutes to load a purchase order", "SAP froze"),
            Issue(
                "SAP report error",
                "the monthly sales report in SAP throws an error",
                "the SAP report crashed",
            ),
            Issue(
                "SAP login fails", "I can't log in to SAP since the update", "SAP rejected my login"
            ),
            Issue(
                "Invoice posting fails",
                "invoices won't post in SAP",
                "SAP refused to post the invoices",
            ),
        ),
        requests=(
            ("SAP role for approvals", "Can I get the SAP role for approving purchase orders?"),
            ("SAP training", "Is there a training for the new SAP screens?"),
        ),
        fixes=("the SAP fix", "the faster SAP reports", "the new SAP screens", "the SAP training"),
        steps=(
            "send us a screenshot of the error with the transaction code",
            "clear the SAP GUI cache",
        ),
        actions=(
            "assigned the approval role",
            "restarted the report job",
            "fixed the authorisation",
        ),
        done=("the SAP role is assigned", "you're booked on the SAP training"),
        errors=(
            "Runtime error TIME_OUT",
            "You are not authorized for transaction ME23N",
            "Posting period not open",
        ),
        howtos=("how do I get access to the Sales dashboard in SAP?",),
        better=(
            "Make SAP faster, it wastes hours every week",
            "Fix SAP before month-end, not after",
        ),
    ),
    Service(
        key="office",
        hints=("Software", "Application"),
        survey_label="Business applications",
        thing="Teams",
        topic="Teams",
        short="Teams",
        issues=(
            Issue("Teams keeps crashing", "Teams crashes when I share my screen", "Teams crashed"),
            Issue(
                "Excel freezes",
                "Excel freezes with big files",
                "Excel crashed and I lost my changes",
            ),
            Issue("OneDrive not syncing", "OneDrive stopped syncing", "OneDrive lost my changes"),
            Issue(
                "SharePoint access denied",
                "SharePoint says access denied on our team site",
                "SharePoint locked us out",
            ),
        ),
        requests=(
            ("Install Visio", "Can someone install Visio for me?"),
            ("Adobe Acrobat licence", "Could I get an Adobe Acrobat licence to edit PDFs?"),
            ("Power BI licence", "I need a Power BI Pro licence for the new dashboards."),
            ("New team site", "Can you create a SharePoint site for the project team?"),
        ),
        fixes=("the new Teams", "the Visio install", "the OneDrive fix", "the new SharePoint site"),
        steps=("sign out of Teams and clear the cache", "send us the file name and its size"),
        actions=(
            "repaired your Office installation",
            "installed the software",
            "reset the sync client",
        ),
        done=("Visio is installed", "the licence is assigned", "the site is created"),
        errors=("We're sorry, something went wrong", "Sync is paused", "Access denied"),
        howtos=(
            "how do I share a Teams meeting recording with an external partner?",
            "how do I restore an old version of an Excel file?",
        ),
        better=("Install software faster, three weeks for Visio is too long",),
    ),
    Service(
        key="mobile",
        hints=("Mobile", "Phone"),
        survey_label="Phones & mobile",
        thing="my work phone",
        topic="",
        short="phone",
        issues=(
            Issue(
                "Work phone not syncing email",
                "my work phone doesn't sync email",
                "my phone stopped syncing",
            ),
            Issue("Phone screen broken", "my phone screen is cracked", "my phone screen broke"),
            Issue(
                "No mobile data abroad",
                "I have no mobile data abroad",
                "my phone lost data roaming",
            ),
            Issue(
                "Voicemail not working",
                "voicemail doesn't record messages",
                "voicemail lost messages",
            ),
        ),
        requests=(
            ("New work phone", "Can I get a work phone? I'm on call from next month."),
            ("Roaming for trip", "Please enable roaming on my phone for a trip to the US."),
        ),
        fixes=("the new phone", "the roaming fix", "the new iPhone"),
        steps=("restart the phone and open the company portal app", "tell us your phone number"),
        actions=("enabled roaming", "ordered a replacement phone", "re-enrolled your phone"),
        done=("roaming is enabled", "your new phone is ready"),
        errors=("Cannot get mail", "SIM not provisioned"),
        howtos=("how do I get my work email on my private phone?",),
        better=("Make phone replacements quicker",),
    ),
    Service(
        key="servicedesk",
        hints=("Service desk", "General", "Support"),
        survey_label="Service desk",
        thing="the service desk",
        topic="the hotline",
        short="escalation",
        issues=(
            Issue(
                "No response to ticket",
                "nobody has answered my ticket from last week",
                "my ticket was ignored",
            ),
            Issue(
                "Ticket closed without fix",
                "my ticket was closed but nothing was fixed",
                "my ticket got closed without a fix",
            ),
            Issue(
                "Hotline queue too long",
                "the hotline queue is over 30 minutes",
                "I waited 40 minutes on the hotline",
            ),
        ),
        requests=(
            (
                "Question about ticket status",
                "Could someone tell me the status of my ticket from Monday?",
            ),
            ("Desk move", "Our team moves to the 4th floor next month, who sets up the desks?"),
        ),
        fixes=("the quick support", "the help this morning", "the friendly support"),
        steps=("tell us the ticket number you mean",),
        actions=(
            "reopened your old ticket and escalated it",
            "assigned your ticket to the network team",
        ),
        done=("the desk move is booked", "your ticket is with the right team now"),
        errors=("Ticket closed",),
        howtos=("what's the quickest way to reach the service desk when my laptop is dead?",),
        better=(
            "Answer tickets faster, waiting days for a reply is not acceptable",
            "Stop closing tickets before the problem is solved",
        ),
    ),
    Service(
        key="other",
        hints=("Other",),
        survey_label="Other",
        thing="the IT intranet page",
        topic="",
        short="badge",
        issues=(
            Issue(
                "Intranet links outdated",
                "half of the IT intranet links are outdated",
                "the IT intranet sent me to a dead page",
            ),
            Issue(
                "Badge reader at entrance",
                "the badge reader at the side entrance rejects my badge",
                "the badge reader rejected me",
            ),
        ),
        requests=(
            ("IT newsletter", "Could IT publish a short monthly newsletter about changes?"),
            ("Town hall question", "Can IT present the new tools at our department meeting?"),
        ),
        fixes=("the IT newsletter", "the new intranet page", "the IT town hall"),
        steps=("tell us which page you mean",),
        actions=("passed this to the intranet team", "updated the page"),
        done=("the session is booked for your team meeting",),
        errors=("404 page not found",),
        howtos=("where do I find the list of approved software?",),
        better=("Explain changes before you make them",),
    ),
)
_BY_KEY = {s.key: s for s in SERVICES}
# How often each service comes up in an ordinary week.
_SERVICE_WEIGHTS = {
    "vpn": 12,
    "wifi": 7,
    "email": 14,
    "laptop": 14,
    "password": 13,
    "printer": 8,
    "sap": 9,
    "office": 12,
    "mobile": 6,
    "servicedesk": 6,
    "other": 3,
}

GENERIC_MOMENTS = (
    "during the board call",
    "this morning",
    "in the middle of a Teams meeting",
    "right before an important presentation",
    "while working from home",
    "during my one-to-one with my manager",
    "at the worst possible moment",
    "on my first day back from holiday",
    "during the all-hands",
)
DEPT_MOMENTS = {
    "Sales": (
        "during a client demo",
        "in the middle of a customer call",
        "right before my pitch to a key account",
    ),
    "Finance": (
        "right before the month-end close",
        "during the quarterly close",
        "while the auditors were here",
    ),
    "Human Resources": (
        "while running payroll",
        "in the middle of an interview",
        "while onboarding five new starters",
    ),
    "Marketing": (
        "on the day of the campaign launch",
        "while uploading the new brochure",
        "during our webinar",
    ),
    "Operations": (
        "during the shift handover",
        "in the middle of the stock count",
        "while planning tomorrow's deliveries",
    ),
    "Legal": (
        "in the middle of a contract review",
        "an hour before a filing deadline",
        "during a call with outside counsel",
    ),
    "Customer Service": (
        "with customers waiting on the line",
        "during our busiest hour",
        "while handling an escalation",
    ),
    "Procurement": (
        "during a supplier negotiation",
        "while approving purchase orders",
        "right before the tender deadline",
    ),
}
IMPACTS = (
    "I lost an hour of work",
    "the whole team is blocked",
    "I had to reschedule the meeting",
    "we missed a deadline because of it",
    "I couldn't send the report on time",
    "I had to finish my work on my phone",
    "half of my department can't work",
    "our customers noticed",
    "I've wasted the whole morning",
    "I looked unprofessional in front of the client",
)
SINCE = (
    "since Monday",
    "since this morning",
    "since the update last night",
    "for two days now",
    "since I came back from leave",
    "since yesterday afternoon",
    "all week",
)
FLOORS = ("1st", "2nd", "3rd", "4th", "5th")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

NEG_OPEN = (
    "{Event} {moment}, this is unacceptable.",
    "{Event} {moment}. {Impact}.",
    "{Event} {count} {moment}. {Impact}.",
    "Third time this week that {event}. {Impact}.",
    "{Problem} {since} and nobody has told us anything. {Impact}.",
    "This is getting ridiculous: {problem} {since}.",
    "{Problem} again. Really frustrating, {impact}.",
    "Why does this keep happening? {Event} {moment}.",
    "{Event} {moment}. Very disappointing, {impact}.",
    "Honestly fed up. {Problem} {since} and I have a deadline today.",
    "{Problem}. Terrible timing, {impact}.",
    "Awful day: {event} {moment}. {Impact}.",
    "{Problem} {since}. This is a serious problem for {dept}.",
)
NEU_OPEN = (
    "Hi, {problem} {since}. Can someone take a look?",
    '{Problem} {since}. The error message says "{error}".',
    "Hello IT, {problem}. I already restarted. What should I try next?",
    "{Problem}. Not blocking yet, but can you check when you have a moment?",
    "Hi team, {problem}. I'm on the {floor} floor if someone can come by.",
    '{Problem} {since}, screenshot attached ("{error}").',
)
NEU_REQUEST = (
    "{Request}",
    "Hi, {request}",
    "{Request} My manager {manager} has approved it.",
    "{Request} I'd need it by {weekday}.",
    "Hello, {request} Thanks in advance!",
)
POS_OPEN = (
    "No problem this time, just wanted to say {fix} is great. Thanks to the whole team!",
    "Not a problem report: thank you for {fix}, it made a real difference for {dept}.",
    "Quick note to say {fix} works perfectly. Well done, IT!",
)
NEG_FOLLOW = (
    "Still not working. {Impact}.",
    "Any update? It's been {days} days and {problem}. Not acceptable.",
    "That didn't help. {Event} again this morning.",
    "I'm really disappointed with how long this is taking.",
    "Please escalate this, {impact}. Very frustrating.",
    "Tried that twice, no luck. This is so frustrating.",
    "Closing the ticket doesn't fix the problem. {Problem}, still.",
    "Nobody called me back. Poor service for something this urgent.",
    "Same problem again today. {Event} {moment}. I'm losing patience.",
    "This is the third time I explain the problem. Terrible experience.",
)
POS_FOLLOW = (
    "Thanks {agent}, {fix} is great!",
    "That fixed it, thank you so much {agent}!",
    "Works perfectly now. Really appreciate the quick help.",
    "Brilliant, thanks {agent}. Super fast as always.",
    "Perfect, that solved it. Thank you for your patience with me!",
    "Wow, that was quick. Thanks {agent}, you saved my day.",
    "All good now, thanks a lot! Great support.",
    "Excellent, everything works again. Thank you {agent}!",
    "Thanks {agent}, really helpful and friendly as always.",
    "Great, {fix} made my life so much easier. Thanks!",
)
NEU_FOLLOW = (
    "OK, I'll try that after lunch.",
    "Sure, I'm at my desk until 5.",
    "I'm in the office tomorrow, you can come by then.",
    "Will do, I'll let you know.",
    "Done, restarting now.",
    "Here is the screenshot you asked for.",
    "I'm on the {floor} floor, desk {desk}.",
    "The asset tag is {asset}.",
    "I'm working from home today, can we do it remotely?",
    "Can we look at it on {weekday} morning instead?",
)
AGENT_ANSWER = (
    "Hi {first}, thanks for reaching out. Could you {step} and let us know if that helps?",
    "Hi {first}, I've {action}. Please try again and let me know.",
    "Sorry for the trouble, {first}. I've {action}, it should be fine now.",
    "Hi {first}, I'm picking this up now. Could you {step}?",
    "Hi {first}, apologies for the wait, we had a backlog this week. I've {action}.",
    "Thanks {first}. I've escalated this to the second-line team; they'll update the ticket today.",
    "Hello {first}, I've {action} - you should be all set.",
)
AGENT_OUTAGE = (
    "Hi {first}, we're aware of a major issue with {thing} and are working on it with the highest priority. Sorry for the disruption.",
    "Hi {first}, this is part of the ongoing incident. We'll update you as soon as it's resolved.",
    "Sorry {first}, {thing} is affected by the current outage. A fix is being rolled out.",
)
AGENT_SECOND = (
    "Hi {first}, I've {action}. Can you try once more?",
    "Sorry this is taking so long, {first}. I've {action} now.",
    "Hi {first}, I've escalated this to the second-line team; they'll update the ticket today.",
    "Thanks {first}, that helps. I've {action}; please check again.",
)
OUTAGE_OVER = (
    "It's working again now. Thanks for keeping us posted.",
    "Back online, thanks {agent}. Hope it doesn't happen again.",
    "Works again, thanks for the update.",
)
AGENT_DONE = (
    "Hi {first}, {done}. Let us know if anything else comes up.",
    "Hello {first}, all sorted: {done}.",
    "Hi {first}, {done}. I'll close this ticket.",
)
AGENT_CLOSE = (
    "Glad it works, {first}. Closing the ticket.",
    "You're welcome, {first}! Have a good day.",
    "Thanks for confirming, {first}. I'll close this one.",
)
BOT_ACK = (
    "Your request has been received and logged as HD-{n}. Expected first response: {sla}.",
    "Thank you for contacting the service desk. Ticket HD-{n} was created and assigned to the {queue} queue.",
)
BOT_CLOSE = (
    "Ticket HD-{n} has been resolved. How did we do? Rate your experience: https://helpdesk.example.invalid/survey/{n}",
    "Reminder: we are waiting for your reply on HD-{n}. It will be closed automatically in 3 days.",
    "Ticket HD-{n} was closed automatically after 5 days without a reply.",
)

# Chat (#it-help)
CHAT_NEG = (
    "Is {topic} down again? {Event} {moment}.",
    "Anyone else? {Problem} {since}. {Impact}.",
    "{Event} {moment}, this is unacceptable.",
    "Seriously, {problem} again. Third time this week.",
    "{Problem} and the ticket has been open for days. Really frustrating.",
    "Ugh, {event} {moment}. Terrible.",
    "Again?! {Problem}. {Impact}.",
)
CHAT_QUESTION = (
    "Quick question: {howto}",
    "Does anyone know {howto}",
    "Hi all, {howto}",
)
CHAT_PROBLEM = (
    "Anyone else having trouble with {topic} today?",
    "Hi all, {problem}. Is this a known issue?",
    "Hi IT, {problem} {since}. Any idea?",
)
CHAT_REQUEST = (
    "{Request}",
    "Hi IT, {request}",
)
CHAT_POS = (
    "Shout-out to {agent} for sorting out my {short} issue in ten minutes!",
    "Big thanks to IT, {fix} is great.",
    "Just want to say {fix} is a huge improvement. Thanks team!",
    "Kudos to {agent}, super helpful with {fix} this morning.",
    "Love {fix}, so much better than before. Thank you!",
)
CHAT_REPLY_NEG = (
    "+1, same here on the {floor} floor.",
    "Same for me, {impact}.",
    "Same problem in {dept}. So annoying.",
    "Yep, {topic} is useless today.",
    "Same. This keeps happening and it's really frustrating.",
    "Can confirm, {event} {moment} too.",
)
CHAT_REPLY_NEU = (
    "Same question here.",
    "Following.",
    "Also interested in the answer.",
    "I think there's a guide on the intranet for that.",
)
CHAT_REPLY_POS = (
    "+1, {agent} is a star!",
    "Agreed, huge improvement.",
    "Same experience, great job IT!",
)
CHAT_IT_FIX = (
    "Thanks for flagging, {first}, we're on it. I'll post an update here.",
    "Hi {first}, could you {step}? DM me if it doesn't help.",
    "Fixed: I've {action}. Please try again, {first}.",
    "Sorry about that, {first}. I've {action}, can you check?",
    "Can you DM me the details, {first}? I'll take a look.",
)
CHAT_IT_ANSWER = (
    "Hi {first}, good question. Short answer: {answer}.",
    "Hi {first}, {answer}. Ping me if you get stuck.",
)
CHAT_IT_DONE = (
    "Hi {first}, {done}.",
    "Done, {first}: {done}.",
    "Hi {first}, please raise that in the helpdesk portal so your manager can approve it, then I'll pick it up.",
)
CHAT_FOLLOW_NEG = (
    "Still broken for me. {Impact}.",
    "Didn't help, sorry. Still awful.",
    "No change here, really frustrating.",
)
CHAT_FOLLOW_POS = (
    "That worked, thanks {agent}!",
    "Perfect, thank you!",
    "Great, all good now. Thanks for the quick answer!",
    "Thanks {agent}, that's really helpful.",
)
CHAT_FOLLOW_NEU = ("OK, will try.", "Done, let's see.", "Sending you the details now.", "Noted.")
CHAT_IT_THANKS = (
    "Thanks {first}, glad we could help!",
    "Happy to help, {first}!",
    "Thanks for the kind words, I'll pass them on to the team.",
)
CHAT_ANSWERS = (
    "there's a step-by-step guide on the IT intranet page",
    "open the company portal app and pick it from the catalogue",
    "raise a request in the helpdesk and we'll do it the same day",
    "yes, that works, just sign in with your usual account",
)
BOT_INCIDENT = (
    "🔴 Incident: {service} degraded. Users may experience {symptom}. Engineers are investigating. Next update in 30 minutes.",
    "🟠 Update: {service} still degraded. A fix is being deployed; thanks for your patience.",
)
BOT_RESOLVED = ("✅ Resolved: {service} is back to normal. Root cause: {cause}.",)
BOT_MAINTENANCE = (
    "🔧 Planned maintenance: {service} on {weekday} from 22:00 to 02:00. Expect short interruptions.",
    "ℹ️ Reminder: {service} will be updated this weekend. No action needed from you.",
)
BOT_SYMPTOMS = ("slow connections", "disconnections", "delayed emails", "login failures")
BOT_CAUSES = (
    "a failed firewall update",
    "a certificate that expired",
    "a storage fault at the data centre",
    "a misconfigured load balancer",
)
STATUS_SERVICES = ("VPN", "E-mail", "Wi-Fi", "SAP", "Teams", "Printing")
BOT_REPLY_NEG = (
    "Again?! This is the second outage this month.",
    "Please give us more notice next time, {impact}.",
    "Terrible timing, {event} {moment}.",
    "Hours of lost work. Not acceptable.",
)
BOT_REPLY_POS = (
    "Thanks for the heads-up!",
    "Thanks for the quick fix!",
    "Appreciate the updates, very helpful.",
)

# Survey
SURVEY_BETTER_LOW = (
    "{Better}.",
    "{Better}. {Event} {moment} and it keeps happening.",
    "Answer tickets faster. Waiting {days} days for a reply is not acceptable.",
    "Communicate outages! Nobody told us {topic} was down.",
    "Honestly, basic things like my {short} should just work. Very frustrating year.",
)
SURVEY_BETTER_MID = (
    "Communicate planned maintenance earlier.",
    "More self-service guides for common problems would help.",
    "Better onboarding for new starters, my laptop arrived on day three.",
    "Keep us informed about ticket progress.",
    "Fewer forms for simple requests.",
    "A clearer service catalogue, I never know which form to use.",
    "Faster replies on simple requests (mine was: {request_subject}).",
)
SURVEY_BETTER_HIGH = (
    "Honestly not much, keep doing what you're doing.",
    "Maybe a chat option for quick questions. Otherwise great.",
    "More of the same, the service desk has improved a lot.",
    "Nothing, {fix} made a big difference. Thanks!",
)
SURVEY_ELSE_LOW = (
    "{Problem} {since}. Very frustrating.",
    "{Event} {moment}. IT needs to take this seriously.",
    "I've stopped raising tickets because nothing happens.",
)
SURVEY_ELSE_HIGH = (
    "Thanks {agent} for the great help with {fix}!",
    "The new laptops are great, thank you.",
    "Big improvement this year, well done.",
    "The service desk team is friendly and quick. Thank you!",
    "Thanks to IT for {fix}, it really helps.",
)
SURVEY_HEADER = (
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Department",
    "Which IT service is this about?",
    "How satisfied are you with IT? (1-5)",
    "What should IT do better?",
    "Anything else you want to tell IT?",
)
SURVEY_TIME_FORMAT = "%m/%d/%y %H:%M:%S"


# --- people -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    ext: str
    first: str
    last: str
    department: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        local = f"{self.first}.{self.last}".lower().replace("'", "")
        return f"{local}@{EMAIL_DOMAIN}"


def business_people(seed: int, n: int = 180) -> tuple[Person, ...]:
    rng = random.Random(f"earshot-demo:{seed}:people")
    seen: set[tuple[str, str]] = set()
    people = []
    while len(people) < n:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in seen or (first, last) in IT_STAFF:
            continue
        seen.add((first, last))
        dept = rng.choices(DEPARTMENTS, weights=_DEPT_WEIGHTS)[0]
        people.append(Person(f"u{len(people) + 1:04d}", first, last, dept))
    return tuple(people)


def it_staff() -> tuple[Person, ...]:
    return tuple(Person(f"it{i + 1:02d}", f, last, "IT") for i, (f, last) in enumerate(IT_STAFF))


# --- storyline --------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """Where the window is and what happens in it."""

    seed: int
    first_day: date
    last_day: date
    outage_monday: date
    per_week: int
    tz: tzinfo

    @classmethod
    def build(
        cls,
        *,
        seed: int,
        weeks: int,
        last_day: date,
        outage_weeks_ago: int,
        per_week: int,
        tz: tzinfo,
    ) -> Story:
        first_day = last_day - timedelta(days=weeks * 7 - 1)
        anchor = last_day - timedelta(weeks=outage_weeks_ago)
        return cls(
            seed, first_day, last_day, anchor - timedelta(days=anchor.weekday()), per_week, tz
        )

    def days(self) -> list[date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(n)]

    def progress(self, day: date) -> float:
        """0 half a year before the last day (or earlier), 1 on it: the improving trend.
        Counted back from the last day, so a longer window leaves shared days alone."""
        return 1.0 - min(max((self.last_day - day).days / TREND_DAYS, 0.0), 1.0)

    def outage_level(self, day: date) -> float:
        """0 outside the outage; 1 on its worst day (Tuesday and Wednesday)."""
        offset = (day - self.outage_monday).days
        return {0: 0.5, 1: 1.0, 2: 1.0, 3: 0.6, 4: 0.3}.get(offset, 0.0)

    def in_rollout(self, day: date) -> bool:
        """The laptop refresh: three weeks, ending two weeks before the last day."""
        start = self.last_day - timedelta(weeks=5)
        return start <= day < start + timedelta(weeks=3)

    def mood(self, day: date) -> tuple[float, float]:
        """(probability of an unhappy, of a happy) business user on this day."""
        p = self.progress(day)
        monday = day - timedelta(days=day.weekday())
        wobble = random.Random(f"earshot-demo:{self.seed}:wobble:{monday}").uniform(-0.03, 0.03)
        bad = 0.38 - 0.18 * p + wobble
        good = 0.28 + 0.18 * p - wobble
        after = (day - self.outage_monday).days
        if 5 <= after < 12:  # the week after: a lingering bad mood
            bad, good = bad + 0.08, good - 0.06
        level = self.outage_level(day)
        if level:
            bad, good = bad + 0.35 * level, good * (1 - 0.7 * level)
        return bad, good

    def count(self, rng: random.Random, day: date, per_week: int) -> int:
        """Ordinary volume of a day: weekdays busy, weekends nearly quiet."""
        weights = (1.2, 1.1, 1.0, 1.0, 0.8, 0.06, 0.04)
        share = weights[day.weekday()] / sum(weights)
        expected = per_week * share * rng.uniform(0.8, 1.2)
        return int(expected) + (1 if rng.random() < expected - int(expected) else 0)

    def at(
        self, day: date, rng: random.Random, start_hour: float = 7.5, end_hour: float = 18.5
    ) -> datetime:
        seconds = int(rng.uniform(start_hour, end_hour) * 3600)
        return datetime.combine(day, time(), tzinfo=self.tz) + timedelta(seconds=seconds)


def _office(t: datetime, rng: random.Random) -> datetime:
    """People answer in office hours: an evening or weekend time moves to the next morning."""
    if t.weekday() < 5 and time(8) <= t.time() <= time(18, 30):
        return t
    day = t.date() if t.weekday() < 5 and t.time() < time(8) else t.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), tzinfo=t.tzinfo) + timedelta(minutes=rng.uniform(0, 90))


def _tone(rng: random.Random, story: Story, day: date) -> str:
    bad, good = story.mood(day)
    x = rng.random()
    return "neg" if x < bad else "pos" if x < bad + good else "neu"


def _service(rng: random.Random, story: Story, day: date, outage: bool = False) -> Service:
    if outage:
        return _BY_KEY[rng.choices(("vpn", "email", "wifi"), weights=(6, 4, 2))[0]]
    weights = dict(_SERVICE_WEIGHTS)
    if story.in_rollout(day):
        weights["laptop"] *= 2
    keys = list(weights)
    return _BY_KEY[rng.choices(keys, weights=[weights[k] for k in keys])[0]]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _lower_first(text: str) -> str:
    # "Can someone ..." -> "can someone ..." (only when the second letter is lower case)
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not text.startswith("I "):
        return text[0].lower() + text[1:]
    return text


class _Vocab(dict):
    """format_map() values. A slot missing by mistake shows as {slot}, never crashes."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(
    template: str | Sequence[str],
    rng: random.Random,
    svc: Service,
    who: Person | None,
    **extra: Any,
) -> str:
    """One text: a template (or one picked from a pool) with its slots filled for `who`."""
    if not isinstance(template, str):
        usable = [t for t in template if svc.topic or "{topic}" not in t]
        template = rng.choice(usable)
    issue = extra.pop("issue", None) or rng.choice(svc.issues)
    request = extra.pop("request", None) or rng.choice(svc.requests)
    dept = who.department if who else rng.choice(DEPARTMENTS)
    moments = GENERIC_MOMENTS + DEPT_MOMENTS.get(dept, ())
    impact = rng.choice(IMPACTS)
    agent = extra.pop("agent", None) or rng.choice(IT_STAFF)[0]
    values = _Vocab(
        problem=issue.problem,
        Problem=_cap(issue.problem),
        event=issue.event,
        Event=_cap(issue.event),
        moment=rng.choice(moments),
        impact=impact,
        Impact=_cap(impact),
        since=rng.choice(SINCE),
        error=rng.choice(svc.errors),
        floor=rng.choice(FLOORS),
        desk=str(rng.randint(1, 60)),
        asset=f"LT-{rng.randint(10000, 99999)}",
        weekday=rng.choice(WEEKDAYS),
        days=str(rng.randint(2, 6)),
        count=rng.choice(("again", "twice", "three times")),
        manager=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        dept=dept,
        request=_lower_first(request[1]),
        Request=request[1],
        request_subject=request[0],
        fix=rng.choice(svc.fixes),
        thing=svc.thing,
        topic=svc.topic,
        short=svc.short,
        step=rng.choice(svc.steps),
        action=rng.choice(svc.actions),
        done=rng.choice(svc.done),
        agent=agent,
        first=who.first if who else "",
        howto=rng.choice(svc.howtos),
        answer=rng.choice(CHAT_ANSWERS),
        Better=rng.choice(svc.better),
    )
    values.update(extra)
    text = template.format_map(values)
    return text.replace("..", ".").replace("?.", "?").replace("!.", "!")


# --- helpdesk ---------------------------------------------------------------------------


def helpdesk_records(story: Story) -> list[CommentRecord]:
    people = business_people(story.seed)
    staff = it_staff()
    records: list[CommentRecord] = []
    for day in story.days():
        rng = random.Random(f"earshot-demo:{story.seed}:helpdesk:{day.isoformat()}")
        n = story.count(rng, day, story.per_week)
        level = story.outage_level(day)
        extra = int(round(story.per_week * 0.45 * level)) if day.weekday() < 5 else 0
        for i in range(n + extra):
            number = (day - _EPOCH).days * 10_000 + i + 1
            records.extend(_ticket(rng, story, day, number, people, staff, outage=i >= n))
    return records


def _ticket(
    rng: random.Random,
    story: Story,
    day: date,
    number: int,
    people: Sequence[Person],
    staff: Sequence[Person],
    *,
    outage: bool,
) -> list[CommentRecord]:
    who = rng.choice(people)
    agent = rng.choice(staff)
    svc = _service(rng, story, day, outage=outage)
    tone = "neg" if outage else _tone(rng, story, day)
    issue = rng.choice(svc.issues)
    request = rng.choice(svc.requests)
    is_request = not outage and tone != "neg" and rng.random() < 0.45
    if tone == "pos" and rng.random() < 0.15:
        opening, subject = _fill(POS_OPEN, rng, svc, who), f"Thank you: {rng.choice(svc.fixes)}"
    elif is_request:
        opening, subject = _fill(NEU_REQUEST, rng, svc, who, request=request), request[0]
    elif tone == "neg":
        opening, subject = _fill(NEG_OPEN, rng, svc, who, issue=issue), issue.subject
    else:
        opening, subject = _fill(NEU_OPEN, rng, svc, who, issue=issue), issue.subject
    hint = rng.choice(svc.hints)
    thread = str(number)
    url = HELPDESK_URL.format(n=number)
    t = story.at(day, rng)
    out: list[CommentRecord] = []
    k = 0

    def add(
        body: str, when: datetime, author: Person | tuple[str, str] | None, voice: str | None
    ) -> None:
        nonlocal k
        k += 1
        if isinstance(author, Person):
            ext, name, email, dept = author.ext, author.name, author.email, author.department
        else:
            assert author is not None
            ext, name, email, dept = author[0], author[1], "", ""
        out.append(
            CommentRecord(
                external_id=f"{thread}-{k}",
                thread_external_id=thread,
                body=body,
                created_at=when,
                thread_title=subject,
                thread_url=url,
                author_external_id=ext,
                author_name=name,
                author_email=email,
                # A business author's own department (IT staff and bots: none, so the
                # ticket keeps the requester's).
                department=dept if dept != "IT" else "",
                category_hint=hint,
                voice=voice,
            )
        )

    add(opening, t, who, None)
    if rng.random() < 0.3:
        sla = rng.choice(("4 business hours", "1 business day", "30 minutes"))
        queue = rng.choice(("Network", "Workplace", "Applications", "Access"))
        add(
            _fill(BOT_ACK, rng, svc, who, n=str(number), sla=sla, queue=queue),
            t + timedelta(seconds=40),
            HELPDESK_BOT,
            "bot",
        )
    # Slow at first, faster as the service desk improves; slow during the outage.
    slowness = 1.6 - story.progress(day) + (2.0 if outage else 0.0)
    t = _office(t + timedelta(minutes=rng.uniform(8, 240) * slowness), rng)
    if outage:
        first_reply = AGENT_OUTAGE
    elif is_request:
        first_reply = AGENT_DONE if rng.random() < 0.6 else AGENT_ANSWER
    else:
        first_reply = AGENT_ANSWER
    add(_fill(first_reply, rng, svc, who), t, agent, "it_staff")
    # How it ends for the requester.
    bad, good = story.mood(day)
    if outage:
        ending = "neg" if rng.random() < 0.75 else "pos"
    elif tone == "neg":
        ending = "neg" if rng.random() < 0.4 + bad * 0.5 else "pos" if rng.random() < 0.6 else "neu"
    elif tone == "pos":
        ending = "pos"
    else:
        x = rng.random()
        ending = "neg" if x < bad * 0.8 else "pos" if x < bad * 0.8 + good + 0.15 else "neu"
    t = _office(t + timedelta(minutes=rng.uniform(5, 180)), rng)
    if ending == "neg":
        add(_fill(NEG_FOLLOW, rng, svc, who, issue=issue, agent=agent.first), t, who, None)
        if rng.random() < 0.7:
            t = _office(t + timedelta(hours=rng.uniform(0.5, 30) * slowness), rng)
            add(_fill(AGENT_SECOND, rng, svc, who), t, agent, "it_staff")
            t = _office(t + timedelta(minutes=rng.uniform(10, 300)), rng)
            final = POS_FOLLOW if rng.random() < 0.45 else NEG_FOLLOW
            add(_fill(final, rng, svc, who, issue=issue, agent=agent.first), t, who, None)
    elif ending == "pos":
        if tone == "neu" and rng.random() < 0.3:
            add(_fill(NEU_FOLLOW, rng, svc, who), t, who, None)
            t = _office(t + timedelta(minutes=rng.uniform(10, 120)), rng)
            add(_fill(AGENT_SECOND, rng, svc, who), t, agent, "it_staff")
            t = _office(t + timedelta(minutes=rng.uniform(5, 90)), rng)
        add(
            _fill(OUTAGE_OVER if outage else POS_FOLLOW, rng, svc, who, agent=agent.first),
            t,
            who,
            None,
        )
        if rng.random() < 0.35:
            t += timedelta(minutes=rng.uniform(2, 60))
            add(_fill(AGENT_CLOSE, rng, svc, who), t, agent, "it_staff")
    elif rng.random() < 0.8:
        add(_fill(NEU_FOLLOW, rng, svc, who), t, who, None)
    if rng.random() < 0.25:
        t += timedelta(hours=rng.uniform(1, 72))
        add(_fill(BOT_CLOSE, rng, svc, who, n=str(number)), t, HELPDESK_BOT, "bot")
    return out


# --- chat -------------------------------------------------------------------------------


def chat_records(story: Story) -> list[CommentRecord]:
    people = business_people(story.seed)
    staff = it_staff()
    records: list[CommentRecord] = []
    for day in story.days():
        rng = random.Random(f"earshot-demo:{story.seed}:chat:{day.isoformat()}")
        serial = iter([((day - _EPOCH).days, n) for n in range(1, 10_000)])
        n = story.count(rng, day, story.per_week)
        level = story.outage_level(day)
        # The status bot: incidents on outage days, the odd maintenance notice otherwise.
        if level >= 1.0 or (level and rng.random() < 0.6):
            records.extend(_bot_thread(rng, story, day, serial, people, staff, incident=True))
        elif day.weekday() < 5 and rng.random() < 0.12:
            records.extend(_bot_thread(rng, story, day, serial, people, staff, incident=False))
        extra = int(round(story.per_week * 0.4 * level)) if day.weekday() < 5 else 0
        for i in range(n + extra):
            records.extend(_chat_thread(rng, story, day, serial, people, staff, outage=i >= n))
    return records


def _ts(when: datetime, serial: Any) -> str:
    # Slack-style message id: seconds since the epoch, then (day, sequence) so it is unique.
    day_code, n = next(serial)
    return f"{int(when.timestamp())}.{day_code:05d}{n:04d}"


class _ChatThread:
    def __init__(self, title: str, hint: str) -> None:
        self.title = title[:120]
        self.hint = hint
        self.root = ""
        self.records: list[CommentRecord] = []

    def post(
        self,
        body: str,
        when: datetime,
        serial: Any,
        author: Person | tuple[str, str],
        voice: str | None,
    ) -> None:
        ts = _ts(when, serial)
        if not self.root:
            self.root = ts
        if isinstance(author, Person):
            ext, name, email, dept = (
                f"U{author.ext.upper()}",
                author.name,
                author.email,
                author.department,
            )
        else:
            ext, name, email, dept = author[0], author[1], "", ""
        self.records.append(
            CommentRecord(
                external_id=ts,
                thread_external_id=self.root,
                body=body,
                created_at=when,
                thread_title=self.title,
                thread_url=CHAT_URL.format(ts=self.root.replace(".", "")),
                author_external_id=ext,
                author_name=name,
                author_email=email,
                department=dept if dept != "IT" else "",
                category_hint=self.hint,
                voice=voice,
            )
        )


def _chat_thread(
    rng: random.Random,
    story: Story,
    day: date,
    serial: Any,
    people: Sequence[Person],
    staff: Sequence[Person],
    *,
    outage: bool,
) -> list[CommentRecord]:
    who = rng.choice(people)
    agent = rng.choice(staff)
    svc = _service(rng, story, day, outage=outage)
    tone = "neg" if outage else _tone(rng, story, day)
    if tone == "neg":
        kind, pool = "complaint", CHAT_NEG
    elif tone == "pos":
        kind, pool = "praise", CHAT_POS
    else:
        kind = rng.choices(("question", "problem", "request"), weights=(4, 3, 3))[0]
        pool = {"question": CHAT_QUESTION, "problem": CHAT_PROBLEM, "request": CHAT_REQUEST}[kind]
    if kind == "praise" and svc.key == "laptop" and story.in_rollout(day):
        pool = ("Got my new laptop from the refresh today, it's great. Thanks {agent}!",)
    opening = _fill(pool, rng, svc, who, agent=agent.first)
    # Chat has no service field: Earshot's keyword rules decide the category.
    thread = _ChatThread(opening, "")
    t = story.at(day, rng, 8.0, 18.0)
    thread.post(opening, t, serial, who, None)
    others = rng.randint(0, 3 if tone == "neg" else 1)
    for _ in range(others):
        t += timedelta(minutes=rng.uniform(1, 25))
        replier = rng.choice(people)
        pool = {"neg": CHAT_REPLY_NEG, "neu": CHAT_REPLY_NEU, "pos": CHAT_REPLY_POS}[tone]
        thread.post(_fill(pool, rng, svc, replier, agent=agent.first), t, serial, replier, None)
    if rng.random() < (0.92 if tone != "pos" else 0.6):
        t = _office(t + timedelta(minutes=rng.uniform(2, 90) * (1.5 - story.progress(day))), rng)
        pool = {"praise": CHAT_IT_THANKS, "question": CHAT_IT_ANSWER, "request": CHAT_IT_DONE}.get(
            kind, CHAT_IT_FIX
        )
        thread.post(_fill(pool, rng, svc, who), t, serial, agent, "it_staff")
        if kind != "praise" and rng.random() < 0.7:
            t = _office(t + timedelta(minutes=rng.uniform(2, 60)), rng)
            bad, good = story.mood(day)
            x = rng.random()
            if x < bad:
                pool = CHAT_FOLLOW_NEG
            elif x < bad + good + 0.2:
                pool = CHAT_FOLLOW_POS
            else:
                pool = CHAT_FOLLOW_NEU
            thread.post(_fill(pool, rng, svc, who, agent=agent.first), t, serial, who, None)
    return thread.records


def _bot_thread(
    rng: random.Random,
    story: Story,
    day: date,
    serial: Any,
    people: Sequence[Person],
    staff: Sequence[Person],
    *,
    incident: bool,
) -> list[CommentRecord]:
    status = rng.choice(("VPN", "E-mail")) if incident else rng.choice(STATUS_SERVICES)
    svc = _BY_KEY[
        "vpn"
        if status == "VPN"
        else "email"
        if status == "E-mail"
        else rng.choice(("wifi", "sap", "office", "printer"))
    ]
    t = story.at(day, rng, 7.0, 10.0)
    if incident:
        first = rng.choice(BOT_INCIDENT).format(service=status, symptom=rng.choice(BOT_SYMPTOMS))
    else:
        first = rng.choice(BOT_MAINTENANCE).format(
            service=status, weekday=rng.choice(("Saturday", "Sunday"))
        )
    thread = _ChatThread(first, status)
    thread.post(first, t, serial, CHAT_BOT, "bot")
    replies = rng.randint(3, 8) if incident else rng.randint(0, 2)
    for _ in range(replies):
        t += timedelta(minutes=rng.uniform(1, 20))
        who = rng.choice(people)
        if incident:
            body = _fill(BOT_REPLY_NEG, rng, svc, who)
        else:
            body = rng.choice(BOT_REPLY_POS)
        thread.post(body, t, serial, who, None)
    if incident:
        t += timedelta(minutes=rng.uniform(20, 60))
        agent = rng.choice(staff)
        thread.post(
            f"We're working on it with the vendor. Sorry for the disruption, everyone. - {agent.first}",
            t,
            serial,
            agent,
            "it_staff",
        )
        t += timedelta(hours=rng.uniform(2, 6))
        thread.post(
            rng.choice(BOT_RESOLVED).format(service=status, cause=rng.choice(BOT_CAUSES)),
            t,
            serial,
            CHAT_BOT,
            "bot",
        )
        if rng.random() < 0.5:
            t += timedelta(minutes=rng.uniform(1, 30))
            who = rng.choice(people)
            thread.post(rng.choice(BOT_REPLY_POS), t, serial, who, None)
    return thread.records


# --- survey -----------------------------------------------------------------------------


def survey_rows(story: Story) -> list[list[str]]:
    """Microsoft-Forms-style export rows (SURVEY_HEADER), oldest first, ids 1..n."""
    people = business_people(story.seed)
    rows: list[tuple[datetime, list[str]]] = []
    for day in story.days():
        rng = random.Random(f"earshot-demo:{story.seed}:survey:{day.isoformat()}")
        # The pulse survey is always open; the quarterly reminder brings a wave every 13 weeks.
        weeks_back = (story.last_day - day).days // 7
        wave = 3.0 if weeks_back % 13 in (11, 12) else 1.0
        level = story.outage_level(day)
        n = story.count(rng, day, int(story.per_week * wave * (1 + level)))
        for _ in range(n):
            who = rng.choice(people)
            svc = _service(rng, story, day, outage=bool(level) and rng.random() < 0.7)
            bad, good = story.mood(day)
            x = rng.random()
            score = rng.choice((1, 2)) if x < bad else rng.choice((4, 5)) if x < bad + good else 3
            if score <= 2:
                better = _fill(SURVEY_BETTER_LOW, rng, svc, who)
                other = _fill(SURVEY_ELSE_LOW, rng, svc, who) if rng.random() < 0.5 else ""
            elif score == 3:
                better = _fill(SURVEY_BETTER_MID, rng, svc, who)
                other = ""
            else:
                better = _fill(SURVEY_BETTER_HIGH, rng, svc, who) if rng.random() < 0.7 else ""
                other = _fill(SURVEY_ELSE_HIGH, rng, svc, who) if rng.random() < 0.6 else ""
            done = story.at(day, rng, 8.0, 19.0)
            start = done - timedelta(seconds=rng.randint(45, 600))
            rows.append(
                (
                    done,
                    [
                        "",
                        start.strftime(SURVEY_TIME_FORMAT),
                        done.strftime(SURVEY_TIME_FORMAT),
                        who.email,
                        who.name,
                        who.department,
                        svc.survey_label,
                        str(score),
                        better,
                        other,
                    ],
                )
            )
    rows.sort(key=lambda r: r[0])
    out = []
    for i, (_, row) in enumerate(rows, start=1):
        row[0] = str(i)
        out.append(row)
    return out


GENERATORS: dict[str, Callable[[Story], list[CommentRecord]]] = {
    "helpdesk": helpdesk_records,
    "chat": chat_records,
}
