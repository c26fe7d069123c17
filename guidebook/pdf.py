"""The PDF handbook stage of the build: collect pages, assemble the book, render it.

``guidebook/hooks.py`` calls these in build order:

* ``configure(config, data)`` (on_config): does this build write the PDF?
  ``make build`` does; ``make serve`` does not unless ``KLIK_PDF=1``;
  ``KLIK_PDF=0`` skips it anywhere (tests that only need HTML).
* ``start()`` (on_pre_build), ``collect_nav(nav)`` (on_nav) and
  ``collect_page(page, html, config)`` (on_page_content): keep each page's
  rendered content, in navigation order.
* ``build_handbook(config, data)`` (on_post_build): assemble the book
  (``guidebook/book.py``), render it with WeasyPrint into
  ``site/unduh/<book.slug>.pdf`` and register it in the downloads manifest.

Rendering is hermetic: WeasyPrint may read only files of this build (docs/,
overrides/, the book stylesheet, the site folder being built) and data: URIs.
Any other URL stops the build with a message that names it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from mkdocs.exceptions import Abort

from . import cache, downloads, pdfjobs, timing
from .book import BookError, BookMeta, NavNode, WebPage, assemble, build_units
from .data import GuideData
from .render import TEMPLATE_DIR

log = logging.getLogger("mkdocs.plugins.klik.pdf")

ENV = "KLIK_PDF"
BOOK_DIR = TEMPLATE_DIR / "book"
BOOK_CSS = BOOK_DIR / "book.css"
SITE_STYLESHEETS = ("assets/css/fonts.css",)  # the site's own @font-face rules: one font source
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
PROGRESS_EVERY = 25  # pages between two progress lines

_state: dict = {"command": None, "nav": [], "pages": {}}


# ------------------------------------------------------------------ switches


def note_command(command: str | None) -> None:
    """Remember whether MkDocs runs ``build`` or ``serve`` (on_startup)."""
    _state["command"] = command


def wanted() -> bool:
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("1", "ya", "yes", "true", "on"):
        return True
    if value in ("0", "tidak", "no", "false", "off"):
        return False
    if value:
        raise Abort(f"Nilai {ENV}={value!r} tidak dikenal. Perbaikan: pakai {ENV}=1 untuk membuat "
                    f"buku PDF atau {ENV}=0 untuk melewatinya.")
    return _state["command"] != "serve"


def pdf_path(data: GuideData) -> str:
    """Site-relative path of the handbook: unduh/<book.slug>.pdf."""
    return f"{downloads.DOWNLOAD_DIR}/{data.region.book.slug}.pdf"


def configure(config, data: GuideData) -> None:
    """Decide for this build; the theme's "Unduh PDF" link reads the result.

    The offline copy (a second build with Material's offline plugin) never renders
    the PDF; its link opens the handbook on the website instead.
    """
    offline_copy = "offline" in config["plugins"] or "material/offline" in config["plugins"]
    on = wanted() and not offline_copy
    config["extra"]["klik_pdf"] = on
    config["extra"]["klik_offline_copy"] = offline_copy
    if on:
        link = {"href": pdf_path(data), "absolute": False, "download": True, "label": "Unduh PDF",
                "icon": "file-pdf-box"}
    elif offline_copy:
        link = {"href": data.region.site.url + pdf_path(data), "absolute": True, "download": False,
                "label": "Unduh PDF", "icon": "file-pdf-box"}
    else:
        link = {"href": downloads.page_path(config), "absolute": False, "download": False,
                "label": "Unduhan", "icon": "download"}
    config["extra"]["klik_pdf_link"] = link


# ------------------------------------------------------------------ collecting


def start() -> None:
    _state["nav"] = []
    _state["pages"] = {}


def _nav_nodes(items) -> list[NavNode]:
    nodes = []
    for item in items:
        if getattr(item, "is_page", False):
            nodes.append(NavNode(title=item.title or "", src=item.file.src_uri))
        elif getattr(item, "is_section", False):
            nodes.append(NavNode(title=item.title or "", children=tuple(_nav_nodes(item.children))))
    return nodes  # links to other sites are not part of the book


def collect_nav(nav) -> None:
    _state["nav"] = _nav_nodes(nav.items)


def collect_page(page, html: str, config) -> None:
    if not config["extra"].get("klik_pdf"):
        return
    meta = page.meta or {}
    _state["pages"][page.file.src_uri] = WebPage(
        src=page.file.src_uri, url=page.url, title=page.title or "", html=html,
        description=str(meta.get("description") or ""), in_book=meta.get("pdf", True) is not False)


# ------------------------------------------------------------------ facts for the imprint


def build_date() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(timezone.utc)
    if not epoch.isdigit():
        raise Abort(f"SOURCE_DATE_EPOCH={epoch!r} bukan bilangan detik sejak 1970. "
                    "Perbaikan: isi dengan angka, misalnya keluaran `git log -1 --format=%ct`.")
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc)


def date_text(day: datetime) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def git_commit(root: Path) -> str | None:
    """Short commit of the checkout, marked when it has uncommitted changes."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if not top or Path(top).resolve() != root.resolve():
        return None  # not a checkout of its own (e.g. a copy inside another repository)
    commit = git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return None
    changed = git("status", "--porcelain", "--untracked-files=no")
    return commit + (" dengan perubahan yang belum dikomit" if changed else "")


# ------------------------------------------------------------------ rendering


def _hermetic_fetcher(roots: list[Path]):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class OutsideBuild(FatalURLFetchingError):
        pass

    class HermeticFetcher(URLFetcher):
        """Serves data: URIs and files under ``roots``; refuses everything else."""

        error = OutsideBuild

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise OutsideBuild(f"berkas di luar folder pembangunan: {path}")
                if not path.is_file():
                    raise OutsideBuild(f"berkas tidak ditemukan: {path}")
                self.seen.append(path)  # the render's inputs besides the HTML (cache key)
                return super().fetch(url, headers)
            raise OutsideBuild(f"alamat di luar situs: {url}")

    fetcher = HermeticFetcher([Path(r).resolve() for r in roots])
    fetcher.seen = []
    return fetcher


class _WeasyLog(logging.Handler):
    """Turns WeasyPrint's log into our progress lines and collects its errors."""

    STEPS = {
        "Step 1": "membaca HTML buku",
        "Step 2": "membaca lembar gaya",
        "Step 3": "menerapkan gaya",
        "Step 4": "menyusun struktur",
        "Step 6": "menulis berkas PDF",
        "Step 7": "menambahkan metadata",
    }

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.errors: list[str] = []
        self.pages = 0
        self.rounds = 0
        self.step = ""

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if record.name == "weasyprint.progress":
            m = re.match(r"Step 5 - Creating layout - Page (\d+)", msg)
            if m:
                self.pages = int(m.group(1))
                if not self.rounds and (self.pages == 1 or self.pages % PROGRESS_EVERY == 0):
                    log.info("PDF: tata letak halaman %d", self.pages)
            elif "Repagination" in msg:
                self.rounds += 1
                log.info("PDF: %d halaman; menata ulang untuk nomor halaman rujukan (putaran %d)",
                         self.pages, self.rounds)
            elif msg[:6] in self.STEPS and msg[:6] != self.step:
                self.step = msg[:6]
                log.info("PDF: %s", self.STEPS[msg[:6]])
        elif record.levelno >= logging.ERROR:
            self.errors.append(msg)
        elif record.levelno >= logging.WARNING:
            log.info("PDF: catatan WeasyPrint: %s", msg)


@contextmanager
def _weasyprint_logging():
    handler = _WeasyLog()
    quiet = logging.getLogger("fontTools")  # one INFO line per decompressed WOFF2 font
    quiet_level = quiet.level
    quiet.setLevel(logging.WARNING)
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.INFO)
        lg.propagate = False
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg, (level, propagate) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
        quiet.setLevel(quiet_level)


