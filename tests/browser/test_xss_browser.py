"""Stored XSS: hostile text in every field a page shows stays text, on every page.

Payloads go into comment text, thread titles and upstream URLs, author names,
departments, source names and errors, category names, annotations, IT-staff directory
entries, scoring rules, review notes and "wrong sentiment" notes. An Admin (who may see
authors' names) and an Analyst then open every page in Chromium. On each page: no dialog
opens, no Content-Security-Policy violation is reported (a blocked script would mean the
markup reached the page unescaped), the DOM holds no inline script, no event-handler
attribute and no `javascript:` link, the payloads read as text, and the HTML answer
carries a policy whose scripts are Earshot's own files. Screenshots of the pages with
their payloads land in test-artifacts/ (desktop and 390 px).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from collectors.base import Batch, CommentRecord
from collectors.ingest import comments_ingest
from collectors.models import Source, SyncRun
from dashboards.models import Annotation
from dashboards.selectors import week_start_of
from sentiment.catalogue import ensure_catalogue
from sentiment.models import (
    Category,
    Comment,
    LabelCorrection,
    LexiconEntry,
    PhraseRule,
    StaffDirectoryEntry,
    Thread,
    ThreadReview,
)
from sentiment.services import rollups_refresh
from tests.conftest import give_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg onload=alert(1)>"
JS_URL = "javascript:alert(1)"
BREAKOUT = '"><script>alert(1)</script>'
TEMPLATE = "{{7*7}}"
PAYLOADS = [SCRIPT, IMG, SVG, JS_URL, BREAKOUT, TEMPLATE]

SOURCE_NAME = f"Desk {SCRIPT}"
OTHER_SOURCE = f"Forms {BREAKOUT}"
CATEGORY = f"Badges {IMG}"
DEPT_A = f"Sales {SVG}"
DEPT_B = f"Legal {TEMPLATE}"
# Upstream links that must never become a link (only http(s) does).
BAD_URLS = [JS_URL, "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,<b>x</b>"]

# Run in the page: what a successful injection would leave in the DOM.
FIND_ACTIVE_MARKUP = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}="${a.value}"`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(name)
          && /^\\s*(javascript|data|vbscript):/i.test(a.value)) {
        found.push(`${el.tagName} ${name}="${a.value}"`);
      }
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (!s.src && s.type !== 'application/json') found.push('inline script: ' + s.text.slice(0, 80));
  }
  for (const el of document.querySelectorAll('iframe, object, embed, svg[onload], img[onerror]')) {
    found.push('element ' + el.outerHTML.slice(0, 80));
  }
  return found;
}"""


def seed() -> dict[str, Any]:
    ensure_catalogue(Category)
    category = Category.objects.create(
        name=CATEGORY, slug="badges", aliases="badges", keywords="badge", position=15
    )
    source = Source.objects.create(
        name=SOURCE_NAME,
        kind="csvfile",
        settings={"path": f"exports/{BREAKOUT}.csv", "text_columns": [SVG, TEMPLATE]},
        last_status=Source.Status.FAILED,
        last_error=f"Upstream answered {IMG} and {SCRIPT}",
    )
    Source.objects.create(name=OTHER_SOURCE, kind="csvfile", settings={"path": "x.csv"})
    SyncRun.objects.create(
        source=source,
        started_at=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now(),
        status=SyncRun.Status.PARTIAL,
        error=f"Row failed: {SCRIPT}",
        skipped=1,
        skips=[{"item": BREAKOUT, "reason": f"bad {SVG}"}],
    )

    monday = week_start_of(timezone.localdate()) - timedelta(weeks=1)
    t0 = datetime.combine(
        monday + timedelta(days=1), time(9), tzinfo=timezone.get_current_timezone()
    )
    records = []
    for i in range(12):
        payload = PAYLOADS[i % len(PAYLOADS)]
        records.append(
            CommentRecord(
                external_id=f"c{i}",
                thread_external_id=f"T{i}",
                body=f"The badge reader is broken again, awful {payload} day {i}",
                created_at=t0 + timedelta(hours=i),
                thread_title=f"{payload} ticket {i}",
                thread_url=BAD_URLS[i] if i < len(BAD_URLS) else f"https://desk.example/t/{i}",
                author_external_id=f"u{i}",
                author_name=f"{payload} Person {i}",
                author_email=f"person{i}@corp.example",
                department=DEPT_A if i % 2 else DEPT_B,
                category_hint="badges",
            )
        )
    records.append(
        CommentRecord(
            external_id="agent",
            thread_external_id="T0",
            body=f"Replaced the reader {IMG}",
            created_at=t0 + timedelta(minutes=30),
            author_external_id="agent",
            author_name=f"Agent {SVG}",
            voice="it_staff",
            category_hint="badges",
        )
    )
    comments_ingest(source=source, batch=Batch(records=records, cursor={}))
    rollups_refresh()

    Annotation.objects.create(
        start=monday + timedelta(days=1), kind="outage", title=SCRIPT, note=f"{TEMPLATE} {IMG}"
    )
    StaffDirectoryEntry.objects.create(kind="person", value=SVG, note=BREAKOUT)
    LexiconEntry.objects.create(token="laggy", valence=-1.5, note=SCRIPT)
    PhraseRule.objects.create(name=IMG, pattern="reader is broken", valence=-2.0, note=BREAKOUT)

    model = get_user_model()
    admin = give_role(model.objects.create_user("adm", password=PASSWORD), "Admin")
    admin.user_permissions.add(Permission.objects.get(codename="view_identity"))
    give_role(model.objects.create_user("ana", password=PASSWORD), "Analyst")
    thread = Thread.objects.get(external_id="T0")
    ThreadReview.objects.create(thread=thread, status="actioned", note=SCRIPT, created_by=admin)
    comment = Comment.objects.get(external_id="c0")
    LabelCorrection.objects.create(
        comment=comment, label="neu", text=comment.clean_body, note=IMG, created_by=admin
    )
    assert Comment.objects.filter(compound__isnull=False).count() == 13
    iso = monday.isocalendar()
    return {
        "week": f"{iso[0]}-W{iso[1]:02d}",
        "source": source.pk,
        "category": category.pk,
        "js_thread": thread.pk,
        "safe_thread": Thread.objects.get(external_id="T5").pk,
    }


