"""The content-hash build cache (guidebook/cache.py) and the PDF stage that uses it."""
from __future__ import annotations

from pathlib import Path

import pytest

from guidebook import cache, pdf


@pytest.fixture
def cache_on(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KLIK_CACHE", "1")
    monkeypatch.setenv("KLIK_CACHE_DIR", str(folder))
    for name in cache.stats:
        monkeypatch.setitem(cache.stats, name, 0)
    return folder


def book(tmp_path: Path, chapter: str, css: str = "h1 { color: #123456 }") -> tuple[str, Path]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "book.css").write_text(css, encoding="utf-8")
    html = (f'<!doctype html><html lang="id"><head><title>Buku</title><link rel="stylesheet" href="book.css">'
            f'</head><body><h1 id="bab-1">Bab 1</h1><p>{chapter}</p></body></html>')
    return html, site


def render(html: str, site: Path, root: Path, name: str = "buku.pdf") -> tuple[int, bool]:
    return pdf._render_cached(html, site / name, root=root, base_dir=site, roots=[], main_anchor="bab-1",
                              page_size="A5")


def test_unchanged_book_reuses_the_pdf(tmp_path, cache_on):
    html, site = book(tmp_path, "Isi bab pertama.")
    count, reused = render(html, site, tmp_path)
    first = (site / "buku.pdf").read_bytes()
    assert (count, reused) == (1, False)
    assert cache.stats == {"hit": 0, "miss": 1, "corrupt": 0}
    (site / "buku.pdf").unlink()
    count, reused = render(html, site, tmp_path)
    assert (count, reused) == (1, True)
    assert cache.stats["hit"] == 1 and cache.stats["miss"] == 1
    assert (site / "buku.pdf").read_bytes() == first


def test_changed_chapter_or_stylesheet_renders_again(tmp_path, cache_on):
    html, site = book(tmp_path, "Isi bab pertama.")
    render(html, site, tmp_path)
    changed, _ = book(tmp_path, "Isi bab pertama, diperbaiki.")
    assert render(changed, site, tmp_path)[1] is False
    assert cache.stats["miss"] == 2
    # same HTML, but a file the fetcher served (the stylesheet) changed
    book(tmp_path, "Isi bab pertama.", css="h1 { color: #654321 }")
    assert render(html, site, tmp_path)[1] is False
    assert cache.stats == {"hit": 0, "miss": 3, "corrupt": 0}
    assert render(html, site, tmp_path)[1] is True


def test_stylesheets_are_recorded_relative_to_the_temporary_site(tmp_path, cache_on):
    html, site = book(tmp_path, "Isi.")
    render(html, site, tmp_path)
    other = tmp_path / "site2"  # the next build's temporary folder has another name
    other.mkdir()
    (other / "book.css").write_bytes((site / "book.css").read_bytes())
    assert render(html, other, tmp_path)[1] is True


def test_corrupt_entry_is_detected_and_rebuilt(tmp_path, cache_on, caplog):
    html, site = book(tmp_path, "Isi.")
    render(html, site, tmp_path)
    good = (site / "buku.pdf").read_bytes()
    [blob] = (cache_on / "pdf").glob("*.bin")
    blob.write_bytes(good[:-100] + b"rusak")
    caplog.set_level("INFO")
    assert render(html, site, tmp_path)[1] is False
    assert cache.stats["corrupt"] == 1
    assert "rusak" in caplog.text
    assert (site / "buku.pdf").read_bytes()[-5:] != b"rusak"
    assert cache.file_hash(blob) == cache.file_hash(site / "buku.pdf")  # entry written again
    assert render(html, site, tmp_path)[1] is True


def test_klik_cache_0_bypasses(tmp_path, cache_on, monkeypatch):
    monkeypatch.setenv("KLIK_CACHE", "0")
    html, site = book(tmp_path, "Isi.")
    assert render(html, site, tmp_path)[1] is False
    assert render(html, site, tmp_path)[1] is False
    assert not cache_on.exists()
    assert cache.stats == {"hit": 0, "miss": 0, "corrupt": 0}


