"""MkDocs hooks: bring the region's data into the site configuration and output.

Listed under ``hooks:`` in ``mkdocs.yml``. Each hook does one job and delegates
the work to the rest of ``guidebook/``.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # hooks are loaded by file path, not as a package
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402

from guidebook import a11y, csp, downloads, pagecheck, pageweight, pdf, safety, search, site, tools, worksheets  # noqa: E402
from guidebook.data import DataError, load_guide_data  # noqa: E402

log = logging.getLogger("mkdocs.plugins.klik")


def on_startup(command, dirty):
    pageweight.note_command(command)
    pdf.note_command(command)


def on_config(config):
    try:
        data = load_guide_data(Path(config.config_file_path).parent)
        issues = worksheets.template_issues(data)
        if issues:
            raise DataError(issues)
    except DataError as exc:
        raise Abort(str(exc)) from None
    site.apply_region(config, data)
    for problem in site.region_warnings(data):
        log.warning(problem)
    safety.escape_config(config)
    # `make serve` injects MkDocs' live-reload script into every page it serves; a policy
    # would block it, so the preview carries none (the built site always does).
    config["extra"]["klik_csp"] = csp.meta_policy() if pageweight.publishing() else ""
    config["extra"]["klik_search"] = search.client_config()
    pdf.configure(config, data)
    return config


def on_pre_build(config):
    pdf.start()
    downloads.start(config["site_dir"])


def on_nav(nav, config, files):
    pdf.collect_nav(nav)
    return nav


def on_page_markdown(markdown, page, config, files):
    problem = site.page_meta_problem(page)
    if problem:
        log.warning(problem)
    return markdown


def on_page_content(html, page, config, files):
    root = Path(config.config_file_path).parent
    problems = (pagecheck.alt_text_problems(html, page.file.src_uri, page.url, root)
                + safety.content_problems(html, page.file.src_uri, root))
    for problem in problems:
        log.warning(str(problem))
    safety.escape_page_texts(page)
    html = a11y.name_task_checkboxes(html)
    pdf.collect_page(page, html, config)
    return html


def on_post_page(output, page, config):
    return search.mark_page(pageweight.slim_page(output), page)


def on_post_build(config):
    root = Path(config.config_file_path).parent
    data = load_guide_data(root)
    site.write_region_assets(config, data)
    tools.write_outputs(data, Path(config["site_dir"]))  # registers its downloads
    pageweight.optimize_images(Path(config["site_dir"]), Path(config["docs_dir"]), root / ".cache" / "images")
    pdf.build_handbook(config, data)
    try:
        downloads.finish(config)  # after every hook's download; build.py adds the offline zip later
    except downloads.DownloadError as exc:
        raise Abort(str(exc)) from None
    if pageweight.publishing():  # not in `make serve`: the full stylesheets render the same
        pageweight.purge_theme_css(Path(config["site_dir"]), root / ".cache" / "css")
        pageweight.bundle_site_css(Path(config["site_dir"]), config["extra_css"])
        pageweight.compact_site_js(Path(config["site_dir"]), config["extra_javascript"])
    search.index_built_site(config, preview=not pageweight.publishing())
    csp.finalize(config["site_dir"])  # last: it hashes every inline script of the final pages
