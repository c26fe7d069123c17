"""Explain MkDocs' English build warnings in Bahasa Indonesia, with file, line and fix.

MkDocs and mkdocs-macros report broken links, missing anchors, pages left out of
the navigation and macro errors in English and without a line number. While a
build runs, ``MkDocsExplainer`` (a logging handler on the ``mkdocs`` logger)
appends an Indonesian explanation to each such record, so the editor sees both,
and keeps the explanations for the final error message.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from .data import DataIssue

LINK_FIX = ("periksa ejaan jalurnya; jalur ditulis relatif terhadap halaman ini "
            "(misalnya `../sumber.md` atau `aset/gambar.png`), atau salin berkas yang dituju ke docs/.")


def _issue(file: str, line: int | None, problem: str, fix: str) -> DataIssue:
    return DataIssue(file, line, "", problem, fix)


_DID_YOU_MEAN = r"(?: Did you mean '(?P<suggest>[^']*)'\?)?"
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"Doc file '(?P<src>[^']+)' contains a link '(?P<url>[^']*)', but the target"
                r"(?: '(?P<target>[^']+)')? is not found among documentation files\." + _DID_YOU_MEAN), "missing"),
    (re.compile(r"Doc file '(?P<src>[^']+)' contains an unrecognized relative link '(?P<url>[^']*)', "
                r"it was left as is\." + _DID_YOU_MEAN), "unrecognized"),
    (re.compile(r"Doc file '(?P<src>[^']+)' contains an absolute link '(?P<url>[^']*)', it was left as is\."
                + _DID_YOU_MEAN), "absolute"),
    (re.compile(r"Doc file '(?P<src>[^']+)' contains a link '(?P<url>[^']*)', "
                r"but there is no such anchor on this page\."), "anchor-here"),
    (re.compile(r"Doc file '(?P<src>[^']+)' contains a link '(?P<url>[^']*)', but the doc '(?P<doc>[^']+)' "
                r"does not contain an anchor '#(?P<anchor>[^']*)'\."), "anchor-there"),
    (re.compile(r"Doc file '(?P<src>[^']+)' contains a link to '(?P<target>[^']+)' which is excluded"), "excluded"),
    (re.compile(r"The following pages exist in the docs directory, but are not included in the \"nav\" "
                r"configuration:\n(?P<list>(?:\s+- .+\n?)+)"), "not-in-nav"),
    (re.compile(r"A reference to '(?P<target>[^']+)' is included in the 'nav' configuration, "
                r"which is not found in the documentation files\."), "nav-missing"),
    (re.compile(r"_File_: `(?P<src>[^`]+)`\s+_(?P<type>\w+)_: (?P<error>.*?)\n(?P<rest>.*)", re.S), "macro"),
    (re.compile(r"Error reading page '(?P<src>[^']+)': (?P<error>.*)", re.S), "read"),
    # our own page check (guidebook/site.py), already Indonesian: only give it its place
    (re.compile(r"Halaman (?P<src>\S+) tidak punya `description`"), "description"),
]


_ALREADY_INDONESIAN = re.compile(r"Halaman \S+ tidak punya")


def _body_offset(text: str) -> int:
    """Lines before the Markdown body that mkdocs-macros renders (the front matter)."""
    from mkdocs.utils.meta import get_data

    body, _ = get_data(text)
    idx = text.find(body[:200]) if body else -1
    return text.count("\n", 0, idx) if idx > 0 else 0


def line_of(path: Path, needle: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for probe in (f"]({needle}", f"](<{needle}>", f'"{needle}"', f"]: {needle}", needle):
        for number, line in enumerate(lines, start=1):
            if probe in line:
                return number
    return None


class MkDocsExplainer(logging.Handler):
    """Adds an Indonesian explanation to MkDocs' warnings; collects them in ``found``."""

    def __init__(self, root: Path, docs_dir: str = "docs"):
        super().__init__(level=logging.WARNING)
        self.root = Path(root)
        self.docs_dir = docs_dir
        self.found: list[DataIssue] = []
        self.unexplained: list[str] = []  # other warnings, listed as they are

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            explanation = self.explain(message)
        except Exception:  # an explanation must never break the build itself
            return
        if explanation is None:
            self.unexplained.append(message.strip())
            return
        self.found.append(explanation)
        if "_Macro Rendering Error_" in message and not os.environ.get("KLIK_DEBUG"):
            # the traceback is for programmers (KLIK_DEBUG=1 keeps it); editors get the gist
            message = re.sub(r"\n```.*?```", "", message, flags=re.S).replace("\n\n", "\n").strip()
        if not _ALREADY_INDONESIAN.match(message):
            record.msg = f"{message}\n  -> {explanation}"
            record.args = None

    def summary(self) -> list[str]:
        """Every warning of the build: the explained ones, then the others verbatim."""
        return [str(e) for e in self.found] + [m if "Perbaikan:" in m else f"(MkDocs) {m}"
                                               for m in self.unexplained]

    def _doc(self, src: str) -> tuple[str, Path]:
        return f"{self.docs_dir}/{src}", self.root / self.docs_dir / src

    def explain(self, message: str) -> DataIssue | None:
        for pattern, kind in _PATTERNS:
            m = pattern.search(message)
            if m:
                return getattr(self, "_" + kind.replace("-", "_"))(m)
        return None

    def _missing(self, m: re.Match) -> DataIssue:
        rel, path = self._doc(m["src"])
        target = m["target"] or m["url"].lstrip("/")
        fix = LINK_FIX if not m["suggest"] else f"mungkin maksudnya `{m['suggest']}`; " + LINK_FIX
        return _issue(rel, line_of(path, m["url"]),
                           f"tautan atau gambar `{m['url']}` menuju berkas yang tidak ada "
                           f"({self.docs_dir}/{target}).", fix)

    def _unrecognized(self, m: re.Match) -> DataIssue:
        rel, path = self._doc(m["src"])
        fix = (f"mungkin maksudnya `{m['suggest']}`" if m["suggest"] else
               "tautkan ke berkas Markdown-nya (misalnya `../tahapan/index.md`), bukan ke folder atau alamat situs")
        return _issue(rel, line_of(path, m["url"]),
                           f"tautan `{m['url']}` tidak menunjuk ke berkas di docs/.", fix + ".")

    def _absolute(self, m: re.Match) -> DataIssue:
        rel, path = self._doc(m["src"])
        return _issue(rel, line_of(path, m["url"]), f"tautan `{m['url']}` ditulis sebagai jalur mutlak.",
                           "tulis jalur relatif terhadap halaman ini, misalnya `../glosarium.md`.")

    def _anchor_here(self, m: re.Match) -> DataIssue:
        rel, path = self._doc(m["src"])
        return _issue(rel, line_of(path, m["url"]),
                           f"tautan `{m['url']}` menuju jangkar yang tidak ada di halaman ini.",
                           "samakan dengan id judul yang ada (lihat ikon tautan di samping judul pada "
                           "situs), atau beri judulnya id dengan `{ #id }`.")

    def _anchor_there(self, m: re.Match) -> DataIssue:
        rel, path = self._doc(m["src"])
        return _issue(rel, line_of(path, m["url"]),
                           f"tautan `{m['url']}` menuju jangkar `#{m['anchor']}` yang tidak ada di "
                           f"{self.docs_dir}/{m['doc']}.",
                           f"periksa judul bagian di {self.docs_dir}/{m['doc']} dan samakan id-nya, "
                           "atau beri judulnya id dengan `{ #id }`.")

    def _excluded(self, m: re.Match) -> DataIssue:
        rel, _ = self._doc(m["src"])
        return _issue(rel, None, f"halaman ini menautkan `{m['target']}` yang tidak ikut diterbitkan.",
                           "hapus tautannya atau terbitkan halaman tujuan.")

    def _not_in_nav(self, m: re.Match) -> DataIssue:
        pages = [p.strip()[2:] for p in m["list"].strip().splitlines()]
        listed = ", ".join(f"{self.docs_dir}/{p}" for p in pages)
        return _issue("mkdocs.yml", None, f"halaman {listed} tidak tercantum di daftar `nav`.",
                           "tambahkan halaman itu ke bagian `nav:` di mkdocs.yml, atau hapus berkasnya.")

    def _nav_missing(self, m: re.Match) -> DataIssue:
        return _issue("mkdocs.yml", line_of(self.root / "mkdocs.yml", m["target"]),
                           f"`nav` menyebut `{m['target']}`, tetapi berkas {self.docs_dir}/{m['target']} tidak ada.",
                           "perbaiki ejaan jalurnya di bagian `nav:` atau buat halamannya.")

    def _macro(self, m: re.Match) -> DataIssue:
        rel, path = self._doc(m["src"])
        line = None
        lines = re.findall(r'File "<template>", line (\d+)', m["rest"])
        if lines:
            try:
                line = int(lines[-1]) + _body_offset(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                line = None
        error = m["error"].strip()
        if len(error) > 1 and error[0] == error[-1] and error[0] in "'\"":
            error = error[1:-1]
        undefined = re.match(r"'([^']+)' is undefined", error)
        if undefined:
            return _issue(rel, line, f"makro atau variabel `{undefined[1]}` tidak dikenal.",
                          "periksa ejaan namanya; daftar makro yang tersedia ada di README "
                          "(bagian 'How a chapter pulls data').")
        if "tambahkan" in error or "perbaiki" in error:
            fix = "ikuti petunjuk pada pesan itu, lalu bangun ulang."
        else:
            fix = "periksa nama makro dan argumennya di baris ini (tanda kutip, koma, kurung)."
        return _issue(rel, line, f"makro gagal dijalankan ({m['type']}: {error}).", fix)

    def _description(self, m: re.Match) -> DataIssue:
        rel, _ = self._doc(m["src"])
        return DataIssue(rel, 1, "description", "halaman tidak punya `description` di front matter.",
                         "tambahkan di bagian paling atas berkas, di antara dua baris ---: "
                         "`description: Satu kalimat ringkasan halaman.`")

    def _read(self, m: re.Match) -> DataIssue:
        rel, _ = self._doc(m["src"])
        error = m["error"].strip()
        if "codec can't decode" in error:
            return _issue(rel, None, "berkas bukan teks UTF-8.",
                               "simpan ulang berkas dengan penyandian (encoding) UTF-8 di editor Anda.")
        return _issue(rel, None, f"halaman tidak dapat dibaca ({error}).",
                           "periksa isi berkas di sekitar bagian yang disebut.")
