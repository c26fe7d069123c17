"""Check the Markdown pages in ``docs/`` before MkDocs reads them.

MkDocs stops with a Python traceback on a page that is not UTF-8, and silently
ignores front matter that is not valid YAML (the page then loses its title and
description). Both are reported here first, in Bahasa Indonesia, with the line.
Front matter goes through the same safe YAML loader as ``guide_data/``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from .data import DataIssue, _Loader, yaml_error_issue

# The same delimiters MkDocs recognises (mkdocs.utils.meta.YAML_RE).
FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)


def check_page(path: Path, rel: str) -> list[DataIssue]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [DataIssue(rel, raw[: exc.start].count(b"\n") + 1, "", "berkas bukan teks UTF-8.",
                          "simpan ulang berkas dengan penyandian (encoding) UTF-8 di editor Anda.")]
    m = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not m:
        return []
    try:
        meta = yaml.load(m.group(1), _Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        issue = yaml_error_issue(exc, rel, first_line=2)  # the YAML starts after the opening ---
        if issue.problem.startswith("YAML tidak dapat dibaca"):
            issue = DataIssue(rel, issue.line, "", "front matter (bagian di antara dua baris ---) bukan YAML "
                                                   f"yang sah ({exc.problem or exc.context or 'format salah'}).",
                              "tulis setiap baris sebagai `kunci: nilai`; beri tanda kutip pada nilai yang "
                              "memuat titik dua (:), tanda # atau diawali [ { * & ! |.")
        return [issue]
    except yaml.YAMLError as exc:
        return [DataIssue(rel, None, "", f"front matter tidak dapat dibaca ({exc}).",
                          "periksa format YAML di antara dua baris ---.")]
    if meta is not None and not isinstance(meta, dict):
        return [DataIssue(rel, 2, "", "front matter harus berupa pasangan `kunci: nilai`.",
                          "tulis misalnya `title: Judul` dan `description: Satu kalimat.` di antara dua baris ---.")]
    return []


def check_pages(root: Path, docs_dir: str = "docs") -> list[DataIssue]:
    """Every problem in every Markdown page under ``<root>/<docs_dir>``."""
    issues: list[DataIssue] = []
    base = Path(root) / docs_dir
    for path in sorted(base.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(base).parts):
            continue
        issues += check_page(path, os.path.relpath(path, root))
    return issues


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def images_without_alt(page_html: str) -> list[str]:
    """``src`` of every <img> in a page's content that has no (or an empty) alt text."""
    out = []
    for tag in _IMG.findall(page_html):
        alt = _ALT.search(tag)
        if alt is None or not "".join(g or "" for g in alt.groups()).strip():
            src = _SRC.search(tag)
            out.append("".join(g or "" for g in src.groups()) if src else "?")
    return out


def alt_text_problems(page_html: str, src_uri: str, page_url: str, root: Path,
                      docs_dir: str = "docs") -> list[DataIssue]:
    """Every content image needs a text alternative (WCAG 2.2 SC 1.1.1).

    ``page_html`` is the page's rendered content, where MkDocs has already made image
    paths relative to the page's URL (``page_url``); they are reported relative to docs/.
    """
    import posixpath

    from .buildlog import line_of

    rel = f"{docs_dir}/{src_uri}"
    out = []
    for src in images_without_alt(page_html):
        shown = src if "://" in src or src.startswith("data:") else posixpath.normpath(
            posixpath.join(page_url or "./", src))
        out.append(DataIssue(rel, line_of(Path(root) / rel, posixpath.basename(shown)), "",
                             f"gambar `{shown}` tidak punya teks alternatif.",
                             "tulis deskripsi singkat isi gambar di antara kurung siku, "
                             "misalnya `![Bagan alur tahap uji coba](gambar.svg)`."))
    return out
