"""The printed handbook, read back with pypdf: what a printer and a PDF reader would check."""
from __future__ import annotations

import hashlib
import html as html_lib
import json
import posixpath
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT
from guidebook.build import BuildError, build_site
from guidebook.data import load_guide_data
from guidebook.site import region_nav

REGION = load_guide_data(ROOT).region
PDF_PATH = f"unduh/{REGION.book.slug}.pdf"
BACK_MATTER = {"glosarium.md", "sumber.md"}
A4 = (595.28, 841.89)
A5 = (419.53, 595.28)


@pytest.fixture(scope="session")
def reader(built_site) -> PdfReader:
    return PdfReader(built_site / PDF_PATH)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def flat_outline(reader: PdfReader, items=None, depth=0):
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            yield from flat_outline(reader, item, depth + 1)
        else:
            yield item.title, reader.get_destination_page_number(item), depth


def front_matter(src: str) -> dict:
    text = (ROOT / "docs" / src).read_text(encoding="utf-8")
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(m.group(1)) if m else {}


def built_title(site: Path, src: str) -> str:
    stem = src[:-3]
    rel = stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
    html = (site / rel / "index.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>|&para;|¶", "", h1)).split())


def expected_chapters(site: Path) -> list[tuple[str, str]]:
    """(source, title) of every chapter, read from the site's nav (the book's contract)."""
    def srcs(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for item in value:
                yield from srcs(item if isinstance(item, str) else next(iter(item.values())))

    def is_chapter(src):
        return (src.endswith(".md") and src != "index.md" and src not in BACK_MATTER
                and front_matter(src).get("pdf", True) is not False)

    chapters = []
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    for item in region_nav(nav, ROOT / "docs"):  # docs/daerah/ pages join the nav at build time
        value = item if isinstance(item, str) else next(iter(item.values()))
        pages = [s for s in srcs(value) if is_chapter(s)]
        if isinstance(value, list) and len(pages) > 1 and posixpath.basename(pages[0]) == "index.md":
            pages = pages[1:]  # the section's index page opens the part
        chapters += pages
    return [(src, built_title(site, src)) for src in chapters]


# ------------------------------------------------------------------ the real book


def test_every_page_is_a4(reader):
    assert len(reader.pages) > 10
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.1)


def test_every_chapter_has_a_bookmark_to_the_page_printing_its_title(reader, built_site):
    outline = list(flat_outline(reader))
    chapters = expected_chapters(built_site)
    assert chapters
    for number, (src, title) in enumerate(chapters, start=1):
        hits = [(t, p) for t, p, _ in outline if t == f"Bab {number}. {title}"]
        assert hits, f"no bookmark for chapter {number} {title!r} ({src}) in {[t for t, _, _ in outline]}"
        text = reader.pages[hits[0][1]].extract_text()
        assert squash(title) in squash(text), f"{title!r} is not printed on its bookmark's page"
        assert f"BAB{number}" in squash(text)
        # the QR code's address is printed beside it
        assert squash(REGION.site.url) in squash(text)


def test_back_matter_and_front_matter_are_bookmarked(reader):
    titles = [t for t, _, depth in flat_outline(reader) if depth == 0]
    assert titles[0] == "Daftar Isi"
    assert titles[-2:] == ["Glosarium", "Daftar sumber"]


def _text_items(page):
    items = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            items.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return items


def test_toc_page_numbers_are_the_pages_of_their_targets(reader):
    labels = reader.page_labels
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    toc_start = next(p for t, p, _ in flat_outline(reader) if t == "Daftar Isi")
    toc_end = next(p for t, p, d in flat_outline(reader) if d == 0 and p > toc_start)
    checked = set()
    for index in range(toc_start, toc_end):
        page = reader.pages[index]
        numbers = [(x, y, t) for x, y, t in _text_items(page) if re.fullmatch(r"\d+|[ivxlc]+", t)]
        if not numbers:
            continue  # the blank verso after the TOC
        footer = min(numbers, key=lambda n: n[1])  # the page's own number, at the bottom
        assert footer[2] == labels[index]
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            xa, ya, xb, yb = (float(v) for v in annot["/Rect"])
            for x, y, text in numbers:
                if (x, y, text) != footer and min(xa, xb) <= x <= max(xa, xb) and min(ya, yb) <= y <= max(ya, yb):
                    assert text == labels[dests[annot["/Dest"]]], f"TOC says {text} for {annot['/Dest']}"
                    checked.add(str(annot["/Dest"]))
    outline_targets = {p for _, p, _ in flat_outline(reader)} - {toc_start}
    assert {dests[name] for name in checked} >= outline_targets


