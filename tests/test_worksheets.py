"""Fill-in templates: every field reaches the web page, the worksheet PDF and the DOCX,
escaped, and the files are byte-identical between builds."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import zipfile

import docx
import pypdf
import pytest

from guidebook import worksheets
from guidebook.build import BuildError, build_site
from guidebook.data import DataError, freeze, load_guide_data, thaw

PAYLOAD = '<script>alert("x")</script> & <b>tebal</b>'
EPOCH = 1_700_000_000


@pytest.fixture(scope="module")
def data():
    return load_guide_data()


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(blob: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(blob))
    return norm(" ".join(page.extract_text() for page in reader.pages))


def docx_text(blob: bytes) -> str:
    document = docx.Document(io.BytesIO(blob))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return norm(" ".join(parts))


def with_template(data, template_id: str, change) -> tuple:
    """A copy of the data whose template ``template_id`` went through ``change(dict)``."""
    raw = thaw(data.get("templates", template_id))
    change(raw)
    index = dict(data.index)
    index["templates"] = {**data.index["templates"], template_id: freeze(raw)}
    return dataclasses.replace(data, index=index), index["templates"][template_id]


def test_the_required_templates_exist(data):
    ids = {t["id"] for t in worksheets.templates(data)}
    assert {"proposal-inovasi", "profil-inovasi", "formulir-pendaftaran-klinik", "catatan-konsultasi",
            "laporan-monev", "rancangan-sk-tim-inovasi"} <= ids


def test_proposal_carries_the_pp38_minimum_and_profile_the_iid_numbering(data):
    proposal = worksheets.template_model(data, data.get("templates", "proposal-inovasi"))
    labels = " ".join(f["label"].lower() for s in proposal["sections"] for f in s["fields"])
    for part in ("bentuk", "rancang bangun", "tujuan", "manfaat", "anggaran", "waktu uji coba"):
        assert part in labels
    profile = worksheets.template_model(data, data.get("templates", "profil-inovasi"))
    numbers = [f["number"] for s in profile["sections"] for f in s["fields"] if f["number"]]
    assert numbers == [f"1.{k}" for k in range(1, 8)] + [f"1.{k}" for k in range(9, 17)]
    design = next(s for s in profile["sections"] if s["number"] == "1.8")
    assert design["min_words"] == 300 and len(design["fields"]) == 6
    table = next(f for s in profile["sections"] for f in s["fields"] if f["kind"] == "table")
    sid = [i for i in data.get("editions", 2024)["indicators"] if i["aspect"] == "SID"]
    assert table["rows"] == len(sid) and table["row_labels"][0].startswith(f"{sid[0]['no']}. ")


def test_draft_decree_cites_only_listed_regulations(data):
    model = worksheets.template_model(data, data.get("templates", "rancangan-sk-tim-inovasi"))
    assert "rancangan" in model["notice"].lower()
    titles = {r["title"] for r in data.items("regulations")}
    options = [o for s in model["sections"] for f in s["fields"] if f["kind"] == "choice" for o in f["options"]]
    assert options and all(any(o.startswith(t) for t in titles) for o in options)
    text = json.dumps(thaw(data.get("templates", "rancangan-sk-tim-inovasi")), ensure_ascii=False)
    assert "Pasal" not in text  # no article numbers of our own


@pytest.mark.parametrize("template_id", [p.stem for p in sorted(
    (worksheets.ROOT / "guide_data" / "templates").glob("*.yml"))])
def test_docx_and_pdf_contain_every_field(data, template_id, tmp_path, monkeypatch):
    template = data.get("templates", template_id)
    model = worksheets.template_model(data, template)
    url = worksheets.web_url_of(data, template)

    blob = worksheets.worksheet_docx(data, template, EPOCH, url)
    text = docx_text(blob)
    for label in worksheets.all_labels(model):
        assert norm(label) in text, label
    for section in model["sections"]:
        for f in section["fields"]:
            assert norm(f["guidance"]) in text

    pdf = worksheets.worksheet_pdf(data, template, EPOCH, url)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for label in worksheets.all_labels(model):
        assert norm(label) in text, label
    # every field is a labelled area: a form field named after the YAML ids, titled with the label
    fields = pypdf.PdfReader(io.BytesIO(pdf)).get_fields()
    for section in model["sections"]:
        for f in section["fields"]:
            if f["kind"] in ("short_text", "long_text", "date"):
                assert fields[f["key"]]["/TU"] == f["label"]
            elif f["kind"] == "choice":
                for k, option in enumerate(f["options"], start=1):
                    assert fields[f"{f['key']}.{k}"]["/TU"] == f"{f['label']}: {option}"
            else:
                editable = [c for i, c in enumerate(f["columns"]) if not (i == 0 and f["row_labels"])]
                for row in range(1, f["rows"] + 1):
                    for col in editable:
                        assert f"{f['key']}.{row}.{col['id']}" in fields
    assert model["title"] in text and data.region["clinic"]["title"] in text


def test_outputs_are_byte_identical_for_the_same_epoch(data, tmp_path, monkeypatch):
    template = data.get("templates", "proposal-inovasi")
    url = worksheets.web_url_of(data, template)
    first = worksheets.worksheet_pdf(data, template, EPOCH, url), worksheets.worksheet_docx(data, template, EPOCH, url)
    second = worksheets.worksheet_pdf(data, template, EPOCH, url), worksheets.worksheet_docx(data, template, EPOCH, url)
    assert hashlib.sha256(first[0]).digest() == hashlib.sha256(second[0]).digest()
    assert first[1] == second[1]
    with zipfile.ZipFile(io.BytesIO(first[1])) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    core = docx.Document(io.BytesIO(first[1])).core_properties
    assert core.created.year == 2023 and core.modified == core.created
    info = pypdf.PdfReader(io.BytesIO(first[0])).metadata
    assert info["/CreationDate"].startswith("D:20231114")


def test_hostile_strings_are_escaped_everywhere(data, tmp_path, monkeypatch):

    def poison(raw):
        raw["title"] = PAYLOAD
        raw["sections"][0]["fields"][0]["label"] = PAYLOAD
        raw["sections"][0]["fields"][0]["guidance"] = PAYLOAD
        raw["sections"][2]["fields"][0]["options"] = [PAYLOAD, "Biasa"]

    bad, template = with_template(data, "catatan-konsultasi", poison)
    html = str(worksheets.web_fragment(bad, template, lambda *ids: "", {"pdf": "a.pdf", "docx": "a.docx"}))
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html
    sheet = worksheets.worksheet_html(bad, template, EPOCH, "https://contoh.invalid/")
    assert "<script>" not in sheet and "&lt;script&gt;" in sheet
    assert PAYLOAD in pdf_text(worksheets.worksheet_pdf(bad, template, EPOCH, "https://contoh.invalid/"))
    blob = worksheets.worksheet_docx(bad, template, EPOCH, "https://contoh.invalid/")
    assert PAYLOAD in docx_text(blob)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert b"<script>" not in z.read("word/document.xml")


def test_template_schema_errors_are_indonesian(project):
    path = project / "guide_data/templates/proposal-inovasi.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("from: bentuk", "from: tidak-ada").replace("        kind: date\n", "        kind: tanggal\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_guide_data(project)
    message = str(exc.value)
    assert "proposal-inovasi.yml, baris" in message
    assert "tidak-ada" in message and "tanggal" in message and "Perbaikan" in message


def test_unknown_regulation_in_a_choice_is_caught(project):
    path = project / "guide_data/templates/rancangan-sk-tim-inovasi.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("pp-38-2017,", "pp-99-2099,"), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_guide_data(project)
    assert "pp-99-2099" in str(exc.value) and "regulations.yml" in str(exc.value)


def test_template_id_must_match_its_file_name(project):
    path = project / "guide_data/templates/laporan-monev.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: laporan-monev", "id: monev"), encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build_site(project, project / "site")
    assert "laporan-monev.yml" in str(exc.value) and "nama berkas" in str(exc.value)


def test_built_site_lists_every_download_with_its_checksum(built_site, data):
    manifest = json.loads((built_site / "unduh/manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"]: e for e in manifest["downloads"]}
    for template in worksheets.templates(data):
        for path in worksheets.output_names(template).values():
            blob = (built_site / path).read_bytes()
            assert listed[path]["bytes"] == len(blob)
            assert listed[path]["sha256"] == hashlib.sha256(blob).hexdigest()
            assert listed[path]["title"].startswith(template["title"])
            assert listed[path]["kind"] == ("lembar-kerja" if path.endswith(".pdf") else "templat")
    page = (built_site / "alat/templat/index.html").read_text(encoding="utf-8")
    for template in worksheets.templates(data):
        assert f'id="templat-{template["id"]}"' in page
        assert f'href="../../unduh/templat/{template["id"]}.pdf"' in page
        assert f'href="../../unduh/templat/{template["id"]}.docx"' in page


def test_reporting_numbers_come_from_the_newest_edition(project):
    path = project / "guide_data/iid/2024.yml"
    text = path.read_text(encoding="utf-8")
    for key, old, new in (("design_min_words", "300", "450"), ("max_age_years", "2", "3")):
        text = text.replace(f"  {key}:\n    value: {old}\n", f"  {key}:\n    value: {new}\n")
    path.write_text(text, encoding="utf-8")
    data = load_guide_data(project)
    profile = worksheets.template_model(data, data.get("templates", "profil-inovasi"))
    assert next(s for s in profile["sections"] if s["number"] == "1.8")["min_words"] == 450
    intake = worksheets.template_model(data, data.get("templates", "formulir-pendaftaran-klinik"))
    guidance = " ".join(f["guidance"] for s in intake["sections"] for f in s["fields"])
    assert "tiga tahun terakhir" in guidance and "dua tahun" not in guidance


def test_placeholder_without_requirement_stops_the_build(project):
    path = project / "guide_data/templates/laporan-monev.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "guidance: Hal yang perlu dipertahankan.", "guidance: Hal yang perlu dipertahankan {n} kali."), encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build_site(project, project / "site")
    assert "laporan-monev.yml" in str(exc.value) and "{n}" in str(exc.value) and "requirement" in str(exc.value)