def _page_labels(main_anchor: str | None):
    """A finisher that writes /PageLabels: viewers then show i, ii ... then 1, 2 ... as printed."""
    import pydyf

    def finish(document, pdf) -> None:
        first = next((i for i, page in enumerate(document.pages) if main_anchor in page.anchors), 0)
        nums = pydyf.Array([0, pydyf.Dictionary({"S": "/r"})] if first else [])
        nums.extend([first, pydyf.Dictionary({"S": "/D", "St": 1})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})

    return finish


PAGE_REF_CLASSES = ("xref", "toc__row")  # links that print their target's page number
MAX_FIXUPS = 3


def _labels(document, main_anchor: str | None) -> list[str]:
    """Each page's printed number: roman before ``main_anchor``'s page, then 1, 2 ... (as /PageLabels)."""
    from .book import roman

    first = next((i for i, page in enumerate(document.pages) if main_anchor in page.anchors), 0)
    return [roman(i + 1).lower() if i < first else str(i - first + 1) for i in range(len(document.pages))]


def ref_boxes(document) -> list[tuple[str, list, int]]:
    """The ``::after`` text boxes of every TOC row and cross-reference:
    (target anchor, boxes, index of the page of the last box)."""
    from weasyprint.formatting_structure.boxes import TextBox

    found: dict[int, list] = {}
    for i, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if not isinstance(box, TextBox) or box.element_tag != "a::after" or element is None:
                continue
            if not set((element.get("class") or "").split()) & set(PAGE_REF_CLASSES):
                continue
            entry = found.setdefault(id(element), [element.get("href", "")[1:], [], i])
            entry[1].append(box)
            entry[2] = i
    return [tuple(entry) for entry in found.values()]


