"""IID editions, IGA, clinic services and calendar: data rules, diffs and pages.

The documented maxima per edition (SPD 63, SID 111 per innovation) and contiguous
predicate bands are checked in test_data.py; here: the rules behind them reported as
Indonesian data errors, partial editions, the change page, indicator cards and the
clinic's data.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from guidebook import editions, klinik
from guidebook.build import build_site
from guidebook.data import DataError, load_guide_data, thaw
from guidebook.render import Renderer
from guidebook.render_iid import EditionError, indicator_page

ROOT = Path(__file__).resolve().parent.parent


def errors_for(project: Path, edit) -> str:
    edit(project)
    with pytest.raises(DataError) as exc:
        load_guide_data(project)
    return str(exc.value)


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def indicator_block(no: int) -> str:
    return f"  - no: {no}\n"


# ----------------------------------------------------------------- editions


def test_partial_editions_are_kept_out_of_the_scoring_collection():
    data = load_guide_data()
    full = [e.year for e in data.items("editions")]
    partial = [e["year"] for e in data.iid.values() if editions.is_partial(e)]
    assert partial, "the data records at least one later, partial edition"
    assert not set(full) & set(partial)
    for ed in data.iid.values():
        if editions.is_partial(ed):
            assert "indicators" not in ed


def test_every_full_edition_has_an_indicator_page_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for ed in load_guide_data().items("editions"):
        page = f"iid/indikator-{ed.year}.md"
        assert (ROOT / "docs" / page).is_file(), page
        assert page in nav, page


def test_indicator_page_refuses_a_partial_edition():
    data = load_guide_data()
    year = next(e["year"] for e in data.iid.values() if editions.is_partial(e))
    with pytest.raises(EditionError, match="catatan sebagian"):
        indicator_page(Renderer(data, "iid/x.md"), year)


def spd_weight_line(project: Path, no: int) -> tuple[Path, str]:
    path = project / "guide_data/iid/2024.yml"
    text = path.read_text(encoding="utf-8")
    block = text.split(indicator_block(no), 1)[1]
    line = re.search(r"^    weight: .+$", block, re.M).group(0)
    return path, line


def test_weights_that_miss_the_maximum_are_a_data_error(project):
    def edit(p):
        path, line = spd_weight_line(p, 19)
        text = path.read_text(encoding="utf-8")
        head, tail = text.split(indicator_block(19), 1)
        path.write_text(head + indicator_block(19) + tail.replace(line, "    weight: 3", 1), encoding="utf-8")
    message = errors_for(project, edit)
    assert re.search(r"2024\.yml, baris \d+, kunci `scoring\.sid_per_innovation_max\.value`: "
                     r"jumlah bobot indikator SID \(38\)", message), message
    assert "Perbaikan:" in message


def test_parts_that_do_not_sum_to_the_weight_are_a_data_error(project):
    message = errors_for(project, lambda p: replace(
        p / "guide_data/iid/2023.yml", "{id: kemajuan, name: Kemajuan TPT, weight: 0.75}",
        "{id: kemajuan, name: Kemajuan TPT, weight: 0.5}"))
    assert re.search(r"2023\.yml, baris \d+, kunci `indicators\[4\]\.parts`: jumlah bobot bagian indikator 5", message)


def test_a_gap_between_predicates_is_a_data_error(project):
    def edit(p):
        path = p / "guide_data/iid/2024.yml"
        replace(path, "    min: 35.00\n", "    min: 36.00\n")
    message = errors_for(project, edit)
    assert re.search(r"2024\.yml, baris \d+, kunci `predicates`: rentang predikat tidak bersambung: "
                     r"batas Kurang Inovatif", message), message


def test_a_partial_edition_may_not_carry_a_catalogue(project):
    def edit(p):
        text = (p / "guide_data/iid/2024.yml").read_text(encoding="utf-8")
        first = text.split(indicator_block(1), 1)[1].split(indicator_block(2), 1)[0]
        block = "indicators:\n" + indicator_block(1) + first
        path = p / "guide_data/iid/2026.yml"
        path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    message = errors_for(project, edit)
    assert re.search(r"2026\.yml, baris \d+, kunci `indicators`: edisi bertanda `catalogue: partial` "
                     r"tidak boleh memuat katalog indikator", message), message


def test_year_must_match_the_file_name(project):
    message = errors_for(project, lambda p: replace(p / "guide_data/iid/2026.yml", "year: 2026", "year: 2027"))
    assert "tahun edisi (2027) tidak sama dengan nama berkas (2026.yml)" in message


def test_a_full_edition_still_needs_its_scoring_parameters(project):
    message = errors_for(project, lambda p: replace(
        p / "guide_data/iid/2024.yml", "  count_cap:\n    value: 200\n    confidence: U\n    sources: [kode-pihak-ketiga]\n", ""))
    assert re.search(r"2024\.yml, baris \d+, kunci `scoring`: kunci wajib `count_cap` tidak ada", message), message


# --------------------------------------------------------------- the diff


def load_raw(year: int) -> dict:
    return thaw(load_guide_data().iid[str(year)])


def test_compare_reports_each_kind_of_change():
    old = load_raw(2024)
    new = copy.deepcopy(old)
    new["year"] = 2099
    ind19 = next(i for i in new["indicators"] if i["no"] == 19)
    ind19["weight"] = 3
    ind19["levels"][0]["label"] = "Kertas"
    next(i for i in new["indicators"] if i["no"] == 34)["mandatory"] = True
    new["indicators"] = [i for i in new["indicators"] if i["no"] != 22]
    new["indicators"].append({"no": 36, "aspect": "SID", "name": "Indikator baru", "weight": 1,
                              "confidence": "U", "sources": ["kode-pihak-ketiga"]})
    next(p for p in new["predicates"] if p["name"] == "Sangat Inovatif")["min"] = 65.01
    new["scoring"]["divisor_min"]["value"] = 12
    new["scoring"]["count_cap"]["confidence"] = "C"
    new["reporting_window"]["close"] = "2099-08-30"
    got = editions.compare([old], new).by_category()
    assert [(c.subject, c.before, c.after) for c in got["weights"]] == [
        ("Indikator 19 (SID): Alat kerja", "2", "3")]
    assert any(c.kind == "added" and "Indikator 36" in c.subject for c in got["indicators"])
    assert any(c.kind == "removed" and "Indikator 22" in c.subject for c in got["indicators"])
    assert [(c.before, c.after) for c in got["levels"]] == [("Manual", "Kertas")]
    assert [(c.before, c.after) for c in got["mandatory"]] == [("tidak wajib", "wajib")]
    assert [(c.before, c.after) for c in got["predicates"]] == [("60,01–100", "65,01–100")]
    scoring = {c.subject: c for c in got["scoring"]}
    assert (scoring["Pembagi minimum rata-rata SID"].before, scoring["Pembagi minimum rata-rata SID"].after) == ("10", "12")
    assert any(c.kind == "confidence" and c.before == "U" and c.after == "C" for c in got["scoring"])
    assert [(c.subject, c.after) for c in got["window"]] == [("Ditutup", "30 Agustus 2099")]


def test_identical_editions_have_no_catalogue_changes():
    old = load_raw(2024)
    new = copy.deepcopy(old)
    new["year"] = 2099
    assert editions.compare([old], new).changes == ()


def test_partial_edition_compares_with_the_newest_edition_that_records_the_field():
    data = load_guide_data()
    eds = sorted((thaw(e) for e in data.iid.values()), key=lambda e: e["year"])
    diffs = {d.new_year: d for d in editions.all_diffs(eds)}
    partial_years = [e["year"] for e in eds if editions.is_partial(e)]
    for year in partial_years:
        assert diffs[year].partial
        assert not [c for c in diffs[year].changes if c.category in editions.CATALOGUE_CATEGORIES]
    # a divisor recorded only in a later partial edition is compared with the last full one
    newest_full = max(e["year"] for e in eds if not editions.is_partial(e))
    for year in partial_years:
        for c in diffs[year].changes:
            if c.subject == editions.SCORING_LABELS["divisor_min"] and c.kind == "changed":
                assert c.before_year == newest_full


def test_change_page_shows_a_weight_changed_in_the_data(project):
    """Swap two SID weights in a copy (sums stay valid): the page built from it shows both."""
    path = project / "guide_data/iid/2024.yml"
    text = path.read_text(encoding="utf-8")
    for no, old, new in ((19, "    weight: 2\n", "    weight: 1\n"), (20, "    weight: 1\n", "    weight: 2\n")):
        head, tail = text.split(indicator_block(no), 1)
        assert tail.startswith("    aspect: SID\n")
        tail = tail.replace(old, new, 1)
        text = head + indicator_block(no) + tail
    path.write_text(text, encoding="utf-8")
    site = build_site(project, project / "site")
    html = (site / "iid/perubahan/index.html").read_text(encoding="utf-8")
    section = html.split('id="perubahan-2023-2024"', 1)[1].split('id="perubahan-2024-2025"', 1)[0]
    rows = re.findall(r'<tr class="klik-change klik-change--changed">(.*?)</tr>', section, re.S)
    weights = [re.sub(r"<[^>]+>", " ", r) for r in rows if "Alat kerja" in r or "Bimbingan teknis" in r]
    assert any(re.search(r"Alat kerja\s+2\s+\(2023\)\s+1", w) for w in weights), weights
    assert any(re.search(r"Bimbingan teknis \(bimtek\)\s+1\s+\(2023\)\s+2", w) for w in weights), weights


# --------------------------------------------------------------- built pages


def test_every_indicator_has_a_card_on_its_edition_page(built_site):
    for ed in load_guide_data().items("editions"):
        html = (built_site / f"iid/indikator-{ed.year}/index.html").read_text(encoding="utf-8")
        for ind in ed.indicators:
            assert f'id="indikator-{ind.no}"' in html, (ed.year, ind.no)
            assert f'id="kartu-{ed.year}-{ind.no}"' in html, (ed.year, ind.no)
        cards = re.findall(r'id="kartu-{}-(\d+)"'.format(ed.year), html)
        assert len(cards) == len(ed.indicators)
        # a card without recorded levels says so instead of guessing
        missing_levels = [i for i in ed.indicators if "levels" not in i]
        assert html.count("Parameter level belum tercatat di sumber panduan ini") == len(missing_levels)


def test_pages_render_numbers_from_the_data(built_site):
    ed = load_guide_data().items("editions")[-1]
    html = (built_site / "iid/index.html").read_text(encoding="utf-8")
    s = ed.scoring
    assert f"÷ {s.total_max.value} × 100" in html
    assert f"MAX({s.divisor_min.value} " in html
    for p in ed.predicates:
        if p["min"] not in (0,):
            assert f"{p['min']:.2f}".replace(".", ",") in html, p["name"]


def test_fragment_citations_reach_the_page_reference_list(built_site):
    data = load_guide_data()
    # cited only by the scoring fragments, never by the chapter's own text
    source_id = data.items("editions")[-1].scoring.count_max.sources[0]
    assert source_id not in (ROOT / "docs/iid/index.md").read_text(encoding="utf-8")
    number = list(data.index["sources"]).index(source_id) + 1
    html = (built_site / "iid/index.html").read_text(encoding="utf-8")
    references = html.split('class="klik-references"', 1)[1]
    assert f'<li value="{number}">' in references


def test_clinic_pages_do_not_name_the_region(built_site):
    """Chapters outside docs/daerah/ take the region from region.yml, never from text."""
    data = load_guide_data()
    name = data.region.region.name
    for src in ("docs/iid", "docs/klinik"):
        for page in (ROOT / src).glob("*.md"):
            assert name not in page.read_text(encoding="utf-8"), page
    for stem in ("services", "calendar", "peers", "iga"):
        assert name not in (ROOT / f"guide_data/{stem}.yml").read_text(encoding="utf-8"), stem
    for year in data.iid:
        assert name not in (ROOT / f"guide_data/iid/{year}.yml").read_text(encoding="utf-8"), year


# --------------------------------------------------------------- IGA and clinic


def test_presentation_weights_and_winners_add_up():
    iga = load_guide_data().iga
    assert sum(c.weight for c in iga.presentation.criteria) == 100
    for w in iga.winners:
        if "breakdown" in w:
            assert sum(b.count for b in w.breakdown) == w.total


def test_region_results_match_their_edition_bands():
    data = load_guide_data()
    for res in data.iga.region_results:
        ed = data.iid.get(str(res.year))
        if ed is None or "predicate" not in res:
            continue
        band = next(p for p in ed.predicates if p["min"] <= res.score <= p.get("max", 100))
        assert band["name"] == res.predicate, (res.region, res.year)


def test_bad_presentation_weights_are_a_data_error(project):
    message = errors_for(project, lambda p: replace(
        p / "guide_data/iga.yml", "{id: kebaruan, name: Kebaruan, weight: 30}", "{id: kebaruan, name: Kebaruan, weight: 35}"))
    assert re.search(r"iga\.yml, baris \d+, kunci `presentation\.criteria`: jumlah bobot kriteria presentasi 105%", message)


def test_services_reference_known_stages_roles_and_indicators():
    data = load_guide_data()
    newest = data.items("editions")[-1]
    numbers = {i.no for i in newest.indicators}
    for s in data.items("services"):
        assert set(s.stages) <= set(data.index["stages"])
        assert set(s.indicators) <= numbers
        assert s.lead in data.index["roles"]
    assert sorted(s.order for s in data.items("services")) == list(range(1, len(data.items("services")) + 1))


def test_unknown_indicator_number_in_a_service_is_a_data_error(project):
    message = errors_for(project, lambda p: replace(
        p / "guide_data/services.yml", "    indicators: [22, 24]", "    indicators: [22, 99]"))
    assert re.search(r"services\.yml, baris \d+, kunci `services\[1\]\.indicators\[1\]`: indikator nomor `99` "
                     r"tidak ada di katalog indikator edisi IID terbaru", message), message


def test_unknown_stage_or_role_in_a_service_is_a_data_error(project):
    def edit(p):
        replace(p / "guide_data/services.yml", "    stages: [inisiatif]\n", "    stages: [gagasan]\n")
        replace(p / "guide_data/services.yml", "    lead: tim-independen\n", "    lead: tim-hantu\n")
    message = errors_for(project, edit)
    assert "`gagasan` tidak ditemukan di daftar tahapan (stages.yml)" in message
    assert "`tim-hantu` tidak ditemukan di daftar peran klinik" in message


def test_calendar_follows_the_newest_reporting_window():
    data = load_guide_data()
    eds = [thaw(e) for e in data.iid.values()]
    anchor = klinik.anchor_edition(eds)
    assert anchor["year"] == max(e["year"] for e in eds if (e.get("reporting_window") or {}).get("close")
                                 and e["reporting_window"].get("open"))
    cal = thaw(data.calendar)
    window = klinik.window_months(anchor)
    first = klinik.first_month(cal, window)
    for act in cal["activities"]:
        s, e = klinik.span(act, window)
        assert first <= s <= e < first + klinik.CYCLE_MONTHS, act["id"]
    # a window one month later moves every activity one month later
    later = copy.deepcopy(anchor)
    later["year"] += 1
    later["reporting_window"] = {**later["reporting_window"], "open": "2099-07-01", "close": "2099-09-01"}
    shifted = klinik.window_months(later)
    for act in cal["activities"]:
        a, b = klinik.span(act, window), klinik.span(act, shifted)
        assert (b[0] - shifted[0]) - (a[0] - window[0]) == 0


def test_calendar_activity_outside_the_cycle_is_a_data_error(project):
    message = errors_for(project, lambda p: replace(
        p / "guide_data/calendar.yml", "    end: {anchor: close, offset: 2}", "    end: {anchor: close, offset: 9}"))
    assert re.search(r"calendar\.yml, baris \d+, kunci `activities\[\d+\]\.start`: kegiatan `evaluasi` jatuh "
                     r"di luar siklus dua belas bulan", message), message


# ------------------------------------------------------- reporting requirements


def test_chapters_quote_reporting_requirements_from_the_data(project):
    """Change every numeric reporting rule in a copy: no built page keeps the old number."""
    path = project / "guide_data/iid/2024.yml"
    replace(path, "  max_age_years:\n    value: 2\n", "  max_age_years:\n    value: 3\n")
    replace(path, "  max_submissions:\n    value: 2\n", "  max_submissions:\n    value: 4\n")
    replace(path, "  min_basic_service_affairs:\n    value: 2\n", "  min_basic_service_affairs:\n    value: 5\n")
    replace(path, "  design_min_words:\n    value: 300\n", "  design_min_words:\n    value: 450\n")
    site = build_site(project, project / "site")
    texts = {p.parent.relative_to(site).as_posix(): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8")))
             for p in site.rglob("index.html")}
    stale = [r"\bdua tahun terakhir\b", r"lebih dari dua tahun", r"diajukan dua kali", r"\b300 kata\b",
             r"\bdua dari enam urusan\b", r"\b2 dari 6 urusan\b"]
    # the changes page shows each edition's own values (2025 keeps its recorded rule)
    found = [(page, pat) for page, text in texts.items() if page != "iid/perubahan"
             for pat in stale if re.search(pat, text, re.I)]
    assert not found, f"angka syarat pelaporan ditulis langsung, bukan dari data: {found}"
    assert "tiga tahun terakhir" in texts["faq"] and "tiga tahun terakhir" in texts["iid"]
    assert "diajukan empat kali" in texts["tahapan"]
    assert "lima dari enam urusan" in texts["proposal"]
    assert "450 kata" in texts["proposal"] and "450 kata" in texts["tahapan/inisiatif"]


def test_reporting_note_with_a_requirement_needs_its_placeholder(project):
    replace(project / "guide_data/iga.yml", "dalam {n} tahun terakhir", "dalam dua tahun terakhir")
    message = errors_for(project, lambda p: None)
    assert "reporting_notes" in message and "{n}" in message and "Perbaikan" in message


def test_reporting_note_requirement_must_exist_in_the_newest_edition(project):
    def drop(p):
        text = (p / "guide_data/iid/2024.yml").read_text(encoding="utf-8")
        head, rest = text.split("  max_submissions:\n", 1)
        rest = rest.split("  min_basic_service_affairs:\n", 1)[1]
        (p / "guide_data/iid/2024.yml").write_text(head + "  min_basic_service_affairs:\n" + rest, encoding="utf-8")
    message = errors_for(project, drop)
    assert "requirements.max_submissions" in message and "guide_data/iid/2024.yml" in message


def test_requirement_share_cannot_exceed_its_list(project):
    message = errors_for(project, lambda p: replace(p / "guide_data/iid/2024.yml",
                                                    "  min_basic_service_affairs:\n    value: 2\n",
                                                    "  min_basic_service_affairs:\n    value: 7\n"))
    assert "min_basic_service_affairs" in message and "affairs" in message


def test_change_page_lists_a_changed_requirement(built_site):
    """2026 records a different share of basic-service affairs than 2024 (both in the data)."""
    data = load_guide_data()
    eds = {int(y): e for y, e in data.files["iid"].items()}
    old = eds[2024].requirements.min_basic_service_affairs.value
    new = eds[2026].requirements.min_basic_service_affairs.value
    html = (built_site / "iid/perubahan/index.html").read_text(encoding="utf-8")
    section = re.sub(r"<[^>]+>", " ", html.split('id="perubahan-2025-2026"', 1)[1])
    label = editions.REQUIREMENT_LABELS["min_basic_service_affairs"]
    assert re.search(rf"{re.escape(label)}\s+{old} dari 6\s+\(2024\)\s+{new} dari 6", section), section[:2000]