def test_printed_page_numbers_match_the_page_labels(reader, built_site):
    """What the footer prints is what a PDF viewer shows (/PageLabels): i, ii ... then 1, 2 ..."""
    labels = reader.page_labels
    assert labels[0] == "i" and "1" in labels
    first = labels.index("1")
    assert all(re.fullmatch(r"[ivxlc]+", label) for label in labels[:first])
    # poppler places text drawn inside SVG figures correctly (pypdf does not)
    out = subprocess.run(["pdftotext", "-bbox", str(built_site / PDF_PATH), "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', out, re.S)
    assert len(pages) == len(labels)
    printed = 0
    for index, (height, words) in enumerate(pages[2:], start=2):
        footer = [w for y, w in re.findall(r'<word [^>]*yMin="([\d.]+)"[^>]*>([^<]*)</word>', words)
                  if float(y) > float(height) - 45]  # the bottom margin box
        if footer:  # blank pages print nothing
            assert footer == [labels[index]], (index, footer)
            printed += 1
    assert printed > len(labels) / 2


def test_cross_references_print_the_page_of_their_target(reader):
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    glossary = dests["p-glosarium"]
    text = " ".join(p.extract_text() for p in reader.pages)
    assert f"glosarium (lihat hlm. {reader.page_labels[glossary]})" in " ".join(text.split())


def test_metadata_and_language(reader):
    info = reader.metadata
    assert info["/Title"] == f"{REGION.book.title}: {REGION.clinic.title}"
    assert info["/Author"] == REGION.book.publisher
    assert info["/Subject"] == REGION.book.subtitle
    assert REGION.clinic.acronym in info["/Keywords"]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "id"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp


def test_pdf_is_tagged_and_images_carry_alt_text(reader):
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    tree = root["/StructTreeRoot"].get_object()
    kinds, figures = set(), []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                kinds.add(node["/S"])
                if node["/S"] == "/Figure":
                    figures.append(node)
            kids = node.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                    walk(kid)

    walk(tree)
    assert {"/Document", "/H1", "/H2", "/P", "/Table", "/L", "/Link"} <= kinds
    assert figures  # logo and QR codes
    assert all(str(f.get("/Alt", "")).strip() for f in figures)


def test_every_font_is_embedded_and_text_is_set_in_the_sites_fonts(reader):
    from fontTools.ttLib import TTFont

    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            desc = desc.get_object()
            fonts[str(font["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    assert any("Source-Sans-3" in name for name in fonts)
    # another font only stands in for characters the site's fonts do not have
    site_chars = set()
    for woff in (ROOT / "overrides/assets/fonts").glob("*.woff2"):
        site_chars |= {chr(c) for c in TTFont(woff).getBestCmap()}
    fallback = set()

    def visit(text, cm, tm, font, size):
        if font and "Source-" not in str(font.get("/BaseFont")):
            fallback.update(c for c in text if not c.isspace())

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert not fallback & site_chars, f"set in a fallback font although the site font has them: {fallback & site_chars}"


def test_links_inside_the_book_and_out_of_it(reader):
    internal, external = 0, set()
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annot:
                internal += 1
            elif "/URI" in annot.get("/A", {}):
                external.add(annot["/A"]["/URI"])
    assert internal > 20
    assert REGION.site.url in external


def test_manifest_lists_every_download_with_its_size_and_hash(built_site):
    manifest = json.loads((built_site / "unduh/manifest.json").read_text(encoding="utf-8"))
    (item,) = [d for d in manifest["downloads"] if d["path"] == PDF_PATH]
    assert item["kind"] == "buku" and item["format"] == "PDF" and item["media_type"] == "application/pdf"
    for item in manifest["downloads"]:  # the PDF, the offline copy, and whatever joins later
        data = (built_site / item["path"]).read_bytes()
        assert item["bytes"] == len(data)
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
    files = {p.relative_to(built_site).as_posix() for p in (built_site / "unduh").rglob("*")
             if p.suffix in (".pdf", ".zip", ".docx")}
    assert files == {d["path"] for d in manifest["downloads"] if d["path"].startswith("unduh/")}
    assert {d["kind"] for d in manifest["downloads"]} >= {"buku", "arsip", "lembar-kerja", "templat"}


def test_downloads_page_lists_exactly_the_manifest(built_site):
    manifest = json.loads((built_site / "unduh/manifest.json").read_text(encoding="utf-8"))
    html = (built_site / "unduh/index.html").read_text(encoding="utf-8")
    table = re.search(r'<div class="klik-downloads" data-klik-downloads>(.*?)</div>', html, re.S).group(1)
    listed = re.findall(r'<a href="([^"]+)" download>', table)
    assert [posixpath.normpath(posixpath.join("unduh", h)) for h in listed] == \
        [d["path"] for d in manifest["downloads"]]
    from guidebook.downloads import human_size
    for d in manifest["downloads"]:
        assert human_size(d["bytes"]) in table


def test_every_page_links_to_the_pdf(built_site):
    pages = [p for p in built_site.rglob("*.html") if p.name == "index.html"]
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        m = re.search(r'<a class="klik-unduh[^"]*" href="([^"]+)" download>', html)
        assert m, f"{page}: no 'Unduh PDF' link"
        assert (page.parent / m.group(1)).resolve() == (built_site / PDF_PATH).resolve()
        assert "Unduh PDF" in html


def test_downloads_page_is_not_in_the_book(reader):
    assert "Unduhan" not in [t for t, _, _ in flat_outline(reader)]


# ------------------------------------------------------------------ small books (fast builds)


def small_book(project: Path, page_size: str | None = None) -> Path:
    """The project with a three-chapter nav, so a PDF build takes seconds."""
    cfg_file = project / "mkdocs.yml"
    cfg = yaml.safe_load(cfg_file.read_text(encoding="utf-8"))
    cfg["nav"] = [{"Beranda": "index.md"},
                  {"Tahapan": ["tahapan/index.md", "tahapan/inisiatif.md", "tahapan/uji-coba.md"]},
                  {"Kisah": "daerah/index.md"},
                  {"Glosarium": "glosarium.md"}, {"Daftar sumber": "sumber.md"}, {"Unduhan": "unduh.md"}]
    cfg["validation"]["omitted_files"] = "info"
    cfg_file.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    if page_size:
        region = project / "guide_data/region.yml"
        text = region.read_text(encoding="utf-8")
        region.write_text(re.sub(r"page_size: A\d", f"page_size: {page_size}", text), encoding="utf-8")
    return project


def test_a5_pocket_book(project):
    site = build_site(small_book(project, "A5"), project / "site", pdf=True)
    reader = PdfReader(site / PDF_PATH)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A5, abs=0.1)
    titles = [t for t, _, _ in flat_outline(reader)]
    assert "Bab 1. Inisiatif" in titles and "Glosarium" in titles
    # a link to a page that is not in this book goes to the website instead
    text = squash(" ".join(p.extract_text() for p in reader.pages))
    assert squash(REGION.site.url + "tahapan/penerapan/") in text


def test_external_image_fails_the_build_and_keeps_the_site(project):
    small_book(project)
    site = build_site(project, project / "site")  # HTML only
    before = sorted(p.name for p in site.rglob("*"))
    page = project / "docs/tahapan/inisiatif.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\n![Bagan](https://example.com/bagan.png)\n", encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build_site(project, project / "site", pdf=True)
    msg = str(exc.value)
    assert "https://example.com/bagan.png" in msg
    assert "docs/tahapan/inisiatif.md" in msg and "luar situs" in msg
    assert sorted(p.name for p in site.rglob("*")) == before


def test_html_only_build_points_to_the_downloads_page(project):
    site = build_site(project, project / "site", offline=False)  # KLIK_PDF=0 from the fixture
    assert not (site / PDF_PATH).exists()
    listed = json.loads((site / "unduh/manifest.json").read_text(encoding="utf-8"))["downloads"]
    assert not [d for d in listed if d["kind"] in ("buku", "arsip")]  # no handbook, no offline copy
    html = (site / "tahapan/inisiatif/index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="klik-unduh[^"]*" href="\.\./\.\./unduh/"', html)
    assert "KLIK_PDF=1" in (site / "unduh/index.html").read_text(encoding="utf-8")


def test_unknown_switch_value_is_explained(project, monkeypatch):
    monkeypatch.setenv("KLIK_PDF", "mungkin")
    with pytest.raises(BuildError, match="KLIK_PDF"):
        build_site(project, project / "site")


def test_offline_copy_has_no_pdf_and_links_to_the_web_one(built_site):
    import zipfile

    (archive,) = (built_site / "unduh").glob("*-offline.zip")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.endswith(PDF_PATH)]  # the worksheets may travel along
        page = zf.read(next(n for n in names if n.endswith("tahapan/inisiatif.html"))).decode("utf-8")
    link = re.search(r'<a class="klik-unduh[^"]*" href="([^"]+)"', page).group(1)
    assert link == REGION.site.url + PDF_PATH
