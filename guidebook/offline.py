"""The offline copy: the whole guide in a zip that opens from ``index.html`` on a
computer with no network, with working navigation and search.

Pagefind cannot run from ``file://``, so the copy is a second MkDocs build with
Material's ``offline`` plugin and its lunr search (no Indonesian stemming, but it
works). That plugin would load ``iframe-worker`` from a CDN at run time; we copy
the npm package's shim (installed by ``npm ci``) into the copy and point the page
at it, so the copy requests nothing from any other host.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
import zipfile
from fnmatch import fnmatch
from pathlib import Path

from .data import GuideData, load_guide_data

log = logging.getLogger("mkdocs.plugins.klik.offline")

# npm tooling lives beside the code (package.json), also for copies of the content.
TOOLING = Path(__file__).resolve().parent.parent
IFRAME_WORKER = Path("node_modules/iframe-worker/shim/index.js")
IFRAME_WORKER_URL = "assets/javascripts/iframe-worker/shim.js"  # inside the copy
DOWNLOAD_DIR = "unduh"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed: the same guide gives the same zip
# Not needed from file://: source maps, lunr's other languages (the copy searches
# with lunr's default pipeline), the JSON index (file:// reads search_index.js),
# sitemaps.
SKIP = ("*.map", "assets/javascripts/lunr/*", "search/search_index.json", "sitemap.xml*")


class OfflineError(Exception):
    """The copy could not be built; the message is for the editor (Indonesian)."""


def zip_name(data: GuideData) -> str:
    return f"{data.region.book.slug}-offline.zip"


def offline_overrides(root: Path, config_file: str = "mkdocs.yml") -> dict:
    """Settings layered over mkdocs.yml: its plugins plus lunr search and offline."""
    from mkdocs.utils.yaml import yaml_load

    with open(root / config_file, "rb") as f:
        base = yaml_load(f)
    plugins = [p for p in base.get("plugins", []) if p not in ("search", "offline")]
    plugins += [{"search": {"lang": "en", "pipeline": ["trimmer"]}}, "offline"]
    extra = dict(base.get("extra") or {})
    # The offline plugin adds its CDN copy only when no polyfill names iframe-worker.
    extra["polyfills"] = [p for p in extra.get("polyfills", []) if "iframe-worker" not in p] + [IFRAME_WORKER_URL]
    return {"plugins": plugins, "extra": extra}


def build_offline_site(root: Path, out: Path, config_file: str = "mkdocs.yml") -> Path:
    """Build the offline variant of the site into ``out`` (which must not exist)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    shim = TOOLING / IFRAME_WORKER
    if not shim.is_file():
        raise OfflineError(f"Berkas {IFRAME_WORKER} tidak ada. Perbaikan: jalankan `npm ci` "
                           "(atau `make offline`, yang memasangnya), lalu ulangi.")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(str(root / config_file), site_dir=str(out), strict=True,
                             **offline_overrides(root, config_file))
        mkdocs_build(config)
    except (Abort, MkDocsException) as exc:
        raise OfflineError(f"Salinan luring gagal dibangun: {exc}") from None
    finally:
        os.chdir(cwd)
    target = out / IFRAME_WORKER_URL
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shim, target)
    return out


def write_zip(source: Path, dest: Path, folder: str) -> None:
    """Zip ``source`` as ``folder/...`` into ``dest``, atomically and reproducibly."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                rel = path.relative_to(source).as_posix()
                if any(fnmatch(rel, pattern) for pattern in SKIP):
                    continue
                info = zipfile.ZipInfo(f"{folder}/{rel}", ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, path.read_bytes(), compresslevel=9)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def build_offline_zip(root: Path, site_dir: Path, data: GuideData | None = None,
                      config_file: str = "mkdocs.yml") -> Path:
    """Write ``site_dir/unduh/<slug>-offline.zip`` and return its path."""
    start = time.perf_counter()
    root = Path(root).resolve()
    data = data or load_guide_data(root)
    name = zip_name(data)
    with tempfile.TemporaryDirectory(prefix=".site.offline-", dir=Path(site_dir).parent) as tmp:
        copy = build_offline_site(root, Path(tmp) / "site", config_file)
        dest = Path(site_dir) / DOWNLOAD_DIR / name
        write_zip(copy, dest, name.removesuffix(".zip"))
    log.info("Salinan luring: %s (%.0f KB, %.1f detik).", dest.relative_to(site_dir),
             dest.stat().st_size / 1024, time.perf_counter() - start)
    return dest


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Tulis salinan luring (zip) ke site/unduh/.")
    parser.add_argument("--root", default=str(TOOLING))
    parser.add_argument("--site-dir", default=None, help="folder situs (bawaan: site/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    root = Path(args.root).resolve()
    try:
        out = build_offline_zip(root, Path(args.site_dir) if args.site_dir else root / "site")
    except OfflineError as exc:
        print(f"\nGAGAL: {exc}", file=sys.stderr)
        return 1
    print(f"Selesai: {out}")
    return 0
