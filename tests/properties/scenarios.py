"""One small upstream per source kind, served by the fakes in tests/fakes: a control item
(business user, plain text, must always land) and a victim item in another ticket,
thread or response, whose JSON the property tests mutate in place before a real
collection reads it over HTTP.

`protected` names the victim's top-level keys the fake server itself reads to serve it
(its id, its timestamps for paging): mutating those would break the fake, not test the
connector."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer

from collectors.models import Source
from collectors.services import source_create

CONTROL = "Zebracontrol: the new laptop works well, thank you."
VICTIM = "The VPN keeps dropping every hour, this is terrible."

_NAMES = itertools.count(1)
_TEST_NET = {"allow_insecure_http": True, "allow_private_network": True, "retry_backoff": 0.01}


@dataclass
class Scenario:
    source: Source
    # (the JSON object the fake serves, its protected top-level keys)
    victims: list[tuple[dict[str, Any], frozenset[str]]] = field(default_factory=list)


def _source(kind: str, settings: dict[str, Any], secrets: dict[str, Any]) -> Source:
    return source_create(
        name=f"{kind} property {next(_NAMES)}",
        kind=kind,
        settings={**_TEST_NET, **settings},
        secrets=secrets,
    )


# --- helpdesks ------------------------------------------------------------------------


def zendesk(server: HTTPServer) -> Scenario:
    from tests.fakes.zendesk import FakeZendesk

    zd = FakeZendesk(server)
    zd.add_org(500, "Finance")
    zd.add_group(70, "Network")
    zd.add_user(10, "Anna Accountant", "anna@corp.example", "end-user", organization_id=500)
    zd.add_user(11, "Bob Sales", "bob@corp.example", "end-user")
    zd.add_ticket(1, "Laptop", requester_id=10, body=CONTROL)
    zd.add_ticket(2, "VPN drops", requester_id=11, group_id=70, body=VICTIM)
    zd.add_comment(2, 11, "Still dropping today.")
    source = _source(
        "zendesk", {"base_url": zd.base_url, "email": zd.email}, {"api_token": zd.token}
    )
    ticket = zd.tickets[2]
    return Scenario(
        source,
        [
            (ticket.comments[1], frozenset({"author_id"})),
            (
                ticket.data,
                frozenset(
                    {
                        "id",
                        "generated_timestamp",
                        "requester_id",
                        "submitter_id",
                        "assignee_id",
                        "organization_id",
                        "group_id",
                    }
                ),
            ),
        ],
    )


def jira(server: HTTPServer) -> Scenario:
    from tests.fakes.jira import ORGANIZATIONS, PARTICIPANTS, REQUEST_TYPE, FakeJira

    fake = FakeJira(server)
    fake.add_user("u-anna", "Anna Accountant", "anna@corp.example", "customer")
    fake.add_user("u-bob", "Bob Sales", "bob@corp.example", "atlassian")
    fake.add_issue(10001, "Laptop", reporter="u-anna", description=CONTROL)
    key = fake.add_issue(
        10002,
        "VPN drops",
        reporter="u-bob",
        request_type="VPN access",
        organization="Sales",
        description=VICTIM,
    )
    cid = fake.add_comment(key, "u-bob", "Still dropping today.")
    source = _source(
        "jira",
        {
            "base_url": fake.base_url,
            "email": fake.email,
            "project_key": fake.project,
            "request_type_field": REQUEST_TYPE,
            "organizations_field": ORGANIZATIONS,
            "participants_field": PARTICIPANTS,
        },
        {"api_token": fake.token},
    )
    issue = fake.issues[key]
    comment = next(c for c in issue.comments if c.get("id") == cid)
    return Scenario(
        source,
        [(comment, frozenset()), (issue.data["fields"], frozenset({"updated", "created"}))],
    )


def servicenow(server: HTTPServer) -> Scenario:
    from tests.fakes.servicenow import FakeServiceNow

    sn = FakeServiceNow(server)
    finance = sn.add_department("Finance")
    anna = sn.add_user("anna", "Anna Accountant", "anna@corp.example", finance)
    bob = sn.add_user("bob", "Bob Sales", "bob@corp.example")
    sn.add_incident(1, "Laptop", caller=anna, comment=CONTROL)
    sid = sn.add_incident(2, "VPN drops", caller=bob, comment=VICTIM)
    jid = sn.add_comment(sid, "bob", "Still dropping today.")
    source = _source(
        "servicenow",
        {"base_url": sn.base_url, "username": sn.username},
        {"password": sn.password},
    )
    return Scenario(
        source,
        [
            (
                sn.tables["sys_journal_field"][jid],
                frozenset({"element_id", "sys_created_on", "element", "name", "sys_id"}),
            ),
            (sn.tables["incident"][sid], frozenset({"sys_id", "sys_updated_on", "sys_created_on"})),
        ],
    )


def rt(server: HTTPServer) -> Scenario:
    from tests.fakes.rt import FakeRT

    fake = FakeRT(server)
    fake.add_queue(2, "Network")
    fake.add_user(
        "anna@corp.example",
        privileged=False,
        real_name="Anna Accountant",
        email="anna@corp.example",
        organization="Finance",
    )
    fake.add_user("bob@corp.example", privileged=False, email="bob@corp.example")
    fake.add_ticket(1, "Laptop", requestor="anna@corp.example", body=CONTROL)
    fake.add_ticket(2, "VPN drops", requestor="bob@corp.example", queue=2, body=VICTIM)
    xid = fake.add_transaction(2, "Correspond", "bob@corp.example", "Still dropping today.")
    source = _source("rt", {"base_url": fake.base_url}, {"api_token": fake.token})
    txn = fake.transactions[xid][1]
    part = fake.attachments[txn["_attachments"][0]]
    return Scenario(
        source,
        [(txn, frozenset({"id", "_attachments"})), (part, frozenset({"id"}))],
    )


def zammad(server: HTTPServer) -> Scenario:
    from tests.fakes.zammad import FakeZammad

    zm = FakeZammad(server)
    zm.add_org(500, "Finance")
    zm.add_group(1, "Users")
    zm.add_group(70, "Network")
    zm.add_user(10, "Anna", "Accountant", "anna@corp.example", organization_id=500)
    zm.add_user(11, "Bob", "Sales", "bob@corp.example")
    zm.add_ticket(1, "Laptop", customer_id=10, body=CONTROL)
    zm.add_ticket(2, "VPN drops", customer_id=11, group_id=70, body=VICTIM)
    zm.add_article(2, 11, "Still dropping today.", sender="Customer", type_="web")
    source = _source("zammad", {"base_url": zm.base_url}, {"api_token": zm.token})
    ticket = zm.tickets[2]
    return Scenario(
        source,
        [
            (ticket.articles[-1], frozenset({"id", "ticket_id"})),
            (ticket.data, frozenset({"id", "updated_at", "created_at"})),
        ],
    )


def freshservice(server: HTTPServer) -> Scenario:
    from tests.fakes.freshservice import FakeFreshservice

    fs = FakeFreshservice(server)
    fs.add_department(500, "Finance")
    fs.add_group(70, "Network")
    fs.add_requester(10, "Anna", "Accountant", "anna@corp.example", [500])
    fs.add_requester(11, "Bob", "Sales", "bob@corp.example")
    fs.add_ticket(1, "Laptop", requester_id=10, body=CONTROL)
    fs.add_ticket(2, "VPN drops", requester_id=11, group_id=70, body=VICTIM)
    fs.add_conversation(2, 11, "Still dropping today.", incoming=True)
    source = _source("freshservice", {"base_url": fs.base_url}, {"api_key": fs.api_key})
    ticket = fs.tickets[2]
    return Scenario(
        source,
        [
            (ticket.conversations[-1], frozenset()),
            (ticket.data, frozenset({"id", "updated_at", "created_at"})),
        ],
    )


# --- chat -----------------------------------------------------------------------------


def slack(server: HTTPServer) -> Scenario:
    from tests.fakes.slack import FakeSlack

    fake = FakeSlack(server)
    fake.add_channel("C0ITHELP1", "it-help")
    fake.add_user("U0ANNA", "Anna Accountant", "anna@corp.example")
    fake.add_user("U0BOB", "Bob Sales", "bob@corp.example")
    fake.post("C0ITHELP1", "U0ANNA", CONTROL)
    root = fake.post("C0ITHELP1", "U0BOB", VICTIM)
    fake.post("C0ITHELP1", "U0BOB", "Still dropping today.", thread=root)
    source = _source(
        "slack",
        {"channels": ["C0ITHELP1"], "base_url": fake.base_url, "requests_per_minute": 0},
        {"bot_token": fake.token},
    )
    messages = fake.messages["C0ITHELP1"]
    return Scenario(source, [(messages[1], frozenset({"ts"})), (messages[2], frozenset({"ts"}))])


def teams(server: HTTPServer) -> Scenario:
    from collectors.teams import clear_token_cache
    from tests.fakes.teams import CLIENT, TEAM, TENANT, FakeGraph

    clear_token_cache()
    help_channel = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
    anna, bob = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    graph = FakeGraph(server)
    graph.add_channel(help_channel, "IT help")
    graph.add_user(anna, "Anna Accountant", "anna@corp.example")
    graph.add_user(bob, "Bob Sales", "bob@corp.example")
    graph.post(help_channel, anna, f"<p>{CONTROL}</p>")
    root = graph.post(help_channel, bob, f"<p>{VICTIM}</p>")
    reply = graph.reply(help_channel, root, bob, "<p>Still dropping today.</p>")
    source = _source(
        "teams",
        {
            "tenant_id": TENANT,
            "client_id": CLIENT,
            "team_id": TEAM,
            "channel_ids": [help_channel],
            "graph_base_url": graph.graph_base_url,
            "login_base_url": graph.login_base_url,
        },
        {"client_secret": graph.secret},
    )
    message, _ = graph.find(help_channel, reply)
    return Scenario(source, [(message, frozenset({"id"}))])


def mattermost(server: HTTPServer) -> Scenario:
    from tests.fakes.mattermost import FakeMattermost, mm_id

    help_channel, anna, bob = mm_id("c", 1), mm_id("u", 1), mm_id("u", 2)
    mm = FakeMattermost(server)
    mm.add_channel(help_channel, "it-help")
    mm.add_user(anna, "anna", "Anna", "Accountant", "anna@corp.example")
    mm.add_user(bob, "bob", "Bob", "Sales", "")
    mm.post(help_channel, anna, CONTROL)
    root = mm.post(help_channel, bob, VICTIM)
    reply = mm.post(help_channel, bob, "Still dropping today.", root_id=root)
    source = _source(
        "mattermost",
        {"base_url": mm.base_url, "team_name": "it-support", "channel_ids": [help_channel]},
        {"token": mm.token},
    )
    keys = frozenset({"id", "channel_id", "create_at", "update_at", "delete_at", "root_id"})
    return Scenario(source, [(mm.posts[root], keys), (mm.posts[reply], keys)])


def matrix(server: HTTPServer) -> Scenario:
    from tests.fakes.matrix import FakeMatrix

    room, anna, bob = "!help:corp.example", "@anna:corp.example", "@bob:corp.example"
    mx = FakeMatrix(server)
    mx.add_room(room)
    mx.join(room, anna, "Anna Accountant")
    mx.join(room, bob, "Bob Sales")
    mx.send(room, anna, CONTROL)
    root = mx.send(room, bob, VICTIM)
    reply = mx.thread_reply(room, bob, root, "Still dropping today.")
    source = _source(
        "matrix", {"base_url": mx.base_url, "room_ids": [room]}, {"access_token": mx.token}
    )
    keys = frozenset({"event_id", "origin_server_ts", "room_id"})
    return Scenario(source, [(mx.find(room, root), keys), (mx.find(room, reply), keys)])


# --- surveys --------------------------------------------------------------------------


def surveymonkey(server: HTTPServer) -> Scenario:
    from tests.fakes.surveymonkey import FakeSurveyMonkey

    sm = FakeSurveyMonkey(server)
    sm.add_response("9001", better=CONTROL, department="Finance", service="VPN", nps=9)
    victim = sm.add_response(
        "9002",
        better=VICTIM,
        other="Please fix it.",
        department="Sales",
        service="VPN",
        nps=2,
        email="bob@corp.example",
    )
    source = _source(
        "surveymonkey",
        {
            "base_url": sm.base_url,
            "survey_id": "405123",
            "department_question": "103",
            "service_question": "104",
        },
        {"access_token": sm.token},
    )
    return Scenario(source, [(victim, frozenset({"id", "date_modified", "response_status"}))])


def qualtrics(server: HTTPServer) -> Scenario:
    from tests.fakes.qualtrics import FakeQualtrics

    qx = FakeQualtrics(server)
    qx.add_response("R_1", better=CONTROL, department="Finance", service="VPN", nps=9)
    victim = qx.add_response(
        "R_2",
        better=VICTIM,
        other="Please fix it.",
        department="Sales",
        service="VPN",
        nps=2,
        email="bob@corp.example",
    )
    source = _source(
        "qualtrics",
        {
            "base_url": qx.base_url,
            "survey_id": "SV_6mudEEycYo5zehT",
            "poll_interval": 0,
            "department_question": "dept",
            "service_question": "QID5",
        },
        {"api_token": qx.token},
    )
    return Scenario(source, [(victim, frozenset({"responseId"}))])


def typeform(server: HTTPServer) -> Scenario:
    from tests.fakes.typeform import FakeTypeform

    tf = FakeTypeform(server)
    tf.add_response("r1", better=CONTROL, department="Finance", service="VPN", csat=4)
    victim = tf.add_response(
        "r2",
        better=VICTIM,
        other="Please fix it.",
        department="Sales",
        service="VPN",
        csat=1,
        email="bob@corp.example",
    )
    source = _source(
        "typeform",
        {
            "base_url": tf.base_url,
            "form_id": "u6nXL7",
            "request_interval": 0,
            "department_question": "department",
            "service_question": "fService",
        },
        {"token": tf.token},
    )
    return Scenario(
        source, [(victim, frozenset({"token", "response_id", "submitted_at", "landed_at"}))]
    )


def limesurvey(server: HTTPServer) -> Scenario:
    from tests.fakes.limesurvey import SID, FakeLimeSurvey

    ls = FakeLimeSurvey(server)
    ls.add(better=CONTROL, dept="Finance", service="VPN", csat="4", nps="9")
    rid = ls.add(better=VICTIM, dept="Sales", service="VPN", csat="1", nps="2")
    source = _source(
        "limesurvey",
        {
            "base_url": ls.base_url,
            "username": "earshot",
            "survey_id": SID,
            "server_timezone": "Europe/Berlin",
            "department_question": "dept",
            "service_question": "service",
        },
        {"password": ls.password},
    )
    return Scenario(source, [(ls.responses[rid], frozenset({"id"}))])


KINDS: dict[str, Callable[[HTTPServer], Scenario]] = {
    "zendesk": zendesk,
    "jira": jira,
    "servicenow": servicenow,
    "rt": rt,
    "zammad": zammad,
    "freshservice": freshservice,
    "slack": slack,
    "teams": teams,
    "mattermost": mattermost,
    "matrix": matrix,
    "surveymonkey": surveymonkey,
    "qualtrics": qualtrics,
    "typeform": typeform,
    "limesurvey": limesurvey,
}
