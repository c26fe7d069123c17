"""Build the whole site atomically: validate data, run MkDocs into a temporary
folder next to ``site/``, then swap it in. A failed build leaves the previous
``site/`` exactly as it was.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import downloads
from .data import DataError, load_guide_data
from .offline import OfflineError, build_offline_zip

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("mkdocs.plugins.klik")


class BuildError(Exception):
    pass


def build_site(root: Path = ROOT, site_dir: Path | None = None, config_file: str = "mkdocs.yml",
               offline: bool = True, pdf: bool | None = None) -> Path:
    """Build into ``site_dir`` (default ``<root>/site``) or raise ``BuildError``.

    MkDocs' hooks also write the search index and the PDF handbook; then (unless
    ``offline`` is false) the offline copy goes to ``unduh/`` and joins the
    downloads manifest. All inside the temporary folder, before the swap.
    ``pdf`` overrides the ``KLIK_PDF`` switch for this build (None: leave it).
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    root = Path(root).resolve()
    site_dir = Path(site_dir or root / "site").resolve()
    try:
        data = load_guide_data(root)  # fail fast with every data error listed
    except DataError as exc:
        raise BuildError(str(exc)) from None
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.build-", dir=site_dir.parent))
    try:
        cwd = os.getcwd()
        saved_switch = os.environ.get("KLIK_PDF")
        os.chdir(root)
        try:
            if pdf is not None:
                os.environ["KLIK_PDF"] = "1" if pdf else "0"
            config = load_config(str(root / config_file), site_dir=str(tmp), strict=True)
            mkdocs_build(config)
        finally:
            os.chdir(cwd)
            if saved_switch is None:
                os.environ.pop("KLIK_PDF", None)
            else:
                os.environ["KLIK_PDF"] = saved_switch
        if offline:
            archive = build_offline_zip(root, tmp, data, config_file)
            downloads.register(tmp, archive.relative_to(tmp).as_posix(), kind="arsip",
                               title=f"{data.region.book.title}: salinan luring (ZIP)",
                               description="Seluruh situs untuk dibuka tanpa internet: ekstrak, lalu buka index.html.")
            downloads.write(tmp, use_directory_urls=config["use_directory_urls"])
    except OfflineError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(str(exc)) from None
    except (Abort, MkDocsException) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        msg = str(exc)
        if "warnings in 'strict' mode" in msg or "Aborted with" in msg:
            msg = ("Pembangunan situs dihentikan karena ada peringatan di atas (mode ketat). "
                   "Perbaiki tautan, jangkar, atau halaman yang disebut, lalu jalankan lagi.\n" + msg)
        raise BuildError(msg) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap(tmp, site_dir)
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
