"""The clinic's yearly calendar, anchored on an IID reporting window.

Activities in ``calendar.yml`` are placed relative to the month the reporting window
opens or closes (``{anchor: open, offset: -2}``), never on fixed months: when a new
edition's window is recorded, the whole calendar moves with it. Works on plain dicts
and ``Record``s alike, so the data checks and the renderers share it.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from .fmt import month_index, month_label

CYCLE_MONTHS = 12


def anchor_edition(editions: Iterable[Mapping]) -> Mapping | None:
    """The newest edition (complete or partial) whose window has both dates."""
    usable = [e for e in editions
              if (e.get("reporting_window") or {}).get("open") and (e.get("reporting_window") or {}).get("close")]
    return max(usable, key=lambda e: e["year"]) if usable else None


def window_months(edition: Mapping) -> tuple[int, int]:
    w = edition["reporting_window"]
    return month_index(w["open"]), month_index(w["close"])


def point(ref: Mapping, window: tuple[int, int]) -> int:
    base = window[0] if ref["anchor"] == "open" else window[1]
    return base + ref["offset"]


def first_month(calendar: Mapping, window: tuple[int, int]) -> int:
    return window[0] + calendar["cycle_start"]


def span(activity: Mapping, window: tuple[int, int]) -> tuple[int, int]:
    return point(activity["start"], window), point(activity["end"], window)


def range_label(start: int, end: int) -> str:
    return month_label(start) if start == end else f"{month_label(start)}–{month_label(end)}"


def problems(calendar: Mapping, editions: Iterable[Mapping]) -> list[tuple[tuple, str, str]]:
    """(key path, problem, fix) for every activity that does not fit the cycle."""
    edition = anchor_edition(editions)
    if edition is None:
        return [((), "tidak ada edisi IID yang jendela pelaporannya mencatat tanggal buka dan tutup.",
                 "isi `reporting_window.open` dan `reporting_window.close` pada berkas edisi di guide_data/iid/.")]
    window = window_months(edition)
    lo = first_month(calendar, window)
    hi = lo + CYCLE_MONTHS - 1
    out = []
    for i, act in enumerate(calendar.get("activities") or ()):
        s, e = span(act, window)
        if s > e:
            out.append((("activities", i, "end"), f"kegiatan `{act['id']}` berakhir sebelum dimulai "
                        f"(menurut jendela pelaporan {edition['year']}).",
                        "perbaiki `offset` pada `start` atau `end` kegiatan ini."))
        elif s < lo or e > hi:
            out.append((("activities", i, "start"), f"kegiatan `{act['id']}` jatuh di luar siklus dua belas bulan "
                        f"(menurut jendela pelaporan {edition['year']}).",
                        "geser `offset` kegiatan ini, atau ubah `cycle_start` agar siklusnya mencakup kegiatan ini."))
    return out
