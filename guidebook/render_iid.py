"""Fragments for the IID chapters: aspects, formula, scoring parameters, predicates,
reporting windows, IGA, indicator cards per edition and the changes between editions.

Every function takes the page's ``Renderer`` (for relative links and citations) and
reads only validated data. Numbers reach the page from the edition files, never from
the chapter text.
"""
from __future__ import annotations

import posixpath
from typing import Any, Mapping

from markupsafe import Markup

from . import diagrams, editions
from .editions import CATALOGUE_CATEGORIES, CATEGORIES, REQUIREMENT_LABELS, SCORING_LABELS
from .fmt import angka, persen
from .render import Renderer, number_words, render_markdown, render_template

INDICATOR_PAGE = "iid/indikator-{year}.md"
# which edition field each non-catalogue change category reads
CATEGORY_FIELDS = {"predicates": "predicates", "scoring": "scoring", "requirements": "requirements",
                   "window": "reporting_window",
                   "guideline": "guideline"}
CHANGES_PAGE = "iid/perubahan.md"


class EditionError(KeyError):
    """A page asked for an edition the data does not have (message in Indonesian)."""

    def __str__(self) -> str:
        return str(self.args[0])


# ---------------------------------------------------------------- lookups


def all_editions(r: Renderer) -> list[Mapping]:
    """Every edition file, complete or partial, oldest first."""
    return sorted(r.data.files.get("iid", {}).values(), key=lambda e: e["year"])


def edition(r: Renderer, year: int | None = None, *, full: bool = True) -> Mapping:
    """One edition by year; by default the newest with a complete catalogue.

    ``full=True`` refuses a partial edition: nothing scores or lists indicators from
    an incomplete catalogue.
    """
    if year is None:
        complete = r.data.items("editions")
        if not complete:
            raise EditionError("Belum ada edisi IID dengan katalog lengkap di guide_data/iid/.")
        return complete[-1]
    found = r.data.files.get("iid", {}).get(str(year))
    if found is None:
        raise EditionError(f"Edisi IID {year} tidak ada. Perbaikan: buat guide_data/iid/{year}.yml "
                           "atau perbaiki tahun yang diminta halaman ini.")
    if full and editions.is_partial(found):
        raise EditionError(f"Edisi IID {year} hanya catatan sebagian (catalogue: partial), jadi tidak dapat "
                           "dipakai untuk katalog indikator atau perhitungan. Perbaikan: pakai edisi lengkap, "
                           f"atau lengkapi guide_data/iid/{year}.yml lalu ubah `catalogue` menjadi `full`.")
    return found


def doc_link(r: Renderer, target_src: str, anchor: str = "") -> str:
    """A Markdown link target (source path relative to this page), which MkDocs checks
    and rewrites; raw HTML fragments use ``r.href`` instead."""
    base = posixpath.dirname(r.page_src or "")
    return posixpath.relpath(target_src, base or ".") + (f"#{anchor}" if anchor else "")


def indicator_href(r: Renderer, year: int, no: int) -> str:
    return r.href(INDICATOR_PAGE.format(year=year), f"indikator-{no}")


def indicator_link(r: Renderer, no: int, year: int | None = None, start: bool = False) -> Markup:
    """A link to one indicator card; the build fails if the edition lacks that number.

    ``start`` capitalises the link text for the start of a sentence."""
    ed = edition(r, year)
    ind = next((i for i in ed["indicators"] if i["no"] == no), None)
    if ind is None:
        raise EditionError(f"Indikator nomor {no} tidak ada di katalog edisi {ed['year']}. Perbaikan: "
                           "perbaiki nomor di halaman ini sesuai katalog guide_data/iid/.")
    return render_template("indicator_link.html", ind=ind, href=indicator_href(r, ed["year"], no),
                           word="Indikator" if start else "indikator").replace("\n", "")


