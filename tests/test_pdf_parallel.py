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
    """(parallel PDF from a real build, single-pass PDF of the same HTML, the build's pdf stage figures).

    The tests switch the build cache off (conftest.py), so the build has no page
    map: this is the cold path, where the chunks' numbers are corrected in place."""
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
    return site / "unduh" / f"{SLUG}.pdf", single, figures, html, site, main


def _render_parallel(pair, out: Path, mp: pytest.MonkeyPatch, page_map: Path) -> dict:
    """The book HTML of ``pair`` rendered again in chunks, with the page map at ``page_map``; its figures."""
    html, site, main = pair[3:]
    mp.setattr(pdfjobs, "_page_map_path", lambda root: page_map)
    stats: dict = {}
    pdfjobs.render_parallel(html, out, base_dir=site, roots=[ROOT / "docs", BOOK_DIR, ROOT / "overrides"],
                            main_anchor=main, workers=2, stats=stats)
    return stats


@pytest.fixture(scope="module")
def variants(pair, tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """The same book rendered in chunks with a wrong page map, then with the right one (as the
    wrong run left it), then without a map and without patching: name -> (facts, figures)."""
    work = tmp_path_factory.mktemp("variants")
    page_map = work / "pdf-pages.json"
    split = pdfjobs.Split(pair[3], 2)
    # every main chunk after the first "starts" far too early: footers and in-chunk references
    # change, some of them in width (two digits instead of three: those units are laid out again)
    page_map.write_text(json.dumps({a: str(10 + 7 * k) for k, a in enumerate(split.first_anchor[1:], 1)}))
    out = {}
    mp = pytest.MonkeyPatch()
    try:
        for name in ("wrong map", "right map", "no patching"):
            if name == "no patching":
                page_map.unlink()
                mp.setenv(pdfjobs.ENV_PATCH, "0")
            figures = _render_parallel(pair, work / f"{name}.pdf", mp, page_map)
            out[name] = (facts(work / f"{name}.pdf"), figures)
    finally:
        mp.undo()
    return out


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
    return facts(pair[0]), facts(pair[1])


def test_the_build_really_rendered_in_chunks(pair):
    figures = pair[2]
    assert figures["jobs"] == 2 and figures["chunks"] >= 3, figures  # front matter + at least two main chunks
    assert figures["renders"] >= figures["chunks"]


def test_a_cold_build_lays_every_chunk_out_once(pair):
    """No page map: the numbers of the first layout are corrected in place, not by a second round."""
    figures = pair[2]
    assert figures["rounds"] == 1 and figures["renders"] == figures["chunks"], figures
    assert figures["patched"], figures


@pytest.mark.parametrize("name", ["wrong map", "right map", "no patching"])
def test_other_page_maps_give_the_same_book(both, variants, name):
    one = both[1]
    par, figures = variants[name]
    assert par["pages"] == one["pages"], figures
    differ = [i for i, (a, b) in enumerate(zip(par["text"], one["text"])) if a != b]
    assert not differ, f"{name}: teks berbeda di halaman (indeks) {differ[:10]}"
    for key in ("labels", "outline", "links", "document_kids", "lang", "title"):
        assert par[key] == one[key], f"{name}: {key} berbeda"
    assert len(par["struct_parents"]) == len(one["struct_parents"])


def test_how_each_page_map_was_used(variants):
    wrong, right, unpatched = (variants[name][1] for name in ("wrong map", "right map", "no patching"))
    # a wrong map is corrected in place: footers, references, and the units whose numbers change width
    assert wrong["rounds"] == 1 and wrong["renders"] == wrong["chunks"], wrong
    assert any(footers for footers, _, _ in wrong["patched"]), wrong
    assert any(units for _, _, units in wrong["patched"]), wrong
    # the right map (left by the wrong run): one layout per chunk, nothing to correct
    assert right["rounds"] == 1 and right["renders"] == right["chunks"], right
    assert not any(footers or refs or units for footers, refs, units in right["patched"]), right
    # no patching: every main chunk laid out a second time
    assert unpatched["rounds"] == 2 and len(unpatched["unpatched"]) == unpatched["chunks"] - 1, unpatched


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


def test_a_short_book_gets_one_chunk_per_worker_and_a_long_one_stays_bounded():
    """Up to ONE_LAYOUT_CHUNK_PAGES a chunk, one chunk per worker (laid out once, numbers patched);
    beyond, chunks of at most MAX_CHUNK_PAGES keep every process's memory bounded."""
    page = "<p>" + "kata " * (pdfjobs.BYTES_PER_PAGE // 5) + "</p>"

    def book(pages: int) -> str:
        units = "".join(f'<section class="unit unit--chapter" id="bab-{i}">{page * 10}</section>'
                        for i in range(pages // 10))
        return f'<html><head></head><body><div class="mainmatter">{units}</div>\n</body></html>'

    assert len(pdfjobs.Split(book(260), 2).chunks) == 2
    assert len(pdfjobs.Split(book(400), 2).chunks) == 4
    assert len(pdfjobs.Split(book(100), 2).chunks) == 2
