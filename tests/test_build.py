"""A full build of the real guide, and the atomic-output rule."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from guidebook.build import BuildError, build_site


def test_home_page_is_indonesian_and_carries_previews(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]*lang="id"', html)
    assert '<meta name="description"' in html
    for prop in ("og:title", "og:description", "og:image"):
        assert f'property="{prop}"' in html


def test_every_page_has_a_description(built_site):
    for page in built_site.rglob("index.html"):
        if page.parent.name in ("404",):
            continue
        html = page.read_text(encoding="utf-8")
        assert '<meta name="description" content="' in html, page


def test_no_request_to_other_hosts_in_built_html(built_site):
    """Stylesheets, scripts and fonts all come from the site itself."""
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:link|script|img|iframe|source)\b[^>]*>", html):
            if re.search(r'rel="(canonical|alternate)"', tag):
                continue  # the page's own published address, not something loaded
            url = re.search(r'(?:href|src)="(https?://[^"]+)"', tag)
            if url:
                pytest.fail(f"{page}: external asset {url.group(1)}")


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def test_failed_build_leaves_previous_site_untouched(project):
    site = build_site(project, project / "site")
    before = tree_digest(site)
    (project / "guide_data/stages.yml").write_text("stages: [\n", encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build_site(project, project / "site")
    assert "stages.yml" in str(exc.value)
    assert tree_digest(site) == before
    assert not list(project.glob(".site.build-*"))


def test_broken_link_fails_the_strict_build(project):
    site = build_site(project, project / "site")
    before = tree_digest(site)
    page = project / "docs/tahapan/inisiatif.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[rusak](tidak-ada.md)\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build_site(project, project / "site")
    assert tree_digest(site) == before


def test_page_without_description_fails(project):
    (project / "docs/tahapan/penerapan.md").write_text("# Penerapan\n\nTeks.\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build_site(project, project / "site")
