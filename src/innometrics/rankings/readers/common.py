"""Helpers shared by the format readers."""

from __future__ import annotations

from typing import Any, Callable

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
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return "unparsable_record", None, [], []
