"""The data loader: good data loads; each kind of bad data names file, line and key."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from guidebook.data import DataError, Record, load_guide_data


def test_real_data_loads_into_read_only_records():
    data = load_guide_data()
    assert data.region.region.name
    assert {s.id for s in data.items("stages")} == {"inisiatif", "uji-coba", "penerapan"}
    with pytest.raises(AttributeError):
        data.region.region.name = "x"
    assert isinstance(data.items("sources")[0], Record)
    with pytest.raises(TypeError):
        data.items("sources")[0]["id"] = "x"


def errors_for(project: Path, edit) -> str:
    edit(project)
    with pytest.raises(DataError) as exc:
        load_guide_data(project)
    return str(exc.value)


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


CASES = {
    "syntax": (lambda p: replace(p / "guide_data/stages.yml", "    order: 2", "    order: [2"),
               r"stages\.yml, baris \d+: YAML tidak dapat dibaca"),
    "wrong type": (lambda p: replace(p / "guide_data/stages.yml", "    order: 2", "    order: dua"),
                   r"stages\.yml, baris \d+, kunci `stages\[1\]\.order`: nilainya harus berupa bilangan bulat"),
    "missing key": (lambda p: replace(p / "guide_data/region.yml", "  acronym: Klik\n", ""),
                    r"region\.yml, baris \d+, kunci `clinic`: kunci wajib `acronym` tidak ada"),
    "unknown key": (lambda p: replace(p / "guide_data/region.yml", "  acronym: Klik\n", "  acronym: Klik\n  akronim: K\n"),
                    r"region\.yml, baris \d+, kunci `clinic\.akronim`: kunci `akronim` tidak dikenal"),
    "duplicate key": (lambda p: replace(p / "guide_data/region.yml", "  acronym: Klik\n", "  acronym: Klik\n  acronym: K\n"),
                      r"region\.yml, baris \d+, kunci `clinic\.acronym`: kunci `acronym` ditulis dua kali"),
    "duplicate id": (lambda p: replace(p / "guide_data/stages.yml", "  - id: uji-coba", "  - id: inisiatif"),
                     r"stages\.yml, baris \d+, kunci `stages\[1\]\.id`: `id` bernilai `inisiatif` dipakai lebih dari sekali"),
    "dangling reference": (lambda p: replace(p / "guide_data/taxonomy.yml", "[mediaindonesia-8-prinsip]", "[sumber-hilang]"),
                           r"taxonomy\.yml, baris \d+, kunci `prinsip\[0\]\.sources\[0\]`: `sumber-hilang` tidak ditemukan"),
    "empty file": (lambda p: (p / "guide_data/glossary.yml").write_text("# kosong\n"),
                   r"glossary\.yml: berkas kosong"),
    "not utf-8": (lambda p: (p / "guide_data/glossary.yml").write_bytes("terms:\n  - id: \xe9\n".encode("latin-1")),
                  r"glossary\.yml, baris 2: berkas bukan teks UTF-8"),
    "missing logo": (lambda p: (p / "docs/daerah/aset/logo.svg").unlink(),
                     r"region\.yml, baris \d+, kunci `logo\.path`: berkas `docs/daerah/aset/logo\.svg` tidak ditemukan"),
    "path escapes": (lambda p: replace(p / "guide_data/region.yml", "path: daerah/aset/logo.svg", "path: ../../etc/passwd"),
                     r"region\.yml, baris \d+, kunci `logo\.path`"),
    "unknown file": (lambda p: (p / "guide_data/stagse.yml").write_text("stages: []\n"),
                     r"stagse\.yml: berkas data ini tidak dikenal"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_data_is_reported_in_indonesian_with_file_and_key(project, case):
    edit, pattern = CASES[case]
    message = errors_for(project, edit)
    assert re.search(pattern, message), message
    assert "Perbaikan:" in message


def test_all_errors_are_reported_at_once(project):
    def edit(p):
        CASES["unknown key"][0](p)
        CASES["dangling reference"][0](p)
        CASES["wrong type"][0](p)
    message = errors_for(project, edit)
    for name in ("unknown key", "dangling reference", "wrong type"):
        assert re.search(CASES[name][1], message), name


def test_yaml_keys_like_no_stay_text_and_dates_stay_strings():
    data = load_guide_data()
    edition = data.get("editions", 2024)
    assert [i.no for i in edition.indicators][:3] == [1, 2, 3]
    assert isinstance(data.get("sources", "kalbaronline-klik-2024").date, str)


def test_iid_editions_reproduce_the_documented_maxima():
    for edition in load_guide_data().items("editions"):
        spd = sum(i.weight for i in edition.indicators if i.aspect == "SPD")
        sid = sum(i.weight for i in edition.indicators if i.aspect == "SID")
        level_max = edition.scoring.level_max.value
        assert spd * level_max == edition.scoring.spd_max.value == 63
        assert sid * level_max == edition.scoring.sid_per_innovation_max.value == 111
        for ind in edition.indicators:
            if "parts" in ind:
                assert sum(p.weight for p in ind.parts) == ind.weight, ind.no


def test_predicate_ranges_are_contiguous():
    for edition in load_guide_data().items("editions"):
        bands = sorted(edition.predicates, key=lambda p: p.min)
        assert bands[0].min == 0 and bands[-1].max == 100  # IID = score / total x 100
        for lower, upper in zip(bands, bands[1:]):
            assert round(upper.min - lower.max, 2) == 0.01, (lower.name, upper.name)
