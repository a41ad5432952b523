"""Thread view: comments in order, scores with reasons, IT staff not counted, identities
only with the permission, "wrong sentiment" recorded for analysts."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from collectors.base import Batch
from collectors.ingest import comments_ingest
from sentiment.models import Comment, LabelCorrection, Thread
from tests.conftest import T0, record

pytestmark = pytest.mark.django_db

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def user_with(*perms: str):
    user = get_user_model().objects.create_user("ana", password="a-long-test-password")
    for p in perms:
        app, codename = p.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return user


@pytest.fixture
def thread(make_source, django_capture_on_commit_callbacks):
    from datetime import timedelta

    source = make_source("Helpdesk")
    recs = [
        record(
            "c1",
            f"The VPN is down again. {XSS}",
            author="anna",
            author_name="Anna Accountant",
            thread_title=f"VPN {XSS}",
            thread_url="javascript:alert(3)",
        ),
        record(
            "c2",
            "Restarted the gateway, please try now.",
            voice="it_staff",
            author="ivan",
            at=T0 + timedelta(hours=1),
        ),
        record(
            "c3",
            "Works again, thanks a lot!",
            author="anna",
            author_name="Anna Accountant",
            at=T0 + timedelta(hours=2),
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        comments_ingest(source=source, batch=Batch(recs, {}))
    return Thread.objects.get()


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_thread_view_needs_login_and_the_permission(thread):
    url = reverse("thread", args=[thread.pk])
    assert Client().get(url).status_code == 302
    assert client_for(user_with()).get(url).status_code == 403


def test_comments_show_in_order_with_score_reason_and_staff_marked_not_counted(thread):
    page = client_for(user_with("sentiment.view_thread")).get(reverse("thread", args=[thread.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        html.index("The VPN is down again.")
        < html.index("Restarted the gateway")
        < html.index("Works again")
    )
    assert "IT staff · not counted" in html
    assert "Why this score" in html
    assert "phrase rule “X is down”" in html
    assert "score--neg" in html and "score--pos" in html


def test_authors_are_pseudonyms_unless_the_identity_permission_is_granted(thread):
    url = reverse("thread", args=[thread.pk])
    plain = client_for(user_with("sentiment.view_thread")).get(url).content.decode()
    assert "Anna Accountant" not in plain
    assert "Person-" in plain
    get_user_model().objects.all().delete()
    named = client_for(user_with("sentiment.view_thread", "sentiment.view_identity")).get(url)
    assert "Anna Accountant" in named.content.decode()


def test_comment_text_titles_and_links_are_never_executable(thread):
    html = (
        client_for(user_with("sentiment.view_thread"))
        .get(reverse("thread", args=[thread.pk]))
        .content.decode()
    )
    assert "<script>alert(1)" not in html
    assert 'onerror="alert(2)"' not in html
    assert "&lt;script&gt;" in html
    assert "javascript:alert(3)" not in html  # a non-http link back is not rendered


def test_an_analyst_records_wrong_sentiment_and_it_is_exported(thread, tmp_path):
    user = user_with("sentiment.view_thread", "sentiment.add_labelcorrection")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(reverse("thread", args=[thread.pk]))
    token = page.cookies["csrftoken"].value
    comment = Comment.objects.get(external_id="c1")

    refused = client.post(reverse("comment-label", args=[comment.pk]), {"label": "neu"})
    assert refused.status_code == 403  # no CSRF token
    response = client.post(
        reverse("comment-label", args=[comment.pk]),
        {"label": "neu", "note": "status report", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#c{comment.pk}")
    correction = LabelCorrection.objects.get()
    assert (correction.label, correction.created_by, correction.text) == (
        "neu",
        user,
        comment.clean_body,
    )
    assert correction.compound == comment.compound
    after = client.get(reverse("thread", args=[thread.pk])).content.decode()
    assert "Marked <strong>neutral</strong> by ana" in after


def test_wrong_sentiment_needs_the_permission_and_a_valid_label(thread):
    comment = Comment.objects.get(external_id="c1")
    url = reverse("comment-label", args=[comment.pk])
    assert (
        client_for(user_with("sentiment.view_thread")).post(url, {"label": "neu"}).status_code
        == 403
    )
    get_user_model().objects.all().delete()
    client = client_for(user_with("sentiment.view_thread", "sentiment.add_labelcorrection"))
    assert client.get(url).status_code == 405
    client.post(url, {"label": "great"})
    assert not LabelCorrection.objects.exists()


def test_scoring_page_tries_a_sentence_for_admins_only(thread):
    url = reverse("scoring")
    assert client_for(user_with("sentiment.view_thread")).get(url).status_code == 403
    get_user_model().objects.all().delete()
    page = client_for(user_with("sentiment.view_lexiconentry")).get(
        url, {"text": "The printer is broken again."}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="try-result"' in html and "neg" in html


def test_every_view_by_an_analyst_is_recorded(thread):
    from sentiment.models import ThreadViewLog

    client = client_for(user_with("sentiment.view_thread"))
    client.get(reverse("thread", args=[thread.pk]))
    client.get(reverse("thread", args=[thread.pk]))
    logs = list(ThreadViewLog.objects.values_list("username", "thread_id", "with_identities"))
    assert logs == [("ana", thread.pk, False)] * 2


def test_a_thread_is_marked_reviewed_then_actioned_with_who_and_when(thread):
    from sentiment.models import ThreadReview

    user = user_with("sentiment.view_thread", "sentiment.add_threadreview")
    client = client_for(user)
    url = reverse("thread-review", args=[thread.pk])
    client.post(url, {"status": "reviewed"})
    client.post(url, {"status": "actioned", "note": "VPN gateway replaced"})
    client.post(url, {"status": "closed"})  # not a status: refused, nothing saved

    assert list(ThreadReview.objects.values_list("status", "note", "created_by")) == [
        ("actioned", "VPN gateway replaced", user.pk),
        ("reviewed", "", user.pk),
    ]
    html = client.get(reverse("thread", args=[thread.pk])).content.decode()
    assert "<strong>Actioned</strong> by ana" in html
    assert "VPN gateway replaced" in html


def test_reviewing_needs_the_permission(thread):
    url = reverse("thread-review", args=[thread.pk])
    assert client_for(user_with("sentiment.view_thread")).post(url, {"status": "reviewed"}).status_code == 403


@pytest.mark.parametrize(
    ("role", "overview", "thread_page", "scoring_page"),
    [("Executive", 200, 403, 403), ("Analyst", 200, 200, 403), ("Admin", 200, 200, 200)],
)
def test_roles_open_the_pages_they_should_and_no_others(thread, role, overview, thread_page, scoring_page):
    from tests.conftest import give_role

    client = client_for(give_role(get_user_model().objects.create_user("r", password="x-long-pw-1"), role))
    assert client.get("/").status_code == overview
    assert client.get(reverse("thread", args=[thread.pk])).status_code == thread_page
    assert client.get(reverse("scoring")).status_code == scoring_page


def test_a_user_without_a_role_is_told_so(thread):
    client = client_for(get_user_model().objects.create_user("nobody", password="x-long-pw-1"))
    assert client.get("/").status_code == 403


def test_helpdesk_html_reads_as_text_and_other_markup_shows_as_written():
    from dashboards.threads import display_text

    assert display_text("<p>VPN <b>down</b> again.</p><p>Anna</p>") == "VPN down again.\nAnna"
    assert display_text("Fish &amp; chips<br>ok") == "Fish & chips\nok"
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    assert display_text(hostile) == hostile  # left as text; the template escapes it


def test_a_script_in_a_comment_is_shown_as_text(thread):
    html = client_for(user_with("sentiment.view_thread")).get(reverse("thread", args=[thread.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
