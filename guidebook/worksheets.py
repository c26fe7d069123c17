"""Fill-in templates from ``guide_data/templates/*.yml``, rendered three ways from one model:
an HTML fragment for the web page, an A4 worksheet PDF (WeasyPrint, labelled boxes and
lines, PDF form fields named after the YAML ids) and an editable DOCX (python-docx).

All three read ``template_model()``, so a field added to the YAML appears everywhere.
Text from the data only reaches HTML through Jinja autoescaping and DOCX through
python-docx (which escapes XML). Output bytes depend only on the inputs and
``SOURCE_DATE_EPOCH``: DOCX core dates and zip entry times come from it, and so do the
PDF's metadata dates.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import subprocess
import zipfile
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from markupsafe import Markup

from .data import ROOT, DataIssue, GuideData, parse_yaml
from .render import CONFIDENCE, number_words, render_template

KIND_LABELS = {
    "short_text": "Teks singkat",
    "long_text": "Teks panjang",
    "date": "Tanggal",
    "choice": "Pilihan",
    "table": "Tabel",
}
DEFAULT_LINES = {"short_text": 1, "long_text": 5}
DEFAULT_ROWS = 5
CONTENT_WIDTH_CM = 17.0  # A4 minus 2 cm margins, for DOCX table columns
DOWNLOAD_DIR = "unduh/templat"
FONT_DIR = ROOT / "overrides" / "assets" / "fonts"


# ------------------------------------------------------------------- model


def templates(data: GuideData) -> list:
    """The templates in reading order (``order``, then id)."""
    return sorted(data.items("templates"), key=lambda t: (t["order"], t["id"]))


def _item_label(collection: str, item: Mapping) -> str:
    if collection == "regulations":
        number = str(item["number"])
        ref = f"{item['type']} {number}/{item['year']}" if number.isdigit() else f"{item['type']} {number}"
        return f"{item['title']} ({ref})"
    return item["name"]


def choice_options(data: GuideData, field: Mapping) -> list[str]:
    if field.get("from"):
        items = data.items(field["from"])
        if all("order" in i for i in items):  # stages, services: in their reading order
            items = sorted(items, key=lambda i: i["order"])
        if field.get("only"):
            wanted = list(field["only"])
            items = sorted((i for i in items if i["id"] in wanted), key=lambda i: wanted.index(i["id"]))
        return [_item_label(field["from"], i) for i in items]
    return list(field.get("options") or ())


def _latest_indicators(data: GuideData, aspect: str) -> tuple[int | None, list[str]]:
    from .iid import full_editions

    editions = full_editions(data)
    if not editions:
        return None, []
    ed = editions[-1]
    return ed["year"], [f"{i['no']}. {i['name']}" for i in ed["indicators"] if i["aspect"] == aspect]


def field_hints(field: Mapping) -> list[str]:
    """Short hints shown next to a label: how to fill the field in."""
    hints = []
    if field["kind"] == "long_text" and field.get("min_words"):
        hints.append(f"paling sedikit {field['min_words']} kata")
    if field["kind"] == "choice":
        hints.append("boleh lebih dari satu" if field.get("multiple") else "pilih satu")
    if field["kind"] == "date":
        hints.append("tanggal/bulan/tahun")
    return hints


class TemplateError(Exception):
    """A template asks for something the data does not hold; the message is Indonesian."""


def newest_requirement(data: GuideData, key: str) -> Mapping:
    """A reporting requirement (``requirements.<key>``) of the newest full IID edition."""
    from .iid import full_editions

    editions = full_editions(data)
    req = (editions[-1].get("requirements") or {}).get(key) if editions else None
    if req is None:
        year = editions[-1]["year"] if editions else "terbaru"
        raise TemplateError(f"Templat memakai syarat pelaporan `{key}`, tetapi edisi IID {year} belum "
                            f"mencatatnya. Perbaikan: tambahkan `requirements.{key}` di guide_data/iid/{year}.yml "
                            "atau hapus `requirement` dari templat.")
    return req


def _with_requirement(data: GuideData, item: Mapping) -> tuple[str, int | None, list[str], str | None]:
    """(guidance with {n}/{dari} filled, min_words, source ids, confidence) of a field or section."""
    text = item.get("guidance", "")
    ids = list(item.get("sources") or ())
    confidence = item.get("confidence")
    min_words = item.get("min_words")
    key = item.get("requirement")
    if key:
        req = newest_requirement(data, key)
        text = (text.replace("{n}", number_words(req["value"]))
                .replace("{dari}", number_words(len(req.get("affairs") or ()))))
        ids += [s for s in req["sources"] if s not in ids]
        confidence = confidence or req["confidence"]
        if key == "design_min_words":
            min_words = req["value"]
    return text, min_words, ids, confidence


def _sources(data: GuideData, ids) -> list[dict]:
    numbers = {sid: i for i, sid in enumerate(data.index["sources"], start=1)}
    out = []
    for sid in ids or ():
        s = data.get("sources", sid)
        out.append({"id": sid, "number": numbers[sid], "title": s["title"], "publisher": s.get("publisher", ""),
                    "confidence": s["confidence"]})
    return out


def template_model(data: GuideData, template: Mapping) -> dict:
    """Plain values every renderer reads: resolved choices, table rows, hints, sources."""
    sections = []
    for section in template["sections"]:
        fields = []
        for f in section["fields"]:
            guidance, min_words, source_ids, confidence = _with_requirement(data, f)
            model = {
                "id": f["id"], "key": f"{section['id']}.{f['id']}",
                "number": f.get("number", ""), "label": f["label"], "guidance": guidance,
                "kind": f["kind"], "kind_label": KIND_LABELS[f["kind"]], "required": bool(f.get("required")),
                "hints": field_hints({**f, "min_words": min_words}), "confidence": confidence,
                "sources": _sources(data, source_ids),
                "lines": f.get("lines", DEFAULT_LINES.get(f["kind"], 1)),
                "min_words": min_words,
            }
            if f["kind"] == "choice":
                model["options"] = choice_options(data, f)
                model["multiple"] = bool(f.get("multiple"))
            if f["kind"] == "table":
                model["columns"] = [{"id": c["id"], "label": c["label"], "width": c.get("width", 2)}
                                    for c in f["columns"]]
                if f.get("rows_from"):
                    aspect = "SID" if f["rows_from"] == "iid_sid_indicators" else "SPD"
                    year, labels = _latest_indicators(data, aspect)
                    model["row_labels"] = labels
                    model["rows_note"] = (f"Baris memuat indikator {aspect} edisi {year} dari data panduan."
                                          if year else "")
                    model["rows"] = len(labels) or DEFAULT_ROWS
                else:
                    model["row_labels"] = []
                    model["rows_note"] = ""
                    model["rows"] = f.get("rows", DEFAULT_ROWS)
            fields.append(model)
        guidance, min_words, source_ids, confidence = _with_requirement(data, section)
        sections.append({
            "id": section["id"], "number": section.get("number", ""), "title": section["title"],
            "guidance": guidance, "min_words": min_words,
            "confidence": confidence, "sources": _sources(data, source_ids),
            "fields": fields,
        })
    stages = {s["id"]: s for s in data.items("stages")}
    return {
        "id": template["id"], "title": template["title"], "summary": template["summary"],
        "intro": template.get("intro", ""), "notice": template.get("notice", ""),
        "confidence": template.get("confidence"), "sources": _sources(data, template.get("sources")),
        "stages": [stages[s]["name"] for s in template.get("stages", ())],
        "sections": sections,
    }


def all_labels(model: Mapping) -> list[str]:
    """Every label a filled-in copy must show (fields, table columns, section titles)."""
    out = []
    for section in model["sections"]:
        out.append(section["title"])
        for f in section["fields"]:
            out.append(f["label"])
            out += [c["label"] for c in f.get("columns", ())]
            out += f.get("options", [])
    return out


def template_issues(data: GuideData) -> list[DataIssue]:
    """Rules the schema cannot say: a template's ``id`` is its file name; a text with
    ``{n}`` names its ``requirement``; that requirement exists in the newest edition."""
    issues = []
    for template in templates(data):
        rel = f"guide_data/templates/{template['id']}.yml"
        for s_i, section in enumerate(template["sections"]):
            items = [(f"sections[{s_i}]", section)] + [
                (f"sections[{s_i}].fields[{f_i}]", f) for f_i, f in enumerate(section["fields"])]
            for key, item in items:
                text = item.get("guidance", "")
                if ("{n}" in text or "{dari}" in text) and not item.get("requirement"):
                    issues.append(DataIssue(rel, None, f"{key}.guidance",
                                            "teks memakai {n} atau {dari}, tetapi tidak ada `requirement`.",
                                            "tambahkan `requirement: <nama syarat>` (misalnya max_age_years) "
                                            "atau tulis teksnya tanpa {n}."))
                if item.get("requirement"):
                    try:
                        newest_requirement(data, item["requirement"])
                    except TemplateError as exc:
                        issues.append(DataIssue(rel, None, f"{key}.requirement", str(exc).split(" Perbaikan: ")[0],
                                                str(exc).split(" Perbaikan: ")[-1]))
    folder = data.root / "guide_data" / "templates"
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else ():
        rel = os.path.relpath(path, data.root)
        raw, lines, _ = parse_yaml(path, rel)
        if isinstance(raw, dict) and raw.get("id") != path.stem:
            issues.append(DataIssue(rel, lines.get(("id",)), "id",
                                    f"id `{raw.get('id')}` berbeda dengan nama berkas `{path.stem}`.",
                                    f"samakan keduanya: ubah id menjadi `{path.stem}` atau ganti nama berkasnya."))
    return issues


# ----------------------------------------------------------------- epoch


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time, else now (then output varies)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return int(value)
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        if out.isdigit():
            return int(out)
    except (OSError, subprocess.SubprocessError):
        pass
    return int(datetime.now(timezone.utc).timestamp())


def _epoch_dt(epoch: int) -> datetime:
    # zip timestamps cannot predate 1980
    return datetime.fromtimestamp(max(epoch, 315532800), tz=timezone.utc)


# ------------------------------------------------------------------- web


def web_fragment(data: GuideData, template: Mapping, cite, downloads: Mapping[str, str]) -> Markup:
    """The template's section of the web page. ``cite(*ids)`` renders citations;
    ``downloads`` maps "pdf"/"docx" to links relative to the page."""
    model = template_model(data, template)
    return render_template("template_web.html", t=model, cite=cite, downloads=downloads, describe_kind=describe_kind)


# ------------------------------------------------------------------- PDF


def worksheet_html(data: GuideData, template: Mapping, epoch: int, web_url: str) -> str:
    region = data.region
    logo = (data.root / "docs" / region["logo"]["path"]).resolve()
    stamp = _epoch_dt(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(render_template(
        "worksheet.html", t=template_model(data, template), region=region, logo_uri=logo.as_uri(),
        font_dir=FONT_DIR.resolve().as_uri(), stamp=stamp, web_url=web_url, confidence=CONFIDENCE))


@lru_cache(maxsize=1)
def _fonts_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(FONT_DIR.glob("*.woff2")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def worksheet_pdf(data: GuideData, template: Mapping, epoch: int, web_url: str) -> bytes:
    """The worksheet as PDF (``write_outputs`` reuses it from the build cache)."""
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    doc = weasyprint.HTML(string=worksheet_html(data, template, epoch, web_url), base_url=str(data.root))
    return doc.write_pdf(pdf_forms=True, pdf_tags=True)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """Every module of the package: a change to how templates render renews the cache."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def _cache_key(fmt: str, data: GuideData, template: Mapping, epoch: int, web_url: str) -> list:
    """Everything the worksheet (``pdf``) or DOCX file is made from."""
    from importlib.metadata import version

    logo = data.root / "docs" / data.region["logo"]["path"]
    parts = [fmt, _code_digest(), str(epoch), web_url, logo.read_bytes()]
    if fmt == "pdf":  # the HTML carries the data and the CSS
        return parts + [version("weasyprint"), _fonts_digest(), worksheet_html(data, template, epoch, web_url)]
    # the DOCX reads the template, the region and whatever the template cites: all of guide_data/
    return parts + [version("python-docx")] + [
        f.relative_to(data.root).as_posix().encode() + b"\0" + f.read_bytes()
        for f in sorted((data.root / "guide_data").rglob("*")) if f.is_file()]


