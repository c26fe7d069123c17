"""Build the whole site atomically: validate data, run MkDocs into a temporary
folder next to ``site/``, then swap it in. A failed build leaves the previous
``site/`` exactly as it was.

Every failure ends in a ``BuildError`` whose message is in Bahasa Indonesia and
names the file and line (MkDocs' own English warnings are explained by
``buildlog.MkDocsExplainer``). Two builds of the same commit are byte-identical:
the build date comes from ``SOURCE_DATE_EPOCH`` or, if unset, from the last commit.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from . import cache, downloads, timing
from .buildlog import MkDocsExplainer
from .data import DataError, load_guide_data
from .pagecheck import check_pages
from .offline import OfflineError, build_offline_zip

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("mkdocs.plugins.klik")


class BuildError(Exception):
    pass


def source_date_epoch(root: Path) -> int:
    """The build's timestamp: ``SOURCE_DATE_EPOCH``, else the last commit, else the newest input."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return int(value)
    if shutil.which("git"):
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    inputs = [root / "mkdocs.yml", *(p for d in ("docs", "guide_data", "overrides")
                                     for p in (root / d).rglob("*") if p.is_file())]
    return int(max((p.stat().st_mtime for p in inputs if p.exists()), default=0))


@contextmanager
def _environ(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _failure(head: str, explained: list, detail: str = "") -> str:
    lines = [head] + [f"  - {e}" for e in explained]
    if detail:
        lines.append(detail)
    return "\n".join(lines)


# Not inputs of the site: tests, the bench, and the folders a build or a tool writes.
NOT_INPUTS = {"tests", "bench", "node_modules", "__pycache__"}
ENV_INPUTS = ("SOURCE_DATE_EPOCH", "KLIK_")  # names (or prefixes) that change what a build makes
NOT_INPUT_ENV = {"KLIK_BENCH_LOG", "KLIK_BENCH_BOOK", "KLIK_CACHE_DIR"}  # where the bench and cache write


def _input_files(root: Path, site_dir: Path):
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in NOT_INPUTS
                         and here / d != site_dir)
        for name in sorted(files):
            if not name.endswith(".pyc"):
                yield here / name


