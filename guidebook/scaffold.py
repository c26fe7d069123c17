"""Start a new region's edition of the guide: ``make region`` / ``scripts/new_region.py``.

Asks for the key facts (or takes them as flags), writes ``guide_data/region.yml``,
replaces ``docs/daerah/`` with starter pages that tell the editor what to write,
validates the result with ``guidebook.data`` before touching the project, and prints
the next steps. The ``origin`` credit block of the current ``region.yml`` is copied
unchanged: the original model's credit stays with every fork. Every message is in
Bahasa Indonesia.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

import jinja2
import yaml

from .data import DataError, load_guide_data
from .theme import WHITE, contrast_problem

ROOT = Path(__file__).resolve().parent.parent
SCAFFOLD_DIR = Path(__file__).resolve().parent / "templates" / "scaffold"
REGION_FILE = Path("guide_data") / "region.yml"
REGION_DOCS = Path("docs") / "daerah"
TYPES = ("Kota", "Kabupaten", "Provinsi")
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
URL = re.compile(r"^https?://\S+$")


class ScaffoldError(Exception):
    """A problem the editor must fix; the message is Indonesian and says how."""


# ------------------------------------------------------------------ the facts


@dataclass(frozen=True)
class Field:
    key: str
    flag: str
    question: str
    check: Callable[[str], str | None]  # returns a problem, or None when the value is fine
    default: Callable[[dict], str | None] = lambda facts: None


def _required(value: str) -> str | None:
    return None if value.strip() else "tidak boleh kosong"


def _one_of(options):
    def check(value: str) -> str | None:
        return None if value in options else f"pilih salah satu: {', '.join(options)}"
    return check


def _name(value: str) -> str | None:
    if not value.strip():
        return "tidak boleh kosong"
    if value.split()[0] in TYPES:
        return "tulis nama tanpa kata Kota/Kabupaten/Provinsi (jenisnya ditanyakan tersendiri)"
    return None


def _color(value: str) -> str | None:
    """A hex colour that white text (and links on a white page) stay readable on."""
    if not HEX.match(value):
        return "tulis sebagai kode heksadesimal enam digit, misalnya #0b5e55"
    problem = contrast_problem(value, WHITE)
    return f"warna ini kurang kontras dengan putih ({problem[0]}); {problem[1]}" if problem else None


def _url(value: str) -> str | None:
    return None if URL.match(value) else "tulis alamat lengkap yang diawali https://"


def _year(value: str) -> str | None:
    return None if value.isdigit() and 2000 <= int(value) <= 2100 else "tulis tahun empat angka, misalnya 2026"


def _slug(value: str) -> str | None:
    return None if SLUG.match(value) else "gunakan huruf kecil, angka, '-' atau '_' (misalnya panduan-klik-kota-a)"


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


FIELDS: tuple[Field, ...] = (
    Field("name", "--nama-daerah", "Nama daerah, tanpa kata Kota/Kabupaten (misalnya Empat Lawang)", _name),
    Field("type", "--jenis-daerah", "Jenis daerah (Kota, Kabupaten, atau Provinsi)", _one_of(TYPES)),
    Field("province", "--provinsi", "Provinsi", _required),
    Field("clinic_name", "--nama-klinik", "Nama klinik inovasi", _required,
          lambda f: f"Klinik Inovasi {f['type']} {f['name']}" if f.get("type") and f.get("name") else None),
    Field("acronym", "--akronim", "Akronim atau nama singkat klinik (misalnya Klik)", _required),
    Field("host_name", "--instansi", "Nama lengkap instansi pengelola klinik", _required),
    Field("host_short", "--instansi-singkat", "Nama singkat instansi (misalnya Bappeda Kota A)", _required,
          lambda f: f.get("host_name")),
    Field("host_unit", "--unit", "Unit kerja pengelola di instansi itu (misalnya Bidang Litbang)", _required),
    Field("primary", "--warna-utama", "Warna utama (kode heksadesimal; teks putih di atasnya harus terbaca)",
          _color, lambda f: "#0b5e55"),
    Field("accent", "--warna-aksen", "Warna aksen (kode heksadesimal; untuk tautan yang disorot)",
          _color, lambda f: "#b3541e"),
    Field("site_url", "--alamat-situs", "Alamat situs panduan setelah terbit (https://...)", _url),
    Field("repo_url", "--alamat-repo", "Alamat repositori panduan (https://github.com/...)", _url),
    Field("year", "--tahun", "Tahun terbit", _year),
    Field("slug", "--slug", "Nama berkas buku PDF (huruf kecil dan tanda hubung)", _slug,
          lambda f: _slugify(f"panduan {f.get('acronym', '')} {f.get('name', '')}") or None),
    Field("branch", "--cabang", "Cabang repositori yang disunting", _required, lambda f: "main"),
)


def collect_facts(given: dict[str, str | None], interactive: bool,
                  ask: Callable[[str], str] = input, say: Callable[[str], None] = print) -> dict[str, str]:
    """Fill in every field from ``given``, asking for what is missing when interactive.

    Non-interactive: every problem is reported at once in one ``ScaffoldError``."""
    facts: dict[str, str] = {}
    problems: list[str] = []
    for field in FIELDS:
        value = given.get(field.key)
        value = value.strip() if isinstance(value, str) else None
        default = field.default(facts)
        if value:
            problem = field.check(value)
            if problem is None:
                facts[field.key] = value
                continue
            if not interactive:
                problems.append(f"{field.flag} {value!r}: {problem}.")
                continue
            say(f"  {field.flag} {value!r}: {problem}.")
        elif not interactive:
            if default is not None:
                facts[field.key] = default
            else:
                problems.append(f"{field.flag} belum diisi ({field.question.split(' (')[0].lower()}).")
            continue
        while True:  # interactive: ask until the answer is valid
            suffix = f" [{default}]" if default else ""
            answer = ask(f"{field.question}{suffix}: ").strip() or (default or "")
            problem = field.check(answer)
            if problem is None:
                facts[field.key] = answer
                break
            say(f"  Jawaban belum sesuai: {problem}.")
    if problems:
        raise ScaffoldError("Data daerah belum lengkap atau belum sesuai:\n"
                            + "\n".join(f"  - {p}" for p in problems)
                            + "\nPerbaikan: lengkapi pilihan di atas, atau jalankan di terminal tanpa "
                            "pilihan agar ditanyakan satu per satu.")
    return facts


# ------------------------------------------------------------ writing files


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SCAFFOLD_DIR)),
                             autoescape=jinja2.select_autoescape(["svg"]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    # A JSON string is a valid YAML double-quoted scalar: no value can break the file.
    env.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    return env


def origin_block(region_text: str) -> str:
    """The ``origin:`` block of a region.yml, with the comment above it, unchanged."""
    node = yaml.compose(region_text)
    if not isinstance(node, yaml.MappingNode):
        raise ScaffoldError("guide_data/region.yml tidak berisi kumpulan kunci: nilai.\n"
                            "Perbaikan: pulihkan berkas itu dari repositori asal (bagian `origin`).")
    keys = [k for k, _ in node.value]
    for i, (key, value) in enumerate(node.value):
        if key.value == "origin":
            lines = region_text.splitlines(keepends=True)
            start = key.start_mark.line
            while start > 0 and lines[start - 1].lstrip().startswith("#"):
                start -= 1
            end = node.value[i + 1][0].start_mark.line if i + 1 < len(keys) else len(lines)
            return "".join(lines[start:end]).rstrip() + "\n"
    raise ScaffoldError("Bagian `origin` (kredit model asal) tidak ada di guide_data/region.yml.\n"
                        "Perbaikan: pulihkan bagian itu dari repositori asal; kredit model asal "
                        "tetap dicantumkan di setiap adaptasi.")


def derived(facts: dict[str, str]) -> dict[str, str]:
    f = dict(facts)
    f["full_name"] = f"{f['type']} {f['name']}"
    title = (f["clinic_name"] if f["acronym"].lower() in f["clinic_name"].lower()
             else f"{f['clinic_name']} ({f['acronym']})")
    # the title is what the home page, the cover and the link preview show: it names the region
    f["clinic_title"] = title if f["name"].lower() in title.lower() else f"{title} {f['full_name']}"
    f["subtitle"] = f"Meningkatkan Indeks Inovasi Daerah melalui {f['clinic_title']}"
    f["licence_holder"] = f"Para kontributor panduan {f['acronym']} {f['name']}"
    initial = f["acronym"][0].upper()
    f["logo_initial"] = initial
    f["logo_alt"] = f"Logo panduan {f['acronym']}, huruf {initial} putih di dalam lingkaran berwarna utama"
    return f


def render_region(facts: dict[str, str], origin: str) -> str:
    return _env().get_template("region.yml").render(f=derived(facts), origin=origin.rstrip("\n"))


def render_logo(facts: dict[str, str]) -> str:
    f = derived(facts)
    return _env().get_template("logo.svg").render(
        title=f"Logo panduan {f['acronym']}", primary=f["primary"], ink=WHITE, initial=f["logo_initial"])


def _stage(root: Path, region_yml: str, facts: dict[str, str]) -> Path:
    """A throwaway project holding the new region.yml and docs/daerah/, to validate
    before the real project is touched."""
    stage = Path(tempfile.mkdtemp(prefix=".region-new-", dir=root))
    data_dir = stage / "guide_data"
    shutil.copytree(root / "guide_data", data_dir)
    (data_dir / "region.yml").write_text(region_yml, encoding="utf-8")
    pages = stage / REGION_DOCS
    shutil.copytree(SCAFFOLD_DIR / "daerah", pages)
    (pages / "aset").mkdir(exist_ok=True)
    (pages / "aset" / "logo.svg").write_text(render_logo(facts), encoding="utf-8")
    return stage


def create_region(root: Path, facts: dict[str, str], force: bool = False) -> list[Path]:
    """Write region.yml and docs/daerah/ into ``root``; return what was written."""
    root = Path(root).resolve()
    region_path, docs_path = root / REGION_FILE, root / REGION_DOCS
    existing = [p for p in (region_path, docs_path) if p.exists()]
    if existing and not force:
        names = " dan ".join(str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in existing)
        raise ScaffoldError(
            f"{names} sudah ada dan tidak ditimpa.\n"
            "Perbaikan: jalankan lagi dengan --force untuk menggantinya dengan data daerah baru "
            "(isi lama tetap dapat dipulihkan dari riwayat git).")
    try:
        current = region_path.read_text(encoding="utf-8")
    except OSError:
        raise ScaffoldError(
            "guide_data/region.yml tidak dapat dibaca, padahal bagian `origin` (kredit model asal) "
            "diambil dari sana.\nPerbaikan: pulihkan berkas itu dari repositori asal, lalu jalankan lagi.") from None
    region_yml = render_region(facts, origin_block(current))
    stage = _stage(root, region_yml, facts)
    try:
        try:
            load_guide_data(stage)
        except DataError as exc:
            raise ScaffoldError(str(exc).replace(str(stage) + "/", "")
                                + "\nTidak ada berkas yang diubah.") from None
        if docs_path.exists():
            shutil.rmtree(docs_path)
        shutil.move(str(stage / REGION_DOCS), str(docs_path))
        region_path.write_text(region_yml, encoding="utf-8")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [region_path] + sorted(p for p in docs_path.rglob("*") if p.is_file())


def next_steps(facts: dict[str, str], written: list[Path], root: Path) -> str:
    files = "\n".join(f"  - {p.relative_to(root)}" for p in written)
    return f"""Selesai. Panduan untuk {facts['type']} {facts['name']} sudah disiapkan:
{files}

