"""The tool pages' HTML from data: escaped, linked correctly, present in the built site."""
from __future__ import annotations

import dataclasses
import json

import markdown

from guidebook import tools
from guidebook.data import freeze, load_guide_data, thaw

PAYLOAD = '<img src=x onerror="alert(1)"> *tebal* {#x} [tautan](http://contoh.invalid) #'


def test_site_href_is_relative_to_the_page():
    assert tools.site_href("alat/kalkulator-iid.md", "alat/iid-data.json") == "../iid-data.json"
    assert tools.site_href("alat/templat.md", "unduh/templat/a.pdf") == "../../unduh/templat/a.pdf"
    assert tools.site_href("index.md", "unduh/a.pdf") == "unduh/a.pdf"
    # the offline copy serves alat/templat.md as alat/templat.html
    assert tools.site_href("alat/templat.md", "unduh/templat/a.pdf", False) == "../unduh/templat/a.pdf"
    assert tools.doc_href("alat/kalkulator-iid.md", "sumber.md") == "../../sumber/"
    assert tools.doc_href("alat/kalkulator-iid.md", "sumber.md", "", False) == "../sumber.html"
    assert tools.doc_href("alat/daftar-periksa.md", "tahapan/index.md", "x") == "../../tahapan/#x"
    assert tools.doc_href("alat/daftar-periksa.md", "tahapan/uji-coba.md", "", False) == "../tahapan/uji-coba.html"
    assert tools.doc_href("index.md", "index.md") == "./"


def test_checklist_escapes_stage_texts_in_headings_and_items():
    data = load_guide_data()
    stages = thaw(data.files["stages"])
    stages["stages"][0]["name"] = PAYLOAD
    stages["stages"][0]["checklist"][0]["text"] = PAYLOAD
    stages["stages"][0]["checklist"][1]["hint"] = PAYLOAD
    frozen = freeze(stages)
    index = dict(data.index)
    index["stages"] = {s["id"]: s for s in frozen["stages"]}
    bad = dataclasses.replace(data, files={**data.files, "stages": frozen}, index=index)
    source = str(tools.checklist(bad, "alat/daftar-periksa.md"))
    html = markdown.markdown(source, extensions=["md_in_html", "attr_list", "toc"])
    assert "<img" not in html  # the attribute text stays inside escaped text
    assert "&lt;img" in html
    assert "<em>" not in html and 'href="http://contoh.invalid"' not in html  # Markdown stayed text
    first = data.items("stages")[0]["id"]
    assert f'id="periksa-{first}"' in html


def test_tool_pages_are_built_and_wired(built_site):
    calc = (built_site / "alat/kalkulator-iid/index.html").read_text(encoding="utf-8")
    assert 'data-src="../iid-data.js"' in calc
    script = (built_site / "alat/iid-data.js").read_text(encoding="utf-8")
    assert script.startswith("window.KlikIIDData = {") and "<" not in script and 'data-sources-href="../../sumber/"' in calc
    payload = json.loads((built_site / "alat/iid-data.json").read_text(encoding="utf-8"))
    assert payload["format"] == "klik-iid-data" and payload["editions"]
    checklist = (built_site / "alat/daftar-periksa/index.html").read_text(encoding="utf-8")
    data = load_guide_data()
    for stage in data.items("stages"):
        assert f'href="#periksa-{stage["id"]}"' in checklist  # in the table of contents
        for item in stage["checklist"]:
            assert f'data-item="{stage["id"]}/{item["id"]}"' in checklist
    assert "<p></p>" not in checklist
    for page in ("kalkulator-iid", "daftar-periksa", "templat"):
        html = (built_site / "index.html").read_text(encoding="utf-8")
        assert f'href="alat/{page}/"' in html  # in the navigation
