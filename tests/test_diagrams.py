"""The Labinov cycle: geometry, text alternative, escaping, and data checks."""
from __future__ import annotations

import dataclasses
import math
import xml.etree.ElementTree as ET

import pytest

from guidebook.data import DataError, freeze, load_guide_data, thaw
from guidebook.diagrams import cycle_description, cycle_layout, wrap
from guidebook.render import Renderer, long_date, number_words

SVG = "{http://www.w3.org/2000/svg}"


def phases():
    return load_guide_data().labinov.phases


def inside(box, x, y) -> bool:
    return abs(x - box.x) < box.w / 2 and abs(y - box.y) < box.h / 2


def test_layout_keeps_boxes_apart_and_arrows_outside_them():
    layout = cycle_layout(phases())
    ring = [p for p in phases() if not p.get("extra")]
    assert [b.order for b in layout.boxes] == sorted(p.order for p in ring)
    assert len(layout.arrows) == len(ring)  # the last step points back to the first
    for a, b in zip(layout.boxes, layout.boxes[1:]):
        assert abs(a.x - b.x) >= a.w or abs(a.y - b.y) >= a.h, "kotak tahap bertumpuk"
    for arrow in layout.arrows:
        assert math.hypot(arrow.x2 - arrow.x1, arrow.y2 - arrow.y1) > 20, "panah terlalu pendek"
        for box in layout.boxes:
            assert not inside(box, arrow.x1, arrow.y1) and not inside(box, arrow.x2, arrow.y2)
    for box in layout.boxes:
        assert box.left >= 0 and box.top >= 0
        assert box.left + box.w <= layout.width and box.top + box.h <= layout.height
    assert layout.hub is not None and len(layout.spokes) == len(ring)
    for box in layout.boxes:
        assert math.hypot(box.x - layout.hub.x, box.y - layout.hub.y) > layout.hub.r + box.h / 2


def test_layout_refuses_shapes_that_are_not_a_cycle():
    two = [{"order": 1, "name": "A", "focus": "a"}, {"order": 2, "name": "B", "focus": "b"}]
    with pytest.raises(ValueError):
        cycle_layout(two)
    hubs = two + [{"order": 3, "name": "C", "focus": "c"},
                  {"order": 4, "name": "D", "focus": "d", "extra": True},
                  {"order": 5, "name": "E", "focus": "e", "extra": True}]
    with pytest.raises(ValueError):
        cycle_layout(hubs)


def test_text_alternative_names_every_phase_in_order():
    text = cycle_description(phases())
    positions = [text.index(p.name) for p in sorted(phases(), key=lambda p: p.order)]
    assert positions == sorted(positions)
    assert "searah jarum jam" in text and "menyertai semua tahap" in text


def test_rendered_diagram_is_accessible_well_formed_svg():
    html = Renderer(load_guide_data(), "tahapan/labinov.md").labinov_cycle(with_cards=False)
    svg_text = html[html.index("<svg"): html.index("</svg>") + len("</svg>")]
    svg = ET.fromstring(svg_text)  # WeasyPrint needs well-formed XML
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}desc").get("id") == desc_id
    ring = [p for p in phases() if not p.get("extra")]
    assert len(svg.findall(f"{SVG}rect")) == len(ring)
    assert "<script" not in svg_text and "http://" not in svg_text.replace("http://www.w3.org/2000/svg", "")
    # ids include the page, so two pages joined into one PDF never clash
    other = Renderer(load_guide_data(), "tahapan/index.md").labinov_cycle(with_cards=False)
    assert title_id not in other


def test_phase_labels_from_data_are_escaped():
    data = load_guide_data()
    labinov = thaw(data.files["labinov"])
    labinov["phases"][0]["name"] = "<b>x</b>"
    labinov["phases"][0]["clinic_activities"][0] = '<img src=x onerror="alert(1)">'
    files = dict(data.files)
    files["labinov"] = freeze(labinov)
    html = Renderer(dataclasses.replace(data, files=files), "tahapan/labinov.md").labinov_cycle()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<img" not in html


def test_phase_name_too_long_for_the_diagram_is_a_data_error(project):
    path = project / "guide_data/labinov.yml"
    text = path.read_text(encoding="utf-8").replace("name: Drum-up", "name: Drum-up yang sangat panjang sekali", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_guide_data(project)
    message = str(exc.value)
    assert "labinov.yml, baris" in message and "phases[0].name" in message and "terlalu panjang" in message


def test_phase_linked_to_an_unknown_stage_is_a_data_error(project):
    path = project / "guide_data/labinov.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("stages: [penerapan]", "stages: [peluncuran]", 1),
                    encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_guide_data(project)
    assert "`peluncuran` tidak ditemukan di daftar tahapan" in str(exc.value)


def test_diagram_renders_in_weasyprint():
    weasyprint = pytest.importorskip("weasyprint")
    html = Renderer(load_guide_data(), "tahapan/labinov.md").labinov_cycle(with_cards=False)
    pdf = weasyprint.HTML(string=f'<html lang="id"><body>{html}</body></html>').write_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_wrap_and_prose_filters():
    assert wrap("Kesiapan, masalah, dan ide", 20) == ("Kesiapan, masalah,", "dan ide")
    assert number_words(5) == "lima" and number_words(12) == "12"
    assert long_date("2024-08-05") == "5 Agustus 2024" and long_date("2016-02") == "Februari 2016"
    assert long_date("2025") == "2025"
