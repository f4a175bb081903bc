"""Error tree shared by every engine.

``InnometricsError`` is the root; the CLI catches it, prints the message in colour
to stderr and exits with status 2, without a traceback. Messages say what went
wrong, where (file, row, column, key), what was received and how to fix it.
"""

from __future__ import annotations

from typing import Any


class InnometricsError(Exception):
    """Root of every error raised on purpose by innometrics."""


class SpecError(InnometricsError, ValueError):
    """A spec file (TOML) has an unknown key or an invalid value.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    file, key : str, optional
        The spec file and the dotted key (``normalise.method``) at fault.
    """

    def __init__(self, message: str, *, file: Any = None, key: str | None = None):
        self.file = None if file is None else str(file)
        self.key = key
        where = []
        if self.file:
            where.append(self.file)
        if key:
            where.append(f"key '{key}'")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class DataError(InnometricsError, ValueError):
    """Input data cannot be used as it is.

    Parameters
    ----------
    message : str
        What was expected and what was found.
    file : str, optional
        The input file.
    row : int, optional
        1-based line number in the file (the header is line 1).
    column : str, optional
        The column at fault.
    reason : str, optional
        A short machine-readable code (``duplicate_key``, ``non_numeric`` ...).
    failures : pandas.DataFrame, optional
        The failing rows, when there are several.
    """

    def __init__(
        self,
        message: str,
        *,
        file: Any = None,
        row: int | None = None,
        column: str | None = None,
        reason: str | None = None,
        failures: Any = None,
    ):
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.reason = reason
        self.failures = failures
        where = []
        if self.file:
            where.append(self.file)
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class UnknownMethodError(InnometricsError, ValueError):
    """A method name is not in its registry; the message lists the valid names."""
