"""IID scoring in Python: hand-checked vectors, answer validation, the CLI, the calculator data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidebook import assess, iid, tools
from guidebook.data import freeze, load_guide_data, thaw
from guidebook.render import CONFIDENCE

FIXTURES = Path(__file__).parent / "fixtures"
VECTORS = json.loads((FIXTURES / "iid_vectors.json").read_text(encoding="utf-8"))
PAYLOAD = '<script>alert(1)</script></script><!--&amp;\u2028'


@pytest.fixture(scope="module")
def data():
    return load_guide_data()


def summary(r: dict) -> dict:
    return {"spd": r["spd"]["score"], "n": r["n"], "divisor": r["divisor"], "sid_sum": r["sid_sum"],
            "count_score": r["count_score"], "sid": r["sid"], "iid_rounded": r["iid_rounded"],
            "predicate": r["predicate"]}


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["name"][:40])
def test_hand_checked_vectors(data, vector):
    answers, issues = iid.normalise_answers(data.index["editions"], vector["answers"])
    assert issues == []
    result = iid.compute(data.get("editions", answers["edition"]), answers)
    got = summary(result)
    for key, want in vector["expected"].items():
        if key == "spd_missing":
            assert result["spd"]["missing"] == want
        elif isinstance(want, str):
            assert got[key] == want, key
        else:
            assert got[key] == pytest.approx(want, abs=1e-9), key


@pytest.mark.parametrize("vector", VECTORS["invalid"], ids=lambda v: v["name"])
def test_invalid_answers_are_reported_with_codes(data, vector):
    answers, issues = iid.normalise_answers(data.index["editions"], vector["answers"])
    assert answers is None
    assert [[i.code, list(i.path)] for i in issues] == vector["codes"]
    for issue in issues:  # every message is Indonesian prose with a fix
        assert issue.problem and issue.fix and not issue.problem.startswith("Traceback")


def test_full_editions_are_coherent(data):
    """Weights x highest level give the maxima the sources state; the count score tops out at count_max."""
    editions = iid.full_editions(data)
    assert editions
    for edition in editions:
        assert iid.edition_problems(edition) == []


def test_every_indicator_at_its_highest_level_reaches_the_highest_predicate(data):
    for edition in iid.full_editions(data):
        top = max(edition["predicates"], key=lambda b: b["min"])["name"]
        bottom = min(edition["predicates"], key=lambda b: b["min"])["name"]
        cap = int(iid.parameters(edition)["count_cap"])
        assert iid.compute(edition, iid.best_answers(edition, cap))["iid_rounded"] == 100
        assert iid.compute(edition, iid.best_answers(edition, cap))["predicate"] == top
        assert iid.compute(edition, {"spd": {}, "innovations": []})["predicate"] == bottom


@pytest.mark.parametrize("value,expected", [
    (0, "Tidak Dapat Dinilai"), (0.01, "Kurang Inovatif"), (34.99, "Kurang Inovatif"),
    (35.0, "Inovatif"), (60.0, "Inovatif"), (60.01, "Sangat Inovatif"), (100, "Sangat Inovatif")])
def test_predicate_bands_at_their_edges(data, value, expected):
    assert iid.predicate_for(data.get("editions", 2024), value) == expected


def test_round2_is_half_up():
    assert iid.round2(34.995) in (34.99, 35.0)  # binary 34.995 sits just below or above
    assert iid.round2(0.125) == 0.13
    assert iid.round2(71.12) == 71.12


def test_partial_edition_is_not_offered(data):
    partial = dict(thaw(data.get("editions", 2024)), year=2025, catalogue="partial")
    editions = dict(data.index["editions"])
    editions[2025] = freeze(partial)
    assert not iid.is_full_edition(partial)
    answers, issues = iid.normalise_answers(editions, {"edition": 2025})
    assert answers is None and "sebagian" in issues[0].problem
    fake = type("D", (), {"index": {"editions": editions, "sources": data.index["sources"]},
                          "get": data.get})()
    years = [e["year"] for e in iid.calculator_payload(fake, CONFIDENCE)["editions"]]
    assert 2025 not in years and years == sorted(years, reverse=True)


def _level_strategy(edition):
    level_max = int(iid.parameters(edition)["level_max"])
    levels = st.integers(0, level_max)

    def one(ind):
        parts = ind.get("parts") or ()
        if parts:
            return st.fixed_dictionaries({}, optional={p["id"]: levels for p in parts})
        return levels

    spd = st.fixed_dictionaries({}, optional={i["no"]: one(i) for i in edition["indicators"] if i["aspect"] == "SPD"})
    sid = st.fixed_dictionaries({}, optional={i["no"]: one(i) for i in edition["indicators"] if i["aspect"] == "SID"})
    inn = st.fixed_dictionaries({"name": st.text(max_size=5), "rejected": st.booleans(), "answers": sid})
    return st.fixed_dictionaries({"spd": spd, "innovations": st.lists(inn, max_size=12)})


EDITION = load_guide_data().get("editions", 2024)


@settings(max_examples=60, deadline=None)
@given(_level_strategy(EDITION))
def test_iid_stays_within_bounds_and_rejection_never_helps(answers):
    r = iid.compute(EDITION, answers)
    assert 0 <= r["iid"] <= 100
    assert r["predicate"] in {b["name"] for b in EDITION["predicates"]}
    if answers["innovations"]:
        worse = {**answers, "innovations": [dict(answers["innovations"][0], rejected=True)] + answers["innovations"][1:]}
        assert iid.compute(EDITION, worse)["iid"] <= r["iid"] + 1e-12


@settings(max_examples=60, deadline=None)
@given(_level_strategy(EDITION), st.integers(1, 15))
def test_raising_a_level_never_lowers_the_index(answers, no):
    ind = next(i for i in EDITION["indicators"] if i["no"] == no)
    if ind.get("parts"):
        return
    before = iid.compute(EDITION, answers)["iid"]
    raised = {**answers, "spd": {**answers["spd"], no: min(3, answers["spd"].get(no, 0) + 1)}}
    assert iid.compute(EDITION, raised)["iid"] >= before


# ------------------------------------------------------------------ CLI


def test_assess_prints_the_breakdown(capsys):
    rc = assess.main([str(FIXTURES / "jawaban-contoh.yml")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "SIMULASI, BUKAN HASIL RESMI" in out
    assert "Subtotal SPD: 14,50 dari 63" in out  # 3 + (3 + 2) + 4,5 + 2
    assert "Pembagi: MAX(10, n = 2) = 10" in out
    assert "Predikat: Kurang Inovatif" in out
    assert "(belum terverifikasi)" in out and "(sumber daerah)" in out


def test_assess_json_matches_compute(capsys, data):
    assert assess.main([str(FIXTURES / "jawaban-contoh.yml"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    answers, _ = assess.load_answers(FIXTURES / "jawaban-contoh.yml", data)
    assert printed["iid"] == iid.compute(data.get("editions", 2024), answers)["iid"]


@pytest.mark.parametrize("text,expect", [
    ("edition: 1999\n", ["baris 1", "`edition`", "tidak dikenal", "2023, 2024"]),
    ("edition: 2024\nspd:\n  1: 3\n  77: 2\n", ["baris 4", "`spd.77`", "indikator `77` tidak ada"]),
    ("edition: 2024\nspd:\n  8: 9\n", ["baris 3", "di luar rentang 0 sampai 3"]),
    ("edition: 2024\nspd: [\n", ["YAML tidak dapat dibaca"]),
])
def test_assess_rejects_bad_files_in_indonesian(tmp_path, capsys, text, expect):
    path = tmp_path / "jawaban.yml"
    path.write_text(text, encoding="utf-8")
    assert assess.main([str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("GAGAL")
    for piece in expect:
        assert piece in err


def test_assess_reads_the_calculator_export_format(tmp_path, capsys):
    export = {"format": iid.ANSWERS_FORMAT, "version": iid.ANSWERS_VERSION, "edition": 2023,
              "spd": {"1": 3}, "innovations": [{"name": "A", "rejected": False, "answers": {"16": 3}}]}
    path = tmp_path / "jawaban-iid-2023.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    assert assess.main([str(path)]) == 0
    # SPD 1 x 3; SID 3 x 3 / 10 + 0,38; (3 + 1,28) / 250 x 100 = 1,712
    assert "IID = (3,00 + 1,28) / 250 x 100 = 1,71" in capsys.readouterr().out


# ------------------------------------------------------- calculator data


def test_calculator_json_is_inert_and_round_trips(data):
    ed = thaw(data.get("editions", 2024))
    ed["indicators"][0]["name"] = PAYLOAD
    ed["indicators"][15]["evidence"] = [PAYLOAD]
    editions = dict(data.index["editions"])
    editions[2024] = freeze(ed)
    fake = type("D", (), {"index": {"editions": editions, "sources": data.index["sources"]}, "get": data.get})()
    from unittest import mock

    with mock.patch.object(tools.iid, "full_editions", lambda d: [editions[2023], editions[2024]]):
        text = tools.calculator_json(fake)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    parsed = json.loads(text)
    newest = parsed["editions"][0]
    assert newest["year"] == 2024 and newest["indicators"][0]["name"] == PAYLOAD
    assert newest["indicators"][15]["evidence"] == [{"text": PAYLOAD}]


def test_calculator_json_carries_every_parameter_with_confidence(data):
    payload = iid.calculator_payload(data, CONFIDENCE)
    for edition in payload["editions"]:
        source = data.get("editions", edition["year"])
        for key in iid.PARAMETER_KEYS:
            assert edition["scoring"][key]["value"] == source["scoring"][key]["value"]
            assert edition["scoring"][key]["confidence"] == source["scoring"][key]["confidence"]
        assert len(edition["indicators"]) == len(source["indicators"])
        for sid in (s for ind in edition["indicators"] for s in ind["sources"]):
            assert sid in payload["sources"]
