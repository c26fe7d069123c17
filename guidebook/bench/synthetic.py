"""Synthetic guides for ``make bench``: the real project plus N generated chapters.

A synthetic guide is a full copy of the project (real ``guide_data/``, real pages,
overrides and ``mkdocs.yml``) with N extra chapters of realistic length and shape:
headings with ids, paragraphs, lists, tables, an admonition, links between chapters
and to real pages, and citations through ``sumber()`` to real source ids. Chapters are
grouped into parts of ten in the navigation, as a long handbook would be.

The text is made of Indonesian words and phrases from the guide's own field, joined at
random with a fixed seed per chapter: chapter 7 reads the same in a 10- and a
200-chapter guide, so per-page figures compare like with like. It is benchmark input
only and never ships.
"""
from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import yaml

from ..data import ROOT

SECTION = "sintetis"  # folder under docs/ and the nav section of the generated chapters
APPENDICES = "Lampiran"  # nav section the generated chapters go before
PART_SIZE = 10

# What a project copy leaves out: version control, environments, outputs, caches.
SKIP = {".git", ".venv", "node_modules", "site", ".cache", ".pytest_cache", "bench", "tests",
        "__pycache__", ".lockenv"}

SUBJECTS = [
    "perangkat daerah", "tim klinik inovasi", "kepala bidang", "pengelola inovasi", "kelurahan",
    "kecamatan", "puskesmas", "sekolah", "unit layanan", "tim penilai internal", "inovator",
    "mitra perguruan tinggi", "pendamping", "sekretariat klinik", "pejabat pengawas",
]
VERBS = [
    "menyusun", "memeriksa", "mendokumentasikan", "menguji", "menerapkan", "memantau",
    "mengevaluasi", "melaporkan", "membahas", "menyempurnakan", "mengumpulkan", "memetakan",
    "merumuskan", "menyepakati", "mengunggah", "memperbarui", "menyebarluaskan", "mendampingi",
]
OBJECTS = [
    "rancang bangun inovasi", "data dukung", "surat keputusan", "profil inovasi",
    "laporan pelaksanaan", "standar operasional prosedur", "dokumen anggaran", "daftar hadir",
    "bahan sosialisasi", "catatan konsultasi", "rencana aksi", "video inovasi",
    "hasil survei kepuasan", "bukti pengaduan yang selesai", "peta permasalahan",
    "rekomendasi kebijakan", "perjanjian kerja sama", "pedoman teknis",
]
MANNERS = [
    "secara berkala", "sebelum batas waktu pelaporan", "bersama pemangku kepentingan",
    "dengan format yang disepakati", "pada setiap tahapan", "sesuai kewenangan daerah",
    "dengan melibatkan warga penerima manfaat", "setelah uji coba terbatas", "secara terbuka",
    "dalam rapat koordinasi bulanan", "menggunakan lembar kerja klinik",
]
PURPOSES = [
    "agar manfaatnya dapat dibuktikan", "supaya penilaian tidak tertunda",
    "sehingga kekurangan bukti terlihat lebih awal", "untuk memudahkan replikasi di daerah lain",
    "agar pelayanan publik menjadi lebih cepat", "supaya setiap pihak memahami perannya",
    "sehingga keberlanjutan inovasi terjaga", "untuk menghindari pekerjaan berulang",
]
CONNECTORS = [
    "Selain itu,", "Oleh karena itu,", "Namun,", "Dengan demikian,", "Dalam praktiknya,",
    "Pada tahap berikutnya,", "Sebagai contoh,", "Sementara itu,", "Di banyak daerah,", "",
]
TOPICS = [
    "Pemetaan masalah layanan", "Penyusunan proposal", "Pendampingan perangkat daerah",
    "Pengumpulan data dukung", "Penguatan regulasi inovasi", "Pengukuran kemanfaatan",
    "Penyebarluasan praktik baik", "Kolaborasi pentahelix", "Penjaminan mutu dokumen",
    "Pemantauan dan evaluasi", "Pengembangan kapasitas ASN", "Replikasi inovasi",
    "Pengelolaan pengaduan", "Integrasi dalam perencanaan", "Penghargaan bagi inovator",
]
SECTION_HEADS = [
    "Tujuan", "Langkah kerja", "Pembagian peran", "Bukti yang disiapkan", "Kesalahan yang sering terjadi",
    "Contoh penerapan", "Daftar periksa", "Tindak lanjut",
]


def _sentence(rng: random.Random) -> str:
    head = rng.choice(CONNECTORS)
    subject = rng.choice(SUBJECTS)
    text = (f"{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(MANNERS)} "
            f"{rng.choice(PURPOSES)}")
    if rng.random() < 0.35:
        text += f", lalu {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    text = f"{head} {text}" if head else text
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int, cite: str = "") -> str:
    parts = [_sentence(rng) for _ in range(sentences)]
    if cite:
        parts[-1] = parts[-1][:-1] + f" {cite}."
    return " ".join(parts)


def chapter_file(i: int) -> str:
    return f"bab-{i:03d}.md"


def chapter_title(i: int) -> str:
    rng = random.Random(i * 7919)
    return f"{rng.choice(TOPICS)} {i}"