# ------------------------------------------------------------------ DOCX


def _hex(color: str):
    from docx.shared import RGBColor

    return RGBColor.from_string(color.lstrip("#").upper())


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _row_height(row, cm: float) -> None:
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.shared import Cm

    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def _column_widths(table, widths_cm: list[float]) -> None:
    """Fixed column widths, in the grid (what LibreOffice reads) and in every cell (Word)."""
    from docx.shared import Cm

    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm):
        col.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _repeat_header(row) -> None:
    """Repeat a table's first row on every page it spans."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _page_field(paragraph, instr: str) -> None:
    """A Word field (PAGE, NUMPAGES) inside a paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")  # 8 pt, like the footer text around it
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _source_line(doc, sources, confidence, style_color) -> None:
    from docx.shared import Pt

    if not sources and not confidence:
        return
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(2)
    parts = []
    if confidence and confidence != "C":
        parts.append(CONFIDENCE[confidence][0].capitalize())
    if sources:
        parts.append("Sumber: " + "; ".join(
            s["title"] + (f" ({s['publisher']})" if s["publisher"] else "")
            + ("" if s["confidence"] == "C" else f", {CONFIDENCE[s['confidence']][0]}") for s in sources))
    run = p.add_run(". ".join(parts) + ".")
    run.font.size = Pt(8)
    run.font.color.rgb = style_color


