"""Reading a results folder (``manifest.json`` + tables) and the Method section.

The output-directory contract: every build writes ``manifest.json`` with ``kind``,
``created_by``, ``spec``, ``spec_text``, ``inputs`` (path, sha256), ``counts``
(read, used, rejected), ``tables`` (name -> relative CSV path) and ``log``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from innometrics.errors import DataError
from innometrics.io.writers import FORMULA_STARTS
from innometrics.report.html import Page, definition_list, esc, table_html


def read_csv(path: Path) -> pd.DataFrame:
    """Read an output CSV; only empty fields are missing (a unit coded ``NA`` stays ``NA``).

    Cells neutralised against spreadsheet formulas (``'=...``, see
    :func:`innometrics.io.writers.neutralise_cell`) are read back as they were.
    """
    try:
        return restore_neutralised(pd.read_csv(path, keep_default_na=False, na_values=[""], low_memory=False))
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read this table: {exc}", file=path, reason="unreadable_table") from exc


def _restore_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def restore_neutralised(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the ``'`` of neutralised text cells and column names removed."""
    out = df.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            values = out[c].tolist()
            if any(isinstance(v, str) and v.startswith("'") for v in values):
                out[c] = pd.Series([_restore_cell(v) for v in values], index=out.index, dtype=out[c].dtype)
    out.columns = [_restore_cell(c) for c in out.columns]
    return out


def find_column(df: pd.DataFrame, *candidates: str) -> str | None:
    """The first column of ``df`` whose name equals a candidate, ignoring case."""
    lower = {str(c).lower(): c for c in df.columns}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


@dataclass
class ResultsDir:
    """A build's output folder and its manifest.

    Parameters
    ----------
    path : Path
        The folder holding ``manifest.json``.
    highlight : sequence of str, optional
        Units to highlight (codes or names), overriding the manifest's ``highlight``.
    """

    path: Path
    manifest: dict
    highlight: list[str] = field(default_factory=list)
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | Path, *, highlight: Sequence[str] | None = None) -> "ResultsDir":
        """Read ``path/manifest.json``; a missing or invalid manifest is a DataError."""
        folder = Path(path)
        manifest_path = folder / "manifest.json"
        if not folder.is_dir():
            raise DataError(
                "the results folder does not exist; pass the folder a build command wrote (it holds manifest.json)",
                file=folder, reason="missing_results_dir",
            )
        if not manifest_path.is_file():
            raise DataError(
                "no manifest.json in this folder; pass the output folder of an innometrics build "
                "(trends, index or rank), which always writes one",
                file=folder, reason="missing_manifest",
            )
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"manifest.json is not valid JSON: {exc}", file=manifest_path, reason="bad_manifest") from exc
        if not isinstance(manifest, dict) or not isinstance(manifest.get("kind"), str):
            raise DataError(
                'manifest.json must be an object with a "kind" string (trends, index, rank ...)',
                file=manifest_path, column="kind", reason="bad_manifest",
            )
        return cls(path=folder, manifest=manifest, highlight=list(highlight or []))

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def tables(self) -> dict[str, str]:
        """Table name -> relative path, as listed in the manifest."""
        tables = self.manifest.get("tables") or {}
        return {str(k): str(v) for k, v in tables.items()} if isinstance(tables, dict) else {}

    def all_tables(self) -> dict[str, str]:
        """The manifest's tables plus any CSV under ``audit/`` or ``sensitivity/`` it does not list
        (a later step may have rewritten the manifest without them)."""
        tables = dict(self.tables)
        listed = {rel.replace("\\", "/") for rel in tables.values()}
        for sub in ("audit", "sensitivity"):
            folder = self.path / sub
            if folder.is_dir():
                for p in sorted(folder.glob("*.csv")):
                    rel = f"{sub}/{p.name}"
                    if rel not in listed:
                        tables.setdefault(f"{sub}/{p.stem}", rel)
        return tables

    def file(self, relative: str) -> Path:
        """``relative`` under the folder; a path leading outside it (``../x.csv``) is a DataError."""
        path = self.path / relative
        if not path.resolve().is_relative_to(self.path.resolve()):
            raise DataError(
                f"the manifest lists {relative!r}, which is outside the results folder; "
                "tables must be given relative to the folder",
                file=self.path / "manifest.json", reason="path_outside_results",
            )
        return path

    def has(self, relative: str) -> bool:
        return self.file(relative).is_file()

    def table(self, relative: str, *, required: bool = False) -> pd.DataFrame | None:
        """Read ``relative`` (a CSV under the folder), cached; None when absent and optional."""
        if relative in self._cache:
            return self._cache[relative]
        path = self.file(relative)
        if not path.is_file():
            if required:
                raise DataError(
                    f"the {self.kind} report needs {relative}, which is missing; rebuild the results",
                    file=path, reason="missing_table",
                )
            return None
        df = read_csv(path)
        self._cache[relative] = df
        return df

    def require_columns(self, df: pd.DataFrame, relative: str, columns: Sequence[str]) -> None:
        """Raise a DataError naming the missing columns of ``relative``."""
        missing = [c for c in columns if find_column(df, c) is None]
        if missing:
            raise DataError(
                f"the {self.kind} report needs the columns {', '.join(missing)}; found {', '.join(map(str, df.columns)) or 'none'}",
                file=self.path / relative, column=missing[0], reason="missing_column",
            )

    def json(self, relative: str) -> Any:
        """Read a JSON file under the folder, or None when absent."""
        path = self.file(relative)
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"not valid JSON: {exc}", file=path, reason="bad_json") from exc

    def highlight_list(self) -> list[str]:
        """Units to highlight: the argument, else the manifest's or the spec's ``highlight``."""
        if self.highlight:
            return list(self.highlight)
        for source in (self.manifest, (self.manifest.get("spec") or {})):
            if not isinstance(source, dict):
                continue
            value = source.get("highlight")
            if value is None and isinstance(source.get("report"), dict):
                value = source["report"].get("highlight")
            if isinstance(value, str):
                return [value]
            if isinstance(value, list):
                return [str(v) for v in value]
        return []


