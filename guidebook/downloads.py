"""Files readers download: the manifest ``site/unduh/manifest.json`` and the downloads page.

Any build stage that writes a file for readers (the PDF handbook, worksheets,
DOCX templates, the offline copy) registers it during ``on_post_build``:

    downloads.register(site_dir, "unduh/x.pdf", title="...", kind="buku")

``finish(config)`` runs last: it writes the manifest (path, title, kind,
format, media type, bytes, sha256) and fills the downloads page
(``docs/unduh.md``, via the ``daftar_unduhan()`` macro) with exactly what the
manifest lists, sizes included.
"""
from __future__ import annotations

import hashlib
import json
import mimetypes
import posixpath
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from markupsafe import Markup

from .render import render_template

DOWNLOAD_DIR = "unduh"
MANIFEST = f"{DOWNLOAD_DIR}/manifest.json"
PAGE_SRC = "unduh.md"          # the downloads page under docs/
KINDS = {"buku": "Buku panduan", "lembar-kerja": "Lembar kerja", "templat": "Templat",
         "arsip": "Salinan luring", "data": "Data"}
# What the macro puts on the page; finish() fills it (again, when a later stage registers more).
# The list (templates/downloads.html) holds no <div>, so the first </div> ends it.
START, END = '<div class="klik-downloads" data-klik-downloads>', "</div>"
PLACEHOLDER = f"{START}<p>Daftar unduhan diisi saat situs dibangun.</p>{END}"
_FILLED = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)


class DownloadError(Exception):
    pass


@dataclass(frozen=True)
class Download:
    path: str          # site-relative, POSIX: "unduh/panduan.pdf"
    title: str
    kind: str          # a key of KINDS
    format: str        # "PDF", "DOCX", "ZIP" ...
    media_type: str
    bytes: int
    sha256: str
    description: str = ""


_registries: dict[Path, list[Download]] = {}


def start(site_dir: Path | str) -> None:
    """Forget what an earlier build registered (on_pre_build)."""
    _registries[Path(site_dir).resolve()] = []


def register(site_dir: Path | str, path: str, *, title: str, kind: str, description: str = "") -> Download:
    """Add a file that already exists under ``site_dir`` to this build's downloads."""
    if kind not in KINDS:
        raise DownloadError(f"jenis unduhan tidak dikenal: {kind!r} (pilih salah satu: {', '.join(KINDS)})")
    site_dir = Path(site_dir).resolve()
    file = site_dir / path
    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    ext = posixpath.splitext(path)[1].lower()
    item = Download(path=path, title=title, kind=kind, format=ext.lstrip(".").upper(),
                    media_type=mimetypes.types_map.get(ext, "application/octet-stream"),
                    bytes=file.stat().st_size, sha256=digest.hexdigest(), description=description)
    items = _registries.setdefault(site_dir, [])
    items[:] = [d for d in items if d.path != path] + [item]
    return item


def registered(site_dir: Path | str) -> tuple[Download, ...]:
    return tuple(_registries.get(Path(site_dir).resolve(), ()))


def human_size(n: int) -> str:
    """Sizes as Indonesian readers write them: 1,2 MB, 850 KB."""
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            text = f"{n:.1f}" if n < 10 else f"{n:.0f}"
            return text.replace(".", ",") + f" {unit}"
    raise AssertionError("unreachable")


def placeholder() -> Markup:
    """The macro ``daftar_unduhan()``: a marked element filled at the end of the build."""
    return Markup(PLACEHOLDER)


def page_path(config) -> str:
    """Site-relative URL of the downloads page (for links from the theme)."""
    stem = PAGE_SRC[:-3]
    return f"{stem}/" if config["use_directory_urls"] else f"{stem}.html"


def finish(config) -> Path:
    """The last step of on_post_build: write the manifest and fill the downloads page."""
    # the offline copy has no directory URLs; the website it points to does
    web = config["site_url"] + PAGE_SRC[:-3] + "/" if config["extra"].get("klik_offline_copy") else None
    return write(config["site_dir"], use_directory_urls=config["use_directory_urls"], web_page=web)


def write(site_dir: Path | str, *, use_directory_urls: bool = True, web_page: str | None = None) -> Path:
    """Write the manifest and (re)fill the downloads page with exactly what it lists.

    Safe to call again after a later stage registered another file (the offline zip).
    ``web_page``: in a copy without downloads, point readers to the website's page.
    """
    site_dir = Path(site_dir).resolve()
    items = registered(site_dir)
    manifest = site_dir / MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({"version": 1, "downloads": [asdict(d) for d in items]},
                                   ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stem = PAGE_SRC[:-3]
    page = site_dir / (f"{stem}/index.html" if use_directory_urls else f"{stem}.html")
    if page.is_file():
        html = page.read_text(encoding="utf-8")
        if not _FILLED.search(html):
            raise DownloadError(
                f"Halaman unduhan docs/{PAGE_SRC} tidak memuat daftar unduhan. "
                "Perbaikan: tulis {{ daftar_unduhan() }} di halaman itu.")
        here = posixpath.dirname(page.relative_to(site_dir).as_posix())
        rows = [{"item": d, "href": posixpath.relpath(d.path, here or "."), "size": human_size(d.bytes),
                 "kind": KINDS[d.kind]} for d in items]
        filled = render_template("downloads.html", rows=rows, web_page=web_page,
                                 has_book=any(d.kind == "buku" for d in items),
                                 manifest_href=posixpath.relpath(MANIFEST, here or "."))
        page.write_text(_FILLED.sub(lambda _: START + str(filled) + END, html, count=1), encoding="utf-8")
    return manifest