def claim(r: Renderer, confidence: str, sources, always: bool = False) -> Markup:
    """One confidence mark for a fact, then its citation numbers.

    The mark is the fact's own confidence (a U parameter may rest on a C slide): C is
    shown only when ``always`` (table columns), C2 names the regional publishers, U
    says "belum terverifikasi". Sources are recorded for the page's reference list.
    """
    found = [r.data.get("sources", sid) for sid in sources]
    if r._on_cite is not None:
        r._on_cite(tuple(sources))
    regional = [x["publisher"] for x in found if x["confidence"] == "C2"] or [x["publisher"] for x in found]
    html = render_template("claim.html", **r._ctx(confidence=confidence, sources=found,
                                                   regional=list(dict.fromkeys(regional)), always=always))
    return Markup(html.replace("\n", ""))


def fragment_context(r: Renderer, **extra: Any) -> dict:
    return r._ctx(claim=lambda conf, src, always=False: claim(r, conf, src, always), **extra)


def figure_id(r: Renderer, name: str) -> str:
    page = (r.page_src or "halaman").replace("/", "-").replace(".md", "")
    return f"gambar-{page}-{name}"


# ------------------------------------------------------------- the IID page


def aspects(r: Renderer, year: int | None = None) -> Markup:
    ed = edition(r, year)
    level_max = ed["scoring"]["level_max"]["value"]
    rows = []
    for asp in ed.get("aspects") or ():
        inds = editions.indicators_of(ed, asp["aspect"])
        weight = editions.weight_sum(ed, asp["aspect"])
        rows.append({"a": asp, "count": len(inds), "first": min(i["no"] for i in inds),
                     "last": max(i["no"] for i in inds), "weight": weight, "max": weight * level_max,
                     "variables": [v["name"] for v in ed.get("variables") or () if v["aspect"] == asp["aspect"]]})
    return render_template("iid_aspects.html", **fragment_context(r, ed=ed, rows=rows, level_max=level_max))


def formula(r: Renderer, year: int | None = None) -> Markup:
    ed = edition(r, year)
    spd = editions.indicators_of(ed, "SPD")
    sid = editions.indicators_of(ed, "SID")
    return render_template("iid_formula.html", **fragment_context(
        r, ed=ed, s=ed["scoring"], spd_range=(min(i["no"] for i in spd), max(i["no"] for i in spd)),
        sid_range=(min(i["no"] for i in sid), max(i["no"] for i in sid)),
        rejected=_note(r, "ditolak-tetap-dihitung")))


def scoring_table(r: Renderer, year: int | None = None) -> Markup:
    ed = edition(r, year)
    rows = [(SCORING_LABELS[k], ed["scoring"][k]) for k in SCORING_LABELS if k in ed["scoring"]]
    s = ed["scoring"]
    derived = {
        "count": s["count_weight"]["value"] * s["count_cap"]["value"],
        "count_max": s["count_max"]["value"],
        "total": s["spd_max"]["value"] + s["sid_per_innovation_max"]["value"] + s["count_max"]["value"],
        "total_max": s["total_max"]["value"],
    }
    return render_template("iid_scoring.html", **fragment_context(r, ed=ed, rows=rows, derived=derived))


def score_mix(r: Renderer, year: int | None = None) -> Markup:
    ed = edition(r, year)
    s = ed["scoring"]
    parts = [("SPD", s["spd_max"]["value"]),
             ("SID rata-rata per inovasi", s["sid_per_innovation_max"]["value"]),
             ("Skor jumlah inovasi", s["count_max"]["value"])]
    total = s["total_max"]["value"]
    desc = (f"Batang bertumpuk nilai maksimum IID edisi {ed['year']}: " +
            "; ".join(f"{label} {angka(v)} dari {angka(total)}" for label, v in parts) + ".")
    palette = diagrams.Palette.of(r.data.region)
    svg = render_template("diagram_score.svg", uid=figure_id(r, "komposisi"), p=palette,
                          title=f"Komposisi nilai maksimum IID {ed['year']}", desc=desc,
                          **diagrams.stacked_bar_layout(parts, total, palette, angka, persen))
    return render_template("figure.html", svg=svg,
                           caption=f"Komposisi nilai maksimum IID edisi {ed['year']}. Angka dari data edisi; "
                                   "tingkat keyakinan tiap angka ada di tabel parameter skor.")


