"""IID self-assessment: the scoring rules of one measurement edition, as pure functions.

Every number (weights, maxima, divisor, count score, predicate bands) comes from the
edition's data in ``guide_data/iid/<year>.yml``; nothing is hard-coded here. The
calculator's JavaScript (``overrides/assets/javascripts/klik-iid-core.js``) does the
same arithmetic in the same order, so both give bit-identical numbers; the tests run
shared vectors through both.

An *answers* structure (the same in YAML, JSON export and Python)::

    edition: 2024
    spd:                       # indicator number -> level 0..level_max
      1: 3                     #   (0 = answered, but no valid evidence)
      2: {tepat-waktu: 3, belanja-wajib: 2}    # an indicator with parts
    innovations:
      - name: Layanan antar dokumen
        rejected: false        # rejected innovations count in n with score 0
        answers: {16: 2, 17: 3}

An indicator (or part) that is absent is *unanswered*: it scores 0 and is listed as
missing.

Rules (brief, section 3; confidence per parameter in the data):
score = weight x level; SPD = sum of SPD scores; SID = (sum over innovations of their
SID scores) / MAX(divisor_min, n) + count score; count score = min(count_weight x
min(n, count_cap), count_max); IID = (SPD + SID) / total_max x 100, rounded to two
decimals before it is matched to the edition's predicate bands.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

ANSWERS_FORMAT = "klik-iid-answers"
ANSWERS_VERSION = 1
PARAMETER_KEYS = ("spd_max", "sid_per_innovation_max", "count_max", "total_max",
                  "divisor_min", "count_weight", "count_cap", "level_max")
PARAMETER_LABELS = {
    "spd_max": "Nilai maksimum aspek SPD",
    "sid_per_innovation_max": "Nilai maksimum SID per inovasi",
    "count_max": "Nilai maksimum skor jumlah inovasi",
    "total_max": "Nilai maksimum total (pembagi IID)",
    "divisor_min": "Pembagi minimum rata-rata SID",
    "count_weight": "Bobot skor jumlah inovasi per inovasi",
    "count_cap": "Batas jumlah inovasi yang dihitung",
    "level_max": "Level parameter tertinggi",
}
ASPECTS = {"SPD": "Satuan Pemerintah Daerah", "SID": "Satuan Inovasi Daerah"}


# ------------------------------------------------------------------ editions


def is_full_edition(edition: Mapping) -> bool:
    """An edition the calculator may offer: a complete catalogue with every scoring
    parameter and closed predicate bands (``catalogue: partial`` files are notes only)."""
    scoring = edition.get("scoring") or {}
    return (edition.get("catalogue", "full") != "partial"
            and bool(edition.get("indicators"))
            and all(key in scoring for key in (*PARAMETER_KEYS, "score_rule"))
            and bool(edition.get("predicates"))
            and all("max" in band for band in edition["predicates"]))


def full_editions(data) -> list:
    """Full editions, oldest first."""
    return [e for _, e in sorted(data.index["editions"].items()) if is_full_edition(e)]


def parameters(edition: Mapping) -> dict[str, float]:
    return {key: edition["scoring"][key]["value"] for key in PARAMETER_KEYS}


def indicator_max(indicator: Mapping, level_max: float) -> float:
    return indicator["weight"] * level_max


def edition_problems(edition: Mapping) -> list[str]:
    """Where an edition's own numbers disagree (weights vs maxima); empty when coherent."""
    p = parameters(edition)
    out = []
    for ind in edition["indicators"]:
        parts = ind.get("parts") or ()
        if parts and sum(part["weight"] for part in parts) != ind["weight"]:
            out.append(f"indikator {ind['no']}: jumlah bobot bagian tidak sama dengan bobot indikator")
    for aspect, key in (("SPD", "spd_max"), ("SID", "sid_per_innovation_max")):
        total = sum(i["weight"] for i in edition["indicators"] if i["aspect"] == aspect) * p["level_max"]
        if not math.isclose(total, p[key]):
            out.append(f"jumlah bobot {aspect} x level tertinggi = {total:g}, bukan {key} {p[key]:g}")
    if not math.isclose(p["spd_max"] + p["sid_per_innovation_max"] + p["count_max"], p["total_max"]):
        out.append("spd_max + sid_per_innovation_max + count_max tidak sama dengan total_max")
    if p["count_weight"] * p["count_cap"] < p["count_max"] - 1e-9:
        out.append("count_weight x count_cap lebih kecil dari count_max")
    return out


