"""kind -> Connector class. A plain dict, filled by each kind's package."""

from __future__ import annotations

from typing import Any

from .base import Connector, ConnectorConfigError

_KINDS: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    if cls.kind in _KINDS and _KINDS[cls.kind] is not cls:
        raise RuntimeError(f"source kind {cls.kind!r} registered twice")
    _KINDS[cls.kind] = cls
    return cls


def _load() -> None:
    # Importing the packages registers them; kept explicit so the list reads in one place.
    from . import (  # noqa: F401
        csvfile,
        demo,
        freshservice,
        jira,
        limesurvey,
        matrix,
        mattermost,
        qualtrics,
        rt,
        servicenow,
        slack,
        surveymonkey,
        teams,
        typeform,
        webhook,
        zammad,
        zendesk,
    )


def kinds() -> dict[str, type[Connector]]:
    _load()
    return dict(sorted(_KINDS.items()))


def connector_class(kind: str) -> type[Connector]:
    _load()
    try:
        return _KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(_KINDS))
        raise ConnectorConfigError(f"Unknown source kind {kind!r}. Known kinds: {known}.") from None


def connector_for(source: Any) -> Connector:
    """Build the connector of a Source, validating its settings on the way."""
    cls = connector_class(source.kind)
    return cls(cls.parse_settings(source.settings), source.get_secrets())