# (name, path, texts that must read as text, {input selector: value})
def admin_pages(ids: dict[str, Any]) -> list[tuple[str, str, list[str], dict[str, str]]]:
    src = ids["source"]
    pages = [
        ("overview", "/", [SOURCE_NAME, CATEGORY, DEPT_A, DEPT_B, SCRIPT], {}),
        ("overview-week", f"/?week={ids['week']}&range=26", [SOURCE_NAME, CATEGORY], {}),
        ("explore", "/explore/", [f"{SCRIPT} ticket 0", f"{BREAKOUT} ticket 4", SOURCE_NAME], {}),
        (
            "explore-filtered",
            f"/explore/?q={quote(SCRIPT)}&department={quote(DEPT_B)}&voice=all",
            [f"{SCRIPT} ticket 0", DEPT_B],
            {"input[name=q]": SCRIPT, "input[name=department]": DEPT_B},
        ),
        (
            "thread",
            f"/threads/{ids['js_thread']}/",
            [f"{SCRIPT} ticket 0", f"awful {SCRIPT} day 0", f"{SCRIPT} Person 0", SCRIPT, IMG],
            {},
        ),
        ("thread-link", f"/threads/{ids['safe_thread']}/", [f"{TEMPLATE} ticket 5"], {}),
        (
            "scoring",
            f"/scoring/?text={quote(SCRIPT)}",
            [SCRIPT, IMG, BREAKOUT],
            {"textarea[name=text], input[name=text]": SCRIPT},
        ),
        ("sources", "/sources/", [SOURCE_NAME, OTHER_SOURCE, IMG], {}),
        (
            "source",
            f"/sources/{src}/",
            [SOURCE_NAME, f"Upstream answered {IMG} and {SCRIPT}", f"Row failed: {SCRIPT}"],
            {},
        ),
        ("source-edit", f"/sources/{src}/edit/", [], {"input[name=name]": SOURCE_NAME}),
        ("source-delete", f"/sources/{src}/delete/", [SOURCE_NAME], {}),
        ("directory", "/sources/directory/", [SVG, BREAKOUT], {}),
        ("categories", "/sources/categories/", [CATEGORY], {}),
        (
            "category-edit",
            f"/sources/categories/{ids['category']}/",
            [],
            {"input[name=name]": CATEGORY},
        ),
    ]
    # Pages other engineers are adding: visited once they exist.
    for name, url_name, texts in (
        ("audit", "sources-audit", [CATEGORY, SVG]),
        ("api-overview", "api-overview", [SOURCE_NAME]),
    ):
        try:
            pages.append((name, reverse(url_name) + f"?week={ids['week']}", texts, {}))
        except NoReverseMatch:
            pass
    return pages


