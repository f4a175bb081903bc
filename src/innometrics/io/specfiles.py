"""Read TOML spec files: one place for the file, encoding and syntax errors."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from innometrics.errors import SpecError, describe_failure, one_line


@dataclass(frozen=True)
class SpecSource:
    """A spec's parsed tables, with where it came from.

    ``file`` and ``text`` are None for a spec given as a dict; ``base`` is the folder
    relative paths resolve against (the spec's folder, or the working directory).
    """

    data: dict[str, Any]
    file: str | None
    text: str | None
    base: Path


def read_spec_source(source: str | os.PathLike | dict) -> SpecSource:
    """Parse a TOML spec file (or take a dict as it is); a missing file or bad TOML is a SpecError."""
    if isinstance(source, dict):
        return SpecSource(dict(source), None, None, Path.cwd())
    path = Path(source)
    if not path.exists():
        raise SpecError("spec file not found", file=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text (byte {exc.start}); save the spec as UTF-8", file=path) from None
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {describe_failure(exc)}", file=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"not valid TOML: {one_line(exc)}", file=path) from None
    except RecursionError:
        raise SpecError("not valid TOML: nested too deeply", file=path) from None
    return SpecSource(data, str(path), text, path.resolve().parent)


def astuple_source(src: SpecSource) -> tuple[dict[str, Any], str | None, str | None, Path]:
    """``(data, file, text, base)`` for callers that unpack a spec source."""
    return src.data, src.file, src.text, src.base