def printed_refs(document) -> list[tuple[str, str]]:
    """What each TOC row or cross-reference printed: (target anchor, page number shown).
    "?" is what a pinned number shows for an anchor it does not know."""
    refs = []
    for anchor, boxes, _ in ref_boxes(document):
        text = "".join(box.text for box in boxes)
        number = re.findall(r"(?<![a-z])([0-9]+|[ivxlcdm]+|\?)\)?\s*$", text)  # "(lihat hlm. 12)", "iv"
        refs.append((anchor, number[-1] if number else text.strip()))
    return refs


def _page_refs(document, main_anchor: str | None) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Where every anchor landed, and what each TOC row or cross-reference printed."""
    labels = _labels(document, main_anchor)
    where = {name: labels[i] for i, page in enumerate(document.pages) for name in page.anchors}
    return where, printed_refs(document)


def _write_page_numbers(html: str, where: dict[str, str]) -> str:
    """Give every TOC row and cross-reference its target's page as data-page."""
    def fix(match: re.Match) -> str:
        tag = match.group(0)
        classes = re.search(r'class="([^"]*)"', tag)
        href = re.search(r'href="#([^"]+)"', tag)
        if not (classes and href and set(classes.group(1).split()) & set(PAGE_REF_CLASSES)):
            return tag
        tag = re.sub(r' data-page="[^"]*"', "", tag)
        return tag[:-1] + f' data-page="{where.get(href.group(1), "?")}">'

    return re.sub(r"<a\b[^>]*>", fix, html)