def analyst_pages(ids: dict[str, Any]) -> list[tuple[str, str, list[str], dict[str, str]]]:
    keep = {"overview", "overview-week", "explore", "explore-filtered", "thread", "thread-link"}
    pages = [p for p in admin_pages(ids) if p[0] in keep]
    # An analyst sees pseudonyms, never the (hostile) names.
    return [
        (name, url, [t for t in texts if "Person" not in t], inputs)
        for name, url, texts, inputs in pages
    ]


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def script_sources(policy: str) -> list[str]:
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip())
    return directives.get("script-src", directives.get("default-src", "")).split()


def visit_all(
    page: Any, base: str, pages: list, artifacts: Any, tag: str
) -> tuple[list[str], list[str]]:
    """Open every page; return the CSP violations and the problems found."""
    dialogs: list[str] = []
    violations: list[str] = []
    problems: list[str] = []
    documents: list[Any] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on(
        "response", lambda r: documents.append(r) if r.request.resource_type == "document" else None
    )
    for name, path, texts, inputs in pages:
        documents.clear()
        response = page.goto(base + path, wait_until="load")
        assert response is not None and response.status == 200, (
            f"{path}: {response and response.status}"
        )
        page.wait_for_load_state("networkidle")
        for doc in documents:
            content_type = doc.headers.get("content-type", "")
            if "text/html" not in content_type:
                continue
            policy = doc.headers.get("content-security-policy", "")
            if not policy:
                problems.append(f"{path}: no Content-Security-Policy")
            elif set(script_sources(policy)) & {"'unsafe-inline'", "'unsafe-eval'", "*"}:
                problems.append(f"{path}: script-src {script_sources(policy)}")
        if "text/html" in response.headers.get("content-type", ""):
            active = page.evaluate(FIND_ACTIVE_MARKUP)
            problems += [f"{path}: {a}" for a in active]
            shown = page.locator("body").inner_text()
            problems += [f"{path}: {t!r} not shown as text" for t in texts if t not in shown]
            for selector, value in inputs.items():
                got = page.locator(selector).first.input_value()
                if got != value:
                    problems.append(f"{path}: {selector} holds {got!r}, not {value!r}")
        else:
            shown = page.locator("body").inner_text()
            problems += [f"{path}: {t!r} not in the answer" for t in texts if t not in shown]
        page.screenshot(path=artifacts / f"xss-{tag}-{name}.png", full_page=True)
        if dialogs:
            problems.append(f"{path}: dialogs {dialogs}")
            dialogs.clear()
    return violations, problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_hostile_text_stays_text_on_every_page_for_an_admin(
    live_server, new_context, artifacts, viewport
):
    ids = seed()
    page = new_context(viewport=viewport).new_page()
    log_in(page, live_server.url, "adm")
    pages = admin_pages(ids)
    violations, problems = visit_all(
        page, live_server.url, pages, artifacts, f"admin-{viewport['width']}"
    )
    assert problems == []
    assert violations == []
    assert len(pages) >= 14

    # A link back to the source is drawn only for http(s).
    page.goto(f"{live_server.url}/threads/{ids['js_thread']}/")
    assert page.get_by_role("link", name="Open in").count() == 0
    page.goto(f"{live_server.url}/threads/{ids['safe_thread']}/")
    link = page.get_by_role("link", name="Open in")
    assert link.get_attribute("href") == "https://desk.example/t/5"

    # The print view of the overview (print media) keeps the payloads as text.
    page.goto(f"{live_server.url}/?week={ids['week']}")
    page.emulate_media(media="print")
    assert CATEGORY in page.locator("body").inner_text()
    page.screenshot(path=artifacts / f"xss-admin-{viewport['width']}-print.png", full_page=True)
    page.emulate_media(media="screen")


def test_hostile_text_stays_text_for_an_analyst(live_server, new_context, artifacts):
    ids = seed()
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server.url, "ana")
    violations, problems = visit_all(
        page, live_server.url, analyst_pages(ids), artifacts, "analyst-1280"
    )
    assert problems == []
    assert violations == []
    # Pseudonyms, not the (hostile) names, on the thread.
    page.goto(f"{live_server.url}/threads/{ids['js_thread']}/")
    authors = page.locator(".comment__author").all_inner_texts()
    assert authors and all(a.startswith("Person-") for a in authors)


def test_the_checks_see_a_script_that_runs(new_context):
    """The same listeners and DOM check on a page without Earshot's escaping or policy:
    the dialog fires and the markup is found (so the tests above can fail)."""
    page = new_context().new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with page.expect_event("dialog"):
        page.set_content(f"<p>{IMG}</p><a href='{JS_URL}'>x</a>")
    assert dialogs == ["1"]
    found = page.evaluate(FIND_ACTIVE_MARKUP)
    assert any("onerror" in f for f in found) and any("javascript:" in f for f in found)
