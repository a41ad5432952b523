"""Every URL of the project × every role, GET and POST: who gets what, and a refused
request leaves the database as it was.

The URLs come from the root resolver, walked recursively, so a page or an endpoint added
later is tested the day it lands: one missing from TABLE fails (it cannot ship
unclassified), one in TABLE that no longer exists fails too (the table stays true). The
Django admin's own URLs are left out of the table; `test_only_staff_reach_the_django_admin`
walks all of them instead.

Every response body of the matrix is also scanned:
- identities: the seeded authors' names and e-mail addresses appear only for a user with
  the identity permission (Analyst + sentiment.view_identity); never for an Executive, an
  Analyst or an Admin without it, nor anyone logged out;
- fewer than 5 people: the week has a department of 3 people (Legal), one of 6 (Finance)
  and one of 12 (Sales); no response shows Legal's figures, and where groups are listed
  Legal is hidden with another group, so its figures cannot be worked out by subtraction;
- HTML responses carry a Content-Security-Policy whose scripts are Earshot's own.

The data is seeded once for the module inside a transaction that is rolled back at the
end; each test runs in a savepoint of its own, so an allowed POST (a deleted source) never
reaches the next test.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import unescape
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from collectors.base import Batch, CommentRecord
from collectors.ingest import comments_ingest
from collectors.models import SyncRun
from collectors.services import source_create
from dashboards.models import Annotation
from dashboards.selectors import week_start_of
from sentiment.catalogue import ensure_catalogue
from sentiment.models import (
    Category,
    Comment,
    LabelCorrection,
    LexiconEntry,
    Person,
    PhraseRule,
    StaffDirectoryEntry,
    Thread,
    ThreadReview,
)
from sentiment.pseudonyms import pseudonym
from sentiment.services import comments_score, rollups_refresh
from sentiment.weekly import themes_refresh, weekly_refresh
from tests.conftest import give_role

# --- roles and outcomes ----------------------------------------------------------------

ROLES = ("anonymous", "executive", "analyst", "analyst_identity", "admin")
# Only this role may see authors' names and e-mail addresses.
SEES_IDENTITIES = {"analyst_identity"}

OK = "200"  # the page, the file or the JSON
DONE = "done"  # POST: the action happened (a 2xx/3xx answer and the database changed)
ACTED = "acted"  # POST: answered 2xx/3xx; may or may not write (e.g. test a connection)
LOGIN = "login"  # 302 to the log-in page
# Any other expectation is the status code itself: 401, 403, 404, 405.

# Tables whose rows record that something was read or tried, not changed: a refused or
# read-only request may add to them (thread views, audit events, log-in attempts, sessions).
RECORDS_OF_READS = {
    "sessions.session",
    "sentiment.threadviewlog",
    "dashboards.auditevent",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def roles(
    *,
    anonymous: str | int = LOGIN,
    executive: str | int = 403,
    analyst: str | int = 403,
    admin: str | int = 403,
    analyst_identity: str | int | None = None,
) -> dict[str, str | int]:
    return {
        "anonymous": anonymous,
        "executive": executive,
        "analyst": analyst,
        "analyst_identity": analyst if analyst_identity is None else analyst_identity,
        "admin": admin,
    }


def everyone(outcome: str | int) -> dict[str, str | int]:
    return dict.fromkeys(ROLES, outcome)


LOGGED_IN = roles(executive=OK, analyst=OK, admin=OK)
ANALYSTS = roles(analyst=OK, admin=OK)
ADMINS = roles(admin=OK)


@dataclass(frozen=True)
class Url:
    """What each role gets from one URL name.

    args: URL keyword -> the seeded object whose value fills it (World.samples).
    data: the POST body, built from the seeded world; a real, valid action, so that where
        POST is allowed the test sees it happen (DONE) and where it is not, that the same
        valid request changed nothing.
    queries: query strings to request, each one checked.
    """

    get: dict[str, str | int]
    post: dict[str, str | int]
    args: dict[str, str] = field(default_factory=dict)
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    queries: tuple[str, ...] = ("",)


# POST-only views checking log-in and permission before the method: GET is refused with
# 405 only to those who may POST.
POST_ONLY_ANALYSTS = roles(analyst=405, admin=405)
POST_ONLY_ADMINS = roles(admin=405)

TABLE: dict[str, Url] = {
    "login": Url(
        get=everyone(OK),
        # A wrong password: the form again with its error (axes counts the attempt).
        post=everyone(OK),
        data=lambda w: {"username": "nobody", "password": "not-the-password"},
    ),
    "logout": Url(get=everyone(405), post=everyone(LOGIN)),
    "overview": Url(
        get=LOGGED_IN,
        post=LOGGED_IN,  # rendered as for GET; writes nothing
        queries=("", "?week={week}&range=26", "?week={week}&range=52"),
    ),
    "annotation-add": Url(
        get=POST_ONLY_ANALYSTS,
        post=roles(analyst=DONE, admin=DONE),
        data=lambda w: {
            "start": w.week.isoformat(),
            "kind": "rollout",
            "title": "Matrix rollout",
            "note": "added by the access matrix",
        },
    ),
    "explore": Url(
        get=ANALYSTS,
        post=ANALYSTS,
        queries=(
            "",
            "?department=Legal&voice=all&sort=recent",
            "?start={week}&end={week_end}&department=Finance&sort=volume",
            "?q=VPN&voice=all",
        ),
    ),
    "explore-export": Url(
        get=ANALYSTS,
        post=ANALYSTS,
        queries=("", "?voice=all", "?department=Legal&voice=all"),
    ),
    "thread": Url(args={"pk": "thread"}, get=ANALYSTS, post=ANALYSTS),
    # require_POST is the outermost decorator: GET is 405 for everyone, logged in or not.
    "thread-review": Url(
        args={"pk": "thread"},
        get=everyone(405),
        post=roles(analyst=DONE, admin=DONE),
        data=lambda w: {"status": "actioned", "note": "called the user back"},
    ),
    "comment-label": Url(
        args={"pk": "comment"},
        get=everyone(405),
        post=roles(analyst=DONE, admin=DONE),
        data=lambda w: {"label": "pos", "note": "sarcasm"},
    ),
    "scoring": Url(get=ADMINS, post=ADMINS, queries=("", "?text=The+VPN+is+down+again")),
    "sources-list": Url(get=ADMINS, post=ADMINS),
    "sources-add": Url(get=ADMINS, post=ADMINS),
    "sources-add-kind": Url(
        args={"kind": "kind"},
        get=ADMINS,
        post=roles(admin=DONE),
        data=lambda w: {
            "name": "Matrix demo",
            "setting_weeks": "1",
            "setting_per_week": "2",
            "schedule": "1h",
        },
    ),
    "sources-detail": Url(args={"pk": "source"}, get=ADMINS, post=ADMINS),
    "sources-edit": Url(
        args={"pk": "source"},
        get=ADMINS,
        post=roles(admin=DONE),
        data=lambda w: {
            "name": "Service desk (renamed)",
            "setting_weeks": "1",
            "setting_per_week": "1",
            "setting_end": w.week_end.isoformat(),
        },
    ),
    "sources-test": Url(args={"pk": "source"}, get=POST_ONLY_ADMINS, post=roles(admin=ACTED)),
    "sources-run": Url(args={"pk": "source"}, get=POST_ONLY_ADMINS, post=roles(admin=DONE)),
    "sources-progress": Url(args={"pk": "source"}, get=ADMINS, post=roles(admin=405)),
    "sources-toggle": Url(
        args={"pk": "source"},
        get=POST_ONLY_ADMINS,
        post=roles(admin=DONE),
        data=lambda w: {"enabled": "0"},
    ),
    "sources-schedule": Url(
        args={"pk": "source"},
        get=POST_ONLY_ADMINS,
        post=roles(admin=DONE),
        data=lambda w: {"schedule": "0 7 * * 1-5"},
    ),
    "sources-delete": Url(args={"pk": "source"}, get=ADMINS, post=roles(admin=DONE)),
    "sources-directory": Url(
        get=ADMINS,
        post=roles(admin=DONE),
        data=lambda w: {"kind": "domain", "value": "ops.corp.example", "voice": "it_staff"},
    ),
    "sources-directory-delete": Url(
        args={"pk": "entry"}, get=POST_ONLY_ADMINS, post=roles(admin=DONE)
    ),
    "sources-categories": Url(get=ADMINS, post=ADMINS),
    "sources-category-add": Url(
        get=ADMINS,
        post=roles(admin=DONE),
        data=lambda w: {
            "name": "Badges & doors",
            "slug": "",
            "aliases": "badge",
            "keywords": "badge\ndoor",
            "position": "55",
        },
    ),
    "sources-category-edit": Url(
        args={"pk": "category"},
        get=ADMINS,
        post=roles(admin=DONE),
        data=lambda w: {
            "name": "Meeting rooms (AV)",
            "slug": "meeting-rooms",
            "aliases": "av",
            "keywords": "projector\nbeamer",
            "position": "70",
        },
    ),
    "sources-audit": Url(
        get=ADMINS,
        post=ADMINS,  # rendered as for GET
        queries=("", "?action=export", "?action=nonsense&page=9"),
    ),
    # JSON API: the overview's figures; 401 / 403 / 405 as JSON, never a log-in page.
    "api-overview": Url(
        get=roles(anonymous=401, executive=OK, analyst=OK, admin=OK),
        post=everyone(405),
        queries=("", "?week={week}&range=26", "?week={week_before}"),
    ),
    "api-openapi": Url(
        get=roles(anonymous=401, executive=OK, analyst=OK, admin=OK), post=everyone(405)
    ),
    # Push endpoint: authenticated by the hook token and the signature, not by a log-in.
    # Unsigned: 401 to everyone, nothing stored.
    "collectors:hook": Url(
        args={"source_id": "hook_source", "token": "hook_token"},
        get=everyone(405),
        post=everyone(401),
        data=lambda w: {"id": "x1", "text": "unsigned"},
    ),
}


# --- the URLs, from the root resolver -------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"; the pattern itself when the URL has no name
    pattern: str
    admin: bool


def project_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespaces: list[str], admin: bool) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespaces + ([p.namespace] if p.namespace else [])
                walk(p.url_patterns, prefix + str(p.pattern), ns, admin or p.namespace == "admin")
            elif isinstance(p, URLPattern):
                full = prefix + str(p.pattern)
                name = ":".join([*namespaces, p.name]) if p.name else full
                found.append(Route(name, full, admin))

    walk(get_resolver().url_patterns, "", [], False)
    return found


ROUTES = [r for r in project_routes() if not r.admin]
ADMIN_ROUTES = [r for r in project_routes() if r.admin]
NAMES = sorted({r.name for r in ROUTES})


# --- the seeded world -----------------------------------------------------------------

# The authors, by department: Legal is the small group (3 people), Finance (6) is the
# smallest group above the limit, Sales (12) the large one.
GROUPS = {"Legal": 3, "Finance": 6, "Sales": 12}
SMALL = "Legal"
LARGE = "Sales"
SURNAMES = [
    "Quistorff",
    "Brennecke",
    "Vandersloot",
    "Okonkwoh",
    "Lindqvarn",
    "Tesselaar",
    "Marchetty",
    "Dunbrack",
    "Haverkamp",
    "Szymborsk",
    "Fairweld",
    "Ostrander",
    "Pemberworth",
    "Kavanagheen",
    "Rutherglen",
    "Abernathe",
    "Vosskuhl",
    "Castellane",
    "Wetherspoon",
    "Iglesiar",
    "Thornquist",
    "Yardleigh",
]
FIRST = [
    "Zelda",
    "Ottilie",
    "Perpetua",
    "Ignatius",
    "Wilhelmina",
    "Barnaby",
    "Clementine",
    "Leopold",
    "Henrietta",
    "Casimir",
    "Rosalind",
    "Thaddeus",
    "Philippa",
    "Evander",
    "Millicent",
    "Augustin",
    "Seraphina",
    "Ambrose",
    "Gwendolyn",
    "Lysander",
    "Octavia",
    "Benedikt",
]
NEGATIVE = "The VPN keeps failing, this is terrible and I lost my work again."
NEUTRAL = "Where do I find the settings for the VPN client on the third floor"
POSITIVE = "Thanks, the VPN works great now, very helpful!"
# Legal: 7 comments, 6 negative and 1 neutral: net −85.7, a figure no other group has.
# The week before, only Legal's 3 people spoke: 6 comments, 5 negative: net −66.7.
SMALL_FIGURES = {"85.7": "Legal's net sentiment", "66.7": "the 3-person week's net sentiment"}


@dataclass
class World:
    week: date  # Monday of the seeded (last complete) week
    samples: dict[str, Any]
    users: dict[str, Any]
    # Every author's name, surname and e-mail address: seen only with the permission.
    identities: list[str]
    people: dict[str, Person]

    @property
    def week_end(self) -> date:
        return self.week + timedelta(days=6)

    @property
    def week_label(self) -> str:
        iso = self.week.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"


PASSWORD = "matrix-password-long-enough"


def _records(week: date) -> list[CommentRecord]:
    tz = timezone.get_current_timezone()
    t0 = datetime.combine(week + timedelta(days=1), time(9), tzinfo=tz)
    recs: list[CommentRecord] = []
    i = 0
    for dept, size in GROUPS.items():
        for k in range(size):
            first, last = FIRST[i], SURNAMES[i]
            email = f"{first}.{last}@corp.example".lower()
            # Some sources identify people by their e-mail: the id must not leak either.
            ext = email if i % 2 else f"u{i:03d}"
            if dept == SMALL:
                bodies = [NEGATIVE, NEGATIVE, NEUTRAL] if k == 0 else [NEGATIVE, NEGATIVE]
            elif dept == LARGE:
                bodies = [NEGATIVE if k < 4 else POSITIVE]
            else:
                bodies = [POSITIVE]
            for j, body in enumerate(bodies):
                recs.append(
                    CommentRecord(
                        external_id=f"c-{i}-{j}",
                        thread_external_id=f"T-{i}",
                        body=body,
                        created_at=t0 + timedelta(hours=i, minutes=10 * j),
                        thread_title=f"VPN ticket {i}",
                        thread_url=f"https://desk.corp.example/t/{i}",
                        author_external_id=ext,
                        author_name=f"{first} {last}",
                        author_email=email,
                        department=dept,
                        category_hint="VPN",
                    )
                )
            i += 1
    # The week before: only the 3 Legal people, so the whole week is too small to show.
    t1 = t0 - timedelta(weeks=1)
    for k, bodies in enumerate([[NEGATIVE, POSITIVE], [NEGATIVE, NEGATIVE], [NEGATIVE] * 2]):
        first, last = FIRST[k], SURNAMES[k]
        for j, body in enumerate(bodies):
            recs.append(
                CommentRecord(
                    external_id=f"s-{k}-{j}",
                    thread_external_id=f"S-{k}",
                    body=body,
                    created_at=t1 + timedelta(hours=k, minutes=10 * j),
                    thread_title=f"VPN again {k}",
                    author_external_id=f"{first}.{last}@corp.example".lower()
                    if k % 2
                    else f"u{k:03d}",
                    author_name=f"{first} {last}",
                    author_email=f"{first}.{last}@corp.example".lower(),
                    department=SMALL,
                    category_hint="VPN",
                )
            )
    # An IT-staff reply in the first Legal thread: named too, and never counted.
    recs.append(
        CommentRecord(
            external_id="c-agent",
            thread_external_id="T-0",
            body="We restarted the VPN gateway, please try again.",
            created_at=t0 + timedelta(minutes=5),
            author_external_id="agent-1",
            author_name="Brunhilde Staffmeister",
            author_email="brunhilde.staffmeister@it.corp.example",
            department="IT",
            category_hint="VPN",
            voice="it_staff",
        )
    )
    return recs


def seed_world() -> World:
    ensure_catalogue(Category)
    week = week_start_of(timezone.localdate()) - timedelta(weeks=1)
    source = source_create(
        name="Service desk",
        kind="demo_helpdesk",
        settings={"weeks": 1, "per_week": 1, "end": (week + timedelta(days=6)).isoformat()},
    )
    hook = source_create(
        name="Intranet form",
        kind="webhook",
        settings={"id_field": "id", "text_field": "text"},
        secrets={"signing_secret": "matrix-signing-secret-0123456789"},
    )
    result = comments_ingest(
        source=source, batch=Batch(records=_records(week), cursor={}), enqueue=False
    )
    assert not result.skips, result.skips
    comments_score(comment_ids=list(Comment.objects.values_list("id", flat=True)))
    rollups_refresh()
    # What the worker then does (this module-wide seed runs before tasks are made inline,
    # so with a broker configured the refresh only queued it): fold the weeks, find themes.
    weekly_refresh()
    themes_refresh()
    labels = Comment.objects.filter(
        thread__department=SMALL, voice="business", created_at__date__gte=week
    )
    assert sorted(
        "neg" if c.compound <= -0.05 else "pos" if c.compound >= 0.05 else "neu" for c in labels
    ) == ["neg"] * 6 + ["neu"], "the small group's figures are not the ones the test expects"

    thread = Thread.objects.get(source=source, external_id="T-0")
    comment = Comment.objects.get(source=source, external_id="c-0-0")
    category = Category.objects.create(
        name="Meeting rooms", slug="meeting-rooms", keywords="projector", position=65
    )
    entry = StaffDirectoryEntry.objects.create(kind="domain", value="it.corp.example")
    Annotation.objects.create(start=week + timedelta(days=1), kind="outage", title="VPN outage")
    LexiconEntry.objects.create(token="laggy", valence=-1.5, note="our word")
    PhraseRule.objects.create(name="citrix down", pattern="citrix is down", valence=-2.5)
    SyncRun.objects.create(source=source, started_at=timezone.now(), status=SyncRun.Status.OK)

    model = get_user_model()
    users: dict[str, Any] = {"anonymous": None}
    for role, group in (
        ("executive", "Executive"),
        ("analyst", "Analyst"),
        ("analyst_identity", "Analyst"),
        ("admin", "Admin"),
    ):
        users[role] = give_role(model.objects.create_user(role, password=PASSWORD), group)
    users["analyst_identity"].user_permissions.add(Permission.objects.get(codename="view_identity"))
    LabelCorrection.objects.create(
        comment=comment, label="neg", text=comment.clean_body, created_by=users["analyst"]
    )
    ThreadReview.objects.create(
        thread=thread, status="reviewed", note="checked the gateway", created_by=users["analyst"]
    )

    people = {p.external_id: p for p in Person.objects.all()}
    identities: list[str] = []
    for p in people.values():
        identities += [p.display_name, p.display_name.split()[-1], p.email]
    return World(
        week=week,
        samples={
            "thread": thread.pk,
            "comment": comment.pk,
            "source": source.pk,
            "hook_source": hook.pk,
            "hook_token": hook.get_secrets()["hook_token"],
            "kind": "demo_helpdesk",
            "category": category.pk,
            "entry": entry.pk,
        },
        users=users,
        identities=identities,
        people=people,
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(seeded: World, db: None) -> Iterator[World]:
    cache.clear()
    yield seeded
    cache.clear()


# --- helpers --------------------------------------------------------------------------


def client_for(world: World, role: str, **options: Any) -> Client:
    client = Client(**options)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table (but the records of reads), per table."""
    out = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.label_lower in RECORDS_OF_READS:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        out[meta.label_lower] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def body_of(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content
    return content.decode("utf-8", "replace")


def fill(template: str, world: World) -> str:
    before = world.week - timedelta(weeks=1)
    return template.format(
        week=world.week_label,
        week_end=world.week_end.isoformat(),
        week_before=f"{before.isocalendar()[0]}-W{before.isocalendar()[1]:02d}",
    )


def path_of(world: World, name: str, spec: Url) -> str:
    return reverse(name, kwargs={k: world.samples[v] for k, v in spec.args.items()})


def identities_in(text: str, world: World) -> list[str]:
    """The seeded names / e-mail addresses found in a response (as text, escaped or
    URL-encoded)."""
    plain = unescape(text).lower()
    return [
        s
        for s in world.identities
        if s.lower() in plain or quote(s).lower() in plain or quote_plus(s).lower() in plain
    ]


_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_TABLE = re.compile(r"<table\b[^>]*>(.*?)</table>", re.S | re.I)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", fragment)).split())


def small_group_leaks(text: str, content_type: str) -> list[str]:
    """Where a response shows the small group's figures, or lets them be subtracted."""
    leaks = []
    for figure, what in SMALL_FIGURES.items():
        if re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", text):
            leaks.append(f"{what} ({figure}) appears")
    if "html" in content_type:
        for table in _TABLE.findall(text):
            rows = _ROW.findall(table)
            hidden = [r for r in rows if "too few responses" in r]
            for row in rows:
                th = _TH.search(row)
                if not th or _text(th.group(1)) != SMALL:
                    continue
                rest = _text(row[th.end() :])
                if "too few responses" not in rest or re.search(r"\d", rest):
                    leaks.append(f"a row of {SMALL} shows figures: {rest!r}")
                elif len(hidden) < 2:
                    leaks.append(f"{SMALL} is the only hidden group: subtract it from the total")
    if "json" in content_type:
        leaks += _json_leaks(json.loads(text or "null"), "$")
    return leaks


def _json_leaks(value: Any, where: str) -> list[str]:
    leaks = []
    if isinstance(value, dict):
        if SMALL in value.values():
            leaks += [
                f"{where}.{k} = {v}"
                for k, v in value.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            ]
        for k, v in value.items():
            leaks += _json_leaks(v, f"{where}.{k}")
    elif isinstance(value, list):
        named = [v for v in value if isinstance(v, dict) and SMALL in v.values()]
        if named:
            hidden = [
                v
                for v in value
                if isinstance(v, dict)
                and not any(
                    isinstance(x, int | float) and not isinstance(x, bool)
                    for k, x in v.items()
                    if k not in ("key", "id")
                )
            ]
            if len(hidden) < 2:
                leaks.append(f"{where}: {SMALL} is the only hidden group")
        for i, v in enumerate(value):
            leaks += _json_leaks(v, f"{where}[{i}]")
    return leaks


def csp_problems(response: HttpResponse) -> list[str]:
    if "text/html" not in response.get("Content-Type", ""):
        return []
    policy = response.get("Content-Security-Policy", "")
    if not policy:
        return ["an HTML response without a Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip())
    script = directives.get("script-src", directives.get("default-src", ""))
    return [
        f"script-src allows {bad}"
        for bad in ("'unsafe-inline'", "'unsafe-eval'", "*")
        if bad in script.split()
    ]


def check_outcome(
    response: HttpResponse, expected: str | int, before: dict, after: dict, what: str
) -> None:
    status = response.status_code
    changed = changed_tables(before, after)
    if expected == OK:
        assert status == 200, f"{what}: expected 200, got {status}"
    elif expected == DONE:
        assert status in (200, 201, 302, 303), f"{what}: expected the action, got {status}"
        assert changed, f"{what}: answered {status} but nothing was written"
    elif expected == ACTED:
        assert status in (200, 201, 302, 303), f"{what}: expected the action, got {status}"
    elif expected == LOGIN:
        assert status == 302, f"{what}: expected a redirect to log in, got {status}"
        assert urlsplit(response["Location"]).path == reverse("login"), response["Location"]
    else:
        assert status == expected, f"{what}: expected {expected}, got {status}"
    if expected not in (DONE, ACTED):
        assert not changed, f"{what}: answered {status} but changed {changed}"


# --- the matrix -----------------------------------------------------------------------


def test_every_url_of_the_project_is_in_the_table() -> None:
    unclassified = sorted({r.name for r in ROUTES} - set(TABLE))
    assert not unclassified, (
        "URLs not in the access table (say what each role gets, in "
        f"tests/security/test_access_matrix.py TABLE): {unclassified}"
    )
    stale = sorted(set(TABLE) - {r.name for r in ROUTES})
    assert not stale, f"the access table names URLs that no longer exist: {stale}"
    shared = sorted(n for n in NAMES if sum(r.name == n for r in ROUTES) > 1)
    assert not shared, f"several URLs share a name; give each its own: {shared}"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", NAMES)
def test_each_role_gets_what_the_table_says_and_a_refused_request_changes_nothing(
    world: World, name: str, role: str, method: str
) -> None:
    if name not in TABLE:
        pytest.fail(f"{name} is not in the access table")
    spec = TABLE[name]
    expected = spec.get[role] if method == "GET" else spec.post[role]
    client = client_for(world, role)
    path = path_of(world, name, spec)
    for query in spec.queries:
        url = path + fill(query, world)
        what = f"{role} {method} {url}"
        before = fingerprint()
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, spec.data(world))
        text = body_of(response)
        after = fingerprint()
        check_outcome(response, expected, before, after, what)
        if role not in SEES_IDENTITIES:
            found = identities_in(text, world)
            assert not found, f"{what} shows identities: {found[:5]}"
        leaks = small_group_leaks(text, response.get("Content-Type", ""))
        assert not leaks, f"{what}: {leaks}"
        assert not csp_problems(response), f"{what}: {csp_problems(response)}"
        if expected in (DONE, ACTED):
            break  # the action happened once; the next query would act on what it left


def test_a_post_without_the_csrf_token_changes_nothing_even_for_an_admin(world: World) -> None:
    client = client_for(world, "admin", enforce_csrf_checks=True)
    for name, spec in TABLE.items():
        if name == "collectors:hook" or spec.post["admin"] not in (DONE, ACTED):
            continue  # the hook is signed instead; pages that do nothing on POST
        url = path_of(world, name, spec)
        before = fingerprint()
        response = client.post(url, spec.data(world))
        assert response.status_code == 403, f"POST {url} without CSRF: {response.status_code}"
        assert not changed_tables(before, fingerprint()), f"POST {url} without CSRF wrote"


# --- the Django admin -----------------------------------------------------------------


def _admin_url(route: Route) -> str | None:
    """A path for one admin URL, placeholders for its arguments: the staff check comes
    before any object is looked up."""
    if route.name == route.pattern:  # unnamed (the admin's old-style redirects)
        return "/" + re.sub(r"<[^>]+>", "1", route.pattern)
    values = {"object_id": "1", "id": "1", "app_label": "sentiment", "content_type_id": "1"}
    for keys in ((), ("object_id",), ("id",), ("app_label",), ("content_type_id", "object_id")):
        try:
            return reverse(route.name, kwargs={k: values[k] for k in keys})
        except NoReverseMatch:
            continue
    return None


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_reach_the_django_admin(world: World, role: str) -> None:
    client = client_for(world, role)
    before = fingerprint()
    reached = []
    checked = 0
    for route in ADMIN_ROUTES:
        if route.name in ("admin:login", "admin:logout"):
            continue
        url = _admin_url(route)
        assert url is not None, f"no sample arguments for {route.name} ({route.pattern})"
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            checked += 1
            if response.status_code != 302 or not urlsplit(response["Location"]).path.startswith(
                "/admin/login/"
            ):
                reached.append(f"{method.upper()} {url}: {response.status_code}")
    assert not reached, f"{role} (not staff) reached the admin: {reached[:10]}"
    assert checked > 100
    assert not changed_tables(before, fingerprint())

    # The same user made staff gets in (so the check above can fail).
    if world.users[role] is not None:
        user = get_user_model().objects.get(pk=world.users[role].pk)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        assert client.get("/admin/").status_code == 200


ADMIN_PAGES = [
    "/admin/sentiment/person/",
    "/admin/sentiment/person/?q={surname}",
    "/admin/sentiment/person/{person}/change/",
    "/admin/sentiment/comment/",
    "/admin/sentiment/comment/{comment}/change/",
    "/admin/sentiment/thread/{thread}/change/",
    "/admin/sentiment/labelcorrection/",
    "/admin/sentiment/labelcorrection/{correction}/change/",
]


def _admin_page(template: str, world: World) -> str:
    person = world.people["u000"]
    return template.format(
        surname=person.display_name.split()[-1],
        person=person.pk,
        comment=world.samples["comment"],
        thread=world.samples["thread"],
        correction=LabelCorrection.objects.get().pk,
    )


def test_staff_without_the_identity_permission_see_no_names_in_the_django_admin(
    world: World,
) -> None:
    admin = get_user_model().objects.get(pk=world.users["admin"].pk)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client = client_for(world, "admin")
    for template in ADMIN_PAGES:
        url = _admin_page(template, world)
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        # The search box repeats what was typed: that is not a leak.
        typed = {q for q in [urlsplit(url).query.removeprefix("q=")] if q}
        found = [s for s in identities_in(body_of(response), world) if s not in typed]
        assert not found, f"{url} shows identities to an admin without the permission: {found[:5]}"
    # Searching by a name finds nobody: no oracle for "is this person in here?".
    response = client.get(_admin_page("/admin/sentiment/person/?q={surname}", world))
    assert world.people["u000"].pseudonym not in body_of(response)


def test_staff_with_the_identity_permission_see_names_in_the_django_admin(world: World) -> None:
    user = get_user_model().objects.get(pk=world.users["analyst_identity"].pk)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(codename="view_person"))
    client = client_for(world, "analyst_identity")
    person = world.people["u000"]
    response = client.get(_admin_page("/admin/sentiment/person/{person}/change/", world))
    assert person.display_name in body_of(response)
    response = client.get(_admin_page("/admin/sentiment/person/?q={surname}", world))
    assert person.pseudonym in body_of(response)