def render_pdf(html: str, target: Path, *, base_dir: Path, roots: list[Path],
               main_anchor: str | None = None, inputs: list[Path] | None = None) -> int:
    """Render the book HTML into ``target`` (tagged PDF/UA-1); return the page count.

    ``main_anchor`` is the id that opens the main matter, where page numbers
    restart at 1 after the roman front matter.

    Page numbers in the TOC and in "(lihat hlm. N)" come from target-counter().
    WeasyPrint 70 does not always settle them when a later page reflows (a
    heading moves to the next page, the TOC keeps the old number), so every
    printed number is checked against where its target landed; when one is
    wrong, the numbers are written into the HTML and the book is laid out again
    until they agree.

    ``inputs``, when given, receives every file WeasyPrint read (for the cache).

    Raises ``BookError`` when WeasyPrint wants anything outside ``roots`` or
    reports an error (a missing image, an image without alt text ...).
    """
    with _weasyprint_logging() as watch:
        from weasyprint import HTML  # inside: importing logs the user-agent stylesheets
        from weasyprint.text.fonts import FontConfiguration

        fetcher = _hermetic_fetcher([base_dir, *roots])
        expected = sum(1 for tag in re.findall(r"<a\b[^>]*>", html)
                       if set(re.search(r'class="([^"]*)"', tag).group(1).split() if 'class="' in tag else ())
                       & set(PAGE_REF_CLASSES))
        try:
            source = html
            for attempt in range(MAX_FIXUPS + 1):
                document = HTML(string=source, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render(
                    font_config=FontConfiguration(), pdf_variant="pdf/ua-1")
                where, refs = _page_refs(document, main_anchor)
                if len(refs) != expected:
                    raise BookError(f"Pemeriksaan nomor halaman menemukan {len(refs)} dari {expected} rujukan; "
                                    "struktur tata letak WeasyPrint mungkin berubah (periksa guidebook/pdf.py).")
                wrong = [(anchor, shown, where.get(anchor)) for anchor, shown in refs if where.get(anchor) != shown]
                if not wrong:
                    break
                if attempt == MAX_FIXUPS:
                    raise BookError("Nomor halaman di daftar isi atau rujukan silang tidak stabil setelah "
                                    f"{MAX_FIXUPS} kali tata letak ulang: {wrong[:5]}")
                log.info("PDF: %d nomor halaman rujukan belum tepat (misalnya %s: tertulis %s, seharusnya %s); "
                         "menata ulang dengan nomor tetap", len(wrong), *wrong[0])
                source = _write_page_numbers(html, where)
            data = document.write_pdf(pdf_variant="pdf/ua-1", finisher=_page_labels(main_anchor),
                                      pdf_identifier=hashlib.sha256(html.encode()).digest()[:16])
        except fetcher.error as exc:
            raise BookError(
                f"WeasyPrint diminta mengambil {str(exc.args[0]) if exc.args else exc}. Buku hanya boleh "
                "memakai berkas hasil pembangunan ini (docs/, overrides/, folder situs) dan data: URI, "
                "tanpa mengambil apa pun dari jaringan. Perbaikan: simpan berkas itu di folder docs/ "
                "dan tautkan dengan jalur relatif.") from None
    if watch.errors:  # some come only while writing (tags: images without alt text)
        raise BookError(_weasyprint_errors(watch.errors))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if inputs is not None:
        inputs.extend(fetcher.seen)
    return len(document.pages)


def _weasyprint_errors(errors: list[str]) -> str:
    hints = []
    for msg in dict.fromkeys(errors):
        if "has no required alt description" in msg:
            hints.append(f"{msg}\n  Perbaikan: beri setiap gambar teks alternatif, misalnya "
                         "![Diagram alur tahapan](gambar.svg).")
        else:
            hints.append(msg)
    return "WeasyPrint melaporkan kesalahan:\n- " + "\n- ".join(hints)


def _render_cached(html: str, target: Path, *, root: Path, base_dir: Path, roots: list[Path],
                   main_anchor: str | None, page_size: str, figures: dict | None = None) -> tuple[int, bool]:
    """``render_pdf`` through the content-hash cache (``guidebook/cache.py``).

    The key holds the exact book HTML, the render options and the versions of
    WeasyPrint and pydyf; every file the fetcher served is checked by its hash.
    With more than one core (``KLIK_PDF_JOBS``) the book is rendered in parallel
    chunks (``guidebook/pdfjobs.py``); ``figures`` receives the timings for the bench.
    """
    figures = figures if figures is not None else {}
    import pydyf
    import weasyprint

    workers = pdfjobs.jobs() if pdfjobs.splittable(html) else 1

    def produce(path: Path):
        inputs: list[Path] = []
        started = time.perf_counter()
        if workers > 1:
            stats: dict = {}
            count = pdfjobs.render_parallel(html, path, base_dir=base_dir, roots=roots, main_anchor=main_anchor,
                                            workers=workers, map_root=root, inputs=inputs, stats=stats)
            figures.update({k: round(v, 4) if isinstance(v, float) else v for k, v in stats.items()})
            figures["weasyprint_seconds"] = round(stats["pool_s"], 4)
        else:
            count = render_pdf(html, path, base_dir=base_dir, roots=roots, main_anchor=main_anchor, inputs=inputs)
            figures["weasyprint_seconds"] = round(time.perf_counter() - started, 4)
        figures["jobs"] = workers
        return count, inputs

    key = [html, f"weasyprint={weasyprint.__version__}", f"pydyf={pydyf.__version__}", "pdf/ua-1",
           f"page_size={page_size}", f"main_anchor={main_anchor}", f"max_fixups={MAX_FIXUPS}",
           f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}",
           f"jobs={'parallel' if workers > 1 else 'single'}"]
    return cache.cached_file("pdf", key, target, produce, root=root, base=base_dir)


