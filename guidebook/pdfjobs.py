"""Render the handbook in parallel: chunks of whole units in worker processes, one PDF.

WeasyPrint lays a document out on one core and keeps every page in memory. The
book HTML is therefore cut at unit boundaries into a front chunk (cover, imprint,
table of contents, introduction) and a few main chunks of whole parts and
chapters, balanced by size and never larger than ``MAX_CHUNK_PAGES`` estimated
pages (a book of up to ``ONE_LAYOUT_CHUNK_PAGES`` per worker gets one chunk per
worker, so it is laid out once). Each chunk is rendered by a fresh worker process; the pieces are then
joined, one at a time, into the same document a single pass would give:

* Every unit starts on a right-hand page, so a chunk's page count does not
  depend on where it starts; a chunk with an odd page count is followed by a
  blank page, as the single pass inserts one before the next unit.
* Page numbers: a main chunk's page counter starts at its first page number
  (CSS ``counter-reset``); TOC and "(lihat hlm. N)" numbers are written into the
  HTML (``data-page``). Both come from a page map (anchor -> printed page) kept
  from the previous build in ``.cache/`` (like LaTeX's .aux file). Without one
  (a cold build) a main chunk is laid out with an estimated first page and
  stand-in numbers of about the right width (``Split.estimate``).
* A main chunk's body does not depend on those numbers while each keeps its
  width: the page numbers are only in the footers, every chunk starts on a
  right-hand page, and the book's digits are all as wide. So in the first round
  every worker lays out its chunk, reports its page count and anchors, and waits
  (``_talk_round``); once every main chunk has reported, the parent knows every
  page number and answers each worker with its true first page and reference
  numbers, which the worker writes into the laid-out boxes (``patch_numbers``):
  footers, shifted to keep their outer edge, and references whose new number is
  exactly as wide. The few units holding a reference whose number changes width
  (99 -> 101) are laid out again in one small document and their pages put in
  place (``_relayout_units``); that may move an anchor, so workers report again
  until every number agrees (``_exchange``). Then they write their PDFs while the
  front chunk is laid out with the final numbers (its TOC needs no second layout).
  This relies on WeasyPrint internals (``Page._page_box``, ``TextBox.pango_layout``,
  ``Layout.reactivate``); ``KLIK_PDF_PATCH=0`` turns the patching off.
* After every round the numbers are checked against where each target landed;
  a chunk with a wrong start or a wrong printed number, or one that could not be
  patched, is laid out again (bounded). With a right page map every chunk is laid
  out once and nothing needs patching.
* The joined PDF keeps one tagged structure tree (PDF/UA-1: one Document
  element, renumbered /StructParents and /ParentTree), named destinations for
  every anchor of every chunk (so links between chunks work), one outline built
  from every chunk's bookmarks with WeasyPrint's own nesting rule, /PageLabels,
  the front chunk's document info and XMP metadata, and a deterministic /ID.
  The join streams object by object (``join_chunks``): its memory is about one
  chunk's PDF, whatever the size of the book.

``KLIK_PDF_JOBS=1`` (or a single core) keeps the single-pass render of
``guidebook/pdf.py``, which the tests use as the reference.
"""
from __future__ import annotations

import contextlib
import html as html_lib
import json
import logging
import math
import os
import re
import resource
import shutil
import sys
import tempfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.klik.pdf")

ENV_JOBS = "KLIK_PDF_JOBS"
ENV_PATCH = "KLIK_PDF_PATCH"  # 0: never correct numbers in place, always lay a chunk out again (tests)
MAX_CHUNK_PAGES = 110   # pages per worker: bounds the memory of every process
ONE_LAYOUT_CHUNK_PAGES = 140  # larger chunks are allowed when that lets one chunk per worker lay out once
BYTES_PER_PAGE = 4800   # first estimate of HTML bytes per printed page (measured on the guide)
CHARS_PER_PAGE = 2200   # page estimate of a unit: its text, plus its table rows (measured on the guide)
ROWS_PER_PAGE = 30
MAX_ROUNDS = 4
MAX_PATCHES = 3  # answers to a main chunk in the first round before the rounds take over
UNIT_START = '<section class="unit unit--'
MAIN_OPEN = '<div class="mainmatter">'


class ChunkError(Exception):
    """A worker failed; the message is already in Indonesian for the editor."""


def jobs() -> int:
    """How many worker processes: ``KLIK_PDF_JOBS`` or the number of cores."""
    value = os.environ.get(ENV_JOBS, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            from .book import BookError
            raise BookError(f"Nilai {ENV_JOBS}={value!r} tidak dikenal. Perbaikan: isi dengan jumlah proses, "
                            f"misalnya {ENV_JOBS}=1 untuk satu proses (tanpa pembagian) atau {ENV_JOBS}=2.")
        return int(value)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# ------------------------------------------------------------------ splitting


def splittable(html: str) -> bool:
    """A handbook (book.html) with at least two units in its main matter."""
    start = html.find(MAIN_OPEN)
    return start >= 0 and html.count(UNIT_START, start) >= 2 and "</div>\n</body>" in html[start:]


def _unit_pages(unit: str) -> float:
    """A rough page count of one unit's HTML: its text and table rows (pictures and markup aside)."""
    body = re.sub(r"<svg\b.*?</svg>|data:[^\"')]+", "", unit, flags=re.S)
    text = len(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)))
    return max(1.0, text / CHARS_PER_PAGE + unit.count("<tr") / ROWS_PER_PAGE)


