"""The bad input corpus (tests/bad_input/, see its README), end to end through the CLI.

Each case: `scripts/build.py` exits non-zero, the message is Indonesian and names the
file and the line or key with a fix, and the last good site/ is left untouched.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_project

CORPUS = Path(__file__).resolve().parent / "bad_input"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yml").exists())


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def apply_edits(project: Path, case_dir: Path, spec: dict) -> None:
    files = case_dir / "files"
    if files.is_dir():
        shutil.copytree(files, project, dirs_exist_ok=True)
    for edit in spec.get("edits") or []:
        if "replace" in edit:
            path = project / edit["replace"]
            text = path.read_text(encoding="utf-8")
            new, count = re.subn(edit["old"], edit["new"], text, count=1)
            assert count == 1, f"{case_dir.name}: pola {edit['old']!r} tidak cocok lagi di {edit['replace']}"
            path.write_text(new, encoding="utf-8")
        elif "append" in edit:
            path = project / edit["append"]
            path.write_text(path.read_text(encoding="utf-8") + edit["text"], encoding="utf-8")
        elif "symlink" in edit:
            (project / edit["symlink"]).symlink_to(edit["target"])
        elif "delete" in edit:
            (project / edit["delete"]).unlink()
        elif "grow" in edit:
            path = project / edit["grow"]
            line = b"# " + b"baris komentar pengisi " * 3 + b"\n"
            with path.open("ab") as f:
                f.write(line * (1 + (edit["size"] - path.stat().st_size) // len(line)))
        else:
            raise AssertionError(f"{case_dir.name}: suntingan tidak dikenal {edit}")


@pytest.fixture(scope="session")
def good_project(tmp_path_factory) -> Path:
    """A copy of the project with a good site/ built from it, copied again for each case."""
    from guidebook.build import build_site

    project = copy_project(tmp_path_factory.mktemp("good") / "proj")
    build_site(project, project / "site", pdf=False)
    return project


def test_corpus_covers_the_required_kinds_of_mistake():
    required = {"syntax-error", "wrong-type", "missing-key", "unknown-key", "duplicate-key", "duplicate-id",
                "dangling-reference", "empty-file", "non-utf8-data", "huge-file", "missing-logo",
                "missing-image", "broken-link", "missing-anchor", "missing-description", "unsafe-yaml-tag"}
    assert required <= set(CASES), required - set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_stops_the_build_with_an_indonesian_message(case, good_project, tmp_path):
    case_dir = CORPUS / case
    spec = yaml.safe_load((case_dir / "case.yml").read_text(encoding="utf-8"))
    project = tmp_path / "proj"
    shutil.copytree(good_project, project, symlinks=True)
    before = tree_digest(project / "site")
    apply_edits(project, case_dir, spec)

    env = dict(os.environ, KLIK_PDF="0")  # strict warnings abort after the hooks: skip the PDF's minute
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "build.py"), "--root", str(project)],
                         cwd=project, env=env, capture_output=True, text=True, timeout=300)
    output = out.stdout + out.stderr
    assert out.returncode != 0, f"{case}: build berhasil padahal seharusnya gagal\n{output[-3000:]}"
    assert "Traceback" not in output, f"{case}: traceback Python, bukan pesan untuk editor\n{output[-3000:]}"
    gagal = output[output.find("GAGAL:"):] if "GAGAL:" in output else ""
    assert gagal, f"{case}: tidak ada ringkasan GAGAL\n{output[-3000:]}"
    for pattern in spec["expect"]:
        assert re.search(pattern, gagal), f"{case}: pesan tidak memuat /{pattern}/\n{gagal[:3000]}"
    assert "Perbaikan:" in gagal, f"{case}: pesan tanpa petunjuk perbaikan\n{gagal[:3000]}"
    assert "Situs sebelumnya (jika ada) tidak diubah" in gagal
    assert tree_digest(project / "site") == before, f"{case}: site/ berubah padahal build gagal"
    assert not list(project.glob(".site.*")), f"{case}: folder sementara tertinggal"
    for name in spec.get("absent") or []:
        assert not (project / name).exists(), f"{case}: {name} dibuat: kode dari data dijalankan!"
