"""The bench machinery works end to end (its figures are never asserted as timings)."""
from __future__ import annotations

import gzip
import json
import os
import urllib.request

import pytest
import yaml

from guidebook import timing
from guidebook.bench import run, worker
from guidebook.bench.server import serve
from guidebook.bench.synthetic import SECTION, chapter_markdown, make_synthetic_guide


def test_synthetic_guide_has_chapters_parts_and_real_citations(tmp_path):
    out = make_synthetic_guide(12, tmp_path / "g")
    chapters = sorted((out / "docs" / SECTION).glob("bab-*.md"))
    assert len(chapters) == 12
    nav = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    section = next(item["Bab sintetis"] for item in nav if isinstance(item, dict) and "Bab sintetis" in item)
    parts = [p for p in section if isinstance(p, dict)]
    assert [len(next(iter(p.values()))) for p in parts] == [10, 2]
    names = [next(iter(i)) if isinstance(i, dict) else i for i in nav]
    assert names.index("Bab sintetis") < names.index("Lampiran")  # appendices stay after the chapters
    text = chapters[0].read_text(encoding="utf-8")
    source_ids = {s["id"] for s in yaml.safe_load((out / "guide_data/sources.yml").read_text("utf-8"))["sources"]}
    cited = set()
    for call in __import__("re").findall(r"sumber\(([^)]*)\)", text):
        cited |= {s.strip(" '") for s in call.split(",")}
    assert cited and cited <= source_ids
    assert "| Langkah |" in text and "{{ rujukan() }}" in text and "{ #bagian-1 }" in text
    assert len(text.split()) > 1000
    assert (out / "guidebook").is_symlink()


def test_a_chapter_reads_the_same_whatever_the_guide_size():
    strip_links = lambda s: __import__("re").sub(r"\[[^\]]*\]\([^)]*\)", "", s)  # noqa: E731
    assert strip_links(chapter_markdown(7, 10, ["a", "b"])) == strip_links(chapter_markdown(7, 200, ["a", "b"]))


