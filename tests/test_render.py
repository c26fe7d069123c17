"""Fragments render from data with every string escaped."""
from __future__ import annotations

import dataclasses

from guidebook.data import Record, freeze, load_guide_data, thaw
from guidebook.render import Renderer, page_href

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def hostile_data():
    data = load_guide_data()
    files = dict(data.files)
    stages = thaw(files["stages"])
    stages["stages"][0]["name"] = PAYLOAD
    stages["stages"][0]["needs"][0] = PAYLOAD
    glossary = thaw(files["glossary"])
    glossary["terms"][0]["definition"] = PAYLOAD
    files["stages"] = freeze(stages)
    files["glossary"] = freeze(glossary)
    index = dict(data.index)
    index["stages"] = {s["id"]: s for s in files["stages"]["stages"]}
    index["terms"] = {t["id"]: t for t in files["glossary"]["terms"]}
    return dataclasses.replace(data, files=files, index=index)


def test_hostile_strings_are_escaped_in_every_fragment():
    r = Renderer(hostile_data(), "tahapan/index.md")
    for html in (r.stage_cards(), r.stage_detail("inisiatif"), r.glossary_table()):
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_citation_links_to_the_source_list_with_confidence_marks():
    data = load_guide_data()
    r = Renderer(data, "tahapan/inisiatif.md")
    html = r.cite("kode-pihak-ketiga")
    assert 'href="../../sumber/#sumber-kode-pihak-ketiga"' in html
    assert "belum terverifikasi" in html
    regional = next(s for s in data.items("sources") if s.confidence == "C2")
    assert regional.publisher in r.cite(regional.id)


def test_page_href_matches_directory_urls():
    assert page_href("index.md", "sumber.md") == "sumber/"
    assert page_href("tahapan/index.md", "sumber.md", "x") == "../sumber/#x"
    assert page_href("tahapan/uji-coba.md", "tahapan/index.md") == "../"
    assert page_href("glosarium.md", "index.md") == "../"
    assert isinstance(load_guide_data().region, Record)
