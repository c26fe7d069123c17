"""Book assembly without a full build: any nav becomes parts and chapters, links and ids
are rewritten for print, rendering is hermetic, downloads are registered."""
from __future__ import annotations

import json
import logging

import pytest

from guidebook import downloads, htmltree, pdf
from guidebook.book import BookError, NavNode, WebPage, build_units, plan_book

SITE = "https://contoh.invalid/panduan/"


def page(src: str, html: str = "", title: str = "", **kw) -> WebPage:
    stem = src[:-3]
    url = stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
    title = title or stem.rsplit("/", 1)[-1].replace("-", " ").title()
    return WebPage(src=src, url=url, title=title, html=html or f"<h1 id='t'>{title}</h1><p>Isi.</p>", **kw)


def nav(*items) -> list[NavNode]:
    def node(item):
        if isinstance(item, str):
            return NavNode(title="", src=item)
        title, children = item
        return NavNode(title=title, children=tuple(node(c) for c in children))
    return [node(i) for i in items]


def test_nav_becomes_front_matter_parts_chapters_and_back_matter():
    pages = {s: page(s) for s in ["index.md", "a.md", "b/index.md", "b/x.md", "b/c/index.md", "b/c/y.md",
                                  "glosarium.md", "sumber.md", "tanpa-indeks/z.md", "unduh.md", "solo/index.md"]}
    pages["unduh.md"] = page("unduh.md", in_book=False)
    units = plan_book(nav("index.md", "a.md",
                          ("B", ["b/index.md", "b/x.md", ("C", ["b/c/index.md", "b/c/y.md"])]),
                          ("Lampiran", ["glosarium.md", "tanpa-indeks/z.md", "sumber.md"]),
                          ("Solo", ["solo/index.md"]),
                          "unduh.md"), pages)
    got = [(u.kind, u.page.src if u.page else u.title_text, u.number, u.depth) for u in units]
    assert got == [
        ("intro", "index.md", None, 0),
        ("chapter", "a.md", 1, 0),
        ("part", "b/index.md", 1, 0),
        ("chapter", "b/x.md", 2, 1),
        ("chapter", "b/c/index.md", 3, 1),
        ("chapter", "b/c/y.md", 4, 1),
        ("part", "Lampiran", 2, 0),          # a section without index page still opens a part
        ("chapter", "tanpa-indeks/z.md", 5, 1),
        ("chapter", "solo/index.md", 6, 0),  # a section holding only its index is a chapter
        ("back", "glosarium.md", None, 0),
        ("back", "sumber.md", None, 0),
    ]
    assert [u.label for u in units[:3]] == ["", "Bab 1", "Bagian I"]


def test_ids_links_footnotes_and_headings_are_rewritten_for_print():
    a = page("a.md", """<h1 id="judul">Judul A<a class="headerlink" href="#judul">¶</a></h1>
<p>Lihat <a href="../b/#bagian">bagian B</a>, <a href="../b/">halaman B</a>,
<a href="../unduh/">unduhan</a> dan <a href="https://contoh.org/dok">dokumen</a>
atau <a href="https://contoh.org/">https://contoh.org/</a> dan <a href="#judul">awal</a>.
Teks berkaki<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>
dan kutipan <sup class="klik-cite"><a href="../sumber/#sumber-x">[1]</a></sup>.</p>
<h2 id="dua">Dua</h2><section aria-labelledby="dua"><h3 id="tiga">Tiga</h3></section>
<svg viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs><path d="M0 0" fill="url(#g)"/></svg>
<table><tr><td><a href="https://contoh.org/tabel">tabel</a></td></tr></table>
<div class="footnote"><hr><ol><li id="fn:1"><p>Catatan kaki.&nbsp;<a class="footnote-backref" href="#fnref:1">↩</a></p></li></ol></div>""")
    b = page("b.md", '<h1 id="b">B</h1><h2 id="bagian">Bagian</h2>')
    s = page("sumber.md", '<h1>Daftar sumber</h1><ol><li id="sumber-x">X</li></ol>')
    pages = {p.src: p for p in (page("index.md"), a, b, s, page("unduh.md", in_book=False))}
    units = build_units(nav("index.md", "a.md", "b.md", "sumber.md", "unduh.md"), pages, SITE)
    ua = next(u for u in units if u.page and u.page.src == "a.md")
    html = str(ua.body)
    assert ua.title_text == "Judul A" and "headerlink" not in html and "<h1" not in html
    assert 'href="#p-b--bagian" class="xref"' in html
    assert 'href="#p-b" class="xref"' in html
    assert 'href="#p-a" class="xref"' in html                       # the title's own anchor
    assert f'href="{SITE}unduh/" class="external"' in html          # not in the book: the web page
    assert f'<span class="link-note"><span class="url">{SITE}unduh/</span></span>' in html
    assert '<span class="link-note"><span class="url">https://contoh.org/dok</span></span>' in html
    assert 'class="external url">https://contoh.org/</a> dan' in html  # text is the URL: no note
    assert '<span class="link-inline"> (<span class="url">https://contoh.org/tabel</span>)</span>' in html
    assert 'berkaki<span class="footnote">Catatan kaki.</span>' in html
    assert "footnote-backref" not in html and 'class="footnote">' in html and "<hr>" not in html
    assert 'kutipan\u00a0<sup class="klik-cite"><a href="#p-sumber--sumber-x">[1]</a>' in html
    assert '<h2 id="p-a--dua" class="bm2">Dua</h2>' in html
    assert 'aria-labelledby="p-a--dua"' in html and '<h3 id="p-a--tiga">' in html
    assert '<linearGradient id="g"/>' in html and 'viewBox="0 0 10 10"' in html  # SVG untouched
    assert [s.title for s in ua.sections] == ["Dua"]
    assert ua.web_url == SITE + "a/" and ua.qr.startswith("data:image/svg+xml")


