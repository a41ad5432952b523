"""Deciding a voice the platform did not give, from the admin's IT-staff directory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import StaffDirectoryEntry


@dataclass
class StaffDirectory:
    """Loaded once per ingest batch (a small table); matching is dictionary look-ups."""

    # (source id or None for all sources, value) -> voice, per kind
    domains: dict[tuple[int | None, str], str] = field(default_factory=dict)
    emails: dict[tuple[int | None, str], str] = field(default_factory=dict)
    people: dict[tuple[int | None, str], str] = field(default_factory=dict)
    groups: dict[tuple[int | None, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> StaffDirectory:
        directory = cls()
        tables = {
            StaffDirectoryEntry.Kind.DOMAIN: directory.domains,
            StaffDirectoryEntry.Kind.EMAIL: directory.emails,
            StaffDirectoryEntry.Kind.PERSON: directory.people,
            StaffDirectoryEntry.Kind.GROUP: directory.groups,
        }
        for kind, value, voice, source_id in StaffDirectoryEntry.objects.values_list(
            "kind", "value", "voice", "source_id"
        ):
            tables[kind][(source_id, value)] = voice
        return directory

    def __bool__(self) -> bool:
        return bool(self.domains or self.emails or self.people or self.groups)

    def _get(self, table: dict[tuple[int | None, str], str], source_id: int, key: str) -> str | None:
        return table.get((source_id, key)) or table.get((None, key))

    def match(
        self,
        source_id: int,
        *,
        email: str = "",
        author_id: str = "",
        name: str = "",
        groups: Iterable[str] = (),
    ) -> str | None:
        """The directory's voice for this author, or None when no entry matches."""
        email = email.strip().lower()
        if email:
            found = self._get(self.emails, source_id, email)
            if found:
                return found
            domain = email.rpartition("@")[2]
            while domain:
                found = self._get(self.domains, source_id, domain)
                if found:
                    return found
                domain = domain.partition(".")[2] if "." in domain else ""
        # Entries are stored without a leading "@" (StaffDirectoryEntry.save), so "@ivan"
        # and Matrix's "@ivan:corp.example" match as people write them.
        for key in (author_id.strip().lower().lstrip("@"), name.strip().lower().lstrip("@")):
            if key:
                found = self._get(self.people, source_id, key)
                if found:
                    return found
        for group in groups:
            found = self._get(self.groups, source_id, group.strip().lower())
            if found:
                return found
        return None
