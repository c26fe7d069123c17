"""Render the handbook in parallel: chunks of whole units in worker processes, one PDF.

WeasyPrint lays a document out on one core and keeps every page in memory. The
book HTML is therefore cut at unit boundaries into a front chunk (cover, imprint,
table of contents, introduction) and a few main chunks of whole parts and
chapters, balanced by size and never larger than ``MAX_CHUNK_PAGES`` estimated
pages. Each chunk is rendered by a fresh worker process; the pieces are then
joined with pikepdf into the same document a single pass would give:

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
  element, renumbered /StructParents and /ParentTree), the named destinations
  of every chunk (so links between chunks work), one outline built from every
  chunk's bookmarks with WeasyPrint's own nesting rule, /PageLabels, the front
  chunk's document info and XMP metadata, and a deterministic /ID.

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
import sys
import time
import warnings
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


def render_chunk(job: dict) -> dict:
    """In a worker process: lay out one chunk, return its PDF and what the assembly needs."""
    from weasyprint.formatting_structure.boxes import TextBox

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
        anchors = {name: i for i, page in enumerate(document.pages) for name in page.anchors}
        printed: dict[int, list] = {}
        for page in document.pages:
            for box in page._page_box.descendants():
                element = getattr(box, "element", None)
                if not isinstance(box, TextBox) or box.element_tag != "a::after" or element is None:
                    continue
                if not set((element.get("class") or "").split()) & set(single.PAGE_REF_CLASSES):
                    continue
                entry = printed.setdefault(id(element), [element.get("href", "")[1:], ""])
                entry[1] += box.text
        refs = []
        for anchor, text in printed.values():
            number = re.findall(r"(?<![a-z])([0-9]+|[ivxlcdm]+|\?)\)?\s*$", text)
            refs.append((anchor, number[-1] if number else text.strip()))
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
        data = document.write_pdf(pdf_variant="pdf/ua-1") if job["write"] else None
    errors = [e for e in watch.errors if not e.startswith("No anchor #")]
    return {"pdf": data, "count": count, "labels": labels, "anchors": anchors, "refs": refs,
            "bookmarks": bookmarks, "foreign": foreign, "errors": errors,
            "inputs": [str(p) for p in fetcher.seen], "layout_s": laid_out - started,
            "write_s": time.perf_counter() - laid_out, "pid": os.getpid()}


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
    from .book import BookError

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
    used_pins: list[dict | None] = [None] * (n + 1)
    todo = list(range(n + 1))
    stats = stats if stats is not None else {}
    stats.update(chunks=n + 1, rounds=0, renders=0, layout_s=0.0, write_s=0.0)
    where: dict[str, str] = dict(known)
    log.info("PDF: %d bagian dikerjakan oleh %d proses%s", n + 1, workers,
             "" if known else " (tanpa peta halaman dari pembangunan sebelumnya)")
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
                used_pins[k] = pins
                # a chunk laid out with guessed numbers will be laid out again: skip writing its PDF
                sure = round_no > 1 or (k == 0 or split.first_anchor[k - 1] in known) and bool(known)
                job = {"html": split.front_html() if k == 0 else split.main_html(k - 1, first_pages[k]),
                       "first_page": first_pages[k], "pins": pins, "base_dir": str(base_dir),
                       "roots": [str(r) for r in roots], "write": sure}
                jobs_out[k] = pool.submit(render_chunk, job)
            for k, future in jobs_out.items():
                out = future.result()
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
    data = assemble_pdf(results, html, main_anchor)
    stats["assemble_s"] = time.perf_counter() - assembled
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
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


def assemble_pdf(results: list[dict], html: str, main_anchor: str | None) -> bytes:
    """Join the chunk PDFs (front first) into one tagged PDF; see the module docstring."""
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    n = len(results) - 1
    out = pikepdf.open(io.BytesIO(results[0]["pdf"]))
    sources = [out] + [pikepdf.open(io.BytesIO(r["pdf"])) for r in results[1:]]
    width, height = (float(v) for v in out.pages[0].mediabox[2:4])
    doc_elem = out.Root.StructTreeRoot.K[0]
    nums = out.Root.StructTreeRoot.ParentTree.Nums
    next_key = max(int(nums[i]) for i in range(0, len(nums), 2)) + 1
    page_index: dict[tuple, int] = {}   # (source, objgen) -> index in out
    offsets = []

    def pad() -> None:
        """The blank left-hand page before a unit; tagged like WeasyPrint's (an empty /ParentTree entry)."""
        nonlocal next_key
        page = out.add_blank_page(page_size=(width, height))
        page.obj.MediaBox = out.pages[0].obj.MediaBox
        if "/BleedBox" in out.pages[0].obj:
            page.obj.BleedBox = out.pages[0].obj.BleedBox
        page.obj.StructParents = next_key
        nums.append(next_key)
        nums.append(Array())
        next_key += 1

    for i, page in enumerate(out.pages):
        page_index[(0, page.obj.objgen)] = i
    offsets.append(0)
    if len(out.pages) % 2:
        pad()
    for k in range(1, n + 1):
        src = sources[k]
        start = len(out.pages)
        offsets.append(start)
        shift = next_key
        src_nums = src.Root.StructTreeRoot.ParentTree.Nums
        for i, page in enumerate(src.pages):
            page_index[(k, page.obj.objgen)] = start + i
        with warnings.catch_warnings():  # named destinations: rebuilt below for the whole book
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning")
                                  else UserWarning)
            out.pages.extend(src.pages)
        for i in range(len(src.pages)):
            new = out.pages[start + i].obj
            if "/StructParents" in new:
                new.StructParents = int(new.StructParents) + shift
            for annot in new.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + shift
        for kid in src.Root.StructTreeRoot.K[0].K:
            kid = out.copy_foreign(kid)
            kid.P = doc_elem
            doc_elem.K.append(kid)
        for i in range(0, len(src_nums), 2):
            value = src_nums[i + 1]
            nums.append(int(src_nums[i]) + shift)
            nums.append(out.copy_foreign(value) if value.is_indirect else
                        Array([out.copy_foreign(v) if v.is_indirect else v for v in value]))
            next_key = max(next_key, int(src_nums[i]) + shift + 1)
        if k < n and len(src.pages) % 2:
            pad()
    out.Root.StructTreeRoot.ParentTreeNextKey = next_key

    # named destinations: every chunk's real anchors, first one wins (as WeasyPrint)
    names: dict[str, Array] = {}
    for k in range(n + 1):
        real = results[k]["anchors"]
        src = sources[k]
        tree = src.Root.get("/Names", {}).get("/Dests")
        if tree is None:
            continue
        arr = tree.Names
        for i in range(0, len(arr), 2):
            name = str(arr[i])
            if name not in real or name in names:
                continue
            dest = arr[i + 1]
            idx = page_index[(k, dest[0].objgen)] if k else page_index[(0, dest[0].objgen)]
            names[name] = Array([out.pages[idx].obj, Name.XYZ, dest[2], dest[3], 0])
    flat = Array()
    for name in sorted(names):
        flat.append(String(name))
        flat.append(names[name])
    out.Root.Names = Dictionary(Dests=Dictionary(Names=flat))

    # outline
    bookmarks = [(lvl, label, offsets[k] + p, x, y, state)
                 for k in range(n + 1) for lvl, label, p, x, y, state in results[k]["bookmarks"]]

    def outline(nodes, parent) -> tuple[list, int]:
        items, count = [], len(nodes)
        for label, page, x, y, children, state in nodes:
            item = out.make_indirect(Dictionary(
                Title=String(label), Dest=Array([out.pages[page].obj, Name.XYZ, x, y, 0])))
            kids, kid_count = outline(children, item)
            item.Count = -kid_count if state == "closed" else kid_count
            if state != "closed":
                count += kid_count
            if items:
                item.Prev = items[-1]
                items[-1].Next = item
            if kids:
                item.First, item.Last = kids[0], kids[-1]
            item.Parent = parent
            items.append(item)
        return items, count

    if "/Outlines" in out.Root:
        del out.Root["/Outlines"]
    if bookmarks:
        root = out.make_indirect(Dictionary(Type=Name.Outlines))
        items, count = outline(_bookmark_tree(bookmarks), root)
        root.Count, root.First, root.Last = count, items[0], items[-1]
        out.Root.Outlines = root

    # page labels: roman front matter, arabic from the main matter
    first = offsets[1] if n else 0
    label_nums = Array([0, Dictionary(S=Name("/r"))] if first else [])
    label_nums.extend([first, Dictionary(S=Name("/D"), St=1)])
    out.Root.PageLabels = Dictionary(Nums=label_nums)

    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             compress_streams=True)
    return buffer.getvalue()
