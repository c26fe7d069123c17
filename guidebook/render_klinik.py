"""Fragments for the clinic chapters: host and partners (from ``region.yml``), services
and their flow, roles, the yearly calendar and other regions' practice.

Nothing here names a region: the host and partners come from ``region.yml``, so a
fork's pages show the fork's own clinic.
"""
from __future__ import annotations

from typing import Mapping

from markupsafe import Markup

from . import diagrams, klinik
from .fmt import angka, long_date, month_label, month_year
from .render import Renderer, render_markdown, render_template
from .render_iid import EditionError, all_editions, edition, figure_id, fragment_context, indicator_href

STAGE_PAGE = "tahapan/{id}.md"
SERVICES_PAGE = "klinik/layanan.md"


def _services(r: Renderer) -> list[Mapping]:
    return sorted(r.data.items("services"), key=lambda s: s["order"])


def _roles(r: Renderer) -> dict[str, Mapping]:
    return dict(r.data.index["roles"])


def partners(r: Renderer) -> Markup:
    return render_template("klinik_partners.html", **fragment_context(r))


def _indicator_refs(r: Renderer, service: Mapping) -> list[dict]:
    ed = edition(r)
    by_no = {i["no"]: i for i in ed["indicators"]}
    return [{"no": no, "name": by_no[no]["name"], "href": indicator_href(r, ed["year"], no)}
            for no in service["indicators"]]


def services(r: Renderer) -> Markup:
    roles = _roles(r)
    ed = edition(r)

    def card(s):
        return render_template("service_card.html", **fragment_context(
            r, s=s, lead=roles[s["lead"]], support=[roles[x] for x in s.get("support") or ()],
            stages=[(r.data.get("stages", sid), r.href(STAGE_PAGE.format(id=sid))) for sid in s["stages"]],
            indicators=_indicator_refs(r, s), year=ed["year"]))

    return render_markdown("services.md", **fragment_context(r, services=_services(r), card=card))


def _stage_names(r: Renderer, s: Mapping) -> str:
    return ", ".join(r.data.get("stages", sid)["name"].lower() for sid in s["stages"])


def service_flow(r: Renderer) -> Markup:
    items = _services(r)

    def meta(s):
        inds = ", ".join(str(n) for n in s["indicators"]) or "tidak khusus"
        return f"Tahap: {_stage_names(r, s)} · Indikator: {inds}"

    desc = ("Alur layanan klinik dari atas ke bawah: " +
            "; ".join(f"{s['order']}. {s['name']}" for s in items) +
            f". Setelah layanan {items[-1]['order']}, siklus kembali ke layanan {items[0]['order']} pada tahun berikutnya.")
    svg = render_template("diagram_flow.svg", uid=figure_id(r, "alur"), p=diagrams.Palette.of(r.data.region),
                          title="Alur layanan klinik inovasi", desc=desc, **diagrams.flow_layout(items, meta))
    return render_template("figure.html", svg=svg, caption=(
        "Alur layanan klinik, dari penerimaan sampai rekognisi. Garis putus-putus di kanan menandai "
        "siklus tahunan: hasil evaluasi dan rekognisi menjadi masukan penerimaan tahun berikutnya. "
        "Urutan dan isi layanan disusun panduan ini (belum terverifikasi)."))


def roles_table(r: Renderer) -> Markup:
    items = _services(r)
    rows = []
    for role in r.data.items("roles"):
        rows.append({"role": role,
                     "leads": [s for s in items if s["lead"] == role["id"]],
                     "supports": [s for s in items if role["id"] in (s.get("support") or ())]})
    return render_template("roles.html", **fragment_context(r, rows=rows, services_href=r.href(SERVICES_PAGE)))


