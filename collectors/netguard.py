"""Where a source may point: the address rule every HTTP connection is held to.

A source's address is typed by an admin, and Earshot holds credentials and runs inside
the company network: it must not become a way to reach the intranet's own services or
the cloud's metadata endpoint (SSRF). So the address is checked when it is saved (https,
no credentials or query in it) and again when a connection is made: `PinnedAdapter`
resolves the host once, checks every address of that one answer against the rule and
connects to a checked address itself. The address connected to is the address checked;
a DNS answer that changes between a check and the connection (DNS rebinding) or a
redirect cannot lead anywhere else. TLS still verifies the certificate against the
host name (SNI and hostname checks are on the name, only the socket is pinned).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field
from requests.adapters import HTTPAdapter
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from .base import ConnectorConfigError, ConnectorError, StrictSettings

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# getaddrinfo(host, port) -> [(family, type, proto, canonname, sockaddr), ...]
Resolver = Callable[[str, int], Sequence[tuple[Any, ...]]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are IPv4
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215, local use
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_ULA = ipaddress.ip_network("fc00::/7")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_METADATA = ipaddress.ip_address("169.254.169.254")


class HttpSourceSettings(StrictSettings):
    """Settings every kind that calls an upstream over HTTP shares."""

    allow_insecure_http: bool = Field(
        False, description="Allow http:// (a local test server only: credentials travel in clear)."
    )
    allow_private_network: bool = Field(
        False,
        description="Allow a host that resolves to a loopback or private address "
        "(an on-premises system).",
    )
    retry_backoff: float = Field(0.5, ge=0, le=30, description="Seconds; doubles on each retry.")


class AddressRefused(ConnectorConfigError):
    """The host resolves to an address Earshot does not call; shown to the admin as is."""


def validate_base_url(value: str, *, allow_insecure_http: bool, example: str) -> str:
    """For settings validators: the normalised URL, or ValueError with a readable reason."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"base_url must look like {example}")
    if parts.scheme == "http" and not allow_insecure_http:
        raise ValueError(
            "base_url must use https: the credentials would travel in clear "
            "(allow_insecure_http is for a local test server only)"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("base_url takes no user, query or fragment")
    return value.rstrip("/")


# --- the rule --------------------------------------------------------------------------


def refusal_reason(ip: IP) -> str | None:
    """Why Earshot does not connect to `ip` ("a loopback address"), None for a public one.

    IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are
    judged by the IPv4 address inside: ::ffff:127.0.0.1 is loopback. Multicast is refused
    although Python calls it global.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner: ipaddress.IPv4Address | None = None
        if ip.ipv4_mapped is not None:
            inner = ip.ipv4_mapped
        elif ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour is not None:
            inner = ip.sixtofour
        elif ip in _IPV4_COMPATIBLE and int(ip) > 1:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            why = refusal_reason(inner)
            return f"{why} ({inner} inside an IPv6 address)" if why else None
        if ip.is_unspecified:
            return "the unspecified address"
        if ip.is_loopback:
            return "a loopback address"
        if ip.is_link_local:
            return "a link-local address"
        if ip in _ULA or ip.is_site_local:
            return "a private (unique local) address"
        if ip.is_multicast:
            return "a multicast address"
        if ip in _NAT64_LOCAL or not ip.is_global:
            return "a private or reserved address"
        return None
    if ip.is_unspecified or ip in ipaddress.ip_network("0.0.0.0/8"):
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip == _METADATA:
        return "the cloud metadata address (link-local)"
    if ip.is_link_local:
        return "a link-local address"
    if ip in _CGNAT:
        return "a shared (carrier-grade NAT) address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private network address"
    if not ip.is_global:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses one client may connect to: public ones; every one when the source
    allows the private network (an on-premises system); and any in `allowed_networks`."""

    allow_private_network: bool = False
    allowed_networks: tuple[Network, ...] = ()

    @classmethod
    def of(
        cls, *, allow_private_network: bool = False, allowed_networks: Iterable[str] = ()
    ) -> AddressPolicy:
        return cls(
            allow_private_network,
            tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks),
        )

    def refusal(self, ip: IP) -> str | None:
        if self.allow_private_network:
            return None
        plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
        if any(plain in network for network in self.allowed_networks):
            return None
        return refusal_reason(ip)


# --- resolution: once per connection, hookable for tests -------------------------------


