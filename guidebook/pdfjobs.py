"""Render the handbook in parallel: chunks of whole units in worker processes, one PDF.

WeasyPrint lays a document out on one core and keeps every page in memory. The
book HTML is therefore cut at unit boundaries into a front chunk (cover, imprint,
table of contents, introduction) and a few main chunks of whole parts and
chapters, balanced by size and never larger than ``MAX_CHUNK_PAGES`` estimated
pages. Each chunk is rendered by a fresh worker process; the pieces are then
joined, one at a time, into the same document a single pass would give:

* Every unit starts on a right-hand page, so a chunk's page count does not
  depend on where it starts; a chunk with an odd page count is followed by a
  blank page, as the single pass inserts one before the next unit.
* Page numbers: a main chunk's page counter starts at its first page number
  (CSS ``counter-reset``); TOC and "(lihat hlm. N)" numbers are written into the
  HTML (``data-page``). Both come from a page map (anchor -> printed page) kept
  from the previous build in ``.cache/`` (like LaTeX's .aux file). After every
  round the numbers are checked against where each target landed; the chunks
  with a wrong start or a wrong printed number are rendered again (bounded).
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
MAX_CHUNK_PAGES = 110   # pages per worker: bounds the memory of every process
BYTES_PER_PAGE = 4800   # first estimate of HTML bytes per printed page (measured on the guide)
MAX_ROUNDS = 4
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
        for k, chunk in enumerate(self.chunks, start=1):
            for a in re.findall(r'\bid="([^"]+)"', chunk):
                self.home.setdefault(a, k)
        m = re.search(r'<h1 class="cover__title">(.*?)</h1>', html, re.S)
        self.book_title = html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""

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


def render_chunk(job: dict) -> dict:
    """In a worker process: lay out one chunk, return its PDF and what the assembly needs."""
    from . import pdf as single
    from .book import roman

    started = time.perf_counter()
    with single._weasyprint_logging() as watch:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        base_dir = Path(job["base_dir"])
        fetcher = single._hermetic_fetcher([base_dir, *map(Path, job["roots"])])
        html = _pin(job["html"], job["pins"])
        try:
            document = HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render(
                font_config=FontConfiguration(), pdf_variant="pdf/ua-1")
        except fetcher.error as exc:
            return {"error": single.BookError.__name__, "fetch": str(exc.args[0]) if exc.args else str(exc)}
        first = job["first_page"]
        count = len(document.pages)
        labels = ([roman(i + 1).lower() for i in range(count)] if first is None
                  else [str(first + i) for i in range(count)])
        anchors = {}
        anchors_xy = {}
        for i, page in enumerate(document.pages):
            for name, (x, y, _, _) in page.anchors.items():
                anchors.setdefault(name, i)
                anchors_xy.setdefault(name, (i, x * 0.75, (page.height - y) * 0.75))
        refs = single.printed_refs(document)
        # Links to other chunks: WeasyPrint drops links to anchors it has not seen, so
        # they get a stand-in anchor here; the assembly points the names at the real pages.
        foreign = sorted({target for page in document.pages for kind, target, _, _ in page.links
                          if kind == "internal" and target not in anchors})
        for name in foreign:
            document.pages[0].anchors[name] = (0, 0, 0, 0)
        bookmarks = []
        for i, page in enumerate(document.pages):
            for level, label, (x, y), state in page.bookmarks:
                bookmarks.append((level, label, i, x * 0.75, (page.height - y) * 0.75, state))
        laid_out = time.perf_counter()
        if job["write"]:
            _plain_objects()
            document.write_pdf(job["out"], pdf_variant="pdf/ua-1")
    errors = [e for e in watch.errors if not e.startswith("No anchor #")]
    return {"pdf": job["out"] if job["write"] else None, "anchors_xy": anchors_xy, "count": count, "labels": labels, "anchors": anchors, "refs": refs,
            "bookmarks": bookmarks, "foreign": foreign, "errors": errors,
            "inputs": [str(p) for p in fetcher.seen], "layout_s": laid_out - started,
            "write_s": time.perf_counter() - laid_out, "pid": os.getpid(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


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
    guess = 1
    for k in range(n):
        first_pages.append(int(known[split.first_anchor[k]]) if split.first_anchor[k] in known
                           and known[split.first_anchor[k]].isdigit() else guess)
        guess += 2 * math.ceil(split.sizes[k] / BYTES_PER_PAGE / 2)
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


def _rounds(split, known, first_pages, results, todo, stats, where, scratch, html, target, base_dir, roots,
            main_anchor, workers, map_root, inputs) -> int:
    from .book import BookError

    n = len(split.chunks)
    pool_started = time.perf_counter()
    ctx = get_context("spawn")  # fresh processes: their memory is their own and ends with them
    with _workers_skip_main(), ProcessPoolExecutor(max_workers=min(workers, n + 1), mp_context=ctx,
                                                   max_tasks_per_child=1) as pool:
        for round_no in range(1, MAX_ROUNDS + 1):
            stats["rounds"] = round_no
            jobs_out = {}
            # largest first: the front chunk (small) last
            for k in sorted(todo, key=lambda k: -(split.sizes[k - 1] if k else 0)):
                pins = dict(where)
                if round_no == 1:  # stand-ins of about the right width for targets in other chunks
                    for a, home in split.home.items():
                        if a not in pins and home != k:
                            pins[a] = "v" if home == 0 else str(first_pages[home])
                # a chunk laid out with guessed numbers will be laid out again: skip writing its PDF
                sure = round_no > 1 or (k == 0 or split.first_anchor[k - 1] in known) and bool(known)
                job = {"html": split.front_html() if k == 0 else split.main_html(k - 1, first_pages[k]),
                       "first_page": first_pages[k], "pins": pins, "base_dir": str(base_dir),
                       "roots": [str(r) for r in roots], "write": sure,
                       "out": str(scratch / f"bagian-{k:03d}.pdf")}
                jobs_out[k] = pool.submit(render_chunk, job)
            for k, future in jobs_out.items():
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
                if out["errors"]:
                    from .pdf import _weasyprint_errors
                    raise BookError(_weasyprint_errors(out["errors"]))
                results[k] = out
                stats["renders"] += 1
                stats["layout_s"] += out["layout_s"]
                stats["write_s"] += out["write_s"]
                stats["worker_peak_mb"] = round(max(stats.get("worker_peak_mb", 0), out["peak_mb"]), 1)
            # where everything landed with the page counts of this round
            starts: list[int | None] = [None]
            page = 1
            for k in range(1, n + 1):
                starts.append(page)
                page += results[k]["count"] + (results[k]["count"] % 2 if k < n else 0)
            where = {}
            for k in range(n + 1):
                r = results[k]
                labels = r["labels"] if k == 0 else [str(starts[k] + i) for i in range(r["count"])]
                for name, i in r["anchors"].items():
                    where.setdefault(name, labels[i])
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
