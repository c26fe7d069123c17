"""Data rules a JSON Schema cannot state, reported like schema errors (Indonesian,
file, line, key and fix).

Run by ``data.validate_guide_data`` after the schemas, only on files whose shape is
already valid, so every rule here may trust the structure it reads.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from . import editions, klinik
from .data import DataIssue, key_path
from .fmt import angka

Parts = tuple[str, ...]


def semantic_issues(raw: Mapping[Parts, Any], clean: set[Parts], lines_of: Mapping[Parts, dict],
                    rel_of: Mapping[Parts, str]) -> list[DataIssue]:
    issues: list[DataIssue] = []

    def report(parts: Parts, path: tuple, problem: str, fix: str) -> None:
        lines = lines_of.get(parts, {})
        line = None
        for cut in range(len(path), -1, -1):  # nearest key that has a line
            line = lines.get(tuple(path[:cut]))
            if line:
                break
        issues.append(DataIssue(rel_of[parts], line, key_path(path), problem, fix))

    for parts in sorted(clean):
        data = raw[parts]
        check = _CHECKS.get(parts[0] if len(parts) == 2 else Path(parts[0]).stem)
        if check:
            check(parts, data, raw, clean, report)
    return issues


# ------------------------------------------------------------------ IID editions


def _check_edition(parts: Parts, ed: Mapping, raw, clean, report) -> None:
    stem = Path(parts[1]).stem
    if str(ed["year"]) != stem:
        report(parts, ("year",), f"tahun edisi ({ed['year']}) tidak sama dengan nama berkas ({stem}.yml).",
               f"samakan keduanya: ubah `year` atau ganti nama berkas menjadi {ed['year']}.yml.")
    for key, req in (ed.get("requirements") or {}).items():
        if req.get("affairs") and req["value"] > len(req["affairs"]):
            report(parts, ("requirements", key, "value"),
                   f"`{key}` meminta {req['value']} urusan, padahal daftar `affairs` hanya memuat {len(req['affairs'])}.",
                   "perbaiki angkanya atau lengkapi daftar `affairs`.")
    if editions.is_partial(ed):
        if "indicators" in ed:
            report(parts, ("indicators",), "edisi bertanda `catalogue: partial` tidak boleh memuat katalog indikator.",
                   "bila katalognya sudah lengkap, ubah `catalogue` menjadi `full`; bila belum, pindahkan "
                   "catatannya ke `catalogue_changes`.")
        for i, p in enumerate(ed.get("predicates") or ()):
            if p.get("max") is not None and p["max"] < p["min"]:
                report(parts, ("predicates", i, "max"), f"batas atas predikat {p['name']} lebih kecil dari batas bawahnya.",
                       "perbaiki `min` atau `max`.")
        return
    scoring = ed["scoring"]
    level_max = scoring["level_max"]["value"]
    for aspect, key in (("SPD", "spd_max"), ("SID", "sid_per_innovation_max")):
        total = editions.weight_sum(ed, aspect)
        if round(total * level_max, 6) != scoring[key]["value"]:
            report(parts, ("scoring", key, "value"),
                   f"jumlah bobot indikator {aspect} ({angka(total)}) x level tertinggi ({angka(level_max)}) = "
                   f"{angka(round(total * level_max, 6))}, tidak sama dengan `{key}` ({angka(scoring[key]['value'])}).",
                   f"periksa bobot indikator {aspect} atau nilai `{key}` menurut pedoman edisi ini.")
    parts_sum = scoring["spd_max"]["value"] + scoring["sid_per_innovation_max"]["value"] + scoring["count_max"]["value"]
    if round(parts_sum, 6) != scoring["total_max"]["value"]:
        report(parts, ("scoring", "total_max", "value"),
               f"spd_max + sid_per_innovation_max + count_max = {angka(parts_sum)}, tidak sama dengan "
               f"`total_max` ({angka(scoring['total_max']['value'])}).",
               "periksa keempat nilai maksimum menurut pedoman edisi ini.")
    for i, ind in enumerate(ed["indicators"]):
        if "parts" in ind and round(sum(p["weight"] for p in ind["parts"]), 6) != ind["weight"]:
            report(parts, ("indicators", i, "parts"),
                   f"jumlah bobot bagian indikator {ind['no']} tidak sama dengan bobot indikatornya ({angka(ind['weight'])}).",
                   "samakan jumlah bobot `parts` dengan `weight`.")
        for key in ("levels",):
            levels = [lv["level"] for lv in ind.get(key) or ()]
            if levels and sorted(levels) != [1, 2, 3]:
                report(parts, ("indicators", i, key), f"level indikator {ind['no']} harus 1, 2, dan 3, masing-masing sekali.",
                       "perbaiki nomor `level` pada daftar ini.")
    for problem in editions.predicate_gaps(ed["predicates"]):
        report(parts, ("predicates",), f"rentang predikat tidak bersambung: {problem}.",
               "urutkan predikat dari 0 sampai 100 tanpa celah; batas berikutnya = batas atas sebelumnya + 0,01.")


# ---------------------------------------------------------------------- clinic


def _editions_raw(raw, clean) -> list[Mapping]:
    return [d for p, d in raw.items() if len(p) == 2 and p[0] == "iid" and p in clean]


def _check_calendar(parts: Parts, cal: Mapping, raw, clean, report) -> None:
    for path, problem, fix in klinik.problems(cal, _editions_raw(raw, clean)):
        report(parts, path, problem, fix)


def _check_services(parts: Parts, doc: Mapping, raw, clean, report) -> None:
    orders = [s["order"] for s in doc["services"]]
    if sorted(orders) != list(range(1, len(orders) + 1)):
        report(parts, ("services",), "nomor `order` layanan harus 1, 2, 3, ... tanpa loncatan dan tanpa ganda.",
               "perbaiki nomor urut layanan.")


def _check_iga(parts: Parts, doc: Mapping, raw, clean, report) -> None:
    crit = doc["presentation"]["criteria"]
    total = round(sum(c["weight"] for c in crit), 6)
    if total != 100:
        report(parts, ("presentation", "criteria"), f"jumlah bobot kriteria presentasi {angka(total)}%, bukan 100%.",
               "periksa bobot tiap kriteria menurut sumbernya.")
    full = [d for d in _editions_raw(raw, clean) if not editions.is_partial(d)]
    newest = max(full, key=lambda d: d["year"]) if full else {}
    for i, note in enumerate(doc.get("reporting_notes") or ()):
        key = note.get("requirement")
        if key is None:
            continue
        if "{n}" not in note["text"]:
            report(parts, ("reporting_notes", i, "text"), f"catatan `{note['id']}` memakai `requirement` tetapi teksnya tidak memuat {{n}}.",
                   "tulis {n} di tempat angka syarat itu, atau hapus `requirement`.")
        if newest and editions.requirement(newest, key) is None:
            report(parts, ("reporting_notes", i, "requirement"),
                   f"edisi IID terbaru ({newest['year']}) belum mencatat `requirements.{key}`.",
                   f"tambahkan `requirements.{key}` di guide_data/iid/{newest['year']}.yml, atau hapus `requirement` di sini.")
    categories = {c["id"] for c in doc["categories"]}
    for i, w in enumerate(doc.get("winners") or ()):
        for j, b in enumerate(w.get("breakdown") or ()):
            if b["category"] not in categories:
                report(parts, ("winners", i, "breakdown", j, "category"),
                       f"kategori `{b['category']}` tidak ada di daftar `categories`.",
                       "gunakan salah satu `id` dari `categories`.")
        if w.get("breakdown") and sum(b["count"] for b in w["breakdown"]) != w["total"]:
            report(parts, ("winners", i, "total"),
                   f"jumlah pemenang per kategori tahun {w['year']} tidak sama dengan `total` ({w['total']}).",
                   "periksa angka per kategori atau totalnya menurut sumbernya.")


_CHECKS: dict[str, Callable] = {
    "iid": _check_edition,
    "calendar": _check_calendar,
    "services": _check_services,
    "iga": _check_iga,
}
