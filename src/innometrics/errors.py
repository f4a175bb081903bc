"""Error tree shared by every engine.

``InnometricsError`` is the root; the CLI catches it, prints the message in colour
to stderr and exits with status 2, without a traceback. Messages say what went
wrong, where (file, row, column, key), what was received and how to fix it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
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


def one_line(text: object, limit: int = 300) -> str:
    """``text`` on one line (runs of whitespace and line breaks become one space), cut to ``limit``.

    Library messages (pyarrow's, for one) span several lines; the CLI promises one.
    """
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def is_input_failure(exc: BaseException) -> bool:
    """True for the exceptions file parsers raise on bad bytes (see :func:`reading`)."""
    import gzip
    import zipfile
    import zlib
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    known = (
        zipfile.BadZipFile, zlib.error, ParseError, ExpatError, NotImplementedError, gzip.BadGzipFile,
        EOFError, RecursionError, KeyError, IndexError, OverflowError, ValueError, TypeError,
        AttributeError, OSError, UnicodeError, MemoryError, LookupError,
    )
    if isinstance(exc, known) or _is_duckdb_input_error(exc):
        return True
    # pyarrow's errors (ArrowException and its children) without importing pyarrow here.
    return any(cls.__module__.startswith(("pyarrow", "openpyxl", "lxml")) for cls in type(exc).__mro__)


def _is_duckdb_input_error(exc: BaseException) -> bool:
    """DuckDB's ``InvalidInputException`` (a file it scans in place is not the CSV/JSON it was told),
    recognised without importing DuckDB."""
    return any(cls.__name__ == "InvalidInputException" and cls.__module__.lstrip("_").startswith("duckdb")
               for cls in type(exc).__mro__)


def _describe_duckdb_input(exc: BaseException) -> str:
    """``g_patent.tsv: CSV Error on Line: 1: Invalid unicode ... detected`` from DuckDB's many-line
    message, leaving out the lines that quote the file (``Original Line: ...``) and the advice."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    head = lines[0].replace("Invalid Input Error: ", "") if lines else "invalid input"
    skip = ("Original Line", "Possible Solution", "file =", "LINE ")
    detail = next((line for line in lines[1:3] if not line.startswith(skip)), "")
    head, detail = (part.split(" Input: ")[0] for part in (head, detail))  # JSON errors quote the input after this
    where = next((line.split("=", 1)[1].strip() for line in lines if line.startswith("file =")), "")
    text = ": ".join(x for x in (os.path.basename(where), head, detail) if x)
    return one_line(text, 200)


def describe_failure(exc: BaseException) -> str:
    """A one-line reason for a library failure, without the file's contents.

    The exception's own message is kept only for the exceptions whose messages
    describe the structure (zip, gzip, parser positions), never a cell's text.
    """
    import errno
    import zipfile
    import zlib

    if isinstance(exc, RecursionError):
        return "the data is nested too deeply to parse"
    if isinstance(exc, MemoryError):
        return "the file needs more memory than is available"
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, NotImplementedError)):
        return f"the file is not a readable zip/xlsx container ({one_line(exc, 120)})"
    if isinstance(exc, EOFError):
        return "the file ends early (truncated compressed data)"
    if isinstance(exc, OSError) and exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.EACCES, errno.ENOENT,
                                                  errno.EEXIST, errno.ENOSPC):
        return {errno.EISDIR: "is a folder; expected a file",
                errno.ENOTDIR: "a part of the path is a file, not a folder",
                errno.EEXIST: "a file is in the way of a folder to create",
                errno.ENOSPC: "no space left on the device",
                errno.EACCES: "permission denied",
                errno.ENOENT: "file not found"}[exc.errno]
    if isinstance(exc, KeyError):
        return f"missing entry {one_line(exc, 80)}"
    if _is_duckdb_input_error(exc):
        return _describe_duckdb_input(exc)
    return f"{type(exc).__name__}: {one_line(exc, 200)}"


@contextmanager
def reading(file: Any, what: str = "file") -> Iterator[None]:
    """The error boundary of every reader: a parser's failure becomes one :class:`DataError`.

    Inside the block, the project's own errors pass through; the container and parser
    failures of the standard library, pandas, openpyxl and pyarrow (a truncated zip, a
    bad gzip CRC, an XML error, a RecursionError, an empty table, a folder given as a
    file ...) are re-raised as ``DataError(file=..., reason="unreadable")`` with a
    one-line reason that never quotes the file's contents.
    """
    try:
        yield
    except InnometricsError:
        raise
    except BaseException as exc:
        if not is_input_failure(exc):
            raise
        raise DataError(f"cannot read the {what}: {describe_failure(exc)}", file=file,
                        reason="unreadable") from None
