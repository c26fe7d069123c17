"""Site-level settings derived from ``region.yml``: names, URLs, theme colours, logo.

Nothing region-specific is written in ``mkdocs.yml``; it is filled in here.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from .data import GuideData
from .render import render_template
from .social import SIZE, write_social_card
from .theme import contrast_problems, palette

REGION_CSS = "assets/stylesheets/region.css"
SOCIAL_CARD = "assets/images/pratinjau.png"  # og:image; favicon and header logo stay SVG
REGION_DIR = "daerah"  # docs/daerah/: the one folder of pages a region writes itself


def apply_region(config, data: GuideData) -> None:
    region = data.region
    config["site_name"] = region.book.title + " " + region.clinic.acronym
    config["site_description"] = region.clinic.tagline
    config["site_author"] = region.book.publisher
    config["site_url"] = region.site.url
    config["repo_url"] = region.site.repo_url
    config["repo_name"] = "Sumber di repositori"
    config["edit_uri"] = f"edit/{region.site.edit_branch}/docs/"
    config["copyright"] = (f"Isi: CC BY 4.0, {region.book.licence_holder}. "
                           "Kode: MIT. Simulasi dan ringkasan di situs ini bukan keputusan resmi.")
    config["theme"]["logo"] = region.logo.path
    config["theme"]["favicon"] = region.logo.path
    if REGION_CSS not in config["extra_css"]:
        config["extra_css"].insert(0, REGION_CSS)
    config["extra"]["region"] = region
    config["extra"]["social_image"] = {"url": urljoin(region.site.url.rstrip("/") + "/", SOCIAL_CARD),
                                       "width": SIZE[0], "height": SIZE[1]}
    config["extra"]["guide_data"] = data
    config["nav"] = region_nav(config.get("nav"), Path(config["docs_dir"]))


def region_nav(nav, docs_dir: Path):
    """Every page a region puts in docs/daerah/ joins the navigation under the entry
    that points at ``daerah/index.md``, so a fork adds pages without editing mkdocs.yml.
    The index page comes first, the others follow in file-name order."""
    folder = docs_dir / REGION_DIR
    pages = sorted(p.relative_to(docs_dir).as_posix() for p in folder.rglob("*.md"))
    index = f"{REGION_DIR}/index.md"
    if index not in pages or len(pages) == 1 or not nav:
        return nav
    section = [index] + [p for p in pages if p != index]

    def walk(items):
        out = []
        for item in items:
            if isinstance(item, dict):
                item = {k: (section if v == index else walk(v) if isinstance(v, list) else v)
                        for k, v in item.items()}
            elif item == index:
                item = {"Daerah": section}
            out.append(item)
        return out
    return walk(nav)


def page_meta_problem(page) -> str | None:
    """Every page needs a title and a one-sentence description (meta, search, previews)."""
    desc = (page.meta or {}).get("description")
    if not isinstance(desc, str) or not desc.strip():
        return (f"Halaman {page.file.src_uri} tidak punya `description` di front matter. "
                "Perbaikan: tambahkan di baris paling atas berkas:\n---\ndescription: Satu kalimat ringkasan halaman.\n---")
    return None


def region_warnings(data: GuideData) -> list[str]:
    """Problems that do not stop a preview but must not ship (strict builds stop)."""
    return contrast_problems(data.region.colors)


def write_region_assets(config, data: GuideData) -> None:
    site_dir = Path(config["site_dir"])
    out = site_dir / REGION_CSS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(str(render_template("region.css", colors=palette(data.region.colors))), encoding="utf-8")
    write_social_card(data.region, site_dir / SOCIAL_CARD)