def _system_resolver(host: str, port: int) -> Sequence[tuple[Any, ...]]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


_resolver: Resolver = _system_resolver


@contextmanager
def use_resolver(resolver: Resolver) -> Iterator[None]:
    """Answer every host name look-up of this module with `resolver` (a getaddrinfo-like
    callable) for the duration: how tests simulate a DNS server, e.g. one that rebinds."""
    global _resolver
    before, _resolver = _resolver, resolver
    try:
        yield
    finally:
        _resolver = before


def _checked(host: str, infos: Sequence[tuple[Any, ...]], policy: AddressPolicy) -> list[Any]:
    """The (family, sockaddr) pairs of one answer, or AddressRefused naming the first
    address the rule refuses. A name whose answer mixes public and private addresses is
    refused as a whole: that is what a rebinding name looks like."""
    picked = []
    for family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        why = policy.refusal(ip)
        if why:
            shown = host if host == str(ip) else f"{host} resolves to {ip}, which"
            raise AddressRefused(
                f"Refused to connect: {shown} is {why}. Earshot only calls public "
                "addresses unless the setting allow_private_network is true (for an "
                "on-premises or test server)."
            )
        picked.append((family, sockaddr))
    if not picked:
        raise ConnectorError(f"DNS lookup for {host} returned no address: is the address right?")
    return picked


def resolve_checked(host: str, port: int, policy: AddressPolicy) -> list[Any]:
    """Resolve `host` once and check every address; ConnectorError when DNS fails."""
    try:
        infos = _resolver(host.strip("[]"), port)
    except (socket.gaierror, UnicodeError):
        raise ConnectorError(f"DNS lookup for {host} failed: is the address right?") from None
    return _checked(host, infos, policy)


def check_address(url: str, *, allow_private_network: bool) -> None:
    """Resolve the host now; refuse non-public addresses unless allowed. An early, clear
    answer for check() and fetch(); the connection itself is held to the same rule by
    PinnedAdapter (collectors/http.py), whatever DNS answers by then."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    resolve_checked(
        parts.hostname or "", port, AddressPolicy(allow_private_network=allow_private_network)
    )


# --- the pinned connection ----------------------------------------------------------------


class _PinnedMixin:
    """urllib3 connection whose socket goes to an address of one checked DNS answer."""

    policy: AddressPolicy

    def __init__(self, *args: Any, policy: AddressPolicy | None = None, **kw: Any) -> None:
        self.policy = policy or AddressPolicy()
        super().__init__(*args, **kw)

    def _new_conn(self) -> socket.socket:
        conn: Any = self
        host = conn._dns_host
        try:
            infos = _resolver(host.strip("[]"), conn.port)
        except socket.gaierror as exc:
            raise NameResolutionError(conn.host, conn, exc) from exc
        # Not an OSError: urllib3 does not retry it, requests does not wrap it.
        addresses = _checked(conn.host, infos, self.policy)
        error: OSError | None = None
        for _family, sockaddr in addresses:
            try:
                # A numeric address: getaddrinfo inside returns exactly it, no DNS.
                sock = create_connection(
                    (str(sockaddr[0]), conn.port),
                    conn.timeout,
                    source_address=conn.source_address,
                    socket_options=conn.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
                ) from exc
            except OSError as exc:
                error = exc
                continue
            sys.audit("http.client.connect", conn, conn.host, conn.port)
            return sock
        raise NewConnectionError(conn, f"Failed to establish a new connection: {error}")


class PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


class _PinnedPoolManager(PoolManager):
    def __init__(self, *args: Any, policy: AddressPolicy, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.policy = policy
        self.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}

    def _new_pool(self, scheme: str, host: str, port: int, request_context: Any = None) -> Any:
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.conn_kw["policy"] = self.policy  # handed to every connection the pool makes
        return pool


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose every connection is held to `policy` at connect time."""

    def __init__(self, policy: AddressPolicy, **kw: Any) -> None:
        self.policy = policy  # before super().__init__, which builds the pool manager
        super().__init__(**kw)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _PinnedPoolManager(
            num_pools=connections, maxsize=maxsize, block=block, policy=self.policy, **pool_kwargs
        )

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # A proxy resolves and connects on its own, out of reach of the rule.
        raise ConnectorConfigError(
            "Earshot does not connect through an HTTP proxy: the proxy would reach "
            "addresses the private-network rule refuses."
        )
