"""The ROR registry: read the official schema-v2 data dump into columnar tables.

ROR (Research Organization Registry, https://ror.org, CC0) publishes its whole registry
as one JSON array of organisation records (schema v2: ``ror-community/ror-schema``,
``ror_schema_v2_1.json``), distributed on Zenodo as a ``.zip`` holding
``v<release>-<date>-ror-data.json`` (and, until 2025, a schema-v1 ``.json`` and CSVs beside
it). :func:`load_registry` reads such a dump (``.json``, ``.json.gz`` or the ``.zip``) once
into four tables and keeps them as Parquet files in a cache folder beside the dump, so later
loads read only the cache:

- ``orgs``: one row per organisation: ``ror_id`` (the bare 9-character id), ``name`` (the
  ``ror_display`` name), ``status`` (active, inactive, withdrawn), ``types`` (``;``-joined),
  ``established``, and the first location: ``geonames_id``, ``city``, ``country_code``
  (ISO 3166-1 alpha-2), ``country_name``, ``lat``, ``lon``;
- ``names``: one row per (organisation, name, name type): ``ror_id, name, name_type, lang``
  with ``name_type`` one of ``ror_display``, ``label``, ``alias``, ``acronym``;
- ``locations``: every location (an organisation may have several);
- ``relationships``: ``ror_id, rel_type, target_id, target_label`` with ``rel_type`` one of
  ``parent``, ``child``, ``related``, ``successor``, ``predecessor``.

The cache is keyed by the dump's size and modification time, with its SHA-256 recorded and
checked when those change (a copied or touched dump with the same bytes keeps its cache).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from innometrics.errors import DataError

#: Bumped whenever the cached tables change shape, so old caches are rebuilt.
CACHE_FORMAT = 1
ROR_PREFIX = "https://ror.org/"
NAME_TYPES = ("ror_display", "label", "alias", "acronym")
STATUSES = ("active", "inactive", "withdrawn")
RELATION_TYPES = ("parent", "child", "related", "successor", "predecessor")
TABLES = ("orgs", "names", "locations", "relationships")


@dataclass(frozen=True)
class Registry:
    """The ROR registry as columnar tables (see the module docstring for the columns)."""

    orgs: pd.DataFrame
    names: pd.DataFrame
    locations: pd.DataFrame
    relationships: pd.DataFrame
    source: str = ""
    sha256: str = ""
    from_cache: bool = False
    #: The cache folder of the Parquet tables ("" when caching was off).
    cache_path: str = ""

    def counts(self) -> dict[str, Any]:
        """Counts for reports: organisations by status and type, names by type, links by type."""
        types = self.orgs["types"].str.split(";").explode()
        return {
            "organisations": int(len(self.orgs)),
            "status": {s: int((self.orgs["status"] == s).sum()) for s in STATUSES},
            "types": {str(k): int(v) for k, v in types[types != ""].value_counts().sort_index().items()},
            "names": {t: int((self.names["name_type"] == t).sum()) for t in NAME_TYPES},
            "locations": int(len(self.locations)),
            "countries": int(self.orgs["country_code"].replace("", pd.NA).nunique()),
            "relationships": {t: int((self.relationships["rel_type"] == t).sum()) for t in RELATION_TYPES},
        }

    @cached_property
    def parent_map(self) -> dict[str, list[str]]:
        """``ror_id -> sorted parent ids present in the registry`` (from ``parent`` links)."""
        return _link_map(self, "parent")

    @cached_property
    def successor_map(self) -> dict[str, str]:
        """``ror_id -> successor present in the registry`` (first listed; from ``successor`` links)."""
        return {k: v[0] for k, v in _link_map(self, "successor", keep_order=True).items()}

    @cached_property
    def related_map(self) -> dict[str, list[str]]:
        """``ror_id -> related ids present in the registry``."""
        return _link_map(self, "related")

    def top_parent(self, ror_id: str) -> str:
        """Follow ``parent`` links to the top (the first parent in id order at each step; cycles stop)."""
        seen = {ror_id}
        cur = ror_id
        while self.parent_map.get(cur):
            nxt = self.parent_map[cur][0]
            if nxt in seen:
                break
            seen.add(nxt)
            cur = nxt
        return cur

    def rollup_shares(self, ror_id: str, rollup: str) -> dict[str, float]:
        """Where ``ror_id``'s credit goes under ``rollup``, as ``{organisation: share}``; shares sum to 1.

        ``parent``: each parent listed in the registry gets an equal share (a joint
        laboratory of two universities: 0.5 each); ``top``: the same split applied at every
        step up the parent links, shares reaching one top ancestor by several paths
        adding up (a unit of two institutes of one academy: 1 to the academy). A link back
        to an organisation already on the path is ignored (cycles stop). ``none``, or no
        parent: the organisation itself, share 1.
        """
        if rollup == "none":
            return {ror_id: 1.0}
        if rollup == "parent":
            parents = self.parent_map.get(ror_id, [])
            return {p: 1.0 / len(parents) for p in parents} if parents else {ror_id: 1.0}

        def tops(node: str, path: frozenset[str]) -> dict[str, float]:
            parents = [p for p in self.parent_map.get(node, []) if p not in path]
            if not parents:
                return {node: 1.0}
            out: dict[str, float] = {}
            for p in parents:
                for top, share in tops(p, path | {p}).items():
                    out[top] = out.get(top, 0.0) + share / len(parents)
            return out

        return dict(sorted(tops(ror_id, frozenset({ror_id})).items()))

    def current(self, ror_id: str) -> str:
        """The organisation itself, or for an inactive/withdrawn one its successor (transitively) when known."""
        seen = {ror_id}
        cur = ror_id
        while cur in self.successor_map and self.successor_map[cur] not in seen:
            cur = self.successor_map[cur]
            seen.add(cur)
        return cur


def _link_map(reg: "Registry", rel_type: str, keep_order: bool = False) -> dict[str, list[str]]:
    rel = reg.relationships
    rel = rel[(rel["rel_type"] == rel_type) & rel["target_id"].isin(reg.orgs["ror_id"])]
    out: dict[str, list[str]] = {}
    for src, dst in zip(rel["ror_id"], rel["target_id"]):
        out.setdefault(str(src), []).append(str(dst))
    if not keep_order:
        out = {k: sorted(set(v)) for k, v in out.items()}
    return out


def bare_id(value: str) -> str:
    """``https://ror.org/05rrcem69`` -> ``05rrcem69`` (a bare id is returned unchanged)."""
    value = str(value).strip()
    return value[len(ROR_PREFIX):] if value.startswith(ROR_PREFIX) else value


