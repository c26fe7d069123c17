"""Shared fixtures: a throwaway copy of the project to break, a built site, a server and a browser."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Tests check real rendering: no build may take its PDF from the build cache
# (tests/test_cache.py turns it on with a cache folder of its own).
os.environ["KLIK_CACHE"] = "0"

PROJECT_PARTS = ["guide_data", "docs", "overrides", "mkdocs.yml", "macros.py"]


def copy_project(dest: Path) -> Path:
    """Copy what a build reads (not guidebook/: the copy imports the real package)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    (dest / "guidebook").symlink_to(ROOT / "guidebook")
    return dest


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy to break. Its builds skip the PDF (fast); pass ``pdf=True`` to build_site for it."""
    monkeypatch.setenv("KLIK_PDF", "0")
    return copy_project(tmp_path / "proj")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real guide, built once per test session into a temporary folder."""
    from guidebook.build import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    return build_site(ROOT, out, pdf=True)


@pytest.fixture(scope="session")
def site_url() -> str:
    """The published address (region.site.url); 404.html links to assets under its path."""
    from guidebook.data import load_guide_data

    return load_guide_data(ROOT).region.site.url


@pytest.fixture(scope="session")
def server(built_site, site_url):
    """The built site on a local port, served like a static host (see tests/browserkit.py)."""
    from browserkit import serve

    with serve(built_site, site_url) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, one for the whole session: Playwright's sync API allows
    only one running instance per thread."""
    pytest.importorskip("playwright.sync_api")
    from browserkit import launch

    with launch() as b:
        yield b