def calendar(r: Renderer) -> Markup:
    cal = r.data.calendar
    ed = klinik.anchor_edition(all_editions(r))
    window = klinik.window_months(ed)
    first = klinik.first_month(cal, window)
    services = r.data.index["services"]
    rows = []
    for act in cal["activities"]:
        start, end = klinik.span(act, window)
        rows.append({"act": act, "start": start, "end": end, "name": act["name"],
                     "national": act["kind"] == "nasional",
                     "range_label": klinik.range_label(start, end),
                     "months": _month_range(start, end),
                     "services": [services[sid] for sid in act.get("services") or ()]})
    rows.sort(key=lambda x: (x["start"], x["end"]))
    w = ed["reporting_window"]
    desc = (f"Kalender dua belas bulan, {month_label(first, False)} {month_year(first)} sampai "
            f"{month_label(first + 11, False)} {month_year(first + 11)}. Jendela pelaporan IID {ed['year']}: "
            f"{long_date(w['open'])} sampai {long_date(w['close'])}. Kegiatan: " +
            "; ".join(f"{x['name']} ({x['months']})" for x in rows) + ".")
    svg = render_template("diagram_calendar.svg", uid=figure_id(r, "kalender"), p=diagrams.Palette.of(r.data.region),
                          title=f"Kalender tahunan klinik, berpatokan pada jendela pelaporan IID {ed['year']}",
                          desc=desc, window_label=f"Jendela pelaporan IID {ed['year']}",
                          **diagrams.calendar_layout(rows, first, window, month_label, month_year))
    figure = render_template("figure.html", svg=svg, caption=(
        f"Kalender tahunan klinik. Area berarsir adalah jendela pelaporan IID {ed['year']} "
        f"({long_date(w['open'])} sampai {long_date(w['close'])}); setiap batang adalah satu kegiatan."))
    table = render_template("calendar_table.html", **fragment_context(
        r, rows=rows, ed=ed, w=w, services_href=r.href(SERVICES_PAGE)))
    return figure + Markup("\n") + table


def _month_range(start: int, end: int) -> str:
    a = f"{month_label(start, False)} {month_year(start)}"
    if start == end:
        return a
    b = f"{month_label(end, False)} {month_year(end)}"
    if month_year(start) == month_year(end):
        a = month_label(start, False)
    return f"{a}–{b}"


def calendar_anchor(r: Renderer) -> Mapping:
    """The edition whose reporting window the calendar follows."""
    return klinik.anchor_edition(all_editions(r))


def peers(r: Renderer) -> Markup:
    def card(p):
        return render_template("peer_card.html", **fragment_context(r, p=p))
    return render_markdown("peers.md", **fragment_context(r, peers=r.data.peers["peers"], card=card))


def peer_figure(r: Renderer, peer_id: str, figure_id: str) -> str:
    """One figure from another region's practice (peers.yml), so prose quotes the data."""
    peer = next((p for p in r.data.peers["peers"] if p["id"] == peer_id), None)
    if peer is None:
        raise EditionError(f"Praktik daerah `{peer_id}` tidak ada di guide_data/peers.yml. Perbaikan: "
                           "perbaiki id-nya di halaman ini.")
    fig = next((f for f in peer.get("figures") or () if f.get("id") == figure_id), None)
    if fig is None:
        raise EditionError(f"Angka `{figure_id}` tidak ada pada praktik `{peer_id}` di guide_data/peers.yml. "
                           "Perbaikan: tambahkan `id` pada angka itu atau perbaiki id-nya di halaman ini.")
    return angka(fig["value"])


def page_macros(renderer) -> dict:
    """The clinic macros pages call; ``renderer()`` gives the current page's Renderer."""
    return {
        "mitra_klinik": lambda: partners(renderer()),
        "layanan_klinik": lambda: services(renderer()),
        "alur_layanan": lambda: service_flow(renderer()),
        "tabel_peran": lambda: roles_table(renderer()),
        "kalender_klinik": lambda: calendar(renderer()),
        "edisi_kalender": lambda: calendar_anchor(renderer()),
        "klinik_daerah_lain": lambda: peers(renderer()),
        "angka_praktik": lambda praktik, angka_id: peer_figure(renderer(), praktik, angka_id),
    }
