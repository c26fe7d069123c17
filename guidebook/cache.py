"""A small content-hash cache for expensive build outputs (the PDF today; worksheets,
DOCX files and the offline zip can use it the same way).

``cached_file(kind, key_parts, target, produce, base=...)``:

* the key is the sha256 of ``kind`` and every part of ``key_parts`` (strings or
  bytes: the exact input, tool versions, options);
* ``produce(path)`` writes the output to ``path`` and returns ``(info, deps)``:
  ``info`` is any JSON value kept with the entry (a page count), ``deps`` the
  files it read that are not in the key (stylesheets, fonts, images). Their
  sha256 is stored; an entry is used only while every one still has it;
* on a hit the cached bytes are copied to ``target`` and nothing is produced.

Entries live in ``<root>/.cache/build/<kind>/`` (``KLIK_CACHE_DIR`` moves them),
are written atomically (temp file + rename), checked against their sha256 on
every read (a damaged entry is deleted and rebuilt), and only the newest
``KEEP`` entries of each kind are kept. ``KLIK_CACHE=0`` turns the cache off.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

log = logging.getLogger("mkdocs.plugins.klik.cache")

ENV = "KLIK_CACHE"
DIR_ENV = "KLIK_CACHE_DIR"
KEEP = 4  # entries per kind
stats: dict[str, int] = {"hit": 0, "miss": 0, "corrupt": 0}


def enabled() -> bool:
    return os.environ.get(ENV, "").strip().lower() not in ("0", "tidak", "no", "false", "off")


def cache_dir(root: Path) -> Path:
    override = os.environ.get(DIR_ENV, "").strip()
    return Path(override) if override else Path(root) / ".cache" / "build"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def make_key(kind: str, key_parts: Iterable[str | bytes]) -> str:
    digest = hashlib.sha256(kind.encode())
    for part in key_parts:
        raw = part if isinstance(part, bytes) else str(part).encode()
        digest.update(len(raw).to_bytes(8, "big"))  # no two part lists hash alike
        digest.update(raw)
    return digest.hexdigest()


def _label(path: Path, base: Path | None) -> str:
    path = Path(path).resolve()
    if base is not None and path.is_relative_to(base):
        return "base:" + path.relative_to(base).as_posix()
    return str(path)


def _resolve(label: str, base: Path | None) -> Path | None:
    if label.startswith("base:"):
        return None if base is None else base / label[5:]
    return Path(label)


def _deps_current(deps: dict[str, str], base: Path | None) -> bool:
    for label, digest in deps.items():
        path = _resolve(label, base)
        if path is None or not path.is_file() or file_hash(path) != digest:
            return False
    return True


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _lookup(folder: Path, key: str, base: Path | None) -> dict | None:
    meta_file, blob = folder / f"{key}.json", folder / f"{key}.bin"
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        ok = blob.is_file() and file_hash(blob) == meta["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        ok, meta = False, None
    if not ok:
        stats["corrupt"] += 1
        log.warning("Cache: entri %s rusak; dibuang dan dibuat ulang", key[:12])
        meta_file.unlink(missing_ok=True)
        blob.unlink(missing_ok=True)
        return None
    if not _deps_current(meta.get("deps", {}), base):
        return None
    return meta


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".bin").unlink(missing_ok=True)
    for stray in folder.glob(".tmp-*"):  # left by a build that was killed mid-write
        stray.unlink(missing_ok=True)


def cached_file(kind: str, key_parts: Iterable[str | bytes], target: Path,
                produce: Callable[[Path], tuple[Any, Iterable[Path]]], *, root: Path,
                base: Path | None = None) -> tuple[Any, bool]:
    """Make ``target`` from the cache or by ``produce``; return ``(info, from_cache)``.

    ``base`` is the folder that changes between builds (the temporary site):
    dependencies under it are stored relative to it.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    base = Path(base).resolve() if base is not None else None
    if not enabled():
        info, _ = produce(target)
        return info, False
    key = make_key(kind, key_parts)
    folder = cache_dir(root) / kind
    meta = _lookup(folder, key, base) if folder.is_dir() else None
    if meta is not None:
        shutil.copyfile(folder / f"{key}.bin", target)
        os.utime(folder / f"{key}.json")  # most recently used: kept longest
        stats["hit"] += 1
        log.info("Cache: %s dipakai ulang dari cache (%s)", kind, key[:12])
        return meta.get("info"), True
    stats["miss"] += 1
    info, deps = produce(target)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        dep_hashes = {_label(p, base): file_hash(Path(p)) for p in dict.fromkeys(deps)}
        data = target.read_bytes()
        _write_atomic(folder / f"{key}.bin", data)
        _write_atomic(folder / f"{key}.json", json.dumps(
            {"kind": kind, "sha256": hashlib.sha256(data).hexdigest(), "info": info, "deps": dep_hashes},
            ensure_ascii=False, sort_keys=True).encode())
        _prune(folder)
    except OSError as exc:  # a read-only or full disk must not fail the build
        log.warning("Cache: entri %s tidak dapat disimpan (%s)", kind, exc)
    return info, False