# ---------------------------------------------------------------------------------------------
# Reading the dump


def _read_bytes(path: Path) -> tuple[bytes, str]:
    """The dump's JSON bytes and, for a zip, a message prefix naming the member read."""
    name = path.name.lower()
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DataError("expected a ROR dump file (.json, .json.gz or .zip), got a folder", file=path,
                        reason="not_a_file") from None
    if name.endswith(".zip") or raw[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                members = [m for m in zf.namelist() if m.lower().endswith(".json") and not m.startswith("__MACOSX")]
                # Dumps up to v1.x hold a schema-v1 ``.json`` beside the v2 one (``..._schema_v2.json``).
                v2 = [m for m in members if "schema_v2" in m.lower()]
                chosen = v2 or members
                if len(chosen) != 1:
                    raise DataError(f"expected one ROR JSON file in the zip, found {len(members)}: {members[:5]}",
                                    file=path, reason="zip_members")
                return zf.read(chosen[0]), f"member {chosen[0]}: "
        except DataError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError) as exc:
            # NotImplementedError: an unknown compression method; RuntimeError: an encrypted member
            raise DataError(f"not a readable zip file ({exc or type(exc).__name__})", file=path,
                            reason="corrupt_zip") from None
    if name.endswith(".gz") or raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw), ""
        except (gzip.BadGzipFile, zlib.error, EOFError, OSError) as exc:
            raise DataError(f"not a readable gzip file ({exc or 'truncated'})", file=path,
                            reason="corrupt_gzip") from None
    return raw, ""


def read_dump_records(path: str | os.PathLike) -> list[dict]:
    """The list of organisation records in a ROR dump, checked to be a JSON array of objects."""
    path = Path(path)
    raw, where = _read_bytes(path)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}not UTF-8 text ({exc.reason} at byte {exc.start})", file=path,
                        reason="not_utf8") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{where}not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
                        file=path, reason="bad_json") from None
    except RecursionError:
        raise DataError(f"{where}not a ROR dump: the JSON is nested too deeply", file=path, reason="bad_json") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise DataError(f"{where}not valid JSON ({exc})", file=path, reason="bad_json") from None
    if not isinstance(data, list):
        raise DataError(f"{where}expected a JSON array of ROR organisation records, got a {type(data).__name__}",
                        file=path, reason="not_a_list")
    return data


def _record_error(path: Path, i: int, rec: Any, message: str) -> DataError:
    rid = rec.get("id") if isinstance(rec, dict) else None
    return DataError(f"record {i + 1}{f' ({rid})' if rid else ''}: {message}", file=path, reason="bad_record")


