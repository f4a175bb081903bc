"""Whole-folder atomic output: a build writes into a staging folder and swaps it in at the end.

Each file of a build is already written atomically (:mod:`innometrics.io.writers`), but a
build writes many files; killed half-way, it would leave new tables beside an old
manifest. :func:`staged_output` gives the build a fresh folder of the same name inside a
hidden holder beside the target (``.<name>.staging-<pid>-<token>/<name>``, same file
system, same base name so reports that quote the folder name are unchanged) and, when
the build returns, exchanges it with the target in one ``renameat2(RENAME_EXCHANGE)``
call (Linux); elsewhere two renames, with the old folder restored by the next run if a
crash falls between them. After a ``kill -9`` at any point the target holds the old
complete result or the new one, never a mix. Holders of dead processes are removed at
the start of the next build into the same parent folder.

Why by hand: no maintained library offers an atomic directory swap; ``atomicwrites``
and ``python-atomicwrites`` handle single files only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from innometrics.errors import DataError
from innometrics.io.writers import pid_alive

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    """libc's ``renameat2`` or None (not Linux, old glibc)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def exchange_folders(a: Path, b: Path) -> bool:
    """Swap two existing folders atomically; False when the system cannot (the caller falls back)."""
    func = _renameat2()
    if func is None:
        return False
    rc = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc != 0:
        err = ctypes.get_errno()
        if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system without exchange
            return False
        raise OSError(err, os.strerror(err), str(b))
    return True


def _holder_pattern(name: str) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(name)}\.staging-(\d+)-[0-9a-f]+$")


def clean_stale(parent: Path, name: str) -> list[Path]:
    """Remove the staging holders of ``parent/name`` left by dead processes; return them.

    When a crash fell between the two renames of the fallback swap, the target is
    missing and the holder keeps the old result under ``old``: it is put back first.
    """
    removed = []
    if not parent.is_dir():
        return removed
    pattern = _holder_pattern(name)
    target = parent / name
    for holder in sorted(parent.iterdir()):
        match = pattern.match(holder.name)
        if not match or not holder.is_dir() or pid_alive(int(match.group(1))):
            continue
        old = holder / "old"
        if not target.exists() and old.is_dir():
            os.rename(old, target)
        shutil.rmtree(holder, ignore_errors=True)
        removed.append(holder)
    return removed


def check_output_folder(target: Path) -> None:
    """Refuse a ``--out`` that is a file, or a non-empty folder that is not a build's output.

    The folder is replaced as a whole, so a folder of other files (the inputs, a home
    folder) must never be taken for an output folder.
    """
    if target.exists() and not target.is_dir():
        raise DataError("the output path exists and is a file; expected a folder (or a new path)",
                        file=target, reason="out_not_folder")
    if target.is_dir() and any(target.iterdir()) and not (target / "manifest.json").is_file():
        raise DataError("the output folder exists, is not empty and holds no manifest.json, so it is "
                        "not an innometrics output folder; its content would be replaced: choose a new "
                        "or empty folder", file=target, reason="out_not_output")


@contextmanager
def staged_output(out_dir: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh folder to write a build into; on success it replaces ``out_dir`` at once.

    On an exception the staging folder is removed and ``out_dir`` is untouched.

    Examples
    --------
    >>> with staged_output(tmp / "rank") as folder:  # doctest: +SKIP
    ...     write_rank(result, folder)
    """
    target = Path(os.path.abspath(out_dir))
    check_output_folder(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(parent, target.name)
    holder = parent / f".{target.name}.staging-{os.getpid()}-{secrets.token_hex(4)}"
    holder.mkdir()
    stage = holder / target.name
    stage.mkdir()
    try:
        yield stage
        _swap_in(stage, target, holder)
    except OSError as exc:  # disk full, permission denied: name the output folder, not the staging one
        raise _named_in(exc, stage, target) from exc
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def _named_in(exc: OSError, stage: Path, target: Path) -> OSError:
    """``exc`` with file names under the staging folder ``stage`` given under ``target`` instead."""
    old = str(stage)

    def restate(name):
        text = os.fsdecode(name) if isinstance(name, (str, bytes)) else None
        if text is not None and (text == old or text.startswith(old + os.sep)):
            return str(target) + text[len(old):]
        return name

    if exc.errno is None or not any(restate(n) is not n for n in (exc.filename, exc.filename2)):
        return exc
    return type(exc)(exc.errno, exc.strerror, restate(exc.filename), None, restate(exc.filename2))


def restate_paths(stage: str | os.PathLike, names: tuple[str, ...] = ("manifest.json", "log.json")) -> None:
    """Name the staging folder ``stage`` as the output folder in the JSON files ``names`` of ``stage``.

    A build whose inputs live inside its own output folder (the demo writes the inputs it
    derives into ``inputs/``) records their paths under the staging folder; once swapped in,
    they are under the output folder. Every string equal to the staging folder's resolved
    path, or below it, is rewritten; the files are rewritten atomically.
    """
    import json

    from innometrics.io.writers import write_json

    old = str(Path(stage).resolve())
    new = str(Path(old).parent.parent / Path(old).name)  # <parent>/.<name>.staging-*/<name> -> <parent>/<name>

    def restate(value):
        if isinstance(value, str) and (value == old or value.startswith(old + os.sep)):
            return new + value[len(old):]
        if isinstance(value, list):
            return [restate(v) for v in value]
        if isinstance(value, dict):
            return {k: restate(v) for k, v in value.items()}
        return value

    for name in names:
        path = Path(stage) / name
        if path.is_file():
            write_json(restate(json.loads(path.read_text(encoding="utf-8"))), path)


def _swap_in(stage: Path, target: Path, holder: Path) -> None:
    if not target.exists():
        os.rename(stage, target)
        return
    check_output_folder(target)
    if exchange_folders(stage, target):
        return
    os.rename(target, holder / "old")
    os.rename(stage, target)
