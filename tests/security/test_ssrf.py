"""SSRF: a source address that leads to loopback, link-local (169.254.169.254), private or
reserved networks, or their IPv6 forms, is refused at connect time unless the source
allows the private network, also after a redirect and under DNS rebinding.

A plain socket listener on 127.0.0.1 (and one on ::1) counts the connections it accepts:
it must get none. Every case also runs with allow_private_network, where the same
listener IS reached, so each test can fail. Addresses nothing listens on here
(169.254.169.254, 10.x) are watched through Python's `socket.connect` audit event.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pytest_httpserver import HTTPServer
from werkzeug import Response

from collectors.base import ConnectorConfigError, ConnectorError
from collectors.http import HttpClient
from collectors.netguard import AddressPolicy, check_address, refusal_reason, use_resolver
from collectors.registry import kinds
from collectors.services import source_check, source_create
from tests.conftest import give_role

PUBLIC = "93.184.216.34"  # a public address; connecting to it is blocked in these tests
OK_BODY = b'{"ok": true}'


# --- watching connections ---------------------------------------------------------------

_connects: list[Any] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "socket.connect" or _connects is None:
        return
    address = args[1]
    _connects.append(address)
    if isinstance(address, tuple) and address and address[0] == PUBLIC:
        # Never leave the machine: this stands for "some public server".
        raise ConnectionRefusedError(f"test: no connection to {PUBLIC}")


sys.addaudithook(_audit)  # hooks cannot be removed: it only acts while `connects` is on


@pytest.fixture
def connects() -> Iterator[list[Any]]:
    """Every address a socket of this process tried to connect to during the test."""
    global _connects
    _connects = []
    try:
        yield _connects
    finally:
        _connects = None


def hosts(addresses: list[Any]) -> set[str]:
    return {a[0] for a in addresses if isinstance(a, tuple)}


class Listener:
    """A plain TCP server that counts accepted connections and answers a tiny HTTP 200."""

    def __init__(self, host: str = "127.0.0.1", family: int = socket.AF_INET) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET6:
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                        % (len(OK_BODY), OK_BODY)
                    )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def listener6() -> Iterator[Listener]:
    try:
        server = Listener("::1", socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    yield server
    server.close()


class Rebinder:
    """A DNS server for the names given: the first answer for a name is public, every
    later one `then` (127.0.0.1): a name rebound between a check and a connection.
    Other names resolve as usual."""

    def __init__(self, *names: str, first: str = PUBLIC, then: str = "127.0.0.1") -> None:
        self.names, self.first, self.then = set(names), first, then
        self.calls: Counter[str] = Counter()

    def __call__(self, host: str, port: int) -> list[tuple[Any, ...]]:
        if host not in self.names:
            return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        self.calls[host] += 1
        ip = self.first if self.calls[host] == 1 else self.then
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ip, port))]


def fixed(ip: str) -> Any:
    def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ip, port))]

    return resolve


def get(url: str, **kw: Any) -> Any:
    kw.setdefault("retries", 0)
    kw.setdefault("timeout", (1.0, 2.0))
    return HttpClient(url, **kw).get_json("/")


# --- the rule -------------------------------------------------------------------------

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "0.1.2.3",
    "10.1.2.3",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "192.0.0.170",
    "198.18.0.1",
    "224.0.0.1",  # multicast: Python calls it global
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible: Python calls it global
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1: Python calls it global
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::1",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1: Python calls it global
    "2001:db8::1",
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED)
def test_loopback_private_link_local_and_reserved_addresses_are_refused(address):
    assert refusal_reason(ipaddress.ip_address(address)) is not None
    assert AddressPolicy().refusal(ipaddress.ip_address(address)) is not None
    assert AddressPolicy(allow_private_network=True).refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address):
    assert refusal_reason(ipaddress.ip_address(address)) is None


def test_an_allowed_network_opens_only_that_network():
    policy = AddressPolicy.of(allowed_networks=["10.20.0.0/16"])
    assert policy.refusal(ipaddress.ip_address("10.20.3.4")) is None
    assert policy.refusal(ipaddress.ip_address("::ffff:10.20.3.4")) is None
    assert policy.refusal(ipaddress.ip_address("10.21.0.1")) == "a private network address"
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) == "a loopback address"


# --- connections ------------------------------------------------------------------------


def loopback_forms(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://0.0.0.0:{port}/",
        f"http://2130706433:{port}/",  # decimal
        f"http://0177.0.0.1:{port}/",  # octal
        f"http://0x7f.0.0.1:{port}/",  # hex
        f"http://127.1:{port}/",  # short form
        f"http://localhost:{port}/",  # a name that resolves to 127.0.0.1
    ]


FORMS = ["literal", "ipv4-mapped", "unspecified", "decimal", "octal", "hex", "short", "name"]


@pytest.mark.parametrize("form", range(len(FORMS)), ids=FORMS)
def test_every_spelling_of_loopback_is_refused_and_the_listener_gets_no_connection(listener, form):
    url = loopback_forms(listener.port)[form]
    with pytest.raises(ConnectorConfigError, match="Refused to connect.*allow_private_network"):
        get(url)
    assert listener.hits == 0
    # The same address with the private network allowed does reach it: the test can fail.
    assert get(url, allow_private_network=True) == {"ok": True}
    assert listener.hits == 1


def test_ipv6_loopback_is_refused_and_reached_only_when_allowed(listener6):
    url = f"http://[::1]:{listener6.port}/"
    with pytest.raises(ConnectorConfigError, match=r"::1 is a loopback address"):
        get(url)
    assert listener6.hits == 0
    assert get(url, allow_private_network=True) == {"ok": True}
    assert listener6.hits == 1


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("10.1.2.3", "private network"),
        ("172.20.0.1", "private network"),
        ("192.168.0.10", "private network"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("fd00::10", "unique local"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
    ],
)
def test_metadata_and_private_addresses_are_refused_before_any_connection(connects, address, words):
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(ConnectorConfigError, match=words):
        get(f"http://{host}:80/latest/meta-data/")
    assert address not in hosts(connects)
    # A name that resolves there is refused the same way.
    with use_resolver(fixed(address)), pytest.raises(ConnectorConfigError, match=words):
        get("http://internal.example.test/latest/meta-data/")
    assert address not in hosts(connects)
    # Allowed, a connection is attempted (nothing answers here): the watch works.
    with pytest.raises(ConnectorError):
        get(f"http://{host}:80/", allow_private_network=True, timeout=(0.3, 0.3))
    assert address in hosts(connects)


def test_a_rebound_name_is_refused_at_connect_time_though_the_check_passed(listener, connects):
    rebinder = Rebinder("rebind.example.test")
    url = f"http://rebind.example.test:{listener.port}/"
    with use_resolver(rebinder):
        # The connector's early check sees the public first answer and passes ...
        check_address(url, allow_private_network=False)
        # ... the connection resolves again, gets 127.0.0.1, and refuses it.
        with pytest.raises(ConnectorConfigError, match="resolves to 127.0.0.1"):
            get(url)
    assert rebinder.calls["rebind.example.test"] == 2
    assert listener.hits == 0
    assert "127.0.0.1" not in hosts(connects)
    # Allowed, the same sequence connects to the address the connection checked.
    rebinder.calls.clear()
    with use_resolver(rebinder):
        check_address(url, allow_private_network=True)
        assert get(url, allow_private_network=True) == {"ok": True}
    assert listener.hits == 1


def test_the_connection_goes_to_the_one_answer_it_checked(listener, connects):
    """One resolution per connection: the address checked is the address connected to.
    A resolver that would answer 127.0.0.1 only on a second look-up never gets asked."""
    rebinder = Rebinder("pinned.example.test")  # first answer public, then loopback
    with use_resolver(rebinder), pytest.raises(ConnectorError):
        get(f"http://pinned.example.test:{listener.port}/")
    assert rebinder.calls["pinned.example.test"] == 1
    assert hosts(connects) == {PUBLIC}  # the checked answer (blocked here), nothing else
    assert listener.hits == 0


def test_a_name_with_a_public_and_a_private_answer_is_refused_whole(listener, connects):
    def mixed(host: str, port: int) -> list[tuple[Any, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    with use_resolver(mixed), pytest.raises(ConnectorConfigError, match="127.0.0.1"):
        get(f"http://mixed.example.test:{listener.port}/")
    assert connects == [] and listener.hits == 0


@pytest.fixture
def allowed_server() -> Iterator[HTTPServer]:
    """An upstream on 127.0.0.2, a network the clients below allow explicitly (as an
    admin would allow an on-premises system's subnet); the listener's 127.0.0.1 is not."""
    server = HTTPServer(host="127.0.0.2", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.mark.parametrize("target", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "0.0.0.0"])
def test_a_redirect_to_loopback_from_an_allowed_server_is_refused(allowed_server, listener, target):
    location = f"http://{target}:{listener.port}/latest/meta-data/"
    allowed_server.expect_request("/x").respond_with_response(
        Response("", status=302, headers={"Location": location})
    )
    client = HttpClient(
        allowed_server.url_for("/"),
        retries=0,
        allowed_networks=["127.0.0.2/32"],
        follow_redirects=True,
    )
    with pytest.raises(ConnectorConfigError, match="Refused to connect"):
        client.get_json("/x")
    assert len(allowed_server.log) == 1 and listener.hits == 0
    # Not following redirects (the default) refuses it too, saying where it led.
    with pytest.raises(ConnectorConfigError, match="redirected /x"):
        HttpClient(
            allowed_server.url_for("/"), retries=0, allowed_networks=["127.0.0.2/32"]
        ).get_json("/x")
    assert listener.hits == 0
    # With loopback allowed the redirect is followed to the listener: the test can fail.
    follows = HttpClient(
        allowed_server.url_for("/"),
        retries=0,
        allowed_networks=["127.0.0.0/8", "::ffff:127.0.0.0/104"],
        follow_redirects=True,
    )
    if target == "0.0.0.0":
        follows = HttpClient(
            allowed_server.url_for("/"),
            retries=0,
            allow_private_network=True,
            follow_redirects=True,
        )
    assert follows.get_json("/x") == {"ok": True}
    assert listener.hits == 1


def test_a_proxy_from_the_environment_is_not_used(allowed_server, listener, monkeypatch):
    """HTTP(S)_PROXY would hand the connection to a proxy that resolves names itself."""
    allowed_server.expect_request("/x").respond_with_json({"direct": True})
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{listener.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = HttpClient(allowed_server.url_for("/"), retries=0, allowed_networks=["127.0.0.2/32"])
    assert client.get_json("/x") == {"direct": True}
    assert listener.hits == 0


# --- every HTTP kind, through its own check() -------------------------------------------


def http_kinds() -> list[str]:
    return [
        kind
        for kind, cls in kinds().items()
        if "allow_private_network" in cls.settings_model.model_fields
    ]


def kind_settings(kind: str, base: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Minimal valid settings and secrets of each HTTP kind, pointed at `base`."""
    common = {"allow_insecure_http": True, "retry_backoff": 0.01}
    per_kind: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
        "freshservice": ({"base_url": base}, {"api_key": "fs-key-123456"}),
        "jira": (
            {"base_url": base, "email": "a@corp.example", "project_key": "ITSD"},
            {"api_token": "jira-token-123456"},
        ),
        "limesurvey": (
            {"base_url": base, "username": "earshot", "survey_id": 123456},
            {"password": "lime-password-1"},
        ),
        "matrix": (
            {"base_url": base, "room_ids": ["!abc:corp.example"]},
            {"access_token": "matrix-token-1"},
        ),
        "mattermost": (
            {"base_url": base, "team_name": "it", "channel_ids": ["a" * 26]},
            {"token": "mm-token-123456"},
        ),
        "qualtrics": (
            {"base_url": base, "survey_id": "SV_abcdefghijklmno"},
            {"api_token": "q-token-123456"},
        ),
        "rt": ({"base_url": base}, {"api_token": "rt-token-123456"}),
        "servicenow": (
            {"base_url": base, "username": "earshot"},
            {"password": "sn-password-1"},
        ),
        "slack": ({"base_url": base, "channels": ["C0123456"]}, {"bot_token": "xoxb-123456"}),
        "surveymonkey": ({"base_url": base, "survey_id": "123456"}, {"access_token": "sm-1234567"}),
        "teams": (
            {
                "login_base_url": base.replace("//", "//login."),
                "graph_base_url": base.replace("//", "//graph."),
                "tenant_id": "00000000-0000-0000-0000-000000000001",
                "client_id": "00000000-0000-0000-0000-000000000002",
                "team_id": "00000000-0000-0000-0000-000000000003",
                "channel_ids": ["19:abc@thread.tacv2"],
            },
            {"client_secret": "teams-secret-1"},
        ),
        "typeform": ({"base_url": base, "form_id": "abcDEF12"}, {"token": "tf-token-123456"}),
        "zammad": ({"base_url": base}, {"api_token": "zammad-token-1"}),
        "zendesk": ({"base_url": base, "email": "a@corp.example"}, {"api_token": "zd-token-1"}),
    }
    settings, secrets = per_kind[kind]
    return {**settings, **common}, secrets