Langkah berikutnya:
  1. Buka guide_data/region.yml dan periksa setiap nilai. Lengkapi mitra (partners),
     kontak (contacts), regulasi daerah (local_regulations), dan sumbernya (sources).
  2. Ganti docs/daerah/aset/logo.svg dengan logo Anda bila ada (jalurnya di logo.path).
  3. Tulis halaman di docs/daerah/. Setiap halaman memuat kotak "Halaman ini perlu
     Anda tulis/lengkapi" yang menjelaskan isinya; hapus kotak itu setelah selesai.
  4. Jalankan `make build` lalu `make serve` untuk melihat hasilnya di
     http://127.0.0.1:8000, dan `make test` sebelum menerbitkan.
  5. Kirim perubahan ke repositori Anda. Alur kerja .github/workflows/publish.yml
     menerbitkan situs ke GitHub Pages dan melampirkan PDF pada setiap rilis.
Panduan lengkap: halaman "Mengadaptasi panduan untuk daerah Anda" (docs/adaptasi.md)."""


# ---------------------------------------------------------------------- CLI


class _Parser(argparse.ArgumentParser):
    """argparse with Indonesian usage and errors."""

    def error(self, message: str):  # noqa: D401
        translated = (message.replace("unrecognized arguments", "pilihan tidak dikenal")
                      .replace("expected one argument", "perlu satu nilai")
                      .replace("argument ", "pilihan "))
        self.print_usage(sys.stderr)
        self.exit(2, f"GAGAL: {translated}\nPerbaikan: lihat `python scripts/new_region.py --bantuan`.\n")


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="Pemakaian: ")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scripts/new_region.py", add_help=False, allow_abbrev=False, formatter_class=_Formatter,
        description="Menyiapkan panduan untuk daerah baru: menulis guide_data/region.yml dan "
                    "halaman awal di docs/daerah/. Tanpa pilihan, pertanyaan diajukan satu per "
                    "satu di terminal.")
    parser._optionals.title = "pilihan"
    parser.add_argument("-h", "--bantuan", action="help", help="tampilkan bantuan ini lalu keluar")
    for field in FIELDS:
        parser.add_argument(field.flag, dest=field.key, metavar="NILAI", help=field.question)
    parser.add_argument("--force", action="store_true",
                        help="timpa guide_data/region.yml dan docs/daerah/ yang sudah ada")
    parser.add_argument("--tanpa-tanya", action="store_true",
                        help="jangan bertanya; semua nilai wajib diberikan sebagai pilihan")
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None, ask: Callable[[str], str] = input,
         interactive: bool | None = None) -> int:
    args = build_parser().parse_args(argv)
    root = Path(args.root).resolve()
    if interactive is None:
        interactive = sys.stdin.isatty() and not args.tanpa_tanya
    try:
        if interactive:
            print("Menyiapkan panduan untuk daerah baru. Tekan Enter untuk memakai nilai dalam [kurung].")
        facts = collect_facts({f.key: getattr(args, f.key) for f in FIELDS}, interactive, ask)
        written = create_region(root, facts, force=args.force)
    except ScaffoldError as exc:
        print(f"GAGAL: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nDibatalkan; tidak ada berkas yang diubah.", file=sys.stderr)
        return 130
    print(next_steps(facts, written, root))
    return 0