def test_generic_cache_keeps_only_the_newest_entries(tmp_path, cache_on):
    calls = []

    def produce(path: Path):
        calls.append(path)
        path.write_text(f"keluaran {len(calls)}", encoding="utf-8")
        return len(calls), []

    for n in range(cache.KEEP + 3):
        cache.cached_file("uji", [f"masukan {n}"], tmp_path / "out.txt", produce, root=tmp_path)
    assert len(list((cache_on / "uji").glob("*.json"))) == cache.KEEP
    assert len(list((cache_on / "uji").glob("*.bin"))) == cache.KEEP
    assert not list((cache_on / "uji").glob(".tmp-*"))
    info, hit = cache.cached_file("uji", [f"masukan {cache.KEEP + 2}"], tmp_path / "out.txt", produce,
                                  root=tmp_path)
    assert (info, hit) == (cache.KEEP + 3, True)
    info, hit = cache.cached_file("uji", ["masukan 0"], tmp_path / "out.txt", produce, root=tmp_path)
    assert hit is False  # the oldest entry was pruned


def test_key_parts_cannot_run_together():
    assert cache.make_key("k", ["ab", "c"]) != cache.make_key("k", ["a", "bc"])
    assert cache.make_key("k", ["a"]) != cache.make_key("l", ["a"])


# ------------------------------------------------------------- whole builds


def _logged(caplog, text: str) -> int:
    return sum(text in r.getMessage() for r in caplog.records)


def test_unchanged_project_is_not_built_again_and_a_touched_site_is(project, cache_on, caplog, monkeypatch):
    from guidebook.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    caplog.set_level("INFO")
    site = build_site(project, project / "site", offline=False)
    index = site / "index.html"
    stamp = index.stat().st_mtime_ns
    assert _logged(caplog, "Tidak ada yang berubah") == 0
    build_site(project, project / "site", offline=False)
    assert _logged(caplog, "Tidak ada yang berubah") == 1
    assert index.stat().st_mtime_ns == stamp  # not rewritten
    # other options, or a site folder someone edited, are not what the last build made
    build_site(project, project / "site", offline=False, pdf=False, config_file="mkdocs.yml")
    assert _logged(caplog, "Tidak ada yang berubah") == 2  # pdf=False is what KLIK_PDF=0 already said
    index.write_text(index.read_text(encoding="utf-8") + "<!-- disunting -->", encoding="utf-8")
    build_site(project, project / "site", offline=False)
    assert _logged(caplog, "Tidak ada yang berubah") == 2
    assert "disunting" not in index.read_text(encoding="utf-8")
    monkeypatch.setenv("KLIK_CACHE", "0")
    build_site(project, project / "site", offline=False)
    assert _logged(caplog, "Tidak ada yang berubah") == 2


def test_chapter_edit_renders_no_worksheet_or_docx_again(project, cache_on, caplog, monkeypatch):
    from guidebook.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    caplog.set_level("INFO")
    build_site(project, project / "site", offline=False)
    first = dict(cache.stats)
    assert first["hit"] == 0 and first["miss"] >= 13  # 6 templates x (PDF, DOCX) and the search index
    page = project / "docs" / "tahapan" / "inisiatif.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nKalimat tambahan untuk uji cache.\n", encoding="utf-8")
    site = build_site(project, project / "site", offline=False)
    assert "Kalimat tambahan untuk uji cache" in (site / "tahapan" / "inisiatif" / "index.html").read_text(
        encoding="utf-8")
    assert cache.stats["miss"] == first["miss"] + 1  # only the search index: the page text changed
    assert cache.stats["hit"] == first["miss"] - 1
    assert _logged(caplog, "Indeks pencarian") == 2 and _logged(caplog, "search dipakai ulang") == 0
    for template in ("proposal-inovasi", "rancangan-sk-tim-inovasi"):
        assert _logged(caplog, f"templat-{template}-pdf dipakai ulang") == 1
        assert _logged(caplog, f"templat-{template}-docx dipakai ulang") == 1


def test_search_index_of_the_same_pages_comes_from_the_cache(built_site, cache_on, tmp_path):
    import shutil

    from guidebook import search
    from guidebook.data import load_guide_data

    from conftest import ROOT

    site = tmp_path / "site"
    shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("pagefind", "unduh"))
    data = load_guide_data(ROOT)
    made = search.index_site(site, data, tmp_path)
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    again = search.index_site(site, data, tmp_path)
    assert (made.reused, again.reused) == (False, True)
    assert {p.relative_to(site).as_posix(): p.read_bytes()
            for p in (site / "pagefind").rglob("*") if p.is_file()} == files
    assert "dipakai ulang" in again.summary()
