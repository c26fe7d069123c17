"""The new-region scaffold: a region that builds on the first try, refusals in Indonesian."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from guidebook import scaffold
from guidebook.build import build_site
from guidebook.data import load_guide_data
from test_build import tree_digest

FLAGS = {
    "--nama-daerah": "Uji Jaya",
    "--jenis-daerah": "Kota",
    "--provinsi": "Provinsi Uji",
    "--nama-klinik": "Klinik Inovasi Kota Uji Jaya",
    "--akronim": "KIKU",
    "--instansi": "Badan Uji Perencanaan",
    "--unit": "Bidang Uji",
    "--warna-utama": "#6b2150",
    "--warna-aksen": "#1d5c8a",
    "--alamat-situs": "https://uji.invalid/panduan/",
    "--alamat-repo": "https://git.invalid/uji/panduan",
    "--tahun": "2027",
}


def argv(project: Path, **changes: str | None) -> list[str]:
    flags = dict(FLAGS)
    for key, value in changes.items():
        flag = "--" + key.replace("_", "-")
        if value is None:
            flags.pop(flag, None)
        else:
            flags[flag] = value
    out = ["--root", str(project)]
    for flag, value in flags.items():
        out += [flag, value]
    return out


def run(project: Path, *extra: str, **changes) -> int:
    return scaffold.main(argv(project, **changes) + list(extra), interactive=False)


def test_scaffolded_region_builds_on_the_first_try(project, capsys):
    origin_before = scaffold.origin_block((project / "guide_data/region.yml").read_text(encoding="utf-8"))
    assert run(project, "--force") == 0
    out = capsys.readouterr().out
    assert "Langkah berikutnya" in out and "make build" in out

    region = load_guide_data(project).region
    assert region.region.full_name == "Kota Uji Jaya"
    assert region.clinic.title == "Klinik Inovasi Kota Uji Jaya (KIKU)"  # names the region already
    assert region.book.slug == "panduan-kiku-uji-jaya"
    assert region.book.year == 2027
    text = (project / "guide_data/region.yml").read_text(encoding="utf-8")
    assert scaffold.origin_block(text) == origin_before, "the origin credit is copied unchanged"

    site = build_site(project, project / "site")  # strict: any warning fails
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Klinik Inovasi Kota Uji Jaya (KIKU)" in home
    for page in ("daerah", "daerah/kontak", "daerah/regulasi"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert "Halaman ini perlu Anda" in html, f"{page}: the starter page tells the editor what to write"
        assert "Kota Uji Jaya" in html
    assert (site / "daerah/aset/logo.svg").is_file()


def test_starter_pages_hold_instructions_not_filler():
    for page in sorted((scaffold.SCAFFOLD_DIR / "daerah").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert re.match(r"---\ntitle: .+\ndescription: .+\n---\n", text), page.name
        assert '!!! warning "Halaman ini perlu Anda' in text, page.name
        assert not re.search(r"lorem|ipsum|TODO|TBD|xxx|\[isi|placeholder|contoh teks", text, re.I), page.name


def test_refuses_to_overwrite_without_force(project, capsys):
    before = tree_digest(project)
    assert run(project) == 1
    err = capsys.readouterr().err
    assert "sudah ada dan tidak ditimpa" in err and "--force" in err
    assert tree_digest(project) == before


def test_missing_and_bad_values_are_all_reported_in_indonesian(project, capsys):
    before = tree_digest(project)
    rc = run(project, "--force", provinsi=None, tahun="dua ribu", slug="Panduan Baru", alamat_situs="uji.invalid")
    err = capsys.readouterr().err
    assert rc == 1
    assert "--provinsi belum diisi" in err
    assert "--tahun 'dua ribu': tulis tahun empat angka" in err
    assert "--slug 'Panduan Baru': gunakan huruf kecil" in err
    assert "--alamat-situs 'uji.invalid': tulis alamat lengkap" in err
    assert "Perbaikan:" in err
    assert tree_digest(project) == before


def test_unreadable_colours_are_refused(project, capsys):
    rc = run(project, "--force", warna_utama="#f5d76e")
    err = capsys.readouterr().err
    assert rc == 1
    assert "--warna-utama '#f5d76e': warna ini kurang kontras dengan putih" in err and "misalnya #" in err


def test_unknown_flag_fails_in_indonesian(project, capsys):
    with pytest.raises(SystemExit) as exc:
        scaffold.main(argv(project) + ["--nama", "X"], interactive=False)
    assert exc.value.code == 2
    assert "pilihan tidak dikenal" in capsys.readouterr().err


def test_clinic_title_names_the_region(project):
    assert run(project, "--force", nama_klinik="Klinik Diseminasi Inovasi", akronim="KDI") == 0
    assert load_guide_data(project).region.clinic.title == "Klinik Diseminasi Inovasi (KDI) Kota Uji Jaya"


def test_values_cannot_break_the_yaml(project):
    tricky = 'Uji: "kutip" #bukan-komentar\nbaris'
    assert run(project, "--force", nama_daerah=tricky.replace("\n", " "), instansi=tricky.replace("\n", " ")) == 0
    region = yaml.safe_load((project / "guide_data/region.yml").read_text(encoding="utf-8"))
    assert region["region"]["name"] == tricky.replace("\n", " ")
    assert region["host"]["name"] == tricky.replace("\n", " ")


def test_interactive_mode_asks_for_what_is_missing(project, capsys):
    answers = iter(["", "Kabupaten", "Provinsi Uji", "", "KU", "Badan Uji", "", "Bidang Uji",
                    "#ffee00", "", "", "https://uji.invalid/", "https://git.invalid/uji", "20xx", "2028", "", ""])
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return next(answers)

    # the name is given as a flag; an empty answer takes the default shown in [brackets]
    rc = scaffold.main(["--root", str(project), "--force", "--nama-daerah", "Uji Raya"], ask=ask, interactive=True)
    out = capsys.readouterr().out
    assert rc == 0, out
    assert not any(q.startswith("Nama daerah") for q in asked)
    assert "Jawaban belum sesuai" in out  # "" for the type, then "20xx" for the year
    region = load_guide_data(project).region
    assert region.region.full_name == "Kabupaten Uji Raya"
    assert region.clinic.name == "Klinik Inovasi Kabupaten Uji Raya"  # default
    assert region.clinic.title == "Klinik Inovasi Kabupaten Uji Raya (KU)"
    assert region.host.short_name == "Badan Uji"  # defaults to the full name
    assert region.book.year == 2028
    assert region.book.slug == "panduan-ku-uji-raya"


def test_data_errors_leave_the_project_untouched(project, capsys):
    (project / "guide_data/stages.yml").write_text("stages: [\n", encoding="utf-8")
    before = tree_digest(project)
    assert run(project, "--force") == 1
    err = capsys.readouterr().err
    assert "stages.yml" in err and "Tidak ada berkas yang diubah" in err
    assert tree_digest(project) == before
    assert not list(project.glob(".region-new-*"))