def chapter_markdown(i: int, n: int, source_ids: list[str]) -> str:
    """Chapter ``i`` of ``n``: about 1,300 words; identical for any ``n`` except its links."""
    rng = random.Random(i)
    link_rng = random.Random(i * 31 + n)
    title = chapter_title(i)

    def cite() -> str:
        ids = rng.sample(source_ids, k=min(len(source_ids), rng.choice((1, 1, 2))))
        return "{{ sumber(" + ", ".join(f"'{s}'" for s in ids) + ") }}"

    def other_chapter() -> str:
        j = link_rng.randint(1, n)
        return f"[{chapter_title(j)}]({chapter_file(j)}#bagian-{link_rng.randint(1, 5)})"

    out = ["---", f"title: {title}",
           f"description: Bab sintetis {i} untuk mengukur kecepatan pembangunan panduan, "
           f"berisi {title.lower()}.", "---", "", f"# {title}", "",
           _paragraph(rng, 4, cite()), "", _paragraph(rng, 3), ""]
    for s in range(1, 6):
        head = SECTION_HEADS[(i + s) % len(SECTION_HEADS)]
        out += [f"## {head} {{ #bagian-{s} }}", "", _paragraph(rng, 5, cite()), "",
                _paragraph(rng, 4), ""]
        if s == 1:
            out += [f"- {_sentence(rng)}" for _ in range(5)] + [""]
        if s == 2:
            out += ["| Langkah | Pelaksana | Keluaran | Bukti dukung |", "|---|---|---|---|"]
            for row in range(1, 9):
                out.append(f"| {row}. {rng.choice(VERBS).capitalize()} {rng.choice(OBJECTS)} | "
                           f"{rng.choice(SUBJECTS).capitalize()} | {rng.choice(OBJECTS).capitalize()} | "
                           f"{rng.choice(OBJECTS).capitalize()} |")
            out.append("")
        if s == 3:
            out += [f"{k}. {_sentence(rng)}" for k in range(1, 6)] + [""]
            out += ['!!! tip "Catatan klinik"', "", "    " + _paragraph(rng, 3), ""]
        if s == 4:
            out += [f"### Rincian {s}.1", "", _paragraph(rng, 4), "",
                    f"### Rincian {s}.2", "", _paragraph(rng, 4), ""]
        out += [f"Lihat juga {other_chapter()} dan {other_chapter()}, serta "
                f"[glosarium](../glosarium.md) untuk istilah yang dipakai.", ""]
    prev_link = f"[{chapter_title(i - 1)}]({chapter_file(i - 1)})" if i > 1 else "[beranda](../index.md)"
    out += ["## Ringkasan", "", _paragraph(rng, 3), "",
            f"Bab sebelumnya: {prev_link}. Tahapan inovasi dijelaskan di "
            "[halaman tahapan](../tahapan/index.md).", "", "## Rujukan", "", "{{ rujukan() }}", ""]
    return "\n".join(out)


def copy_project(dest: Path, root: Path = ROOT) -> Path:
    """Copy what a build reads; ``guidebook/`` is linked, not copied (one library)."""
    dest.mkdir(parents=True, exist_ok=True)
    for item in sorted(root.iterdir()):
        if item.name in SKIP or item.name.startswith(".site") or item.name == "guidebook":
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        else:
            shutil.copy2(item, target)
    link = dest / "guidebook"
    if not link.exists():
        link.symlink_to(root / "guidebook")
    if (root / "node_modules").is_dir() and not (dest / "node_modules").exists():
        (dest / "node_modules").symlink_to(root / "node_modules")  # build-time npm assets, if any
    return dest


def make_synthetic_guide(n: int, dest: Path, root: Path = ROOT) -> Path:
    """Write a project copy with ``n`` generated chapters into ``dest`` (emptied first)."""
    if n < 1:
        raise ValueError("jumlah bab minimal 1")
    dest = Path(dest).resolve()
    if dest.exists():
        shutil.rmtree(dest)
    copy_project(dest, root)
    source_ids = [s["id"] for s in yaml.safe_load((root / "guide_data/sources.yml").read_text("utf-8"))["sources"]]
    folder = dest / "docs" / SECTION
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        "---\ntitle: Bab sintetis\ndescription: Bab buatan untuk mengukur kecepatan pembangunan panduan.\n---\n\n"
        f"# Bab sintetis\n\nBagian ini berisi {n} bab buatan untuk `make bench`.\n", encoding="utf-8")
    for i in range(1, n + 1):
        (folder / chapter_file(i)).write_text(chapter_markdown(i, n, source_ids), encoding="utf-8")
    parts: list = [f"{SECTION}/index.md"]
    for start in range(1, n + 1, PART_SIZE):
        end = min(n, start + PART_SIZE - 1)
        parts.append({f"Bagian {start // PART_SIZE + 1}":
                      [f"{SECTION}/{chapter_file(i)}" for i in range(start, end + 1)]})
    config_path = dest / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    nav = config["nav"]
    names = [next(iter(item)) if isinstance(item, dict) else None for item in nav]
    at = names.index(APPENDICES) if APPENDICES in names else max(len(nav) - 1, 0)
    nav.insert(at, {"Bab sintetis": parts})  # before the appendices, as a real handbook
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Buat panduan sintetis untuk make bench.")
    parser.add_argument("chapters", type=int, help="jumlah bab buatan")
    parser.add_argument("outdir", help="folder tujuan (dikosongkan lebih dulu)")
    args = parser.parse_args(argv)
    out = make_synthetic_guide(args.chapters, Path(args.outdir))
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in (out / "docs" / SECTION).glob("bab-*.md"))
    print(f"Panduan sintetis {args.chapters} bab di {out} (sekitar {words // args.chapters} kata per bab).")
    return 0