# --- identities: pseudonyms for analysts, names only with the permission ------------------


def _authors_on_thread(text: str) -> list[str]:
    return [_text(m) for m in re.findall(r'<span class="comment__author">(.*?)</span>', text, re.S)]


def _export_authors(client: Client) -> dict[str, str]:
    """comment id -> author column of the CSV export."""
    import csv
    import io

    rows = list(
        csv.DictReader(
            io.StringIO(body_of(client.get("/explore/export.csv?voice=all")).lstrip("\ufeff"))
        )
    )
    assert rows, "the export is empty"
    return {r["comment_id"]: r["author"] for r in rows}


def test_an_analyst_sees_each_author_as_the_same_stable_pseudonym_everywhere(
    world: World,
) -> None:
    client = client_for(world, "analyst")
    url = reverse("thread", args=[world.samples["thread"]])
    first = _authors_on_thread(body_of(client.get(url)))
    again = _authors_on_thread(body_of(client.get(url)))
    thread = Thread.objects.get(pk=world.samples["thread"])
    expected = [
        pseudonym(c.source_id, c.author.external_id)
        for c in Comment.objects.filter(thread=thread)
        .select_related("author")
        .order_by("created_at", "id")
    ]
    assert first == again == expected
    assert all(a.startswith("Person-") for a in first)
    exported = _export_authors(client)
    for c in Comment.objects.select_related("author"):
        assert exported[str(c.pk)] == pseudonym(c.source_id, c.author.external_id)
    assert len(set(exported.values())) == len(world.people)  # one pseudonym per person