def test_gzip_server_compresses_text_like_a_static_host(tmp_path):
    (tmp_path / "index.html").write_text("<p>halo</p>" * 200, encoding="utf-8")
    (tmp_path / "f.woff2").write_bytes(b"\x00" * 500)
    (tmp_path / "404.html").write_text("tidak ada", encoding="utf-8")
    with serve(tmp_path) as url:
        req = urllib.request.Request(url + "/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(r.read()).decode() == "<p>halo</p>" * 200
        req = urllib.request.Request(url + "/f.woff2", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:
            assert r.headers.get("Content-Encoding") is None and len(r.read()) == 500
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(url + "/hilang/")
        assert exc.value.code == 404 and exc.value.read() == b"tidak ada"


def test_timing_writes_only_when_the_bench_asks(tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    monkeypatch.delenv(timing.ENV_LOG, raising=False)
    with timing.stage("pdf"):
        pass
    assert not log.exists()
    monkeypatch.setenv(timing.ENV_LOG, str(log))
    with timing.stage("pdf", pages=3) as extra:
        extra["weasyprint_seconds"] = 0.5
    (entry,) = timing.read_log(log)
    assert entry["stage"] == "pdf" and entry["pages"] == 3 and entry["weasyprint_seconds"] == 0.5
    assert entry["self_mb"] > 0
    monkeypatch.setenv(timing.ENV_BOOK, str(tmp_path / "book"))
    timing.book_html("<h1>Buku</h1>", "file:///tmp/x/")
    assert (tmp_path / "book" / "book.html").read_text(encoding="utf-8") == "<h1>Buku</h1>"


def test_bare_weasyprint_render_of_a_handed_over_book(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "book.css").write_text("@page { size: A5 } h1 { break-before: page }", encoding="utf-8")
    # The PDF stage rendered from the build's temporary folder, since renamed to site/.
    monkeypatch.setenv(timing.ENV_BOOK, str(tmp_path / "book"))
    timing.book_html('<link rel="stylesheet" href="book.css"><h1>Satu</h1><h1>Dua</h1>',
                     f"file://{tmp_path}/.site.build-abc123/")
    result = run.worker("bare-pdf", tmp_path, site, {timing.ENV_BOOK: str(tmp_path / "book")})
    assert result["ok"], result
    assert result["pages"] == 2 and result["peak_mb"] > 0


def test_existing_base_maps_the_temporary_build_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    assert worker._existing_base(f"file://{tmp_path}/.site.build-x1/", site) == f"file://{site}/"
    assert worker._existing_base(None, site) == f"{site}/"


def test_bench_runs_on_a_tiny_guide_and_writes_results(tmp_path, monkeypatch):
    # outside a git checkout the build date is the newest input's: pin it, as a checkout's commit does
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    results_path = tmp_path / "results.json"
    results = run.run_bench(guides=["1"], runs=1, lighthouse=False, preview=True, weight=True,
                            workdir=tmp_path / "work", results_path=results_path, log=lambda m: None)
    saved = json.loads(results_path.read_text(encoding="utf-8"))
    assert saved["machine"]["cores"] == os.cpu_count()
    guide = saved["guides"]["sintetis-1"]
    for stage in ("data", "html", "ulang", "ubah-bab", "search", "worksheets"):
        assert guide["stages"][stage]["ok"], guide["stages"][stage]
        assert guide["stages"][stage]["median_s"] > 0 and guide["stages"][stage]["peak_mb"] > 0
    assert guide["stages"]["html"]["pages"] == guide["sizes"]["html_pages"] > 3
    assert set(saved["optional_stages"]) == {"pdf", "search", "tools"}
    # Reader weight: what issue 9 allows a cold page load, with nothing from other hosts.
    assert set(guide["weight"]) == {"/", run.heaviest_chapter(guide["sizes"])}
    for page in guide["weight"].values():
        assert page["foreign_requests"] == []
        assert 10_000 < page["transferred_bytes"] <= 100_000, page["by_type"]
    assert saved["live_preview"]["median_s"] > 0, saved["live_preview"]
    # The real PDF stage, timed by itself, next to one bare WeasyPrint render of its book HTML.
    stages = guide["stages"]
    assert stages["lengkap"]["ok"] and stages["pdf"]["ok"], stages
    assert "estimated" not in stages["pdf"]
    assert stages["pdf"]["pages"] > 100 and stages["pdf"]["weasyprint_seconds"] > 0
    assert stages["bare-pdf"]["ok"] and stages["bare-pdf"]["pages"] == stages["pdf"]["pages"], stages["bare-pdf"]
    assert guide["sizes"]["pdf"]["file"].endswith(".pdf")
    labels = [t["target"] for t in saved["targets"]]
    assert any(t.startswith("6. bobot") for t in labels) and any(t.startswith("7.") for t in labels)
    assert any(t.startswith("3. tahap PDF") for t in labels) and any(t.startswith("4. tambahan") for t in labels)
    table = run.report.render(results)
    assert "MkDocs (HTML)" in table and "Target issue 9" in table and "WeasyPrint polos" in table
    assert "tak terukur" not in table and "belum ada" not in table
    # an edited chapter renders no worksheet or DOCX again, and the project's text is restored
    assert guide["stages"]["ubah-bab"]["worksheets_made"] == 0
    # with nothing changed, every rebuild found the site up to date (the bench's log file is no input)
    assert guide["stages"]["ulang"]["up_to_date_runs"] == guide["stages"]["ulang"]["n"] == 1
    assert any(t["target"].startswith("2. satu bab diubah") and t["ok"] for t in saved["targets"])
    assert "Kalimat uji bench" not in "".join(
        p.read_text(encoding="utf-8") for p in (tmp_path / "work" / "sintetis-1" / "docs").rglob("*.md"))