def _got(value: Any) -> str:
    """``value`` as quoted in a message: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _optional(value: Any, kind: Any) -> bool:
    """``value`` is absent (None) or of ``kind`` (bool is never an int here)."""
    return value is None or (isinstance(value, kind) and not isinstance(value, bool))


def _check_fields(path: Path, i: int, rec: dict) -> None:
    """The fields read from a record have the types of schema v2 (a DataError naming the record otherwise)."""
    def wrong(what: str, value: Any) -> DataError:
        return _record_error(path, i, rec, f"{what}, got {_got(value)}")

    if not isinstance(rec.get("id"), str):
        raise wrong("'id' must be a string", rec.get("id"))
    types = rec.get("types")
    if not (types is None or (isinstance(types, list) and all(isinstance(t, str) for t in types))):
        raise wrong("'types' must be a list of strings", types)
    est = rec.get("established")
    if not (est is None or (_optional(est, int) and -9999 <= est <= 9999)):
        raise wrong("'established' must be a year (a whole number)", est)
    locations = rec.get("locations")
    if not (locations is None or isinstance(locations, list)):
        raise wrong("'locations' must be a list", locations)
    for loc in locations or []:
        if not isinstance(loc, dict):
            raise wrong("each of 'locations' must be an object", loc)
        if not _optional(loc.get("geonames_id"), int):
            raise wrong("'geonames_id' must be a whole number", loc.get("geonames_id"))
        d = loc.get("geonames_details")
        if not (d is None or isinstance(d, dict)):
            raise wrong("'geonames_details' must be an object", d)
        for key in ("name", "country_code", "country_name"):
            if not _optional((d or {}).get(key), str):
                raise wrong(f"'geonames_details.{key}' must be a string", d[key])
        for key in ("lat", "lng"):
            if not ((d or {}).get(key) is None or _is_number(d[key])):
                raise wrong(f"'geonames_details.{key}' must be a number", d[key])
    rels = rec.get("relationships")
    if not (rels is None or isinstance(rels, list)):
        raise wrong("'relationships' must be a list", rels)
    for r in rels or []:
        if not (isinstance(r, dict) and isinstance(r.get("id"), str) and _optional(r.get("label"), str)):
            raise wrong("each of 'relationships' needs an 'id' string (and a 'label' string)", r)
    for n in rec.get("names") or []:
        if isinstance(n, dict) and not _optional(n.get("lang"), str):
            raise wrong("a name's 'lang' must be a string", n.get("lang"))


def _v2_tables(records: list, path: Path) -> dict[str, pd.DataFrame]:
    """Flatten schema-v2 records into the four tables; a record that breaks the schema is an error."""
    orgs: dict[str, list] = {k: [] for k in ("ror_id", "name", "status", "types", "established", "geonames_id",
                                              "city", "country_code", "country_name", "lat", "lon")}
    names: dict[str, list] = {k: [] for k in ("ror_id", "name", "name_type", "lang")}
    locs: dict[str, list] = {k: [] for k in ("ror_id", "geonames_id", "city", "country_code", "country_name",
                                              "lat", "lon")}
    rels: dict[str, list] = {k: [] for k in ("ror_id", "rel_type", "target_id", "target_label")}
    seen: set[str] = set()
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise _record_error(path, i, rec, f"expected an object, got {type(rec).__name__}")
        if "name" in rec and "names" not in rec:
            raise _record_error(path, i, rec, "schema v1 record (has 'name', no 'names'); use the v2 dump "
                                "(ROR publishes v2 files since release v1.45)")
        _check_fields(path, i, rec)
        rid = bare_id(rec.get("id") or "")
        if len(rid) != 9:
            raise _record_error(path, i, rec, f"'id' must be https://ror.org/ plus 9 characters, got {rec.get('id')!r}")
        if rid in seen:
            raise _record_error(path, i, rec, "duplicate id")
        seen.add(rid)
        status = rec.get("status")
        if status not in STATUSES:
            raise _record_error(path, i, rec, f"'status' must be one of {', '.join(STATUSES)}, got {status!r}")
        display = None
        rec_names = rec.get("names")
        if not isinstance(rec_names, list) or not rec_names:
            raise _record_error(path, i, rec, "'names' must be a non-empty list")
        for n in rec_names:
            if not isinstance(n, dict) or not isinstance(n.get("value"), str) or not isinstance(n.get("types"), list):
                raise _record_error(path, i, rec, f"each of 'names' needs 'value' and 'types', got {n!r}")
            for t in n["types"]:
                if t not in NAME_TYPES:
                    raise _record_error(path, i, rec, f"name type must be one of {', '.join(NAME_TYPES)}, got {t!r}")
                names["ror_id"].append(rid)
                names["name"].append(n["value"])
                names["name_type"].append(t)
                names["lang"].append(n.get("lang") or "")
                if t == "ror_display" and display is None:
                    display = n["value"]
        if display is None:
            raise _record_error(path, i, rec, "no name of type 'ror_display'")
        first = None
        for loc in rec.get("locations") or []:
            d = (loc or {}).get("geonames_details") or {}
            row = (rid, loc.get("geonames_id"), d.get("name") or "", d.get("country_code") or "",
                   d.get("country_name") or "", d.get("lat"), d.get("lng"))
            for k, v in zip(locs, row):
                locs[k].append(v)
            first = first or row
        first = first or (rid, None, "", "", "", None, None)
        types = rec.get("types") or []
        for k, v in zip(orgs, (rid, display, status, ";".join(types), rec.get("established")) + first[1:]):
            orgs[k].append(v)
        for r in rec.get("relationships") or []:
            rt = str((r or {}).get("type", "")).lower()
            if rt not in RELATION_TYPES:
                raise _record_error(path, i, rec, f"relationship type must be one of {', '.join(RELATION_TYPES)}, "
                                    f"got {r!r}")
            rels["ror_id"].append(rid)
            rels["rel_type"].append(rt)
            rels["target_id"].append(bare_id(r.get("id") or ""))
            rels["target_label"].append(r.get("label") or "")
    tables = {
        "orgs": pd.DataFrame(orgs).astype({"established": "Int64", "geonames_id": "Int64",
                                           "lat": "float64", "lon": "float64"}),
        "names": pd.DataFrame(names),
        "locations": pd.DataFrame(locs).astype({"geonames_id": "Int64", "lat": "float64", "lon": "float64"}),
        "relationships": pd.DataFrame(rels),
    }
    for t in tables.values():
        for c in t.columns:
            if t[c].dtype == object:
                t[c] = t[c].astype("string")
    return tables


# ---------------------------------------------------------------------------------------------
# Cache


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_folder(dump: Path, cache_dir: str | os.PathLike | None = None) -> Path:
    """Where the Parquet tables of ``dump`` live: ``<dump>.cache/`` beside it, or under ``cache_dir``."""
    if cache_dir is None:
        return dump.with_name(dump.name + ".cache")
    return Path(cache_dir) / (dump.name + ".cache")


def _read_cache(folder: Path, dump: Path) -> tuple[dict[str, pd.DataFrame], str] | None:
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        meta = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("format") != CACHE_FORMAT:
        return None
    st = dump.stat()
    if (meta.get("size"), meta.get("mtime_ns")) != (st.st_size, st.st_mtime_ns):
        if meta.get("size") != st.st_size or meta.get("sha256") != file_sha256(dump):
            return None
    try:
        return {t: pd.read_parquet(folder / f"{t}.parquet") for t in TABLES}, meta["sha256"]
    except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt from the dump, never trusted
        return None


def _write_cache(folder: Path, dump: Path, tables: dict[str, pd.DataFrame], sha: str) -> None:
    """Write the tables and manifest into a temporary folder, then move it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for t, df in tables.items():
            df.to_parquet(tmp / f"{t}.parquet", index=False)
        st = dump.stat()
        meta = {"format": CACHE_FORMAT, "source": dump.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                "sha256": sha, "rows": {t: int(len(df)) for t, df in tables.items()}}
        (tmp / "manifest.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except OSError:
        # A read-only place for the cache is not an error: the registry is still loaded.
        shutil.rmtree(tmp, ignore_errors=True)


def load_registry(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None,
                  use_cache: bool = True) -> Registry:
    """Load a ROR schema-v2 dump (``.json``, ``.json.gz`` or ``.zip``), from its Parquet cache when current.

    Parameters
    ----------
    path : path-like
        The dump as ROR distributes it.
    cache_dir : path-like, optional
        Folder for the cache (default: beside the dump, ``<dump>.cache/``).
    use_cache : bool
        ``False`` reads the dump and leaves any cache alone.

    Raises
    ------
    DataError
        The file is not a readable gzip/zip/JSON, or a record breaks schema v2 (file, record and reason).
    """
    dump = Path(path)
    if not dump.exists():
        raise DataError("ROR registry dump not found", file=dump, reason="missing_file")
    folder = cache_folder(dump, cache_dir)
    if use_cache:
        cached = _read_cache(folder, dump)
        if cached is not None:
            tables, sha = cached
            return Registry(**tables, source=str(dump), sha256=sha, from_cache=True, cache_path=str(folder))
    records = read_dump_records(dump)
    tables = _v2_tables(records, dump)
    sha = file_sha256(dump)
    if use_cache:
        _write_cache(folder, dump, tables, sha)
    written = use_cache and (folder / "manifest.json").is_file()
    return Registry(**tables, source=str(dump), sha256=sha, from_cache=False,
                    cache_path=str(folder) if written else "")
