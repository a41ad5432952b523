"""Where a source may point: checks every HTTP connector applies to its admin-typed address.

A source's address is typed by an admin, and Earshot holds credentials and runs inside
the company network: it must not become a way to reach the intranet's own services
(SSRF). So the address is checked when it is saved (https, no credentials or query in it)
and resolved again at connect time (loopback, private and link-local addresses refused
unless the admin allowed them for an on-premises system).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from pydantic import Field

from .base import ConnectorConfigError, ConnectorError, StrictSettings


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


def check_address(url: str, *, allow_private_network: bool) -> None:
    """Resolve the host now; refuse non-public addresses unless allowed. Call at connect
    time (check() and fetch()), not only when the settings are saved: DNS changes."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ConnectorError(f"DNS lookup for {host} failed: is the address right?") from None
    if allow_private_network:
        return
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:
            ip = mapped
        if not ip.is_global:
            raise ConnectorConfigError(
                f"{host} resolves to {ip}, a loopback or private network address. "
                "Earshot only calls public addresses unless the setting "
                "allow_private_network is true (for an on-premises or test server)."
            )
