"""Two builds of the same commit are byte-identical; dates come from the commit, not the clock."""
from __future__ import annotations

import gzip
import os
import re
import shutil
import struct
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import ROOT, copy_project
from guidebook.build import build_site, source_date_epoch


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def second_build(built_site, tmp_path_factory) -> Path:
    return build_site(ROOT, tmp_path_factory.mktemp("again") / "site", pdf=True)  # like built_site


# Pagefind (1.5) writes its filter index in hash-map order, so the filter files and the
# metadata that names them by content hash differ between runs although they hold the
# same entries (upstream: Pagefind/pagefind#638; its word index and fragments are stable).
# Checked below as permutations instead of bytes. Fix upstream or canonicalise in
# guidebook/search.py, then delete this list.
UNSTABLE_UPSTREAM = re.compile(r"^pagefind/(filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta|pagefind-entry\.json)$")


def test_two_builds_of_the_same_commit_are_identical(built_site, second_build):
    first, second = files_of(built_site), files_of(second_build)
    stable = lambda files: {n: b for n, b in files.items() if not UNSTABLE_UPSTREAM.match(n)}  # noqa: E731
    a, b = stable(first), stable(second)
    assert sorted(a) == sorted(b), set(a) ^ set(b)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"berkas yang berbeda antara dua build: {differ}"
    assert "sitemap.xml.gz" in first


def test_pagefind_filter_files_differ_only_in_order(built_site, second_build):
    def unstable(site, pattern):
        return sorted(gzip.decompress(p.read_bytes()) for p in site.glob(pattern))
    for pattern in ("pagefind/filter/*.pf_filter", "pagefind/pagefind.*.pf_meta"):
        a, b = unstable(built_site, pattern), unstable(second_build, pattern)
        assert len(a) == len(b), pattern
        assert [len(x) for x in a] == [len(x) for x in b], pattern
    filters = lambda site: sorted(sorted(x) for x in unstable(site, "pagefind/filter/*.pf_filter"))  # noqa: E731
    assert filters(built_site) == filters(second_build), "isi indeks filter Pagefind berbeda, bukan hanya urutannya"
    # the entry file differs only in the metadata file's hash
    entry = lambda site: re.sub(r'"hash":"[^"]*"', '"hash":""', (site / "pagefind/pagefind-entry.json").read_text())  # noqa: E731
    assert entry(built_site) == entry(second_build)


def test_pdfs_of_two_builds_are_identical(built_site, second_build):
    pdfs = sorted(built_site.glob("unduh/*.pdf"))
    if not pdfs:
        pytest.skip("site/unduh/*.pdf belum ada (cabang pdf belum digabung); uji ini wajib setelah digabung")
    for pdf in pdfs:
        twin = second_build / pdf.relative_to(built_site)
        assert twin.exists(), twin
        assert pdf.read_bytes() == twin.read_bytes(), f"{pdf.name}: isi PDF berbeda antara dua build"


def _git(repo: Path, *args: str, date: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-c", "user.name=Uji", "-c", "user.email=uji@contoh.invalid", "-c",
                    "commit.gpgsign=false", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git tidak terpasang")
def test_build_dates_come_from_the_last_commit(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project = copy_project(tmp_path / "proj")
    (project / "guidebook").unlink()  # the copy's symlink would confuse git; build_site finds it anyway
    shutil.copytree(ROOT / "guidebook", project / "guidebook", ignore=shutil.ignore_patterns("__pycache__"))
    _git(project, "init", "-q", date="2001-02-03T04:05:06Z")
    _git(project, "add", "-A", date="2001-02-03T04:05:06Z")
    _git(project, "commit", "-qm", "uji", date="2001-02-03T04:05:06Z")
    assert source_date_epoch(project) == int(datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc).timestamp())

    site = build_site(project, project / "site", pdf=False, offline=False)
    lastmods = set(re.findall(r"<lastmod>([^<]+)</lastmod>", (site / "sitemap.xml").read_text(encoding="utf-8")))
    assert lastmods == {"2001-02-03"}
    raw = (site / "sitemap.xml.gz").read_bytes()
    mtime = struct.unpack("<I", raw[4:8])[0]
    assert datetime.fromtimestamp(mtime, timezone.utc).date().isoformat() == "2001-02-03"
    assert gzip.decompress(raw) == (site / "sitemap.xml").read_bytes()


def test_source_date_epoch_wins_and_is_restored(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")  # 2001-09-09
    site = build_site(project, project / "site")
    assert "<lastmod>2001-09-09</lastmod>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert os.environ["SOURCE_DATE_EPOCH"] == "1000000000"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    build_site(project, project / "site")
    assert "SOURCE_DATE_EPOCH" not in os.environ, "build_site meninggalkan variabel lingkungan"