def build_handbook(config, data: GuideData) -> Path | None:
    """Assemble and render the handbook for this build, or skip it when switched off."""
    if config["extra"].get("klik_offline_copy"):
        log.info("PDF: salinan luring tidak memuat PDF; tautannya menuju PDF di versi web")
        return None
    if not config["extra"].get("klik_pdf"):
        log.info(f"PDF: dilewati ({ENV}=0, atau `make serve` tanpa {ENV}=1)")
        return None
    started, cpu = time.perf_counter(), time.process_time()
    site_dir = Path(config["site_dir"]).resolve()
    root = Path(config.config_file_path).parent.resolve()
    region = data.region
    rel = pdf_path(data)
    pages = _state["pages"]
    log.info("PDF: menyusun buku dari %d halaman web", len(pages))
    with timing.stage("pdf") as figures:
        return _build_handbook(config, data, site_dir, root, rel, started, cpu, figures)


def _build_handbook(config, data: GuideData, site_dir: Path, root: Path, rel: str, started: float, cpu: float,
                    figures: dict) -> Path:
    region = data.region
    pages = _state["pages"]
    try:
        units = build_units(_state["nav"], pages, region.site.url)
        day = build_date()
        meta = BookMeta(region=region, date_iso=day.strftime("%Y-%m-%d"), date_text=date_text(day),
                        commit=git_commit(root), page_size=region.book.page_size,
                        logo_src=region.logo.path)
        html = assemble(units, meta, stylesheets=[*SITE_STYLESHEETS, BOOK_CSS.as_uri()])
        assembled = time.perf_counter()
        roots = [Path(config["docs_dir"]), BOOK_DIR]
        if config["theme"].custom_dir:
            roots.append(Path(config["theme"].custom_dir))
        main = next((u.anchor for u in units if u.kind in ("part", "chapter", "back")), None)
        timing.book_html(html, site_dir.as_uri() + "/", pdf_variant="pdf/ua-1")
        count, reused = _render_cached(html, site_dir / rel, root=root, base_dir=site_dir, roots=roots,
                                       main_anchor=main, page_size=region.book.page_size, figures=figures)
    except BookError as exc:
        raise Abort(f"Buku PDF gagal dibuat.\n{exc}") from None
    figures.update(pages=count, cached=reused)
    item = downloads.register(
        site_dir, rel, title=f"{region.book.title} (buku panduan, PDF)", kind="buku",
        description=f"{count} halaman, ukuran {region.book.page_size}, {region.book.edition} ({region.book.year})")
    done = time.perf_counter()
    log.info("PDF: selesai, %d halaman, %s, %.1f detik (menyusun %.2f, %s %.1f; CPU %.1f) -> %s",
             count, downloads.human_size(item.bytes), done - started, assembled - started,
             "salin dari cache" if reused else "WeasyPrint", done - assembled, time.process_time() - cpu, rel)
    return site_dir / rel
