"""The variables and macros that Markdown pages can use (via mkdocs-macros).

In a page: ``{{ region.clinic.acronym }}``, ``{{ sumber('pp-38') }}``,
``{{ kartu_tahapan() }}``, ``{{ tabel_glosarium() }}``, ``{{ siklus_labinov() }}`` and the others below.
Each macro renders a fragment from ``guidebook.render`` for the current page.
"""
from __future__ import annotations

from pathlib import Path

from . import downloads, render_iid, render_klinik
from .data import load_guide_data
from .fmt import FILTERS
from .render import Renderer, number_words, source_id_list
from .tools import tool_macros


def on_pre_page_macros(env) -> None:
    """Before each page: data printed on it ({{ region.x }}) is escaped like in our
    templates; macros return Markup, which is not escaped again."""
    env.env.autoescape = True


def define_env(env) -> None:
    data = load_guide_data(Path(env.conf["config_file_path"]).parent)
    env.variables["data"] = data
    env.variables["region"] = data.region

    cited: dict[str | None, dict[str, None]] = {}  # page -> source ids in citation order

    def page_src() -> str | None:
        page = getattr(env, "page", None)
        return page.file.src_uri if page is not None else None

    def record(ids) -> None:
        cited.setdefault(page_src(), {}).update(dict.fromkeys(ids))

    def renderer() -> Renderer:
        # Citations inside fragments (taxonomy, regulations, Labinov cards) count too.
        return Renderer(data, page_src(), on_cite=record)

    def cite(*ids):
        return renderer().cite(*source_id_list(ids))

    def references():
        """The sources cited so far on this page (put it at the chapter's end)."""
        return renderer().reference_list(list(cited.pop(page_src(), {})))

    macros = {
        "sumber": cite,
        "rujukan": references,
        "keyakinan": lambda level: renderer().confidence(level),
        "kartu_tahapan": lambda tingkat=3: renderer().stage_cards(tingkat),
        "rincian_tahapan": lambda stage_id, tingkat=2: renderer().stage_detail(stage_id, tingkat),
        "periksa_tahapan": lambda stage_id: renderer().stage_checklist(stage_id),
        "tabel_glosarium": lambda: renderer().glossary_table(),
        "daftar_sumber": lambda: renderer().source_list(),
        "daftar_regulasi": lambda: renderer().regulation_list(),
        "taksonomi": lambda group: renderer().taxonomy(group),
        "kontak_daerah": lambda: renderer().region_contacts(),
        "regulasi_daerah": lambda: renderer().local_regulations(),
        "siklus_labinov": lambda kartu=True: renderer().labinov_cycle(with_cards=kartu),
        "tautan": lambda target, anchor="": renderer().href(target, anchor),
        "daftar_unduhan": downloads.placeholder,
    }
    macros.update(render_iid.page_macros(renderer))
    macros.update(render_klinik.page_macros(renderer))
    macros.update(tool_macros(data, page_src, cite, env.conf))
    for name, fn in macros.items():
        env.macro(fn, name)
    env.filter(number_words, "terbilang")  # {{ 5|terbilang }} -> "lima"
    for name, fn in FILTERS.items():  # {{ x|angka }}, {{ "2024-08-05"|tanggal }} -> "5 Agustus 2024", ...
        env.filter(fn, name)
