"""The shared HTTP client against a real local HTTP server."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from collectors.base import ConnectorConfigError, ConnectorError
from collectors.http import HttpClient


def client(server: HTTPServer, **kw) -> HttpClient:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("allow_private_network", True)  # the test server is on 127.0.0.1
    return HttpClient(server.url_for("/"), **kw)


def test_429_with_retry_after_is_waited_out_then_succeeds(httpserver: HTTPServer):
    httpserver.expect_ordered_request("/items").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    httpserver.expect_ordered_request("/items").respond_with_json({"items": [1, 2]})
    started = time.monotonic()
    assert client(httpserver).get_json("/items") == {"items": [1, 2]}
    assert time.monotonic() - started >= 0.9
    httpserver.check_assertions()


def test_a_500_is_retried_with_backoff_then_succeeds(httpserver: HTTPServer):
    httpserver.expect_ordered_request("/x").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/x").respond_with_data("boom", status=502)
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": True})
    assert client(httpserver).get_json("/x") == {"ok": True}
    assert len(httpserver.log) == 3


def test_a_server_that_keeps_failing_is_a_transient_error_after_bounded_retries(httpserver: HTTPServer):
    httpserver.expect_request("/x").respond_with_data("down", status=503)
    with pytest.raises(ConnectorError) as exc:
        client(httpserver, retries=2).get_json("/x")
    assert not isinstance(exc.value, ConnectorConfigError)
    assert "503" in str(exc.value) or "kept failing" in str(exc.value)
    assert len(httpserver.log) == 3


def test_a_huge_retry_after_is_capped(httpserver: HTTPServer):
    httpserver.expect_ordered_request("/x").respond_with_response(
        Response("", status=429, headers={"Retry-After": "86400"})
    )
    httpserver.expect_ordered_request("/x").respond_with_json([])
    started = time.monotonic()
    assert client(httpserver, max_retry_after=0.5).get_json("/x") == []
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "refused the credentials"), (403, "lacks permission"), (404, "nothing at /x")],
)
def test_auth_and_permission_failures_are_permanent_with_a_readable_message(httpserver, status, words):
    httpserver.expect_request("/x").respond_with_data("no", status=status)
    with pytest.raises(ConnectorConfigError, match=words):
        client(httpserver).get_json("/x")
    assert len(httpserver.log) == 1  # not retried


def test_a_body_that_is_not_json_is_a_clear_error(httpserver: HTTPServer):
    httpserver.expect_request("/x").respond_with_data("<html>login</html>", content_type="text/html")
    with pytest.raises(ConnectorError, match="not JSON"):
        client(httpserver).get_json("/x")


def test_a_closed_port_is_a_transient_connection_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectorError, match="Could not connect|kept failing"):
        HttpClient(
            f"http://127.0.0.1:{port}/", retries=1, backoff=0.01, allow_private_network=True
        ).get_json("/x")


def test_errors_carry_the_upstream_status_code(httpserver: HTTPServer):
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    with pytest.raises(ConnectorConfigError) as exc:
        client(httpserver).get_json("/gone")
    assert exc.value.status == 404


def test_redirects_are_refused_so_no_unchecked_address_is_reached(httpserver: HTTPServer):
    httpserver.expect_request("/x").respond_with_response(
        Response("", status=302, headers={"Location": "http://169.254.169.254/latest"})
    )
    with pytest.raises(ConnectorConfigError, match="redirected /x to 'http://169.254.169.254/latest'"):
        client(httpserver, address_hint="check base_url").get_json("/x")
    assert len(httpserver.log) == 1
