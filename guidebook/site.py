"""Site-level settings derived from ``region.yml``: names, URLs, theme colours, logo.

Nothing region-specific is written in ``mkdocs.yml``; it is filled in here.
"""
from __future__ import annotations

from pathlib import Path

from .contrast import region_palette
from .data import GuideData
from .render import render_template

REGION_CSS = "assets/stylesheets/region.css"


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
    config["extra"]["guide_data"] = data


def page_meta_problem(page) -> str | None:
    """Every page needs a title and a one-sentence description (meta, search, previews)."""
    desc = (page.meta or {}).get("description")
    if not isinstance(desc, str) or not desc.strip():
        return (f"Halaman {page.file.src_uri} tidak punya `description` di front matter. "
                "Perbaikan: tambahkan di baris paling atas berkas:\n---\ndescription: Satu kalimat ringkasan halaman.\n---")
    return None


def write_region_assets(config, data: GuideData) -> None:
    out = Path(config["site_dir"]) / REGION_CSS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(str(render_template("region.css", colors=region_palette(data.region.colors))), encoding="utf-8")