class Split:
    """The book HTML cut into a front chunk and main chunks of whole units."""

    def __init__(self, html: str, workers: int):
        start = html.index(MAIN_OPEN)
        end = html.rindex("</div>\n</body>")
        self.head_body = html[:start]              # head, <body>, cover, imprint, TOC, front units
        self.tail = html[end:]                     # </div></body></html>
        main = html[start + len(MAIN_OPEN):end]
        cuts = [m.start() for m in re.finditer(re.escape(UNIT_START), main)]
        if not cuts:
            raise ValueError("no units in the main matter")
        units = [main[a:b] for a, b in zip(cuts, cuts[1:] + [len(main)])]
        units[0] = main[:cuts[1] if len(cuts) > 1 else len(main)]
        sizes = [len(u.encode()) for u in units]
        total = sum(sizes)
        count = max(workers, math.ceil(total / BYTES_PER_PAGE / MAX_CHUNK_PAGES))
        if count > workers and total / BYTES_PER_PAGE <= workers * ONE_LAYOUT_CHUNK_PAGES:
            count = workers  # a short book: one chunk per worker, laid out once (``_talk_round``)
        count = min(count, len(units))
        groups: list[list[int]] = [[]]
        done = 0
        for i, size in enumerate(sizes):
            target = total * len(groups) / count
            if groups[-1] and done + size / 2 > target and len(groups) < count:
                groups.append([])
            groups[-1].append(i)
            done += size
        self.chunks = ["".join(units[i] for i in g) for g in groups]
        self.first_anchor = [re.search(r'\bid="([^"]+)"', c).group(1) for c in self.chunks]
        self.sizes = [len(c.encode()) for c in self.chunks]
        # which chunk holds each id (0: front matter), for stand-in numbers before the first layout
        self.home = {a: 0 for a in re.findall(r'\bid="([^"]+)"', self.head_body)}
        # estimated printed page of every main-matter id, for first layouts without a page map
        self.estimate: dict[str, int] = {}
        self.first_estimate: list[int] = []
        page = 1
        for k, group in enumerate(groups, start=1):
            self.first_estimate.append(page)
            for i in group:
                pages = _unit_pages(units[i])
                for m in re.finditer(r'\bid="([^"]+)"', units[i]):
                    if m.group(1) not in self.home:
                        self.home[m.group(1)] = k
                        self.estimate[m.group(1)] = page + int(pages * m.start() / len(units[i]))
                page += 2 * math.ceil(pages / 2)  # the next unit starts on a right-hand page
        m = re.search(r'<h1 class="cover__title">(.*?)</h1>', html, re.S)
        self.book_title = html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""

    def front_targets(self) -> set[str]:
        """The main-matter anchors whose page numbers the front chunk prints (TOC rows, references)."""
        from .pdf import PAGE_REF_CLASSES

        targets = set()
        for tag in re.findall(r"<a\b[^>]*>", self.head_body):
            classes = re.search(r'class="([^"]*)"', tag)
            href = re.search(r'href="#([^"]+)"', tag)
            if classes and href and set(classes.group(1).split()) & set(PAGE_REF_CLASSES):
                targets.add(href.group(1))
        return {a for a in targets if self.home.get(a)}

    def front_html(self) -> str:
        return self.head_body + self.tail.replace("</div>\n", "", 1)

    def main_html(self, k: int, first_page: int) -> str:
        title = self.book_title.replace("\\", "\\\\").replace('"', '\\"')
        style = ("<style>\n"
                 f"@page :nth(1 of main) {{ counter-reset: page {first_page}; }}\n"
                 f'.mainmatter {{ string-set: book "{title}"; }}\n'
                 "</style>\n</head>")
        head, _, rest = self.head_body.partition("</head>")
        body_open = re.search(r"<body\b[^>]*>", rest).group(0)
        return head + style + "\n" + body_open + "\n" + MAIN_OPEN + self.chunks[k] + self.tail


# ------------------------------------------------------------------ the worker


def _pin(html: str, where: dict[str, str]) -> str:
    """Write the known page numbers into TOC rows and cross-references (``data-page``).

    Targets not in ``where`` keep CSS target-counter(): right for a target in the
    same chunk, a stand-in of about the right width for one elsewhere.
    """
    from .pdf import PAGE_REF_CLASSES

    def fix(match: re.Match) -> str:
        tag = match.group(0)
        classes = re.search(r'class="([^"]*)"', tag)
        href = re.search(r'href="#([^"]+)"', tag)
        if not (classes and href and set(classes.group(1).split()) & set(PAGE_REF_CLASSES)):
            return tag
        if href.group(1) not in where:
            return tag
        return tag[:-1] + f' data-page="{where[href.group(1)]}">'

    return re.sub(r"<a\b[^>]*>", fix, html) if where else html


def _plain_objects() -> None:
    """In a worker: let pydyf write every object on its own (no object streams; streams stay compressed)."""
    import pydyf

    if getattr(pydyf.PDF.write, "_klik_plain", False):
        return
    write = pydyf.PDF.write

    def plain(self, output, version=b"1.7", identifier=False, compress=False):
        return write(self, output, version, identifier, False)

    plain._klik_plain = True
    pydyf.PDF.write = plain


_channels: dict = {}  # in a worker: the queue to the parent and one queue from it per chunk


def _init_worker(outbox, inboxes) -> None:
    _channels.update(outbox=outbox, inboxes=inboxes)


def _ask(job: dict, report: dict) -> dict | None:
    """Report to the parent (when given) and wait for its answer; ``None`` when told to stop."""
    if report is not None:
        _channels["outbox"].put({"k": job["k"], **report})
    answer = _channels["inboxes"][job["k"]].get()
    return None if answer.get("stop") else answer


def _facts(document, first: int | None) -> dict:
    """What the parent and the assembly need from a laid-out chunk."""
    from . import pdf as single
    from .book import roman

    count = len(document.pages)
    labels = ([roman(i + 1).lower() for i in range(count)] if first is None
              else [str(first + i) for i in range(count)])
    anchors = {}
    anchors_xy = {}
    for i, page in enumerate(document.pages):
        for name, (x, y, _, _) in page.anchors.items():
            anchors.setdefault(name, i)
            anchors_xy.setdefault(name, (i, x * 0.75, (page.height - y) * 0.75))
    return {"count": count, "labels": labels, "anchors": anchors, "anchors_xy": anchors_xy,
            "refs": single.printed_refs(document)}


def _talk(job: dict, document, first: int, facts: dict, HTML, base_url: str, fetcher, fonts):
    """A main chunk's side of ``_talk_round``: report, take the true numbers, patch, until told to write.

    Returns (first page, (footers, references, units) changed, why it could not be patched or
    ``None``, facts); first page ``None`` when the parent stopped the work.
    """
    def render(source: str):
        return HTML(string=source, base_url=base_url, url_fetcher=fetcher).render(font_config=fonts,
                                                                                pdf_variant="pdf/ua-1")

    patched = (0, 0, 0)
    unpatched = None
    waited = 0.0
    while True:
        asked = time.perf_counter()
        answer = _ask(job, {"first_page": first, "unpatched": unpatched,
                            **{key: facts[key] for key in ("count", "labels", "anchors", "refs")}})
        waited += time.perf_counter() - asked
        if answer is None:
            return None, patched, unpatched, facts
        if answer.get("write") or unpatched:
            return first, patched, unpatched, {**facts, "wait_s": waited}
        try:
            if os.environ.get(ENV_PATCH, "").strip() == "0":
                raise Unpatchable(f"{ENV_PATCH}=0")
            done = patch_numbers(document, first, answer["first_page"], answer["where"], job["html"], render)
            patched = tuple(a + b for a, b in zip(patched, done))
            first = answer["first_page"]
        except Unpatchable as exc:  # laid out again in the next round
            unpatched = str(exc)
        except Exception as exc:  # noqa: BLE001 - a WeasyPrint whose internals moved: lay it out again
            log.debug("PDF: nomor halaman tidak dapat ditambal", exc_info=True)
            unpatched = f"{type(exc).__name__}: {exc}"
        facts = _facts(document, first)  # the patched numbers, checked by the parent like any other


