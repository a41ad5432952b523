"""The one HTTP client every HTTP connector uses.

A requests Session with connect/read timeouts, bounded retries with exponential
backoff on 429 and 5xx, `Retry-After` honoured (capped, so a hostile or broken
upstream cannot park a worker for hours), and upstream failures translated into
ConnectorError (transient) or ConnectorConfigError (permanent, shown to the admin).

Every connection goes through collectors.netguard.PinnedAdapter: the host is resolved
once per connection and only a public address of that answer is connected to (private
ones too when the source sets allow_private_network). Proxies from the environment are
not used: a proxy would resolve and connect beyond the rule's reach. The credentials a
client sends are registered with collectors.secrets, so an upstream that echoes them in
an error never gets them into a stored error, a log line or an error report.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.util.retry import Retry

from .base import ConnectorConfigError, ConnectorError
from .netguard import AddressPolicy, PinnedAdapter
from .secrets import remember_secrets

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "Earshot/0.1 (+IT sentiment collector)"


class _Retry(Retry):
    # Longest wait a Retry-After header may impose before we give up on this try.
    max_retry_after: float = 120.0

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_retry_after)

    def new(self, **kw: Any) -> _Retry:
        # urllib3 makes a fresh Retry after every attempt: carry the cap over.
        fresh = super().new(**kw)
        fresh.max_retry_after = self.max_retry_after
        return fresh


class HttpClient:
    def __init__(
        self,
        base_url: str = "",
        *,
        headers: dict[str, str] | None = None,
        auth: Any = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff: float = 0.5,
        max_retry_after: float = 120.0,
        verify: bool | str = True,
        follow_redirects: bool = False,
        address_hint: str = "check the source's base_url",
        allow_private_network: bool = False,
        allowed_networks: Iterable[str] = (),
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/" if base_url else ""
        self.timeout = timeout
        # Redirects are refused by default (an admin should fix the address); one that is
        # followed is still held to the address rule by the pinned connection.
        self.follow_redirects = follow_redirects
        self.address_hint = address_hint
        retry = _Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            backoff_max=30,
            status_forcelist=RETRY_STATUSES,
            respect_retry_after_header=True,
            # Connectors only read upstream data, so retrying any verb is safe.
            allowed_methods=None,
            raise_on_status=False,
        )
        retry.max_retry_after = max_retry_after
        self.policy = AddressPolicy.of(
            allow_private_network=allow_private_network, allowed_networks=allowed_networks
        )
        self.session = requests.Session()
        adapter = PinnedAdapter(self.policy, max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        if headers:
            self.session.headers.update(headers)
            _remember_headers(headers)
        self.session.auth = auth
        if isinstance(auth, tuple) and len(auth) == 2:
            user, password = (str(v) for v in auth)
            # The password, and the Basic header payload an upstream might echo.
            remember_secrets(password, base64.b64encode(f"{user}:{password}".encode()).decode())
        self.session.verify = verify

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.base_url, path.lstrip("/"))

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.url(path)
        host = urlsplit(url).netloc
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", self.follow_redirects)
        # None drops a proxy requests would take from HTTP(S)_PROXY / ALL_PROXY.
        kwargs["proxies"] = dict.fromkeys(("http", "https", "all"))
        if kwargs.get("headers"):
            _remember_headers(kwargs["headers"])
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise ConnectorConfigError(
                f"TLS handshake with {host} failed (certificate not trusted or wrong host?): {_short(exc)}"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            text = str(exc)
            if (
                "NameResolutionError" in text
                or "Name or service not known" in text
                or "getaddrinfo" in text
            ):
                raise ConnectorError(
                    f"DNS lookup for {host} failed: is the address right?"
                ) from None
            if "Max retries exceeded" in text and "ResponseError" in text:
                raise ConnectorError(f"{host} kept failing after {self._tries()} tries") from None
            raise ConnectorError(f"Could not connect to {host}: {_short(exc)}") from None
        except requests.exceptions.Timeout:
            raise ConnectorError(f"{host} did not answer within {self.timeout[1]:.0f} s") from None
        except requests.exceptions.RequestException as exc:
            raise ConnectorError(f"Request to {host} failed: {_short(exc)}") from None
        if 300 <= response.status_code < 400 and not kwargs["allow_redirects"]:
            location = response.headers.get("Location", "?")
            raise ConnectorConfigError(
                f"{host} redirected {response.request.path_url} to {location!r}: "
                f"{self.address_hint} (Earshot does not follow redirects).",
                status=response.status_code,
            )
        _raise_for_status(response, host)
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return _json(self.request("GET", path, **kwargs))

    @staticmethod
    def json(response: requests.Response) -> Any:
        """The JSON body, or a ConnectorError saying what came instead."""
        return _json(response)

    def post_json(self, path: str, **kwargs: Any) -> Any:
        return _json(self.request("POST", path, **kwargs))

    def _tries(self) -> int:
        adapter = self.session.get_adapter("https://")
        return int(adapter.max_retries.total or 0) + 1  # type: ignore[attr-defined]

    def close(self) -> None:
        self.session.close()


_SECRET_HEADER_WORDS = ("authorization", "token", "key", "secret", "password", "cookie")


def _remember_headers(headers: Any) -> None:
    """Header values that carry credentials (Authorization, X-API-TOKEN, ...), with and
    without their scheme word, go to the redaction list."""
    for name, value in dict(headers).items():
        if value and any(w in str(name).lower() for w in _SECRET_HEADER_WORDS):
            text = str(value)
            remember_secrets(text, text.split(" ", 1)[-1])


def _raise_for_status(response: requests.Response, host: str) -> None:
    code = response.status_code
    if code < 400:
        return
    body = _error_body(response)
    if code == 401:
        raise ConnectorConfigError(
            f"{host} refused the credentials (401 Unauthorized): check the token or password.",
            status=code,
            body=body,
        )
    if code == 403:
        raise ConnectorConfigError(
            f"{host} says the account lacks permission (403 Forbidden) for {response.request.path_url}.",
            status=code,
            body=body,
        )
    if code == 404:
        raise ConnectorConfigError(
            f"{host} has nothing at {response.request.path_url} (404): check the URL and ids in the settings.",
            status=code,
            body=body,
        )
    if code == 429:
        raise ConnectorError(
            f"{host} is rate limiting us (429) and retries ran out; the next run resumes.",
            status=code,
            body=body,
        )
    if code >= 500:
        raise ConnectorError(
            f"{host} failed with {code} after retries; the next run resumes.",
            status=code,
            body=body,
        )
    raise ConnectorConfigError(
        f"{host} rejected the request ({code}): {response.text[:300]}", status=code, body=body
    )


def _error_body(response: requests.Response) -> dict[str, Any]:
    """The JSON object an upstream sent with an error, {} for anything else."""
    if "json" not in response.headers.get("Content-Type", "") and not response.text[:1] == "{":
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        host = urlsplit(response.url).netloc
        raise ConnectorError(
            f"{host} answered {response.status_code} with a body that is not JSON: {response.text[:120]!r}"
        ) from None


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:297] + "..."