# ------------------------------------------------------------------- scoring


def round2(x: float) -> float:
    """Round half up to two decimals; the JavaScript uses the same double operations."""
    return math.floor(x * 100 + 0.5) / 100


def predicate_for(edition: Mapping, iid_rounded: float) -> str:
    bands = edition["predicates"]
    for band in bands:
        if band["min"] <= iid_rounded <= band["max"]:
            return band["name"]
    below = [b for b in bands if b["min"] <= iid_rounded]
    return max(below, key=lambda b: b["min"])["name"] if below else min(bands, key=lambda b: b["min"])["name"]


def _level(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def score_indicator(indicator: Mapping, answer: Any) -> tuple[float, bool]:
    """(score, fully answered) of one indicator for one (normalised) answer."""
    parts = indicator.get("parts") or ()
    if parts:
        answer = answer if isinstance(answer, Mapping) else {}
        score = 0.0
        for part in parts:
            score += part["weight"] * _level(answer.get(part["id"]))
        return score, all(part["id"] in answer for part in parts)
    return indicator["weight"] * _level(answer), answer is not None


def _aspect_scores(edition: Mapping, aspect: str, answers: Mapping) -> tuple[list[dict], float, list[int]]:
    level_max = parameters(edition)["level_max"]
    rows, total, missing = [], 0.0, []
    for ind in edition["indicators"]:
        if ind["aspect"] != aspect:
            continue
        score, answered = score_indicator(ind, answers.get(ind["no"]))
        rows.append({"no": ind["no"], "score": score, "max": indicator_max(ind, level_max), "answered": answered})
        total += score
        if not answered:
            missing.append(ind["no"])
    return rows, total, missing


def compute(edition: Mapping, answers: Mapping) -> dict:
    """The full breakdown for normalised answers (see ``normalise_answers``)."""
    p = parameters(edition)
    spd_rows, spd_total, spd_missing = _aspect_scores(edition, "SPD", answers.get("spd") or {})
    innovations = []
    sid_sum = 0.0
    for inn in answers.get("innovations") or ():
        rows, total, missing = _aspect_scores(edition, "SID", inn.get("answers") or {})
        rejected = bool(inn.get("rejected"))
        if rejected:
            total = 0.0
            missing = []
        mandatory_missing = [no for no in missing
                             if any(i["no"] == no and i.get("mandatory") for i in edition["indicators"])]
        innovations.append({"name": inn.get("name", ""), "rejected": rejected, "score": total,
                            "indicators": rows, "missing": missing, "mandatory_missing": mandatory_missing})
        sid_sum += total
    n = len(innovations)
    divisor = max(p["divisor_min"], n)
    sid_average = sid_sum / divisor
    count_score = min(p["count_weight"] * min(n, p["count_cap"]), p["count_max"])
    sid = sid_average + count_score
    total = spd_total + sid
    iid = total / p["total_max"] * 100
    iid_rounded = round2(iid)
    return {
        "edition": edition["year"],
        "spd": {"indicators": spd_rows, "score": spd_total, "max": p["spd_max"], "missing": spd_missing},
        "innovations": innovations,
        "n": n,
        "divisor": divisor,
        "sid_sum": sid_sum,
        "sid_average": sid_average,
        "count_score": count_score,
        "sid": sid,
        "total": total,
        "iid": iid,
        "iid_rounded": iid_rounded,
        "predicate": predicate_for(edition, iid_rounded),
    }


def best_answers(edition: Mapping, innovations: int) -> dict:
    """Every indicator at the highest level, for ``innovations`` innovations."""
    level_max = int(parameters(edition)["level_max"])

    def answer(ind):
        parts = ind.get("parts") or ()
        return {part["id"]: level_max for part in parts} if parts else level_max

    spd = {i["no"]: answer(i) for i in edition["indicators"] if i["aspect"] == "SPD"}
    sid = {i["no"]: answer(i) for i in edition["indicators"] if i["aspect"] == "SID"}
    return {"edition": edition["year"], "spd": spd,
            "innovations": [{"name": f"Inovasi {k + 1}", "rejected": False, "answers": dict(sid)}
                            for k in range(innovations)]}


# ---------------------------------------------------------------- validation


@dataclass(frozen=True)
class AnswerIssue:
    """One problem in an answers file. ``path`` is a key path tuple; ``code`` is shared
    with the JavaScript validator so both can be tested on the same bad input."""

    path: tuple
    code: str
    problem: str
    fix: str


def _as_number_key(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and re.fullmatch(r"[0-9]{1,5}", key):
        return int(key)
    return None


def _as_level(value: Any, level_max: int) -> int | None:
    """The level as an int, or None when out of range. 2.0 counts as 2, as in JavaScript."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value) if 0 <= value <= level_max else None


def _check_aspect(edition: Mapping, aspect: str, raw: Any, path: tuple,
                  issues: list[AnswerIssue]) -> dict:
    out: dict[int, Any] = {}
    if raw is None:
        return out
    where = "bagian `spd`" if aspect == "SPD" else "jawaban inovasi"
    if not isinstance(raw, Mapping):
        issues.append(AnswerIssue(path, "bentuk-salah", f"{where} harus berupa kumpulan nomor indikator: level.",
                                  "tulis setiap jawaban sebagai `nomor: level`, misalnya `16: 2`."))
        return out
    level_max = int(parameters(edition)["level_max"])
    by_no = {i["no"]: i for i in edition["indicators"]}
    for key, value in raw.items():
        here = path + (str(key),)
        no = _as_number_key(key)
        ind = by_no.get(no) if no is not None else None
        if ind is None:
            nos = [i["no"] for i in edition["indicators"] if i["aspect"] == aspect]
            issues.append(AnswerIssue(here, "indikator-tidak-dikenal",
                                      f"indikator `{key}` tidak ada dalam edisi {edition['year']}.",
                                      f"gunakan nomor indikator {aspect} {nos[0]} sampai {nos[-1]}." if nos
                                      else "hapus jawaban ini."))
            continue
        if ind["aspect"] != aspect:
            other = "bagian `spd`" if ind["aspect"] == "SPD" else "`answers` setiap inovasi"
            issues.append(AnswerIssue(here, "aspek-salah",
                                      f"indikator {no} termasuk aspek {ind['aspect']}, bukan {aspect}.",
                                      f"pindahkan jawaban indikator {no} ke {other}."))
            continue
        parts = ind.get("parts") or ()
        if parts:
            ids = [part["id"] for part in parts]
            if not isinstance(value, Mapping):
                issues.append(AnswerIssue(here, "bagian-diperlukan",
                                          f"indikator {no} terdiri atas beberapa bagian ({', '.join(ids)}).",
                                          f"tulis level tiap bagian, misalnya `{no}: {{{ids[0]}: 2, {ids[1]}: 3}}`."))
                continue
            clean = {}
            for part_id, level in value.items():
                if part_id not in ids:
                    issues.append(AnswerIssue(here + (str(part_id),), "bagian-tidak-dikenal",
                                              f"indikator {no} tidak punya bagian `{part_id}`.",
                                              f"gunakan salah satu dari: {', '.join(ids)}."))
                elif _as_level(level, level_max) is None:
                    issues.append(_level_issue(here + (str(part_id),), no, level, level_max))
                else:
                    clean[part_id] = _as_level(level, level_max)
            out[no] = clean
        elif _as_level(value, level_max) is None:
            issues.append(_level_issue(here, no, value, level_max))
        else:
            out[no] = _as_level(value, level_max)
    return out


def _level_issue(path: tuple, no: int, value: Any, level_max: int) -> AnswerIssue:
    return AnswerIssue(path, "level-di-luar-rentang",
                       f"level `{value}` untuk indikator {no} di luar rentang 0 sampai {level_max}.",
                       f"isi bilangan bulat 0 sampai {level_max} (0 = tidak ada data dukung yang sah), "
                       "atau hapus baris ini bila belum dijawab.")


TOP_KEYS = ("format", "version", "edition", "spd", "innovations")
INNOVATION_KEYS = ("name", "rejected", "answers")


def normalise_answers(editions: Mapping[int, Mapping], raw: Any) -> tuple[dict | None, list[AnswerIssue]]:
    """Check an answers structure against the editions ``{year: edition}``.

    Returns (normalised answers with integer indicator keys, issues). Every problem
    is reported, each with an Indonesian message and fix.
    """
    issues: list[AnswerIssue] = []
    if not isinstance(raw, Mapping):
        return None, [AnswerIssue((), "bentuk-salah", "isi berkas bukan kumpulan kunci: nilai.",
                                  "mulailah dari berkas hasil ekspor kalkulator atau contoh di README.")]
    for key in raw:
        if key not in TOP_KEYS:
            issues.append(AnswerIssue((str(key),), "kunci-tidak-dikenal", f"kunci `{key}` tidak dikenal.",
                                      f"hapus kunci ini; kunci yang boleh: {', '.join(TOP_KEYS)}."))
    if "format" in raw and raw["format"] != ANSWERS_FORMAT:
        issues.append(AnswerIssue(("format",), "format-salah", f"format `{raw['format']}` bukan berkas jawaban IID.",
                                  f"gunakan berkas hasil ekspor kalkulator (format `{ANSWERS_FORMAT}`)."))
    if "version" in raw and raw["version"] != ANSWERS_VERSION:
        issues.append(AnswerIssue(("version",), "format-salah", f"versi berkas `{raw['version']}` tidak didukung.",
                                  f"gunakan versi {ANSWERS_VERSION} (ekspor ulang dari kalkulator)."))
    full = {y: e for y, e in editions.items() if is_full_edition(e)}
    years = ", ".join(str(y) for y in sorted(full))
    year = raw.get("edition")
    edition = full.get(year) if isinstance(year, int) and not isinstance(year, bool) else None
    if edition is None:
        if year is None:
            problem = "kunci `edition` (tahun edisi pengukuran) tidak ada."
        elif year in editions:
            problem = f"edisi {year} hanya memuat sebagian katalog indikator, jadi belum dapat disimulasikan."
        else:
            problem = f"edisi `{year}` tidak dikenal."
        issues.append(AnswerIssue(("edition",), "edisi-tidak-dikenal", problem,
                                  f"tulis salah satu tahun edisi yang tersedia: {years}."))
        return None, issues
    spd = _check_aspect(edition, "SPD", raw.get("spd"), ("spd",), issues)
    innovations = []
    raw_inns = raw.get("innovations")
    if raw_inns is not None and (not isinstance(raw_inns, Sequence) or isinstance(raw_inns, (str, bytes))):
        issues.append(AnswerIssue(("innovations",), "bentuk-salah", "`innovations` harus berupa daftar inovasi.",
                                  "tulis setiap inovasi sebagai butir daftar yang diawali '-'."))
        raw_inns = []
    for k, inn in enumerate(raw_inns or ()):
        here = ("innovations", k)
        if not isinstance(inn, Mapping):
            issues.append(AnswerIssue(here, "bentuk-salah", f"inovasi ke-{k + 1} bukan kumpulan kunci: nilai.",
                                      "tulis `name`, `rejected`, dan `answers` untuk setiap inovasi."))
            continue
        for key in inn:
            if key not in INNOVATION_KEYS:
                issues.append(AnswerIssue(here + (str(key),), "kunci-tidak-dikenal", f"kunci `{key}` tidak dikenal.",
                                          f"kunci yang boleh untuk inovasi: {', '.join(INNOVATION_KEYS)}."))
        name = inn.get("name", f"Inovasi {k + 1}")
        if not isinstance(name, str):
            issues.append(AnswerIssue(here + ("name",), "bentuk-salah", "nama inovasi harus berupa teks.",
                                      "tulis nama inovasi di antara tanda kutip."))
            name = f"Inovasi {k + 1}"
        rejected = inn.get("rejected", False)
        if not isinstance(rejected, bool):
            issues.append(AnswerIssue(here + ("rejected",), "bentuk-salah", "`rejected` harus true atau false.",
                                      "tulis `rejected: true` untuk inovasi yang ditolak, selain itu `false`."))
            rejected = False
        answers = _check_aspect(edition, "SID", inn.get("answers"), here + ("answers",), issues)
        innovations.append({"name": name, "rejected": rejected, "answers": answers})
    if issues:
        return None, issues
    return {"edition": year, "spd": spd, "innovations": innovations}, []


# ----------------------------------------------------------- calculator data


def _param(rec: Mapping) -> dict:
    out = {"value": rec["value"], "confidence": rec["confidence"], "sources": list(rec["sources"])}
    if rec.get("note"):
        out["note"] = rec["note"]
    return out


def _indicator(ind: Mapping) -> dict:
    out = {
        "no": ind["no"], "aspect": ind["aspect"], "name": ind["name"], "weight": ind["weight"],
        "mandatory": bool(ind.get("mandatory", False)),
        "levels": [{"level": lv["level"], "label": lv["label"]} for lv in ind["levels"]] if ind.get("levels") else None,
        "confidence": ind["confidence"], "sources": list(ind["sources"]),
    }
    if ind.get("parts"):
        out["parts"] = [{"id": p["id"], "name": p["name"], "weight": p["weight"],
                         "levels": [{"level": lv["level"], "label": lv["label"]} for lv in p["levels"]]
                         if p.get("levels") else None} for p in ind["parts"]]
    if ind.get("description"):
        out["description"] = ind["description"]
    for key in ("evidence", "alt_bases", "rejections", "tips", "caveats"):
        if ind.get(key):
            out[key] = [_note(item) for item in ind[key]]
    return out


def _note(item: Any) -> dict:
    """A list entry as {text, confidence?, sources?}: the data allows plain text or an object."""
    if isinstance(item, str):
        return {"text": item}
    out = {"text": item["text"]}
    if item.get("confidence"):
        out["confidence"] = item["confidence"]
    if item.get("sources"):
        out["sources"] = list(item["sources"])
    return out


def calculator_payload(data, confidence_labels: Mapping[str, tuple[str, str]]) -> dict:
    """Everything the browser calculator needs, as plain JSON-ready values."""
    editions = []
    used_sources: dict[str, None] = {}
    for ed in reversed(full_editions(data)):  # newest first: the default
        scoring = {key: _param(ed["scoring"][key]) for key in PARAMETER_KEYS}
        rule = ed["scoring"]["score_rule"]
        item = {
            "year": ed["year"], "title": ed["title"],
            "scoring": scoring,
            "score_rule": {"text": rule["text"], "confidence": rule["confidence"], "sources": list(rule["sources"])},
            "predicates": [{"name": b["name"], "min": b["min"], "max": b["max"], "confidence": b["confidence"],
                            "sources": list(b["sources"])} for b in ed["predicates"]],
            "indicators": [_indicator(i) for i in ed["indicators"]],
        }
        if ed.get("guideline"):
            item["guideline"] = {"text": ed["guideline"]["text"], "confidence": ed["guideline"]["confidence"],
                                 "sources": list(ed["guideline"]["sources"])}
        editions.append(item)
        notes = [n for ind in item["indicators"] for key in ("evidence", "alt_bases", "rejections", "tips", "caveats")
                 for n in ind.get(key, ())]
        for rec in [*scoring.values(), item["score_rule"], *item["predicates"], *item["indicators"], *notes,
                    *([item["guideline"]] if "guideline" in item else [])]:
            used_sources.update(dict.fromkeys(rec.get("sources", ())))
    numbers = {sid: i for i, sid in enumerate(data.index["sources"], start=1)}
    return {
        "format": "klik-iid-data", "version": 1,
        "answers_format": ANSWERS_FORMAT, "answers_version": ANSWERS_VERSION,
        "parameter_labels": PARAMETER_LABELS,
        "aspects": ASPECTS,
        "confidence": {k: {"label": v[0], "title": v[1]} for k, v in confidence_labels.items()},
        "sources": {sid: {"number": numbers[sid], "title": data.get("sources", sid)["title"],
                          "confidence": data.get("sources", sid)["confidence"]} for sid in used_sources},
        "editions": editions,
    }