def render_chunk(job: dict) -> dict:
    """In a worker process: lay out one chunk, return its PDF and what the assembly needs.

    With ``job["talk"]`` (the first round) the worker takes part in the exchange of
    ``_rounds``: a front chunk with ``wait`` first waits for its page numbers; a
    main chunk reports its layout, waits for its true first page and the true
    numbers of its references, and writes them into the laid-out pages
    (``patch_numbers``) instead of laying the chunk out again.
    """
    from . import pdf as single

    started = time.perf_counter()
    waited = 0.0
    with single._weasyprint_logging() as watch:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        if job.get("wait"):
            answer = _ask(job, None)
            if answer is None:
                return {"stopped": True}
            job["pins"] = answer["pins"]
            waited = time.perf_counter() - started
        layout_started = time.perf_counter()
        base_dir = Path(job["base_dir"])
        fetcher = single._hermetic_fetcher([base_dir, *map(Path, job["roots"])])
        html = _pin(job["html"], job["pins"])
        base_url = base_dir.as_uri() + "/"
        fonts = FontConfiguration()
        try:
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                font_config=fonts, pdf_variant="pdf/ua-1")
        except fetcher.error as exc:
            return {"error": single.BookError.__name__, "fetch": str(exc.args[0]) if exc.args else str(exc)}
        first = job["first_page"]
        laid_out = time.perf_counter()
        facts = _facts(document, first)
        patched = unpatched = None
        patch_s = 0.0
        if job.get("talk") and first is None:  # the front chunk: the parent needs its numbers, nothing more
            _channels["outbox"].put({"k": job["k"], **{key: facts[key] for key in ("count", "labels", "anchors")}})
        elif job.get("talk"):
            patch_started = time.perf_counter()
            first, patched, unpatched, facts = _talk(job, document, first, facts, HTML, base_url, fetcher, fonts)
            if first is None:
                return {"stopped": True}
            waited += facts["wait_s"]
            patch_s = time.perf_counter() - patch_started - facts.pop("wait_s")
        # Links to other chunks: WeasyPrint drops links to anchors it has not seen, so
        # they get a stand-in anchor here; the assembly points the names at the real pages.
        foreign = sorted({target for page in document.pages for kind, target, _, _ in page.links
                          if kind == "internal" and target not in facts["anchors"]})
        for name in foreign:
            document.pages[0].anchors[name] = (0, 0, 0, 0)
        bookmarks = []
        for i, page in enumerate(document.pages):
            for level, label, (x, y), state in page.bookmarks:
                bookmarks.append((level, label, i, x * 0.75, (page.height - y) * 0.75, state))
        written = time.perf_counter()
        write = job["write"] and not unpatched
        if write:
            _plain_objects()
            document.write_pdf(job["out"], pdf_variant="pdf/ua-1")
    errors = [e for e in watch.errors if not e.startswith("No anchor #")]
    return {"pdf": job["out"] if write else None, **facts, "first_page": first, "unpatched": unpatched, "bookmarks": bookmarks, "foreign": foreign,
            "errors": errors, "inputs": [str(p) for p in fetcher.seen], "patched": patched,
            "layout_s": laid_out - layout_started, "write_s": time.perf_counter() - written,
            "wait_s": waited, "patch_s": patch_s, "pid": os.getpid(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# ------------------------------------------------------------------ patching a laid-out chunk
#
# A main chunk is laid out before the chunks ahead of it have counted their pages,
# with a guessed first page number and stand-in numbers for targets in other
# chunks. Its body does not depend on those numbers as long as each printed
# number keeps its width (the book's digits are all as wide: Source Sans 3 has
# tabular figures), so the right numbers are written into the laid-out boxes
# instead of laying the chunk out again: the footers (margin boxes) and the
# "(lihat hlm. N)" texts. A number whose width would change is not patched: the
# chunk is then laid out again (``_rounds``).

FOOTERS = ("@bottom-left", "@bottom-center", "@bottom-right")
RELAYOUT_END_ID = "klik-akhir-tata-ulang"
RELAYOUT_END = f'<section class="unit" id="{RELAYOUT_END_ID}"></section>'

_NUMBER_END = re.compile(r"([0-9]+|[ivxlcdm]+)(\)?\s*)$")


class Unpatchable(Exception):
    """A laid-out chunk cannot take the right numbers without a new layout."""


def _text_width(box, text: str) -> float:
    """Width of ``text`` set like ``box`` (font, features, spacing), as WeasyPrint measures a line."""
    from weasyprint.text.line_break import line_size

    layout = box.pango_layout
    saved = layout.text
    layout.text = text
    layout.reactivate(box.style)  # a fresh Pango layout with this text
    try:
        line, _ = layout.get_first_line()
        return line_size(line, box.style)[0]
    finally:
        layout.deactivate()
        layout.text = saved


def _set_text(box, text: str) -> float:
    """Give a laid-out text box new text; return the change in width."""
    delta = _text_width(box, text) - _text_width(box, box.pango_layout.text)
    box.text = text
    box.pango_layout.text = text  # what drawing shapes (Layout.reactivate)
    box.width += delta
    return delta


def _margin_shift(margin, delta: float) -> float:
    """How far a footer margin box moves when its content grows by ``delta`` (it keeps its outer edge)."""
    if margin.at_keyword.endswith("left"):
        return 0.0
    if margin.at_keyword.endswith("right"):
        return -delta
    return -delta / 2


def _patch_footers(pages: list, numbers: list[tuple[int, int]]) -> int:
    """Write the true page numbers into the footer margin boxes; return how many changed.

    ``numbers`` holds, for each page, the number it was laid out with and its true number.
    """
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, TextBox

    changed = 0
    for i, (page, (old, new)) in enumerate(zip(pages, numbers)):
        old, new = str(old), str(new)
        for margin in page._page_box.children:
            if not isinstance(margin, MarginBox) or margin.at_keyword not in FOOTERS:
                continue
            for line in margin.descendants():
                if not isinstance(line, LineBox):
                    continue
                texts = [b for b in line.children if isinstance(b, TextBox)]
                if len(texts) != len(line.children) or len(texts) != 1:
                    raise Unpatchable(f"kaki halaman {i + 1} bukan satu teks")
                box = texts[0]
                if box.text != old:
                    raise Unpatchable(f"kaki halaman {i + 1}: {box.text!r}, bukan {old!r}")
                if old == new:
                    continue
                delta = _set_text(box, new)
                shift = _margin_shift(margin, delta)
                margin.position_x += shift  # margin boxes are as wide as their content
                margin.width += delta
                for inner in margin.descendants():
                    if inner is not margin:
                        inner.position_x += shift
                line.width += delta
                changed += 1
    return changed


def _patch_refs(document, where: dict[str, str]) -> tuple[int, set[int]]:
    """Write the true target pages into the "(lihat hlm. N)" texts of the same width.

    Returns how many changed, and the pages of the references whose true number
    is not exactly as wide as the stand-in (their lines could break elsewhere: the
    unit is laid out again, ``_relayout_units``). Raises ``Unpatchable`` when a
    text is not what the stylesheet prints.
    """
    changed = 0
    wide: set[int] = set()
    from .pdf import ref_boxes

    for anchor, boxes, page in ref_boxes(document):
        box = boxes[-1]  # the number ends the last piece
        m = _NUMBER_END.search(box.text)
        lm = _NUMBER_END.search(box.pango_layout.text)
        true = where.get(anchor)
        if not m or not lm or lm.group(1) != m.group(1):
            raise Unpatchable(f"rujukan ke #{anchor}: {box.text!r}")
        if true is None or m.group(1) == true:  # a target not known yet keeps its stand-in for now
            continue
        text = box.pango_layout.text[:lm.start(1)] + true + lm.group(2)
        if _text_width(box, text) != _text_width(box, box.pango_layout.text):
            wide.add(page)
            continue
        box.text = box.text[:m.start(1)] + true + m.group(2)
        box.pango_layout.text = text
        changed += 1
    return changed, wide


def _main_parts(html: str) -> tuple[str, list[str], str]:
    """A main chunk's HTML as (everything before its units, the units, everything after)."""
    start = html.index(MAIN_OPEN) + len(MAIN_OPEN)
    end = html.rindex("</div>\n</body>")
    body = html[start:end]
    cuts = [m.start() for m in re.finditer(re.escape(UNIT_START), body)]
    cuts[0] = 0
    return html[:start], [body[a:b] for a, b in zip(cuts, cuts[1:] + [len(body)])], html[end:]


def _relayout_units(document, html: str, first: int, where: dict[str, str], pages: set[int], render) -> int:
    """Lay out again, with their true numbers, the units holding ``pages``; put their pages in place.

    Every unit starts on a right-hand page and its layout does not depend on what
    comes before it (the premise of the chunks themselves), so the units laid out
    together in one document, each followed by a unit as in the chunk, give
    exactly their pages in the chunk; only their footers are then renumbered.
    Raises ``Unpatchable`` when a unit's page count changes. Returns how many units.
    """
    head, units, tail = _main_parts(html)
    index = _anchor_pages(document)
    starts = [index.get(_first_id(unit)) for unit in units]
    if None in starts or starts != sorted(starts) or starts[0] != 0:
        raise Unpatchable("awal unit tidak ditemukan")
    ends = starts[1:] + [len(document.pages)]
    todo = sorted({max(u for u, at in enumerate(starts) if at <= page) for page in pages})
    last = todo[-1] + 1 == len(units)
    # a following unit keeps the enclosing boxes open to the last page's end, as in the chunk
    source = (re.sub(r"counter-reset: page \d+;", f"counter-reset: page {first + starts[todo[0]]};", head, count=1)
              + "".join(units[u] for u in todo) + ("" if last else RELAYOUT_END) + tail)
    sub = render(_pin(source, where))
    sub_index = _anchor_pages(sub)
    sub_starts = [sub_index.get(_first_id(units[u])) for u in todo]
    sub_ends = sub_starts[1:] + [len(sub.pages) if last else sub_index.get(RELAYOUT_END_ID)]
    numbers = []
    for u, a, b in zip(todo, sub_starts, sub_ends):
        if a is None or b is None or b - a != ends[u] - starts[u]:
            raise Unpatchable(f"unit {u + 1} kini {b - a if a is not None and b is not None else '?'} halaman, "
                              f"bukan {ends[u] - starts[u]}")
        numbers += [(first + starts[todo[0]] + j, first + starts[u] + j - a) for j in range(a, b)]
    new_pages = [page for a, b in zip(sub_starts, sub_ends) for page in sub.pages[a:b]]
    _patch_footers(new_pages, numbers)
    for u, a, b in zip(todo, sub_starts, sub_ends):
        document.pages[starts[u]:ends[u]] = sub.pages[a:b]
    document.__dict__.setdefault("_klik_relaid", []).append(sub)  # must outlive the writing of the PDF
    return len(todo)


def _anchor_pages(document) -> dict[str, int]:
    return {name: i for i, page in reversed(list(enumerate(document.pages))) for name in page.anchors}


def _first_id(unit: str) -> str:
    return re.search(r'\bid="([^"]+)"', unit).group(1)


def patch_numbers(document, old_first: int, new_first: int, where: dict[str, str],
                  html: str | None = None, render=None) -> tuple[int, int, int]:
    """Correct a laid-out main chunk's page numbers in place.

    Returns (footers changed, references changed, units laid out again). Units are
    laid out again (``render(html) -> Document``) only for references whose
    number changes width; without ``render`` such a reference raises ``Unpatchable``.
    """
    seen: set[int] = set()
    for page in document.pages:  # every text box must own its Pango layout before one is changed
        for box in page._page_box.descendants():
            layout = getattr(box, "pango_layout", None)
            if layout is not None:
                if id(layout) in seen:
                    raise Unpatchable("tata letak Pango dipakai bersama")
                seen.add(id(layout))
    count = len(document.pages)
    footers = _patch_footers(document.pages, [(old_first + i, new_first + i) for i in range(count)])
    refs, wide = _patch_refs(document, where)
    if wide and render is None:
        raise Unpatchable(f"{len(wide)} halaman dengan nomor rujukan yang berubah lebar")
    return footers, refs, _relayout_units(document, html, new_first, where, wide, render) if wide else 0


# ------------------------------------------------------------------ the rounds


def _page_map_path(root: Path | None) -> Path | None:
    """The page map beside the build cache; none when the cache is off (KLIK_CACHE=0)."""
    from . import cache

    return cache.cache_dir(root) / "pdf-pages.json" if root and cache.enabled() else None


def _load_map(root: Path | None) -> dict[str, str]:
    path = _page_map_path(root)
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path and path.is_file() else {}
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def _workers_skip_main():
    """Spawned workers need only this module: keep them from re-running the caller's script.

    ``spawn`` re-imports the parent's ``__main__`` (by path, or by name under
    ``python -m``); a script without an ``if __name__ == "__main__"`` guard would
    build the site again in every worker.
    """
    main = sys.modules.get("__main__")
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if main is not None and hasattr(main, k)}
    for k in saved:
        setattr(main, k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(main, k, v)


def render_parallel(html: str, target: Path, *, base_dir: Path, roots: list[Path], main_anchor: str | None,
                    workers: int, map_root: Path | None = None, inputs: list[Path] | None = None,
                    stats: dict | None = None) -> int:
    """Render ``html`` in chunks on ``workers`` processes into ``target``; return the page count."""
    split = Split(html, workers)
    n = len(split.chunks)
    known = _load_map(map_root)
    # chunk 0 is the front matter, 1..n the main chunks
    first_pages: list[int | None] = [None]
    for k in range(n):
        first_pages.append(int(known[split.first_anchor[k]]) if split.first_anchor[k] in known
                           and known[split.first_anchor[k]].isdigit() else split.first_estimate[k])
    results: list[dict | None] = [None] * (n + 1)
    todo = list(range(n + 1))
    stats = stats if stats is not None else {}
    stats.update(chunks=n + 1, rounds=0, renders=0, layout_s=0.0, write_s=0.0,
                 main_mb_before=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    where: dict[str, str] = dict(known)
    log.info("PDF: %d bagian dikerjakan oleh %d proses%s", n + 1, workers,
             "" if known else " (tanpa peta halaman dari pembangunan sebelumnya)")
    scratch = Path(tempfile.mkdtemp(prefix=".klik-pdf-", dir=target.parent if target.parent.is_dir() else None))
    try:
        return _rounds(split, known, first_pages, results, todo, stats, where, scratch, html, target, base_dir,
                       roots, main_anchor, workers, map_root, inputs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _stand_ins(split, k: int, first_pages: list, where: dict[str, str]) -> dict[str, str]:
    """Pins for a first layout: known numbers, and an estimate of the page of every other target.

    A stand-in only needs the width of the true number (its digit count): the
    estimate comes from the text before the target (``Split.estimate``), moved
    with its chunk's first page when that is known from the page map. Targets in
    the same main chunk are pinned too: WeasyPrint 70's target-counter() can leave
    a table laid out for a number it later replaces, unlike the single pass, which
    ends with every number pinned. The front chunk keeps target-counter() for its
    own targets (their roman numbers cannot be estimated).
    """
    pins = dict(where)
    for a, home in split.home.items():
        if a not in pins and (home or k):
            pins[a] = "v" if home == 0 else str(split.estimate[a] - split.first_estimate[home - 1]
                                                 + first_pages[home])
    return pins


def _check(k: int, future) -> dict:
    """A worker's result, or the build's error in Indonesian."""
    from .book import BookError

    try:
        out = future.result()
    except Exception as exc:  # a worker died (memory?) or WeasyPrint raised
        raise BookError(f"Proses pembuat PDF untuk bagian {k} buku gagal: {type(exc).__name__}: {exc}. "
                        f"Perbaikan: ulangi dengan {ENV_JOBS}=1 (satu proses) untuk melihat "
                        "kesalahan WeasyPrint selengkapnya.") from exc
    if "fetch" in out:
        raise BookError(
            f"WeasyPrint diminta mengambil {out['fetch']}. Buku hanya boleh memakai berkas hasil "
            "pembangunan ini (docs/, overrides/, folder situs) dan data: URI, tanpa mengambil apa pun "
            "dari jaringan. Perbaikan: simpan berkas itu di folder docs/ dan tautkan dengan jalur relatif.")
    if out.get("errors"):
        from .pdf import _weasyprint_errors
        raise BookError(_weasyprint_errors(out["errors"]))
    return out


def _starts(counts: list[int]) -> list[int | None]:
    """First page number of every chunk (``None`` for the front matter) from the main chunks' page counts."""
    starts: list[int | None] = [None]
    page = 1
    for k, count in enumerate(counts, start=1):
        starts.append(page)
        page += count + (count % 2 if k < len(counts) else 0)
    return starts


def _landed(reports: dict[int, dict], starts: list) -> dict[str, str]:
    """Printed page of every anchor of the reported chunks."""
    where: dict[str, str] = {}
    for k in sorted(reports):
        r = reports[k]
        labels = r["labels"] if k == 0 else [str(starts[k] + i) for i in range(r["count"])]
        for name, i in r["anchors"].items():
            where.setdefault(name, labels[i])
    return where


def _talk_round(split, known, first_pages, job, stats) -> list[dict]:
    """The first round of a build: every main chunk laid out once, its numbers corrected in place.

    Main chunks are laid out at the same time with guessed first pages and
    stand-in numbers, report their page counts and anchors, then wait. Once every
    main chunk has reported, the parent knows every first page and main-matter
    page; it lays out the front chunk (table of contents) with those numbers and
    answers each main chunk with its first page and the numbers of its
    references, which the worker writes into its pages (``patch_numbers``) and
    then writes its PDF. A chunk that cannot be patched returns without a PDF.
    """
    n = len(split.chunks)
    ctx = get_context("spawn")
    outbox = ctx.Queue()
    inboxes = [ctx.Queue() for _ in range(n + 1)]
    futures = {}
    finished = False
    with ProcessPoolExecutor(max_workers=n + 1, mp_context=ctx, max_tasks_per_child=1,
                             initializer=_init_worker, initargs=(outbox, inboxes)) as pool:
        try:
            for k in sorted(range(1, n + 1), key=lambda k: -split.sizes[k - 1]):
                futures[k] = pool.submit(render_chunk, job(k, _stand_ins(split, k, first_pages, known), talk=True))
            # the table of contents waits for the main chunks' numbers unless the page map has them all
            wait = not split.front_targets() <= known.keys()
            futures[0] = pool.submit(render_chunk, job(0, dict(known), talk=True, wait=wait))
            _exchange(split, outbox, inboxes, futures, wait)
            results = [_check(k, futures[k]) for k in range(n + 1)]
            finished = True
        finally:
            if not finished:  # a worker failed: the others must not wait for an answer forever
                for inbox in inboxes:
                    inbox.put({"stop": True})
                for future in futures.values():
                    future.cancel()
    stats["patched"] = [list(r["patched"]) for r in results[1:]]  # (footers, references, units) per main chunk
    unpatched = [(k, r["unpatched"]) for k, r in enumerate(results) if r.get("unpatched")]
    if unpatched:
        stats["unpatched"] = [why for _, why in unpatched]
        log.info("PDF: %d bagian ditata ulang karena nomor halamannya tidak dapat dibetulkan di tempat, "
                 "misalnya bagian %d: %s",
                 len(unpatched), *unpatched[0])
    return results


def _exchange(split, outbox, inboxes, futures: dict, wait: bool) -> None:
    """The parent's side of ``_talk_round``: answer the main chunks until their numbers agree.

    Once every main chunk has reported, each one whose first page or printed
    numbers disagree with where everything landed gets the true numbers; it
    patches and reports again (a unit laid out again may move an anchor).
    When they agree, a waiting front chunk gets the main matter's page numbers and
    reports its own anchors (roman numbers), which main-matter references to the
    front matter need; then (or after ``MAX_PATCHES`` answers) every main chunk is
    told to write.
    """
    n = len(split.chunks)
    reports: dict[int, dict] = {}
    waiting = set(range(1, n + 1))  # main chunks still laying out or patching
    for answers in range(MAX_PATCHES + 1):
        while waiting:
            msg = _next_report(outbox, futures, reports)
            reports[msg["k"]] = msg
            waiting.discard(msg["k"])
        starts = _starts([reports[k]["count"] for k in range(1, n + 1)])
        where = _landed(reports, starts)
        for k in range(1, n + 1):
            r = reports[k]
            if r["unpatched"] or answers == MAX_PATCHES:
                continue
            if r["first_page"] != starts[k] or any(a in where and where[a] != shown for a, shown in r["refs"]):
                inboxes[k].put({"first_page": starts[k], "where": {a: where[a] for a, _ in r["refs"] if a in where}})
                waiting.add(k)
        if not waiting:
            if wait:  # main-matter numbers are final: lay out the table of contents with them
                inboxes[0].put({"pins": {a: v for a, v in where.items() if split.home.get(a, 0)}})
                wait = False
                waiting.add(0)  # its anchors' roman numbers, for main-matter references to the front
                continue
            break
    for k in range(1, n + 1):
        inboxes[k].put({"write": True})
    if wait:
        inboxes[0].put({"pins": {a: v for a, v in where.items() if split.home.get(a, 0)}})


def _next_report(outbox, futures: dict, reports: dict) -> dict:
    """The next worker report; a worker that ended without reporting has failed."""
    import queue

    while True:
        try:
            return outbox.get(timeout=0.2)
        except queue.Empty:
            pass
        for k, future in futures.items():
            if k not in reports and future.done():
                out = _check(k, future)  # raises for an error it carries
                from .book import BookError
                raise BookError(f"Proses pembuat PDF untuk bagian {k} buku berhenti tanpa laporan: "
                                f"{sorted(out)[:5]}. Perbaikan: ulangi dengan {ENV_JOBS}=1.")


def _rounds(split, known, first_pages, results, todo, stats, where, scratch, html, target, base_dir, roots,
            main_anchor, workers, map_root, inputs) -> int:
    from .book import BookError

    n = len(split.chunks)
    pool_started = time.perf_counter()
    ctx = get_context("spawn")  # fresh processes: their memory is their own and ends with them

    def job(k: int, pins: dict, *, talk: bool = False, wait: bool = False, write: bool = True) -> dict:
        return {"k": k, "html": split.front_html() if k == 0 else split.main_html(k - 1, first_pages[k]),
                "first_page": first_pages[k], "pins": pins, "base_dir": str(base_dir),
                "roots": [str(r) for r in roots], "write": write, "talk": talk, "wait": wait,
                "out": str(scratch / f"bagian-{k:03d}.pdf")}

    talk = n <= workers  # every main chunk in memory at once: only as many as there are workers
    with _workers_skip_main():
        for round_no in range(1, MAX_ROUNDS + 1):
            stats["rounds"] = round_no
            if round_no == 1 and talk:
                outs = _talk_round(split, known, first_pages, job, stats)
                for k, out in enumerate(outs):
                    results[k] = out
                    if k and out["pdf"] is not None:
                        first_pages[k] = out["first_page"]
            else:
                outs = []
                with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx,
                                         max_tasks_per_child=1) as pool:
                    jobs_out = {}
                    # largest first: the front chunk (small) last
                    for k in sorted(todo, key=lambda k: -(split.sizes[k - 1] if k else 0)):
                        pins = _stand_ins(split, k, first_pages, where) if round_no == 1 else dict(where)
                        # a chunk laid out with guessed numbers will be laid out again: skip writing its PDF
                        sure = round_no > 1 or (k == 0 or split.first_anchor[k - 1] in known) and bool(known)
                        jobs_out[k] = pool.submit(render_chunk, job(k, pins, write=sure))
                    for k, future in jobs_out.items():
                        results[k] = _check(k, future)
                        outs.append(results[k])
            for out in outs:
                stats.setdefault("chunk_s", []).append(
                    [round(out.get(key) or 0.0, 2) for key in ("layout_s", "wait_s", "patch_s", "write_s")])
                stats["renders"] += 1
                stats["layout_s"] += out["layout_s"]
                stats["write_s"] += out["write_s"]
                stats["worker_peak_mb"] = round(max(stats.get("worker_peak_mb", 0), out["peak_mb"]), 1)
            # where everything landed with the page counts of this round
            starts = _starts([results[k]["count"] for k in range(1, n + 1)])
            where = _landed(dict(enumerate(results)), starts)
            todo = [k for k in range(n + 1)
                    if results[k]["pdf"] is None or (k and starts[k] != first_pages[k])
                    or any(where.get(a) != shown for a, shown in results[k]["refs"])]
            for k in todo:
                if k:
                    first_pages[k] = starts[k]
            if not todo:
                break
            for k in todo:
                bad = [(a, shown, where.get(a)) for a, shown in results[k]["refs"] if where.get(a) != shown]
                log.debug("PDF: bagian %d mulai %s (dipakai %s), %d nomor salah, misalnya %s",
                          k, starts[k], results[k]["labels"][:1], len(bad), bad[:3])
            log.info("PDF: putaran %d: %d bagian perlu ditata ulang dengan nomor halaman yang benar",
                     round_no, len(todo))
        else:
            raise BookError(f"Nomor halaman bagian-bagian buku tidak stabil setelah {MAX_ROUNDS} putaran.")
    assembled = time.perf_counter()
    stats["pool_s"] = assembled - pool_started
    target.parent.mkdir(parents=True, exist_ok=True)
    join_chunks([Path(r["pdf"]) for r in results], results, target)
    stats["assemble_s"] = time.perf_counter() - assembled
    stats["main_mb_after"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    path = _page_map_path(map_root)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(where, sort_keys=True), encoding="utf-8")
    if inputs is not None:
        inputs.extend(dict.fromkeys(Path(p) for r in results for p in r["inputs"]))
    return sum(r["count"] + (r["count"] % 2 if 0 < k < n or k == 0 else 0) for k, r in enumerate(results))


# ------------------------------------------------------------------ assembly


def _bookmark_tree(flat: list[tuple]) -> list:
    """WeasyPrint's nesting rule (``make_page_bookmark_tree``) over the whole book's bookmarks."""
    root: list = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    for level, label, page, x, y, state in flat:
        if level > previous:
            skipped.append(level - previous - 1)
        else:
            temp = level
            while temp < previous:
                temp += 1 + skipped.pop()
            if temp > previous:
                level += previous - temp
        depth = level - sum(skipped)
        node = (label, page, x, y, [], state)
        last_by_depth[depth - 1].append(node)
        del last_by_depth[depth:]
        last_by_depth.append(node[4])
        previous = level
    return root


# ------------------------------------------------------------------ assembly (streaming)
#
# The chunks are written by WeasyPrint (pydyf) without object streams, so every
# object is "N 0 obj ... endobj" in file order. They are copied one chunk at a
# time into the output with new object numbers; only the objects that tie a
# document together (catalog, page tree, structure root, /ParentTree, outline,
# destinations) are written anew. Memory stays at about one chunk's PDF, whatever
# the size of the book.

_OBJ = re.compile(rb"(\d+) 0 obj\n")
_REF = re.compile(rb"(?<![\d.])(\d+) 0 R")
_STRUCT_PARENT = re.compile(rb"/StructParents? (\d+)")


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Number -> (dictionary or value, stream data or None) of a pydyf PDF without object streams."""
    objs: dict[int, tuple[bytes, bytes | None]] = {}
    pos = 0
    while True:
        m = _OBJ.search(data, pos)
        if not m:
            break
        start = m.end()
        end = data.find(b"\nendobj", start)
        stream_at = data.find(b"\nstream\n", start, end)  # the dictionary comes before any stream data
        if stream_at != -1:
            head = data[start:stream_at]
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            body_start = stream_at + len(b"\nstream\n")
            objs[int(m.group(1))] = (head, data[body_start:body_start + length])
            pos = data.index(b"endobj", body_start + length) + 6
        else:
            objs[int(m.group(1))] = (data[start:end], None)
            pos = end + 7
    return objs


def _ref(data: bytes, key: bytes) -> int | None:
    m = re.search(rb"/" + key + rb" (\d+) 0 R", data)
    return int(m.group(1)) if m else None


def _refs(data: bytes) -> list[int]:
    return [int(n) for n in _REF.findall(data)]


def _pdf_string(text: str) -> bytes:
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _num(value: float) -> bytes:
    return (f"{value:.6f}".rstrip("0").rstrip(".") or "0").encode()


class _Writer:
    """Writes objects in order: streams directly, other objects packed into compressed object streams."""

    BATCH = 200

    def __init__(self, fh):
        self.fh = fh
        self.entries: dict[int, tuple[int, int, int]] = {}   # number -> (1, offset, 0) or (2, stream, index)
        self.pos = 0
        self.next = 1
        self.batch: list[tuple[int, bytes]] = []

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        if stream is None:
            self.batch.append((num, body))
            if len(self.batch) >= self.BATCH:
                self.flush()
            return
        self.entries[num] = (1, self.pos, 0)
        self.write(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (num, body, stream))

    def flush(self) -> None:
        if not self.batch:
            return
        holder = self.reserve()
        index, bodies, at = [], [], 0
        for i, (num, body) in enumerate(self.batch):
            self.entries[num] = (2, holder, i)
            index.append(b"%d %d" % (num, at))
            bodies.append(body)
            at += len(body) + 1
        head = b" ".join(index) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies) + b"\n", 6)
        self.batch = []
        self.entries[holder] = (1, self.pos, 0)
        self.write(b"%d 0 obj\n<</Type /ObjStm/N %d/First %d/Filter /FlateDecode/Length %d>>\nstream\n%s"
                   b"\nendstream\nendobj\n" % (holder, len(index), len(head), len(data), data))

    def finish(self, trailer: bytes) -> None:
        """The cross-reference stream (PDF 1.5) with the trailer entries, then startxref."""
        self.flush()
        xref = self.reserve()
        self.entries[xref] = (1, self.pos, 0)
        rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
        for num in range(1, self.next):
            kind, a, b = self.entries[num]
            rows.append(bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big"))
        data = zlib.compress(b"".join(rows), 6)
        start = self.pos
        self.write(b"%d 0 obj\n<</Type /XRef/Size %d/W [1 4 2]%s/Filter /FlateDecode/Length %d>>\nstream\n%s"
                   b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (xref, self.next, trailer, len(data), data, start))

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.pos += len(data)


def join_chunks(paths: list[Path], chunks: list[dict], target: Path) -> None:
    """Join the chunk PDFs (front matter first) into ``target``; see the comment above."""
    import hashlib

    n = len(paths) - 1
    digest = hashlib.sha256()
    with open(target, "wb") as fh:
        w = _Writer(fh)
        w.write(b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n")
        catalog, pages_root, struct_root, document, parent_tree, outline_root = (w.reserve() for _ in range(6))
        page_refs: list[int] = []
        doc_kids: list[bytes] = []
        nums: list[bytes] = []
        key = 0
        offsets: list[int] = []
        front_extra: dict[str, bytes] = {}
        info = None
        box = b""
        for k, path in enumerate(paths):
            data = path.read_bytes()
            digest.update(data)
            objs = _objects(data)
            trailer = data[data.rindex(b"trailer"):]
            cat = objs[_ref(trailer, b"Root")][0]
            pages = _ref(cat, b"Pages")
            sroot = _ref(cat, b"StructTreeRoot")
            sroot_body = objs[sroot][0]
            doc = _refs(re.search(rb"/K \[([^\]]*)\]", sroot_body).group(1))[0]
            ptree = _ref(sroot_body, b"ParentTree")
            skip = {_ref(trailer, b"Root"), sroot, ptree}
            outl = _ref(cat, b"Outlines")
            todo = [outl] if outl else []
            while todo:  # the chunk's own outline: rebuilt for the whole book below
                num = todo.pop()
                skip.add(num)
                todo += [r for r in (_ref(objs[num][0], b"First"), _ref(objs[num][0], b"Next")) if r]
            meta = _ref(cat, b"Metadata")
            if k:
                skip |= {_ref(trailer, b"Info"), meta}
            shared = {pages: pages_root, doc: document}
            new = {}
            for num in sorted(objs):
                if num in shared:
                    new[num] = shared[num]
                elif num not in skip:
                    new[num] = w.reserve()
            shift = key

            def renumber(body: bytes) -> bytes:
                body = _REF.sub(lambda m: b"%d 0 R" % new[int(m.group(1))] if int(m.group(1)) in new
                                else b"null", body)
                return _STRUCT_PARENT.sub(lambda m: m.group(0)[:-len(m.group(1))] + b"%d" % (int(m.group(1))
                                                                                               + shift), body)

            kids = _refs(re.search(rb"/Kids \[([^\]]*)\]", objs[pages][0]).group(1))
            offsets.append(len(page_refs))
            page_refs += [new[p] for p in kids]
            doc_kids += [b"%d 0 R" % new[r] for r in _refs(re.search(rb"/K \[([^\]]*)\]", objs[doc][0]).group(1))]
            tree = re.search(rb"/Nums \[(.*)\]", objs[ptree][0], re.S).group(1)
            for m in re.finditer(rb"(\d+) (\[[^\]]*\]|\d+ 0 R)", tree):
                nums.append(b"%d %s" % (int(m.group(1)) + shift, renumber(m.group(2))))
                key = max(key, int(m.group(1)) + shift + 1)
            if k == 0:
                info = new.get(_ref(trailer, b"Info"))
                front_extra["lang"] = re.search(rb"/Lang (\([^)]*\))", cat).group(1)
                front_extra["meta"] = b"/Metadata %d 0 R" % new[meta] if meta else b""
                box = b"".join(re.search(rb"(/%s \[[^\]]*\])" % name, objs[kids[0]][0]).group(1)
                               for name in (b"MediaBox", b"TrimBox", b"BleedBox"))
            for num in sorted(objs):
                if num in skip or num == pages or num == doc:
                    continue
                body, stream = objs[num]
                w.put(new[num], renumber(body), stream)
            del objs, data
            if (k == 0 or k < n) and len(kids) % 2:
                # the blank left-hand page before the next unit, as the single pass has it
                page = w.reserve()
                content = w.reserve()
                w.put(content, b"<</Length 0>>", b"")
                w.put(page, b"<</Type /Page/Parent %d 0 R%s/Contents %d 0 R/Resources <<>>/Tabs /S"
                      b"/StructParents %d>>" % (pages_root, box, content, key))
                nums.append(b"%d []" % key)
                key += 1
                page_refs.append(page)
        offsets.append(len(page_refs))

        # named destinations (links between chunks find their target through them)
        names: dict[str, bytes] = {}
        for k, chunk in enumerate(chunks):
            for name, (page, x, y) in chunk["anchors_xy"].items():
                names.setdefault(name, b"%s [%d 0 R /XYZ %s %s 0]" % (
                    _pdf_string(name), page_refs[offsets[k] + page], _num(x), _num(y)))
        dests = b" ".join(names[name] for name in sorted(names))

        # outline, nested as WeasyPrint nests it
        flat = [(lvl, label, offsets[k] + p, x, y, state)
                for k, chunk in enumerate(chunks) for lvl, label, p, x, y, state in chunk["bookmarks"]]

        def outline(nodes, parent: int) -> tuple[list[int], int]:
            numbers = [w.reserve() for _ in nodes]
            count = len(nodes)
            for i, (label, page, x, y, children, state) in enumerate(nodes):
                kids, kid_count = outline(children, numbers[i])
                if state != "closed":
                    count += kid_count
                parts = [b"<</Title %s/Dest [%d 0 R /XYZ %s %s 0]/Count %d" % (
                    _pdf_string(label), page_refs[page], _num(x), _num(y),
                    -kid_count if state == "closed" else kid_count)]
                if kids:
                    parts.append(b"/First %d 0 R/Last %d 0 R" % (kids[0], kids[-1]))
                if i:
                    parts.append(b"/Prev %d 0 R" % numbers[i - 1])
                if i + 1 < len(nodes):
                    parts.append(b"/Next %d 0 R" % numbers[i + 1])
                parts.append(b"/Parent %d 0 R>>" % parent)
                w.put(numbers[i], b"".join(parts))
            return numbers, count

        top, count = outline(_bookmark_tree(flat), outline_root)
        w.put(outline_root, b"<</Count %d/First %d 0 R/Last %d 0 R>>" % (count, top[0], top[-1]) if top
              else b"<</Count 0>>")
        w.put(pages_root, b"<</Type /Pages/Kids [%s]/Count %d>>" % (
            b" ".join(b"%d 0 R" % p for p in page_refs), len(page_refs)))
        w.put(document, b"<</Type /StructElem/S /Document/K [%s]/P %d 0 R>>" % (b" ".join(doc_kids), struct_root))
        w.put(parent_tree, b"<</Nums [%s]>>" % b" ".join(nums))
        w.put(struct_root, b"<</Type /StructTreeRoot/ParentTree %d 0 R/K [%d 0 R]/ParentTreeNextKey %d>>" % (
            parent_tree, document, key))
        first_main = offsets[1] if n else 0
        labels = (b"0 <</S /r>> " if first_main else b"") + b"%d <</S /D/St 1>>" % first_main
        w.put(catalog, b"<</Type /Catalog/Pages %d 0 R/Outlines %d 0 R/Lang %s/Names <</Dests <</Names [%s]>>>>"
              b"/StructTreeRoot %d 0 R/ViewerPreferences <</DisplayDocTitle true>>/MarkInfo <</Marked true>>"
              b"%s/PageLabels <</Nums [%s]>>>>" % (pages_root, outline_root, front_extra["lang"], dests,
                                                    struct_root, front_extra["meta"], labels))
        ident = digest.hexdigest()[:32].encode()
        w.finish(b"/Root %d 0 R%s/ID [<%s> <%s>]" % (catalog, b"/Info %d 0 R" % info if info else b"", ident, ident))
