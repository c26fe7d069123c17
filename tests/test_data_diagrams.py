"""Stacked SVG diagrams (clinic flow and calendar, IID score mix) and the IID/clinic
fragments: well-formed, labelled, escaped. The Labinov cycle is tested in test_diagrams.py."""
from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

from guidebook import diagrams, render_iid, render_klinik
from guidebook.data import freeze, load_guide_data, thaw
from guidebook.render import Renderer

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)"> & "kutip"'
SVG_NS = "{http://www.w3.org/2000/svg}"


def hostile_data():
    """The real data with the payload in every string a diagram or card shows."""
    data = load_guide_data()
    files = dict(data.files)
    services = thaw(files["services"])
    for s in services["services"]:
        s["name"] = PAYLOAD + s["name"]
        s["summary"] = PAYLOAD
    services["roles"][0]["name"] = PAYLOAD
    calendar = thaw(files["calendar"])
    calendar["activities"][0]["name"] = PAYLOAD
    iid = {k: thaw(v) for k, v in files["iid"].items()}
    newest = max((e for e in iid.values() if e.get("catalogue", "full") == "full"), key=lambda e: e["year"])
    for ind in newest["indicators"]:
        ind["name"] = PAYLOAD
        ind.setdefault("tips", []).append(PAYLOAD)
    files.update(services=freeze(services), calendar=freeze(calendar), iid=freeze(iid))
    index = dict(data.index)
    index["services"] = {s["id"]: s for s in files["services"]["services"]}
    index["roles"] = {r["id"]: r for r in files["services"]["roles"]}
    index["editions"] = {e["year"]: e for e in sorted(files["iid"].values(), key=lambda e: e["year"])
                         if e.get("catalogue", "full") == "full"}
    return dataclasses.replace(data, files=files, index=index), newest["year"]


def svgs_in(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", str(html), re.S)


def check_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == SVG_NS + "svg"
    assert root.get("role") == "img"
    title, desc = root.find(SVG_NS + "title"), root.find(SVG_NS + "desc")
    assert title is not None and title.text.strip()
    assert desc is not None and desc.text.strip()
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.get("viewBox")
    for bad in ("script", "foreignObject", "image"):
        assert not list(root.iter(SVG_NS + bad)), bad
    for el in root.iter():
        for attr in el.attrib:
            assert not attr.lower().startswith("on"), attr
        href = el.get("href") or el.get("{http://www.w3.org/1999/xlink}href")
        assert not href, href
    return root


def test_every_diagram_is_well_formed_and_labelled():
    data = load_guide_data()
    r = Renderer(data, "klinik/layanan.md")
    html = render_klinik.service_flow(r) + render_klinik.calendar(r) + render_iid.score_mix(r)
    found = svgs_in(html)
    assert len(found) == 3
    for svg in found:
        check_svg(svg)
    # the flow has one numbered box per service, the calendar one bar per activity
    flow = ET.fromstring(found[0])
    assert len(flow.findall(f"{SVG_NS}g")) == len(data.items("services"))
    cal = ET.fromstring(found[1])
    bars = [e for e in cal.iter(SVG_NS + "rect")
            if "k-bar" in (e.get("class") or "").split() and e.get("height") == "14"]  # legend keys are 10 high
    assert len(bars) == len(data.calendar.activities)


def test_hostile_text_is_escaped_in_diagrams_and_cards():
    data, year = hostile_data()
    r = Renderer(data, "klinik/layanan.md")
    flow, cal = render_klinik.service_flow(r), render_klinik.calendar(r)
    for html in (flow, cal):
        for svg in svgs_in(html):
            root = check_svg(svg)
            assert any("<script>" in (t.text or "") for t in root.iter(SVG_NS + "text")) or \
                "<script>" in (root.find(SVG_NS + "desc").text or "")
    pages = [render_klinik.services(r), render_klinik.roles_table(r), cal,
             render_iid.indicator_page(Renderer(data, f"iid/indikator-{year}.md"), year)]
    for html in pages + [flow]:
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_wrap_px_keeps_every_word_and_respects_the_width():
    text = "Penerbitan atau pembaruan SK dan Perkada tahun berjalan pada tahun pengukuran"
    lines = diagrams.wrap_px(text, 200, 14)
    limit = int(200 / (14 * diagrams.CHAR_EM))
    assert len(lines) > 1 and all(len(line) <= limit for line in lines)
    assert " ".join(lines) == text


def test_diagram_colours_come_from_the_region():
    data = load_guide_data()
    svg = svgs_in(render_klinik.service_flow(Renderer(data, "klinik/layanan.md")))[0]
    assert data.region.colors.primary in svg
    assert "var(" not in svg  # WeasyPrint does not resolve CSS variables inside SVG