def worksheet_docx(data: GuideData, template: Mapping, epoch: int, web_url: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    model = template_model(data, template)
    region = data.region
    primary = _hex(region["colors"]["primary"])
    grey = RGBColor(0x55, 0x55, 0x55)
    doc = Document()

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm((21 - CONTENT_WIDTH_CM) / 2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(1.8)

    normal = doc.styles["Normal"]
    normal.font.name = "Source Sans 3"
    normal.font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.color.rgb = primary
        doc.styles[name].font.name = "Source Sans 3"

    head = section.header.paragraphs[0]
    head.text = ""
    r = head.add_run(region["clinic"]["title"])
    r.bold = True
    r.font.color.rgb = primary
    r.font.size = Pt(9)
    head.add_run(" \u00b7 " + region["host"]["name"]).font.size = Pt(8)
    foot = section.footer.paragraphs[0]
    foot.text = ""
    fr = foot.add_run(f"{model['title']} \u00b7 versi web: {web_url} \u00b7 halaman ")
    fr.font.size = Pt(8)
    _page_field(foot, "PAGE")
    foot.add_run(" dari ").font.size = Pt(8)
    _page_field(foot, "NUMPAGES")

    doc.add_paragraph(model["title"], style="Title")
    doc.add_paragraph(model["summary"])
    if model["notice"]:
        table = doc.add_table(rows=1, cols=1)
        table.style = "Table Grid"
        cell = table.rows[0].cells[0]
        cell.text = ""
        run = cell.paragraphs[0].add_run(model["notice"])
        run.bold = True
        _shade(cell, "FDF0D9")
        doc.add_paragraph()
    if model["intro"]:
        doc.add_paragraph(model["intro"])
    how = doc.add_paragraph()
    how_run = how.add_run(
        "Cara mengisi: tulis jawaban di kotak di bawah setiap butir. Teks miring adalah petunjuk; "
        "hapus petunjuk bila perlu. Butir bertanda \u201cwajib\u201d harus diisi.")
    how_run.italic = True
    how_run.font.size = Pt(9)
    if model["stages"]:
        doc.add_paragraph("Dipakai pada tahap: " + ", ".join(model["stages"]) + ".")
    _source_line(doc, model["sources"], model["confidence"], grey)

    for sec in model["sections"]:
        title = (f"{sec['number']}. " if sec["number"] else "") + sec["title"]
        doc.add_heading(title, level=1)
        if sec["guidance"]:
            g = doc.add_paragraph().add_run(sec["guidance"])
            g.italic = True
            g.font.color.rgb = grey
        if sec["min_words"]:
            doc.add_paragraph(f"Seluruh bagian ini paling sedikit {sec['min_words']} kata.")
        _source_line(doc, sec["sources"], sec["confidence"], grey)
        for f in sec["fields"]:
            label = doc.add_paragraph(style="Heading 2")
            label.add_run((f"{f['number']} " if f["number"] else "") + f["label"])
            extra = list(f["hints"]) + (["wajib"] if f["required"] else [])
            if extra:
                er = label.add_run(" (" + ", ".join(extra) + ")")
                er.font.size = Pt(9)
                er.bold = False
            gp = doc.add_paragraph()
            gp.paragraph_format.keep_with_next = True  # the guidance stays with its box
            gr = gp.add_run(f["guidance"])
            gr.italic = True
            gr.font.size = Pt(9)
            gr.font.color.rgb = grey
            if f["kind"] == "choice":
                for option in f["options"]:
                    p = doc.add_paragraph("\u2610 " + option)
                    p.paragraph_format.left_indent = Cm(0.5)
                    p.paragraph_format.space_after = Pt(0)
            elif f["kind"] == "table":
                cols = f["columns"]
                table = doc.add_table(rows=1 + f["rows"], cols=len(cols))
                table.style = "Table Grid"
                total = sum(col["width"] for col in cols)
                _column_widths(table, [CONTENT_WIDTH_CM * col["width"] / total for col in cols])
                _repeat_header(table.rows[0])
                for c, col in enumerate(cols):
                    cell = table.rows[0].cells[c]
                    cell.text = ""
                    cell.paragraphs[0].add_run(col["label"]).bold = True
                    _shade(cell, "E8F0EE")
                for r_i in range(f["rows"]):
                    row = table.rows[1 + r_i]
                    _row_height(row, 0.8)
                    if f["row_labels"]:
                        row.cells[0].text = f["row_labels"][r_i]
                if f["rows_note"]:
                    n = doc.add_paragraph().add_run(f["rows_note"])
                    n.font.size = Pt(8)
                    n.font.color.rgb = grey
            else:
                table = doc.add_table(rows=1, cols=1)
                table.style = "Table Grid"
                _column_widths(table, [CONTENT_WIDTH_CM])
                cell = table.rows[0].cells[0]
                if f["kind"] == "date":
                    cell.text = "....... / ....... / ............"
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
                _row_height(table.rows[0], 0.9 if f["kind"] != "long_text" else 0.75 * f["lines"])
                if f["kind"] == "short_text" and f["lines"] > 1:
                    _row_height(table.rows[0], 0.75 * f["lines"])
            _source_line(doc, f["sources"], f["confidence"], grey)

    props = doc.core_properties
    stamp = _epoch_dt(epoch).replace(tzinfo=None)
    props.author = region["clinic"]["title"]
    props.last_modified_by = region["clinic"]["title"]
    props.title = model["title"]
    props.subject = model["summary"]
    props.language = "id-ID"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.keywords = "klinik inovasi; templat"
    props.comments = ""
    props.category = "Templat"
    package = doc.part.package  # the default template's thumbnail shows an unrelated page
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue(), epoch)


def normalise_zip(blob: bytes, epoch: int) -> bytes:
    """Rewrite a zip with fixed entry times and attributes (deterministic bytes)."""
    stamp = _epoch_dt(epoch).timetuple()[:6]
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# ------------------------------------------------------------------ output


def output_names(template: Mapping) -> dict[str, str]:
    """Site-relative paths of a template's downloads."""
    return {"pdf": f"{DOWNLOAD_DIR}/{template['id']}.pdf", "docx": f"{DOWNLOAD_DIR}/{template['id']}.docx"}


def web_url_of(data: GuideData, template: Mapping) -> str:
    base = data.region["site"]["url"].rstrip("/") + "/"
    return f"{base}alat/templat/#templat-{template['id']}"


def safe_filename(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


def write_outputs(data: GuideData, site_dir: Path, epoch: int | None = None) -> list[tuple[str, str, str]]:
    """Write every template's PDF and DOCX under ``site_dir``; return (path, title, kind)
    for the downloads manifest (kinds: "lembar-kerja" for the PDF, "templat" for the DOCX).

    Each file comes from the build cache (``guidebook/cache.py``) while everything it is
    made from is unchanged, so editing a chapter renders none of them again."""
    from . import cache, timing

    epoch = build_epoch() if epoch is None else epoch
    written = []
    with timing.stage("worksheets") as figures:
        made = reused = 0
        for template in templates(data):
            names = output_names(template)
            url = web_url_of(data, template)
            for fmt, render, label, kind in (
                    ("pdf", worksheet_pdf, "lembar kerja PDF", "lembar-kerja"),
                    ("docx", worksheet_docx, "dokumen .docx yang dapat disunting", "templat")):
                def produce(target: Path, render=render, template=template, url=url):
                    target.write_bytes(render(data, template, epoch, url))
                    return None, []

                # one cache folder per file: the cache keeps a few entries per folder
                _, hit = cache.cached_file(f"templat-{template['id']}-{fmt}", _cache_key(fmt, data, template, epoch, url),
                                           site_dir / names[fmt], produce, root=data.root)
                reused, made = reused + hit, made + (not hit)
                written.append((names[fmt], f"{template['title']} ({label})", kind))
        figures.update(files=made + reused, cached=reused)
    return written


def describe_kind(field: Mapping[str, Any]) -> str:
    """A one-line description of a field's kind for the web page."""
    text = field["kind_label"]
    if field["kind"] == "long_text" and field.get("min_words"):
        text += f", paling sedikit {field['min_words']} kata"
    if field["kind"] == "choice":
        text += ", boleh lebih dari satu" if field.get("multiple") else ", pilih satu"
    if field["kind"] == "table":
        text += f", {len(field['columns'])} kolom \u00d7 {field['rows']} baris"
    return text
