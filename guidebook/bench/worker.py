"""One measured run of one stage, in a fresh process (``make bench`` starts many).

    python -m guidebook.bench.worker STAGE ROOT RESULT.json [SITE_DIR]

STAGE is ``data`` (load and validate guide_data/), ``build`` (the whole atomic build
into SITE_DIR, with whatever ``KLIK_PDF`` and other switches the environment holds)
or ``bare-pdf`` (one plain WeasyPrint render of the book HTML a build left in
``$KLIK_BENCH_BOOK``). A fresh process per run means no warm in-memory cache, and its
peak memory is its own: ``ru_maxrss`` of the process and of its largest child.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from guidebook.timing import ENV_BOOK, peak_rss_mb


def run_data(root: Path, site_dir: Path | None) -> dict:
    from guidebook.data import load_guide_data

    start = time.perf_counter()
    data = load_guide_data(root)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "files": len(data.files)}


def run_build(root: Path, site_dir: Path | None) -> dict:
    import mkdocs.commands.build  # noqa: F401  (imports are not what we time)
    import mkdocs.config  # noqa: F401

    from guidebook.build import build_site

    start = time.perf_counter()
    build_site(root, site_dir)
    return {"seconds": time.perf_counter() - start}


def _existing_base(base_url: str | None, site_dir: Path | None) -> str | None:
    """The build rendered from its temporary folder; after the swap that is SITE_DIR."""
    if not base_url:
        return str(site_dir) + "/" if site_dir else None
    path = base_url[len("file://"):] if base_url.startswith("file://") else base_url
    if "://" in path or Path(path).exists() or not site_dir:
        return base_url
    fixed = re.sub(r"/\.[^/]+\.build-[^/]+", "/" + Path(site_dir).name, path, count=1)
    return ("file://" if base_url.startswith("file://") else "") + fixed


def run_bare_pdf(root: Path, site_dir: Path | None) -> dict:
    import weasyprint

    folder = Path(os.environ[ENV_BOOK])
    meta = json.loads((folder / "book.json").read_text(encoding="utf-8"))
    html = (folder / "book.html").read_text(encoding="utf-8")
    base = _existing_base(meta.get("base_url"), site_dir)
    out = folder / "bare.pdf"
    start = time.perf_counter()
    weasyprint.HTML(string=html, base_url=base).write_pdf(str(out), **meta.get("options", {}))
    seconds = time.perf_counter() - start
    from pypdf import PdfReader

    return {"seconds": seconds, "pages": len(PdfReader(str(out)).pages), "bytes": out.stat().st_size}


STAGES = {"data": run_data, "build": run_build, "bare-pdf": run_bare_pdf}


def main(argv: list[str]) -> int:
    stage, root, result = argv[0], Path(argv[1]), Path(argv[2])
    site_dir = Path(argv[3]) if len(argv) > 3 else None
    try:
        out = STAGES[stage](root, site_dir)
        out["ok"] = True
    except BaseException as exc:  # reported, not raised: the bench goes on with other stages
        out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]}
    peak = peak_rss_mb()
    out.update(peak, peak_mb=max(peak.values()))
    result.write_text(json.dumps(out), encoding="utf-8")
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
