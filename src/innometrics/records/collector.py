"""Helpers shared by the format readers."""

from __future__ import annotations

from typing import Any, Callable

from innometrics.records.model import RecordSet

#: What a record builder returns: (reject reason or None, record, contributors, affiliations).
BuildResult = tuple[str | None, dict | None, list[dict], list[dict]]


def safe_build(builder: Callable[..., BuildResult], *args: Any, **kwargs: Any) -> BuildResult:
    """Run a record builder; an unexpected failure on one record rejects that record.

    A reader must never stop on one bad record: a value the builder did not foresee
    (a number where a list was expected in a JSON work, a malformed field) makes the
    record a reject with reason ``unparsable_record`` instead of an exception.
    """
    try:
        return builder(*args, **kwargs)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError):
        return "unparsable_record", None, [], []


class RecordCollector:
    """Collect one file's records, contributors, affiliations and rejects.

    Every format reader feeds each built record through :meth:`add`; a record whose
    id was already used is rejected as ``duplicate_id``, so read = used + rejected
    holds by construction.
    """

    def __init__(self, path: Any):
        self.file = str(path)
        self.records: list[dict] = []
        self.contributors: list[dict] = []
        self.affiliations: list[dict] = []
        self.origins: list[tuple[str, int | None]] = []
        self.rejects: list[dict] = []
        self._seen: set[str] = set()

    def reject(self, row: int | None, record_id: str | None, reason: str) -> None:
        """Record that the record starting at ``row`` is not used, and why."""
        self.rejects.append({"file": self.file, "row": row, "record_id": record_id, "reason": reason})

    def add(self, row: int | None, built: BuildResult) -> dict | None:
        """Keep a built record (or reject it); return the kept record or None."""
        reason, record, cons, affs = built
        record_id = record["record_id"] if record else None
        if reason is None and record_id in self._seen:
            reason = "duplicate_id"
        if reason is not None:
            self.reject(row, record_id, reason)
            return None
        self._seen.add(record_id)
        self.records.append(record)
        self.contributors.extend(cons)
        self.affiliations.extend(affs)
        self.origins.extend([(self.file, row)] * len(affs))
        return record

    def result(self, read: int) -> RecordSet:
        """The :class:`~innometrics.records.model.RecordSet` of everything collected, with the
        file and starting row of each affiliation's record as its origin."""
        return RecordSet.from_rows(self.records, self.contributors, self.affiliations, self.rejects,
                                   read=read, sources=[self.file], origins=self.origins)