def test_an_analyst_with_the_identity_permission_sees_names_on_threads_and_in_the_export(
    world: World,
) -> None:
    client = client_for(world, "analyst_identity")
    url = reverse("thread", args=[world.samples["thread"]])
    authors = _authors_on_thread(body_of(client.get(url)))
    assert "Zelda Quistorff" in authors and "Brunhilde Staffmeister" in authors
    exported = _export_authors(client)
    assert {p.display_name for p in world.people.values()} == set(exported.values())


# --- fewer than 5 people: the scans above can see a leak --------------------------------


def test_the_overview_shows_the_large_group_and_hides_the_small_one_with_another(
    world: World,
) -> None:
    text = body_of(client_for(world, "executive").get("/"))
    rows = {
        _text(_TH.search(r).group(1)): _text(r[_TH.search(r).end() :])
        for r in _ROW.findall(text)
        if _TH.search(r)
    }
    assert "too few responses" in rows[SMALL]
    assert "too few responses" in rows["Finance"]  # hidden with it: no subtraction
    assert "+33.3" in rows[LARGE]  # 8 positive, 4 negative of 12
    # The week before (3 people): no figure at all in the weekly table.
    before = world.week - timedelta(weeks=1)
    label = f"{before.isocalendar()[0]}-W{before.isocalendar()[1]:02d}"
    (small_week,) = [rest for head, rest in rows.items() if head.startswith(label)]
    assert small_week == "too few responses (fewer than 5 people)"
    assert small_group_leaks(text, "text/html") == []
    # The checker sees a leak when there is one.
    shown = text.replace("too few responses", "−85.7 7 3")
    assert small_group_leaks(shown, "text/html")


def test_the_api_shows_the_large_group_and_hides_the_small_one_with_another(
    world: World,
) -> None:
    response = client_for(world, "executive").get(reverse("api-overview"))
    data = json.loads(body_of(response))
    groups = {g["name"]: g for g in data["breakdowns"]["department"]}
    assert groups[SMALL]["suppressed"] and groups[SMALL]["net"] is None
    assert groups["Finance"]["suppressed"] and groups["Finance"]["n"] is None
    assert groups[LARGE]["net"] == 33.3 and groups[LARGE]["n"] == 12
    assert small_group_leaks(body_of(response), "application/json") == []
    # The checker sees a leak when there is one.
    groups[SMALL]["n"] = 7
    assert small_group_leaks(json.dumps(data), "application/json")
