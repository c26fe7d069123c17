"""Stage timings that ``make bench`` reads; silent and nearly free otherwise.

A build stage wraps its work so the bench can time it inside a full build::

    from guidebook import timing

    with timing.stage("pdf") as figures:   # also "search", "worksheets", "docx" ...
        figures["weasyprint_seconds"] = render_the_handbook()

and the PDF stage hands over the single-pass book HTML it renders, so the bench can
time one bare WeasyPrint render of the very same document beside it::

    timing.book_html(html, base_url, pdf_variant="pdf/ua-1")   # write_pdf options

Inside ``stage("pdf")`` the stage may set ``figures["weasyprint_seconds"]`` (time spent
inside WeasyPrint), which separates our own overhead from WeasyPrint's. Both only write when ``make bench`` sets ``KLIK_BENCH_LOG`` (a JSON-lines file) or
``KLIK_BENCH_BOOK`` (a folder); a normal build pays one ``os.environ`` lookup.
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import time
from pathlib import Path
from typing import Any, Iterator

ENV_LOG = "KLIK_BENCH_LOG"
ENV_BOOK = "KLIK_BENCH_BOOK"


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(own, 1), "children_mb": round(children, 1)}


def record(name: str, seconds: float, **info: Any) -> None:
    """Append one stage timing to the bench log, when the bench asked for one."""
    path = os.environ.get(ENV_LOG)
    if not path:
        return
    entry = {"stage": name, "seconds": round(seconds, 4), "pid": os.getpid(), **peak_rss_mb(), **info}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


@contextlib.contextmanager
def stage(name: str, **info: Any) -> Iterator[dict]:
    """Time the block as stage ``name``; the block may add figures to the yielded dict."""
    extra: dict = dict(info)
    start = time.perf_counter()
    try:
        yield extra
    finally:
        record(name, time.perf_counter() - start, **extra)


def book_html(html: str, base_url: str | None = None, **write_pdf_options: Any) -> None:
    """Keep the whole-book HTML for the bench's bare WeasyPrint render.

    ``base_url`` is what the PDF stage passes to WeasyPrint (a folder or file URL in
    the build), so the bare render resolves stylesheets, fonts and images alike;
    ``write_pdf_options`` (JSON values, e.g. ``pdf_variant="pdf/ua-1"``) make it
    produce the same kind of PDF.
    """
    folder = os.environ.get(ENV_BOOK)
    if not folder:
        return
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / "book.html").write_text(html, encoding="utf-8")
    (out / "book.json").write_text(json.dumps({"base_url": base_url, "options": write_pdf_options}),
                                   encoding="utf-8")


def read_log(path: Path) -> list[dict]:
    if not Path(path).is_file():
        return []
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