def inputs_digest(root: Path, site_dir: Path, **options) -> str:
    """sha256 of everything a build reads: the project's files (docs/, guide_data/,
    overrides/, the code, mkdocs.yml, the pinned requirements), the commit the
    imprint prints, the installed packages, the switches and ``options``."""
    import hashlib
    import json
    from importlib.metadata import distributions

    from .pdf import git_commit

    digest = hashlib.sha256()
    code = Path(__file__).resolve().parent  # the package that builds, wherever it lives
    for label, path in [*((f"kode:{p.relative_to(code).as_posix()}", p) for p in _input_files(code, site_dir)),
                        *((p.relative_to(root).as_posix(), p) for p in _input_files(root, site_dir))]:
        data = path.read_bytes()
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)
    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_INPUTS) and k not in NOT_INPUT_ENV}
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
    digest.update(json.dumps([sys.version, git_commit(root), env, packages, options],
                             sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _site_digest(site_dir: Path) -> str:
    """What the site folder holds now (paths, sizes, modification times)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        st = path.stat()
        digest.update(f"{path.relative_to(site_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp_path(root: Path, site_dir: Path) -> Path:
    import hashlib

    return cache.cache_dir(root) / "situs" / (hashlib.sha256(str(site_dir).encode()).hexdigest()[:16] + ".json")


def up_to_date(root: Path, site_dir: Path, inputs: str) -> bool:
    """True when ``site_dir`` is exactly what the last build made from these same inputs."""
    import json

    if not cache.enabled() or os.environ.get("KLIK_BENCH_BOOK") or not site_dir.is_dir():
        return False
    try:
        stamp = json.loads(_stamp_path(root, site_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp.get("inputs") == inputs and stamp.get("site") == _site_digest(site_dir)


def _write_stamp(root: Path, site_dir: Path, inputs: str) -> None:
    import json

    if not inputs:
        return
    path = _stamp_path(root, site_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"inputs": inputs, "site": _site_digest(site_dir), "folder": str(site_dir)}),
                        encoding="utf-8")
    except OSError as exc:  # a read-only disk costs the next build its shortcut, nothing else
        log.warning("Cache: cap situs tidak dapat disimpan (%s)", exc)


def build_site(root: Path = ROOT, site_dir: Path | None = None, config_file: str = "mkdocs.yml",
               offline: bool = True, pdf: bool | None = None) -> Path:
    """Build into ``site_dir`` (default ``<root>/site``) or raise ``BuildError``.

    MkDocs' hooks also write the search index and the PDF handbook; then (unless
    ``offline`` is false) the offline copy goes to ``unduh/`` and joins the
    downloads manifest. All inside the temporary folder, before the swap.
    ``pdf`` overrides the ``KLIK_PDF`` switch for this build (None: leave it).

    When nothing the build reads has changed since the build that made ``site_dir``
    (``inputs_digest``) and the folder is untouched, the build stops after validating:
    the site is already what it would make (``KLIK_CACHE=0`` always builds).
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    root = Path(root).resolve()
    site_dir = Path(site_dir or root / "site").resolve()
    issues = check_pages(root)
    try:
        data = load_guide_data(root)  # fail fast with every data error listed
    except DataError as exc:
        issues = exc.issues + issues
    if issues:
        raise BuildError(_failure(f"Data atau halaman panduan tidak valid ({len(issues)} masalah):", issues))
    switch = os.environ.get("KLIK_PDF") if pdf is None else ("1" if pdf else "0")
    with timing.stage("masukan") as figures:
        inputs = inputs_digest(root, site_dir, config_file=config_file, offline=offline, pdf=switch) \
            if cache.enabled() else ""
        figures["up_to_date"] = current = bool(inputs) and up_to_date(root, site_dir, inputs)
    if current:
        log.info("Tidak ada yang berubah sejak pembangunan terakhir: %s dipakai apa adanya "
                 "(KLIK_CACHE=0 memaksa pembangunan ulang).", site_dir)
        return site_dir
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.build-", dir=site_dir.parent))
    explainer = MkDocsExplainer(root)
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(explainer)
    try:
        cwd = os.getcwd()
        saved_switch = os.environ.get("KLIK_PDF")
        os.chdir(root)
        try:
            if pdf is not None:
                os.environ["KLIK_PDF"] = "1" if pdf else "0"
            with _environ(SOURCE_DATE_EPOCH=str(source_date_epoch(root))):
                config = load_config(str(root / config_file), site_dir=str(tmp), strict=True)
                mkdocs_build(config)
                if offline:
                    archive = build_offline_zip(root, tmp, data, config_file)
                    downloads.register(tmp, archive.relative_to(tmp).as_posix(), kind="arsip",
                                       title=f"{data.region.book.title}: salinan luring (ZIP)",
                                       description="Seluruh situs untuk dibuka tanpa internet: ekstrak, lalu buka "
                                                   "index.html.")
                    downloads.write(tmp, use_directory_urls=config["use_directory_urls"])
        finally:
            os.chdir(cwd)
            if saved_switch is None:
                os.environ.pop("KLIK_PDF", None)
            else:
                os.environ["KLIK_PDF"] = saved_switch
    except OfflineError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(str(exc)) from None
    except (Abort, MkDocsException) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        msg = str(exc)
        if explainer.summary() or "warnings in 'strict' mode" in msg or "Aborted with" in msg:
            msg = _failure("Pembangunan situs dihentikan karena ada peringatan (mode ketat). "
                           "Perbaiki tautan, jangkar, atau halaman berikut, lalu jalankan lagi:",
                           explainer.summary(), msg)
        raise BuildError(msg) from None
    except SystemExit as exc:  # mkdocs-macros exits the process when a macro fails
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(_failure("Pembangunan situs dihentikan karena makro di halaman gagal dijalankan:",
                                  explainer.summary(), f"(kode keluar {exc.code})")) from None
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        logging.getLogger("klik.build").debug("build failed", exc_info=True)
        raise BuildError(_failure("Pembangunan situs gagal:", explainer.summary(),
                                  f"Galat teknis: {type(exc).__name__}: {exc}")) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        mkdocs_log.removeHandler(explainer)
    _swap(tmp, site_dir)
    _write_stamp(root, site_dir, inputs)
    return site_dir


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Bangun situs dan buku panduan (atomik).")
    parser.add_argument("--site-dir", default=None, help="folder keluaran (bawaan: site/)")
    parser.add_argument("--config", default="mkdocs.yml")
    parser.add_argument("--root", default=str(ROOT))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    start = time.perf_counter()
    try:
        out = build_site(Path(args.root), Path(args.site_dir) if args.site_dir else None, args.config)
    except BuildError as exc:
        print(f"\nGAGAL: {exc}\n\nSitus sebelumnya (jika ada) tidak diubah.", file=sys.stderr)
        return 1
    print(f"Selesai: situs di {out} ({time.perf_counter() - start:.1f} detik).")
    return 0
