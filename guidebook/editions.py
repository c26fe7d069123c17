"""IID editions: which are complete, what they sum to, and what changed between them.

Works on parsed edition files (plain dicts or ``Record``s alike), so the data checks
(before records exist) and the renderers share one implementation. An edition with
``catalogue: partial`` holds only what is known about a later year; comparisons then
cover only the fields it records, each against the newest earlier edition that
records the same field.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .fmt import angka, batas, long_date

# Scoring parameters in the order the guide explains them, with their reader labels.
SCORING_LABELS = {
    "spd_max": "Nilai maksimum aspek SPD",
    "sid_per_innovation_max": "Nilai maksimum SID per inovasi",
    "count_max": "Nilai maksimum skor jumlah inovasi",
    "total_max": "Nilai maksimum total (pembagi IID)",
    "divisor_min": "Pembagi minimum rata-rata SID",
    "count_weight": "Pengali skor jumlah inovasi",
    "count_cap": "Batas jumlah inovasi yang dihitung",
    "level_max": "Level parameter tertinggi",
    "score_rule": "Aturan skor indikator",
}

# Reporting requirements that are numbers, in the order the guide explains them.
REQUIREMENT_LABELS = {
    "max_age_years": "Usia inovasi paling lama (tahun sejak diterapkan)",
    "max_submissions": "Pengajuan paling banyak untuk satu inovasi",
    "min_basic_service_affairs": "Urusan wajib pelayanan dasar paling sedikit",
    "design_min_words": "Panjang rancang bangun paling sedikit (kata)",
}

# Change categories in page order, with their headings.
CATEGORIES = {
    "indicators": "Indikator ditambah atau dihapus",
    "weights": "Bobot indikator",
    "levels": "Label level parameter",
    "mandatory": "Status wajib",
    "evidence": "Data dukung",
    "predicates": "Predikat dan ambang batas",
    "scoring": "Parameter skor dan pembagi",
    "requirements": "Syarat pelaporan",
    "window": "Jendela pelaporan",
    "guideline": "Dasar pedoman",
    "variables": "Variabel",
}
CATALOGUE_CATEGORIES = ("indicators", "weights", "levels", "mandatory", "evidence", "variables")


def is_partial(edition: Mapping) -> bool:
    return edition.get("catalogue", "full") == "partial"


def indicators_of(edition: Mapping, aspect: str | None = None) -> list:
    return [i for i in edition.get("indicators") or () if aspect is None or i.get("aspect") == aspect]


def weight_sum(edition: Mapping, aspect: str) -> float:
    return round(sum(i.get("weight", 0) for i in indicators_of(edition, aspect)), 6)


def value_of(edition: Mapping, key: str):
    param = (edition.get("scoring") or {}).get(key)
    if param is None:
        return None
    return param.get("value", param.get("text"))


@dataclass(frozen=True)
class Change:
    """One difference between an edition and the one before it."""

    category: str
    subject: str
    before: str
    after: str
    before_year: int | None
    confidence: str
    sources: tuple = ()
    kind: str = "changed"  # changed | added | removed | confidence


@dataclass(frozen=True)
class EditionDiff:
    old_year: int
    new_year: int
    partial: bool
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def by_category(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {k: [] for k in CATEGORIES}
        for c in self.changes:
            out[c.category].append(c)
        return out


def _fmt(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return angka(value)
    return str(value)


def _levels_text(levels) -> dict[int, str]:
    return {lv["level"]: lv["label"] for lv in levels or ()}


def _window_text(w: Mapping | None) -> dict[str, str]:
    if not w:
        return {}
    out = {}
    if w.get("open"):
        out["Dibuka"] = long_date(w["open"])
    if w.get("close"):
        out["Ditutup"] = long_date(w["close"])
    return out


def _compare_catalogues(old: Mapping, new: Mapping) -> list[Change]:
    out: list[Change] = []
    year = old["year"]
    old_ind = {i["no"]: i for i in indicators_of(old)}
    new_ind = {i["no"]: i for i in indicators_of(new)}

    def label(i):
        return f"Indikator {i['no']} ({i['aspect']}): {i['name']}"

    for no in sorted(set(new_ind) - set(old_ind)):
        i = new_ind[no]
        out.append(Change("indicators", label(i), "-", f"ditambahkan, bobot {_fmt(i['weight'])}", year,
                          i["confidence"], tuple(i["sources"]), "added"))
    for no in sorted(set(old_ind) - set(new_ind)):
        i = old_ind[no]
        out.append(Change("indicators", label(i), f"bobot {_fmt(i['weight'])}", "dihapus", year,
                          i["confidence"], tuple(i["sources"]), "removed"))
    for no in sorted(set(old_ind) & set(new_ind)):
        a, b = old_ind[no], new_ind[no]
        conf, src = b["confidence"], tuple(b["sources"])
        if a["name"] != b["name"] or a["aspect"] != b["aspect"]:
            out.append(Change("indicators", f"Indikator {no}: nama atau aspek", f"{a['aspect']}: {a['name']}",
                              f"{b['aspect']}: {b['name']}", year, conf, src))
        if a["weight"] != b["weight"]:
            out.append(Change("weights", label(b), _fmt(a["weight"]), _fmt(b["weight"]), year, conf, src))
        parts_a = {p["id"]: p for p in a.get("parts") or ()}
        parts_b = {p["id"]: p for p in b.get("parts") or ()}
        for pid in sorted(set(parts_a) | set(parts_b)):
            pa, pb = parts_a.get(pid), parts_b.get(pid)
            if pa and pb and pa["weight"] == pb["weight"]:
                continue
            out.append(Change("weights", f"{label(b)}, bagian {(pb or pa)['name']}",
                              _fmt(pa["weight"]) if pa else "-", _fmt(pb["weight"]) if pb else "dihapus",
                              year, conf, src, "changed" if pa and pb else ("added" if pb else "removed")))
        la, lb = _levels_text(a.get("levels")), _levels_text(b.get("levels"))
        for lv in sorted(set(la) | set(lb)):
            if la.get(lv) != lb.get(lv):
                out.append(Change("levels", f"{label(b)}, level {lv}", la.get(lv, "belum tercatat"),
                                  lb.get(lv, "belum tercatat"), year, conf, src))
        if bool(a.get("mandatory")) != bool(b.get("mandatory")):
            out.append(Change("mandatory", label(b), "wajib" if a.get("mandatory") else "tidak wajib",
                              "wajib" if b.get("mandatory") else "tidak wajib", year, conf, src))
        if list(a.get("evidence") or ()) != list(b.get("evidence") or ()):
            out.append(Change("evidence", label(b), "; ".join(a.get("evidence") or ()) or "belum tercatat",
                              "; ".join(b.get("evidence") or ()) or "belum tercatat", year, conf, src))
        if a["confidence"] != b["confidence"]:
            out.append(Change("indicators", f"{label(b)}: tingkat keyakinan", a["confidence"], b["confidence"],
                              year, conf, src, "confidence"))
    va = {(v["aspect"], v["name"]) for v in old.get("variables") or ()}
    vb = {(v["aspect"], v["name"]) for v in new.get("variables") or ()}
    for asp, name in sorted(vb - va):
        out.append(Change("variables", f"{asp}: {name}", "-", "ditambahkan", year, "U", (), "added"))
    for asp, name in sorted(va - vb):
        out.append(Change("variables", f"{asp}: {name}", "ada", "dihapus", year, "U", (), "removed"))
    return out


def _latest_with(history: list[Mapping], getter) -> tuple[Any, Mapping | None]:
    """The newest earlier edition that records a field, and the field itself."""
    for ed in reversed(history):
        value = getter(ed)
        if value is not None:
            return value, ed
    return None, None


def compare(history: list[Mapping], new: Mapping) -> EditionDiff:
    """What ``new`` changes relative to the editions before it (oldest first)."""
    old = history[-1]
    changes: list[Change] = []
    full_history = [e for e in history if not is_partial(e)]
    if not is_partial(new) and full_history:
        changes += _compare_catalogues(full_history[-1], new)

    # scoring parameters: value and confidence
    for key, label in SCORING_LABELS.items():
        b = (new.get("scoring") or {}).get(key)
        if b is None:
            continue
        a, prev = _latest_with(history, lambda e: (e.get("scoring") or {}).get(key))
        if a is None:
            changes.append(Change("scoring", label, "belum tercatat", _fmt(b.get("value", b.get("text"))), None,
                                  b["confidence"], tuple(b["sources"]), "added"))
            continue
        va, vb = a.get("value", a.get("text")), b.get("value", b.get("text"))
        if va != vb:
            changes.append(Change("scoring", label, _fmt(va), _fmt(vb), prev["year"], b["confidence"],
                                  tuple(b["sources"])))
        elif a["confidence"] != b["confidence"]:
            changes.append(Change("scoring", f"{label} ({_fmt(vb)})", a["confidence"], b["confidence"],
                                  prev["year"], b["confidence"], tuple(b["sources"]), "confidence"))

    # reporting requirements: value and confidence
    for key, label in REQUIREMENT_LABELS.items():
        b = (new.get("requirements") or {}).get(key)
        if b is None:
            continue
        a, prev = _latest_with(history, lambda e: (e.get("requirements") or {}).get(key))
        if a is None:
            changes.append(Change("requirements", label, "belum tercatat", _requirement(b), None,
                                  b["confidence"], tuple(b["sources"]), "added"))
        elif _requirement(a) != _requirement(b):
            changes.append(Change("requirements", label, _requirement(a), _requirement(b), prev["year"],
                                  b["confidence"], tuple(b["sources"])))
        elif a["confidence"] != b["confidence"]:
            changes.append(Change("requirements", f"{label} ({_requirement(b)})", a["confidence"], b["confidence"],
                                  prev["year"], b["confidence"], tuple(b["sources"]), "confidence"))

    # predicates by name: bounds and confidence
    for p in new.get("predicates") or ():
        a, prev = _latest_with(history, lambda e: next(
            (q for q in e.get("predicates") or () if q["name"] == p["name"]), None))
        if a is None:
            changes.append(Change("predicates", p["name"], "belum tercatat", _range(p), None,
                                  p["confidence"], tuple(p["sources"]), "added"))
            continue
        bounds_a = [a.get("min"), a.get("max") if p.get("max") is not None else None]
        bounds_b = [p.get("min"), p.get("max")]
        if bounds_a != bounds_b:
            changes.append(Change("predicates", p["name"], _range(a, with_max=p.get("max") is not None), _range(p),
                                  prev["year"], p["confidence"], tuple(p["sources"])))
        elif a["confidence"] != p["confidence"]:
            changes.append(Change("predicates", f"{p['name']} ({_range(p)})", a["confidence"], p["confidence"],
                                  prev["year"], p["confidence"], tuple(p["sources"]), "confidence"))
    if not is_partial(new):
        names = {p["name"] for p in new.get("predicates") or ()}
        for p in old.get("predicates") or ():
            if p["name"] not in names:
                changes.append(Change("predicates", p["name"], _range(p), "dihapus", old["year"],
                                      "U", tuple(p["sources"]), "removed"))

    # reporting window
    w = new.get("reporting_window")
    if w:
        a, prev = _latest_with(history, lambda e: e.get("reporting_window"))
        ta, tb = _window_text(a), _window_text(w)
        for key in ("Dibuka", "Ditutup"):
            if key in tb and ta.get(key) != tb[key]:
                changes.append(Change("window", key, ta.get(key, "belum tercatat"), tb[key],
                                      prev["year"] if prev else None, w["confidence"], tuple(w["sources"])))

    g = new.get("guideline")
    if g:
        a, prev = _latest_with(history, lambda e: e.get("guideline"))
        if a is None or a["text"] != g["text"]:
            changes.append(Change("guideline", "Dasar pedoman dan penetapan", a["text"] if a else "belum tercatat",
                                  g["text"], prev["year"] if prev else None, g["confidence"], tuple(g["sources"])))
    return EditionDiff(old["year"], new["year"], is_partial(new), tuple(changes))


def _requirement(req: Mapping) -> str:
    """A requirement as the changes table shows it: ``2``, or ``2 dari 6`` for a share of a list."""
    text = _fmt(req["value"])
    return f"{text} dari {len(req['affairs'])}" if req.get("affairs") else text


def requirement(edition: Mapping, key: str):
    """One reporting requirement of an edition (``None`` when the edition does not record it)."""
    return (edition.get("requirements") or {}).get(key)


def _range(p: Mapping, with_max: bool = True) -> str:
    lo = batas(p["min"])
    if not with_max or p.get("max") is None:
        return f"mulai {lo}"
    hi = batas(p["max"])
    return lo if lo == hi else f"{lo}–{hi}"


def all_diffs(editions: Iterable[Mapping]) -> list[EditionDiff]:
    """The diff of every edition against the ones before it, oldest first."""
    ordered = sorted(editions, key=lambda e: e["year"])
    return [compare(ordered[:i], ordered[i]) for i in range(1, len(ordered))]


def predicate_gaps(predicates: Iterable[Mapping]) -> list[str]:
    """Problems with a full edition's predicate bands (empty when contiguous over 0-100)."""
    bands = sorted(predicates, key=lambda p: p["min"])
    problems = []
    if not bands:
        return ["tidak ada predikat"]
    if bands[0]["min"] != 0:
        problems.append(f"predikat terendah ({bands[0]['name']}) tidak dimulai dari 0")
    if bands[-1].get("max") != 100:
        problems.append(f"predikat tertinggi ({bands[-1]['name']}) tidak berakhir di 100")
    for lower, upper in zip(bands, bands[1:]):
        if lower.get("max") is None or round(upper["min"] - lower["max"], 2) != 0.01:
            problems.append(f"batas {lower['name']} (sampai {batas(lower.get('max', 0))}) dan "
                            f"{upper['name']} (mulai {batas(upper['min'])}) tidak bersambung dengan selisih 0,01")
    for p in bands:
        if p.get("max") is not None and p["max"] < p["min"]:
            problems.append(f"batas atas {p['name']} lebih kecil dari batas bawahnya")
    return problems