def _params_text(params: Any) -> str:
    if params is None:
        return ""
    if isinstance(params, (dict, list)):
        return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
    return str(params)


def method_section(results: ResultsDir, page: Page) -> None:
    """Append the Method section: counts, inputs with sha256, tables, step log, spec."""
    m = results.manifest
    page.add("Method", _method_intro(results))

    counts = m.get("counts") or {}
    if isinstance(counts, dict) and counts:
        items = {k: f"{v:,}" if isinstance(v, int) else v for k, v in counts.items()}
        body = definition_list(items)
        read, used, rejected = counts.get("read"), counts.get("used"), counts.get("rejected")
        # Exact repeats of a record (e.g. one value published in two tables) are counted
        # apart: they are neither used twice nor lost.
        duplicates = counts.get("duplicates", 0)
        if all(isinstance(v, int) for v in (read, used, rejected, duplicates)):
            dup_text = f" + duplicates {duplicates:,}" if duplicates else ""
            if read == used + rejected + duplicates:
                body += f'<p class="ok">read {read:,} = used {used:,} + rejected {rejected:,}{dup_text}</p>'
            else:
                gap = read - used - rejected - duplicates
                body += (f'<p class="bad">read {read:,} differs from used {used:,} + rejected {rejected:,}{dup_text} '
                         f"by {gap:,}: those records are neither used nor listed as rejected.</p>")
        page.add("Records read, used and rejected", body, level=3)

    inputs = m.get("inputs") or []
    if isinstance(inputs, list) and inputs:
        frame = pd.DataFrame(
            [{"path": i.get("path", ""), "sha256": i.get("sha256", "")} if isinstance(i, dict) else {"path": i, "sha256": ""} for i in inputs]
        )
        page.add("Inputs", table_html(frame, table_id=page.new_id("table"), searchable=len(frame) > 10), level=3)

    tables = results.all_tables()
    if tables:
        rows = []
        for name, rel in tables.items():
            path = results.file(rel)
            if path.is_file() and path.suffix.lower() == ".csv":
                df = results.table(rel)
                rows.append({"table": name, "file": rel, "rows": len(df), "columns": len(df.columns)})
            else:
                rows.append({"table": name, "file": rel, "rows": None, "columns": None})
        frame = pd.DataFrame(rows)
        frame["rows"] = frame["rows"].astype("Int64")
        frame["columns"] = frame["columns"].astype("Int64")
        page.add("Output tables", table_html(frame, table_id=page.new_id("table"), searchable=len(frame) > 10), level=3)

    log = m.get("log")
    if not log:
        log = results.json("log.json")
    if isinstance(log, dict):
        log = log.get("log") or log.get("steps") or [log]
    if isinstance(log, list) and log:
        frame = pd.DataFrame(
            [
                {"#": i + 1, "step": e.get("step", ""), "method": e.get("method", ""), "parameters": _params_text(e.get("params"))}
                if isinstance(e, dict) else {"#": i + 1, "step": str(e), "method": "", "parameters": ""}
                for i, e in enumerate(log)
            ]
        )
        page.add("Step log", table_html(frame, table_id=page.new_id("table"), searchable=len(frame) > 15), level=3)

    spec_text = m.get("spec_text")
    spec = m.get("spec")
    if spec_text:
        page.add("Specification", f"<pre>{esc(spec_text)}</pre>", level=3)
    elif spec:
        page.add("Specification", f"<pre>{esc(json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False, default=str))}</pre>", level=3)


def _method_intro(results: ResultsDir) -> str:
    m = results.manifest
    items = {"kind": results.kind, "created by": m.get("created_by", "")}
    for key in ("engine", "seed", "version"):
        if key in m and not isinstance(m[key], (dict, list)):
            items[key] = m[key]
    return (
        "<p>How these results were made: the records read and rejected, the input files "
        "with their SHA-256 checksums, the steps run with their parameters, and the "
        "specification. Running the same specification on the same inputs gives the "
        "same files, byte for byte.</p>" + definition_list(items)
    )