def test_chapter_in_a_part_shifts_its_headings_and_skips_reference_headings():
    x = page("p/x.md", '<h1>X</h1><h2 id="a">A</h2><h2 id="r">Rujukan</h2><ol class="klik-references"></ol>')
    pages = {p.src: p for p in (page("p/index.md"), x)}
    units = build_units(nav(("P", ["p/index.md", "p/x.md"])), pages, SITE)
    chapter = units[1]
    assert chapter.level == 2
    assert '<h3 id="p-p-x--a" class="bm3">A</h3>' in str(chapter.body)
    assert [s.title for s in chapter.sections] == ["A"]


def test_clashing_anchors_and_pages_without_directory_urls():
    one = WebPage(src="a-b.md", url="a-b.html", title="Satu", html='<h1>Satu</h1><p><a href="a/b.html#x">dua</a></p>')
    two = WebPage(src="a/b.md", url="a/b.html", title="Dua", html='<h1>Dua</h1><p id="x">Isi</p>')
    home = WebPage(src="index.md", url="index.html", title="Beranda", html='<h1>Beranda</h1>')
    back = WebPage(src="a/c.md", url="a/c.html", title="Tiga", html='<h1>Tiga</h1><a href="../index.html">awal</a>')
    pages = {p.src: p for p in (one, two, home, back)}
    units = build_units(nav("index.md", "a-b.md", "a/b.md", "a/c.md"), pages, SITE)
    assert [u.anchor for u in units] == ["p-index", "p-a-b", "p-a-b-2", "p-a-c"]
    assert 'href="#p-a-b-2--x" class="xref"' in str(units[1].body)
    assert 'href="#p-index" class="xref xref--front"' in str(units[3].body)


def test_external_image_names_the_page():
    pages = {"a.md": page("a.md", '<h1>A</h1><img src="https://contoh.org/a.png" alt="a">')}
    with pytest.raises(BookError, match=r"docs/a\.md.*https://contoh\.org/a\.png"):
        build_units(nav("a.md"), pages, SITE)


def test_html_round_trip_keeps_svg_and_void_elements():
    src = ('<p>a &amp; b<br>c</p><svg viewBox="0 0 1 1"><path d="M0"/><path/></svg>'
           '<img src="x.png" alt="x"><pre>baris 1\n\nbaris 3</pre>')
    root = htmltree.parse_fragment(src)
    assert htmltree.inner_html(root) == src


@pytest.mark.parametrize("html, fragment", [
    ('<div style="background: url(https://contoh.org/latar.png)">x</div>', "alamat di luar situs: https://contoh.org/latar.png"),
    ('<img src="file:///etc/hostname" alt="x">', "di luar folder pembangunan"),
])
def test_renderer_fetches_nothing_outside_the_build(tmp_path, html, fragment):
    with pytest.raises(BookError, match=fragment):
        pdf.render_pdf(f'<html lang="id"><title>t</title><body>{html}</body></html>',
                       tmp_path / "out.pdf", base_dir=tmp_path, roots=[])
    assert not (tmp_path / "out.pdf").exists()


