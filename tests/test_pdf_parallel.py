"""The handbook rendered in parallel chunks (guidebook/pdfjobs.py) equals the single-pass render.

One build of the real guide renders the PDF with two worker processes and hands
over its book HTML; the same HTML is then rendered in a single WeasyPrint pass
(``KLIK_PDF_JOBS=1``'s path) and the two PDFs are compared the way a reader and a
PDF checker would see them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT
from guidebook import pdfjobs
from guidebook.build import build_site
from guidebook.data import load_guide_data
from guidebook.pdf import BOOK_DIR, render_pdf
from guidebook.timing import ENV_BOOK

SLUG = load_guide_data(ROOT).region.book.slug


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path, dict]:
    """(parallel PDF from a real build, single-pass PDF of the same HTML, the build's pdf stage figures)."""
    mp = pytest.MonkeyPatch()
    work = tmp_path_factory.mktemp("parallel")
    mp.setenv(pdfjobs.ENV_JOBS, "2")
    mp.setenv(ENV_BOOK, str(work / "book"))
    mp.setenv("KLIK_BENCH_LOG", str(work / "log.jsonl"))
    try:
        site = build_site(ROOT, work / "site", pdf=True, offline=False)
    finally:
        mp.undo()
    html = (work / "book" / "book.html").read_text(encoding="utf-8")
    main = re.search(r'<div class="mainmatter">\s*<section[^>]*>\s*<h\d id="([^"]+)"', html).group(1)
    single = work / "single.pdf"
    render_pdf(html, single, base_dir=site, roots=[ROOT / "docs", BOOK_DIR, ROOT / "overrides"], main_anchor=main)
    logged = [json.loads(line) for line in (work / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    figures = next(e for e in logged if e["stage"] == "pdf")
    return site / "unduh" / f"{SLUG}.pdf", single, figures


def facts(path: Path) -> dict:
    """What must not differ between the two renders."""
    reader = PdfReader(path)
    pages = reader.pages
    index = {page.indirect_reference.idnum: i for i, page in enumerate(pages)}
    dests = {name: index[d.page.idnum] for name, d in reader.named_destinations.items()}

    def outline(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from outline(item, depth + 1)
            else:
                yield item.title, depth, reader.get_destination_page_number(item)

    links = []
    for i, page in enumerate(pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link" or "/A" in annot:
                continue  # web addresses
            dest = annot["/Dest"]
            target = dests.get(str(dest)) if isinstance(dest, str) else index[dest[0].idnum]
            links.append((i, annot.get("/Contents"), target))
    root = reader.trailer["/Root"]
    tree = root["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    keys = {int(nums[i]) for i in range(0, len(nums), 2)}
    used = [int(p["/StructParents"]) for p in pages if "/StructParents" in p]
    used += [int(a.get_object()["/StructParent"]) for p in pages for a in p.get("/Annots") or []
             if "/StructParent" in a.get_object()]
    document = tree["/K"][0].get_object() if isinstance(tree["/K"], list) else tree["/K"].get_object()
    return {
        "pages": len(pages),
        "text": [page.extract_text() for page in pages],
        "labels": list(reader.page_labels),
        "outline": list(outline(reader.outline)),
        "links": links,
        "struct_parents": used,
        "parent_tree_keys": keys,
        "document_kids": len(document["/K"]),
        "lang": str(root.get("/Lang")),
        "xmp": root["/Metadata"].get_object().get_data().decode(),
        "title": reader.metadata.title,
    }


@pytest.fixture(scope="module")
def both(pair) -> tuple[dict, dict]:
    parallel, single, _ = pair
    return facts(parallel), facts(single)


def test_the_build_really_rendered_in_chunks(pair):
    figures = pair[2]
    assert figures["jobs"] == 2 and figures["chunks"] >= 3, figures  # front matter + at least two main chunks
    assert figures["renders"] >= figures["chunks"]


def test_same_pages_and_text_on_every_page(both):
    par, one = both
    assert par["pages"] == one["pages"]
    differ = [i for i, (a, b) in enumerate(zip(par["text"], one["text"])) if a != b]
    assert not differ, f"teks berbeda di halaman (indeks) {differ[:10]}"


def test_same_page_labels(both):
    par, one = both
    assert par["labels"] == one["labels"]
    assert par["labels"][0] == "i" and "1" in par["labels"]


def test_same_outline(both):
    par, one = both
    assert par["outline"] == one["outline"]
    assert any(depth == 1 for _, depth, _ in par["outline"]), "kerangka tanpa tingkat kedua"


def test_every_internal_link_goes_to_the_same_page(both):
    par, one = both
    assert len(par["links"]) == len(one["links"]) > 100
    assert all(target is not None for _, _, target in par["links"]), "tautan internal tanpa tujuan"
    assert par["links"] == one["links"]


def test_one_tagged_structure_tree(both):
    par, one = both
    assert par["document_kids"] == one["document_kids"]
    assert len(par["struct_parents"]) == len(one["struct_parents"])
    assert len(set(par["struct_parents"])) == len(par["struct_parents"]), "kunci /StructParents ganda"
    missing = set(par["struct_parents"]) - par["parent_tree_keys"]
    assert not missing, f"kunci /StructParents tanpa entri di /ParentTree: {sorted(missing)[:10]}"


def test_pdf_ua_metadata(both):
    par, one = both
    assert par["lang"] == one["lang"] == "id"
    assert re.search(r"pdfuaid:part(>|=\")1", par["xmp"]), "XMP tanpa penanda PDF/UA-1"
    assert par["title"] == one["title"]


def test_bookmark_nesting_follows_weasyprint():
    """Levels 1, 2, 2, 1, 3: the level-3 bookmark hangs under the last level-1 one (as WeasyPrint does)."""
    flat = [(1, "A", 0, 0, 0, "open"), (2, "A.1", 1, 0, 0, "open"), (2, "A.2", 2, 0, 0, "open"),
            (1, "B", 3, 0, 0, "open"), (3, "B.x", 4, 0, 0, "open")]
    tree = pdfjobs._bookmark_tree(flat)
    assert [n[0] for n in tree] == ["A", "B"]
    assert [n[0] for n in tree[0][4]] == ["A.1", "A.2"]
    assert [n[0] for n in tree[1][4]] == ["B.x"]
