"""Helpers shared by the format readers."""

from __future__ import annotations

from typing import Any, Callable

from innometrics.entities.addresses import fold_single_campuses

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


def fold_parsed_campuses(affiliations: list[dict]) -> None:
    """Fold single-campus names among the affiliations whose institution was parsed (in place)."""
    parsed = [a for a in affiliations if not a.get("institution_id")]
    for row, name in zip(parsed, fold_single_campuses([a.get("institution") for a in parsed])):
        row["institution"] = name


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
        return record

    def result(self, read: int) -> Any:
        """The :class:`~innometrics.records.model.RecordSet` of everything collected.

        Institution names parsed from address strings (no ``institution_id``) are
        folded across the file: a US state university written alone and with one
        campus city is one unit (:func:`~innometrics.entities.addresses.fold_single_campuses`).
        """
        from innometrics.records.model import RecordSet

        fold_parsed_campuses(self.affiliations)
        return RecordSet.from_rows(self.records, self.contributors, self.affiliations, self.rejects,
                                   read=read, sources=[self.file])