def test_renderer_reports_progress_and_page_count(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.klik.pdf")
    (tmp_path / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>')
    body = '<p style="break-after: page">satu</p><p>dua</p><img src="a.svg" alt="Gambar a">'
    count = pdf.render_pdf(f'<html lang="id"><title>t</title><body>{body}</body></html>',
                           tmp_path / "out.pdf", base_dir=tmp_path, roots=[])
    assert count == 2 and (tmp_path / "out.pdf").stat().st_size > 0
    assert "PDF: tata letak halaman 1" in caplog.text and "PDF: menulis berkas PDF" in caplog.text


def test_image_without_alt_text_fails(tmp_path):
    (tmp_path / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>')
    with pytest.raises(BookError, match="teks alternatif"):
        pdf.render_pdf('<html lang="id"><title>t</title><body><img src="a.svg"></body></html>',
                       tmp_path / "out.pdf", base_dir=tmp_path, roots=[])
    assert not (tmp_path / "out.pdf").exists()


def test_serve_skips_the_pdf_unless_asked(monkeypatch):
    monkeypatch.delenv("KLIK_PDF", raising=False)
    try:
        pdf.note_command("serve")
        assert not pdf.wanted()
        monkeypatch.setenv("KLIK_PDF", "1")
        assert pdf.wanted()
        pdf.note_command("build")
        monkeypatch.setenv("KLIK_PDF", "0")
        assert not pdf.wanted()
        monkeypatch.delenv("KLIK_PDF")
        assert pdf.wanted()
    finally:
        pdf.note_command(None)


def test_build_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    day = pdf.build_date()
    assert (day.year, day.month, day.day) == (2026, 9, 21)
    assert pdf.date_text(day) == "21 September 2026"


def test_downloads_registry_writes_manifest(tmp_path):
    (tmp_path / "unduh").mkdir()
    (tmp_path / "unduh/a.pdf").write_bytes(b"%PDF-1.7 abc")
    downloads.start(tmp_path)
    item = downloads.register(tmp_path, "unduh/a.pdf", title="A", kind="buku")
    assert item.bytes == 12 and item.format == "PDF"
    manifest = downloads.write(tmp_path)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["downloads"][0]["sha256"] == item.sha256
    with pytest.raises(downloads.DownloadError):
        downloads.register(tmp_path, "unduh/a.pdf", title="A", kind="tidak-ada")
    assert downloads.human_size(1536) == "1,5 KB" and downloads.human_size(3 * 1024 * 1024) == "3,0 MB"


def test_footnotes_stay_on_the_page_of_their_call(tmp_path):
    """Guards book.css against a WeasyPrint 70 bug (margin + border on @footnote moves notes)."""
    from pypdf import PdfReader

    filler = "<p>Isi halaman yang mengisi ruang.</p>" * 38
    body = (f'{filler}<p>Kalimat<span class="footnote">Catatan satu.</span> dan '
            f'<a href="https://contoh.org/x">tautan</a><span class="link-note">https://contoh.org/x</span>.</p>'
            + "<p>Lanjut.</p>" * 60)
    html = (f'<html lang="id"><title>t</title><link rel="stylesheet" href="{pdf.BOOK_CSS.as_uri()}">'
            f'<body>{body}</body></html>')
    pdf.render_pdf(html, tmp_path / "out.pdf", base_dir=tmp_path, roots=[pdf.BOOK_DIR])
    pages = [p.extract_text() for p in PdfReader(tmp_path / "out.pdf").pages]
    (call_page,) = [i for i, text in enumerate(pages) if "Kalimat" in text]
    assert "Catatan satu." in pages[call_page] and "https://contoh.org/x" in pages[call_page]


def test_indonesian_hyphenation_avoids_short_tails(tmp_path):
    """hyphens: auto with lang id, but never "pembangu-nan" (book.css hyphenate-limit-chars)."""
    from pypdf import PdfReader

    words = "pembangunan pemerintahan penyelenggaraan pemberdayaan kelembagaan " * 6
    html = (f'<html lang="id"><title>t</title><link rel="stylesheet" href="{pdf.BOOK_CSS.as_uri()}">'
            f'<body><p style="width: 24mm">{words}</p></body></html>')
    pdf.render_pdf(html, tmp_path / "out.pdf", base_dir=tmp_path, roots=[pdf.BOOK_DIR])
    lines = [line.strip() for line in PdfReader(tmp_path / "out.pdf").pages[0].extract_text().splitlines()]
    broken = [(a, b) for a, b in zip(lines, lines[1:]) if a.endswith("-")]
    assert broken, lines  # hyphenation is on
    for before, after in broken:
        head, tail = before.split()[-1][:-1], after.split()[0]
        assert len(head) >= 3 and len(tail) >= 4, (head, tail)


def test_printed_page_numbers_are_checked_against_their_targets(tmp_path):
    """render_pdf reads back every TOC/cross-reference number; data-page pins one when needed."""
    from weasyprint import HTML

    body = ('<a class="toc__row" href="#x"><span class="toc__text">X</span></a>'
            '<p>Lihat <a class="xref" href="#x">X</a> dan <a class="xref" href="#y">Y</a>.</p>'
            '<h2 id="x" style="break-before: page">X</h2><h2 id="y" style="break-before: page">Y</h2>')
    html = (f'<html lang="id"><title>t</title><link rel="stylesheet" href="{pdf.BOOK_CSS.as_uri()}">'
            f'<body>{body}</body></html>')
    document = HTML(string=html).render()
    where, refs = pdf._page_refs(document, None)
    assert where["x"] == "2" and where["y"] == "3"
    assert sorted(refs) == [("x", "2"), ("x", "2"), ("y", "3")]
    pinned = pdf._write_page_numbers(html, {"x": "7", "y": "9"})
    assert 'href="#y" data-page="9"' in pinned and 'class="toc__row" href="#x" data-page="7"' in pinned
    _, refs = pdf._page_refs(HTML(string=pinned).render(), None)
    assert sorted(refs) == [("x", "7"), ("x", "7"), ("y", "9")]
    assert pdf.render_pdf(html, tmp_path / "out.pdf", base_dir=tmp_path, roots=[pdf.BOOK_DIR]) == 3