def divisor_example(r: Renderer, year: int | None = None) -> Markup:
    """How MAX(d, n) caps the SID average, if every innovation scored the maximum."""
    ed = edition(r, year)
    s = ed["scoring"]
    d = int(s["divisor_min"]["value"])
    top = s["sid_per_innovation_max"]["value"]
    rows = []
    for n, rejected in ((1, 0), (max(2, d // 2), 0), (d, 0), (d, max(1, d // 5)), (2 * d, 0)):
        total = (n - rejected) * top
        divisor = max(d, n)
        rows.append({"n": n, "rejected": rejected, "total": total, "divisor": divisor,
                     "average": round(total / divisor, 2)})
    return render_template("iid_divisor.html", **fragment_context(r, ed=ed, s=s, rows=rows, d=d, top=top,
                                                       rejected=_note(r, "ditolak-tetap-dihitung")))


def predicates(r: Renderer, year: int | None = None) -> Markup:
    ed = edition(r, year, full=False)
    bands = sorted(ed["predicates"], key=lambda p: p["min"], reverse=True)
    return render_template("iid_predicates.html", **fragment_context(r, ed=ed, bands=bands))


def windows(r: Renderer) -> Markup:
    return render_template("iid_windows.html", **fragment_context(r, eds=all_editions(r)))


def national(r: Renderer) -> Markup:
    rows = [(ed, item) for ed in all_editions(r) for item in ed.get("national") or ()]
    return render_template("iid_national.html", **fragment_context(r, rows=rows))


def edition_notes(r: Renderer, year: int | None = None) -> Markup:
    ed = edition(r, year, full=False)
    return render_template("iid_notes.html", **fragment_context(
        r, ed=ed, notes=ed.get("notes") or (), requirements=_requirements(ed)))


def _requirements(ed: Mapping) -> list[tuple[str, Mapping]]:
    return [(key, req) for key in REQUIREMENT_LABELS if (req := editions.requirement(ed, key)) is not None]


def requirement_value(r: Renderer, key: str, field: str = "value", year: int | None = None):
    """One reporting requirement of an edition (by default the newest complete one), for prose."""
    if key not in REQUIREMENT_LABELS:
        raise EditionError(f"Syarat pelaporan `{key}` tidak dikenal. Perbaikan: pakai salah satu dari "
                           + ", ".join(REQUIREMENT_LABELS) + ".")
    ed = edition(r, year, full=False) if year is not None else edition(r)
    req = editions.requirement(ed, key)
    if req is None or (field != "out_of" and field not in req):
        raise EditionError(f"Edisi IID {ed['year']} belum mencatat `requirements.{key}`"
                           f"{'.' + field if field != 'value' else ''}. Perbaikan: tambahkan di "
                           f"guide_data/iid/{ed['year']}.yml.")
    if field == "out_of":
        return len(req.get("affairs") or ())
    return req[field]


def _note(r: Renderer, note_id: str) -> Mapping | None:
    return next((n for n in r.data.iga.get("reporting_notes") or () if n["id"] == note_id), None)


def _note_text(r: Renderer, note: Mapping) -> str:
    """A reporting note's text, with ``{n}`` filled from the newest edition's requirement."""
    key = note.get("requirement")
    if not key:
        return note["text"]
    return note["text"].replace("{n}", number_words(requirement_value(r, key)))


def reporting_notes(r: Renderer) -> Markup:
    notes = [{**n, "text": _note_text(r, n)} for n in r.data.iga["reporting_notes"]]
    kinds = {"aturan": "Aturan pelaporan", "akibat": "Akibat pada nilai", "saran": "Anjuran"}
    groups = [(label, [n for n in notes if n["kind"] == kind]) for kind, label in kinds.items()]
    return render_template("iid_reporting_notes.html", **fragment_context(r, groups=[g for g in groups if g[1]]))


def portal(r: Renderer) -> Markup:
    return render_template("iid_portal.html", **fragment_context(r, p=r.data.iga["portal"]))


# ---------------------------------------------------------------------- IGA


def iga_stages(r: Renderer) -> Markup:
    stages = sorted(r.data.iga["stages"], key=lambda s: s["order"])
    return render_template("iga_stages.html", **fragment_context(r, stages=stages))


def iga_presentation(r: Renderer) -> Markup:
    pres = r.data.iga["presentation"]
    crit = sorted(pres["criteria"], key=lambda c: -c["weight"])
    return render_template("iga_presentation.html", **fragment_context(r, pres=pres, criteria=crit))


def iga_awards(r: Renderer) -> Markup:
    iga = r.data.iga
    cats = {c["id"]: c for c in iga["categories"]}
    newest = edition(r)
    top = max(newest["predicates"], key=lambda p: p["min"])
    return render_template("iga_awards.html", **fragment_context(
        r, categories=iga["categories"], cats=cats, winners=iga.get("winners") or (),
        incentive=iga.get("incentive"), top=top, newest=newest))


def iga_partners(r: Renderer) -> Markup:
    return render_template("iga_partners.html", **fragment_context(r, partners=r.data.iga.get("validation_partners") or ()))


def region_results(r: Renderer) -> Markup:
    rows = []
    for res in r.data.iga.get("region_results") or ():
        ed = r.data.files.get("iid", {}).get(str(res["year"]))
        band = None
        if ed and "score" in res and ed.get("predicates"):
            band = next((p for p in ed["predicates"] if p["min"] <= res["score"] <= p.get("max", 100)), None)
        rows.append({"res": res, "band": band})
    return render_template("iid_region_results.html", **fragment_context(r, rows=rows, history=r.data.iga.get("history") or ()))


# ------------------------------------------------------------ indicator cards


def _services_by_indicator(r: Renderer) -> dict[int, list]:
    out: dict[int, list] = {}
    for s in sorted(r.data.items("services"), key=lambda s: s["order"]):
        for no in s["indicators"]:
            out.setdefault(no, []).append(s)
    return out


def indicator_page(r: Renderer, year: int) -> Markup:
    """The body of one edition's indicator page: intro, summary table, all cards."""
    ed = edition(r, year)
    newest = edition(r)
    level_max = ed["scoring"]["level_max"]["value"]
    services = _services_by_indicator(r) if ed["year"] == newest["year"] else {}

    def card(ind):
        return render_template("indicator_card.html", **fragment_context(
            r, ed=ed, ind=ind, level_max=level_max, services=services.get(ind["no"], ()),
            services_href=r.href("klinik/layanan.md")))

    groups = []
    for asp in ed.get("aspects") or ():
        inds = editions.indicators_of(ed, asp["aspect"])
        groups.append({"aspect": asp, "indicators": inds,
                       "variables": [v["name"] for v in ed.get("variables") or () if v["aspect"] == asp["aspect"]]})
    others = [e["year"] for e in r.data.items("editions") if e["year"] != ed["year"]]
    return render_markdown("indicator_page.md", **fragment_context(
        r, ed=ed, groups=groups, card=card, level_max=level_max, newest=newest,
        total=len(editions.indicators_of(ed)),
        other_pages=[(y, doc_link(r, INDICATOR_PAGE.format(year=y))) for y in others],
        changes_href=doc_link(r, CHANGES_PAGE), iid_href=doc_link(r, "iid/index.md"),
        notes=r.data.iga["reporting_notes"], summary=indicator_summary(r, ed["year"])))


def indicator_summary(r: Renderer, year: int) -> Markup:
    ed = edition(r, year)
    level_max = ed["scoring"]["level_max"]["value"]
    return render_template("indicator_summary.html", **fragment_context(
        r, ed=ed, inds=editions.indicators_of(ed), level_max=level_max,
        anchor=lambda no: f"#indikator-{no}"))


# --------------------------------------------------------------- changes page


def edition_overview(r: Renderer) -> Markup:
    rows = []
    for ed in all_editions(r):
        top = max(ed.get("predicates") or (), key=lambda p: p["min"], default=None)
        rows.append({
            "ed": ed, "partial": editions.is_partial(ed),
            "spd": len(editions.indicators_of(ed, "SPD")), "sid": len(editions.indicators_of(ed, "SID")),
            "w_spd": editions.weight_sum(ed, "SPD"), "w_sid": editions.weight_sum(ed, "SID"),
            "divisor": (ed.get("scoring") or {}).get("divisor_min"), "top": top,
            "page": r.href(INDICATOR_PAGE.format(year=ed["year"])) if not editions.is_partial(ed) else None,
        })
    return render_template("edition_overview.html", **fragment_context(r, rows=rows))


def edition_changes(r: Renderer) -> Markup:
    eds = all_editions(r)
    by_year = {e["year"]: e for e in eds}
    sections = []
    for d in editions.all_diffs(eds):
        grouped = d.by_category()
        new = by_year[d.new_year]
        keys = [k for k in CATEGORIES if not (d.partial and k in CATALOGUE_CATEGORIES)]
        sections.append({"diff": d, "groups": [(k, CATEGORIES[k], grouped[k]) for k in keys],
                         "recorded": {k: bool(new.get(field)) for k, field in CATEGORY_FIELDS.items()},
                         "page": doc_link(r, INDICATOR_PAGE.format(year=d.new_year)) if not d.partial else None})
    return render_markdown("edition_changes.md", **fragment_context(r, sections=sections,
                                                         catalogue_categories=CATALOGUE_CATEGORIES))


def next_edition_notes(r: Renderer) -> Markup:
    partial = [ed for ed in all_editions(r) if editions.is_partial(ed)]
    return render_markdown("edition_next.md", **fragment_context(r, eds=partial, labels=SCORING_LABELS,
                                                                 requirements=_requirements))




# ------------------------------------------------------------------- macros


def page_macros(renderer) -> dict:
    """The IID macros pages call; ``renderer()`` gives the current page's Renderer."""
    return {
        "edisi": lambda tahun=None, lengkap=True: edition(renderer(), tahun, full=lengkap),
        "syarat": lambda kunci, bagian="value", tahun=None: requirement_value(renderer(), kunci, bagian, tahun),
        "indikator": lambda no, tahun=None, awal=False: indicator_link(renderer(), no, tahun, awal),
        "aspek_iid": lambda tahun=None: aspects(renderer(), tahun),
        "rumus_iid": lambda tahun=None: formula(renderer(), tahun),
        "parameter_skor": lambda tahun=None: scoring_table(renderer(), tahun),
        "komposisi_nilai": lambda tahun=None: score_mix(renderer(), tahun),
        "ilustrasi_pembagi": lambda tahun=None: divisor_example(renderer(), tahun),
        "tabel_predikat": lambda tahun=None: predicates(renderer(), tahun),
        "jendela_pelaporan": lambda: windows(renderer()),
        "angka_nasional": lambda: national(renderer()),
        "catatan_edisi": lambda tahun=None: edition_notes(renderer(), tahun),
        "aturan_pelaporan": lambda: reporting_notes(renderer()),
        "portal_iid": lambda: portal(renderer()),
        "tahapan_iga": lambda: iga_stages(renderer()),
        "bobot_presentasi": lambda: iga_presentation(renderer()),
        "penghargaan_iga": lambda: iga_awards(renderer()),
        "mitra_validasi": lambda: iga_partners(renderer()),
        "hasil_daerah": lambda: region_results(renderer()),
        "halaman_indikator": lambda tahun: indicator_page(renderer(), tahun),
        "ringkasan_edisi": lambda: edition_overview(renderer()),
        "perubahan_edisi": lambda: edition_changes(renderer()),
        "catatan_edisi_berikutnya": lambda: next_edition_notes(renderer()),
    }