def test_the_table_below_covers_every_http_kind():
    assert set(http_kinds()) == {
        "freshservice",
        "jira",
        "limesurvey",
        "matrix",
        "mattermost",
        "qualtrics",
        "rt",
        "servicenow",
        "slack",
        "surveymonkey",
        "teams",
        "typeform",
        "zammad",
        "zendesk",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", http_kinds())
def test_every_http_kind_refuses_a_rebound_address_at_connect_time(kind, listener, catalogue):
    base = f"http://up.example.test:{listener.port}"
    names = ("up.example.test", "login.up.example.test", "graph.up.example.test")
    for allowed in (False, True):
        settings, secrets = kind_settings(kind, base)
        source = source_create(
            name=f"{kind} {allowed}",
            kind=kind,
            settings={**settings, "allow_private_network": allowed},
            secrets=secrets,
        )
        rebinder = Rebinder(*names)
        with use_resolver(rebinder):
            result = source_check(source=source)
        if not allowed:
            assert not result.ok
            assert "Refused to connect" in result.message, result.message
            assert "127.0.0.1" in result.message
            assert listener.hits == 0
        else:
            assert listener.hits >= 1, result.message  # the same path reaches it when allowed


@pytest.mark.django_db
def test_test_connection_on_the_sources_page_refuses_a_rebound_address(listener, catalogue):
    user = give_role(get_user_model().objects.create_user("adm", password="x" * 20), "Admin")
    client = Client()
    client.force_login(user)
    settings, secrets = kind_settings("jira", f"http://up.example.test:{listener.port}")
    source = source_create(name="Jira", kind="jira", settings=settings, secrets=secrets)
    with use_resolver(Rebinder("up.example.test")):
        page = client.post(f"/sources/{source.pk}/test/", follow=True)
    text = page.content.decode()
    assert "Connection failed: Refused to connect: up.example.test resolves to 127.0.0.1" in text
    assert listener.hits == 0
