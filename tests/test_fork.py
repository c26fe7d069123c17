"""The fork promise: a second region, swapped in as one file and one folder, builds a
guide in which the original region is named only under daerah/ and /tentang/.

The second region is a fixture (tests/fixtures/region-empat-lawang/, marked there as
test data). The region names compared here are read from the two region.yml files,
never written into this test.
"""
from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_project
from guidebook.build import build_site
from guidebook.data import DataError, load_guide_data
from guidebook.render import Renderer

FIXTURE = ROOT / "tests" / "fixtures" / "region-empat-lawang"
# Where a region may be named: its own file, its own pages, the credit page.
REGION_PLACES = ("guide_data/region.yml", "docs/daerah/", "docs/tentang.md")
TEXT_SUFFIXES = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".md", ".yml", ".map"}


def region_of(root: Path) -> dict:
    return yaml.safe_load((root / "guide_data" / "region.yml").read_text(encoding="utf-8"))


ORIGINAL = region_of(ROOT)
SECOND = region_of(FIXTURE)


def swap_region(project: Path, fixture: Path = FIXTURE) -> Path:
    """Replace exactly what a fork edits: guide_data/region.yml and docs/daerah/."""
    shutil.copy2(fixture / "guide_data" / "region.yml", project / "guide_data" / "region.yml")
    shutil.rmtree(project / "docs" / "daerah")
    shutil.copytree(fixture / "docs" / "daerah", project / "docs" / "daerah")
    return project


@pytest.fixture(scope="module")
def fork_site(tmp_path_factory) -> Path:
    project = swap_region(copy_project(tmp_path_factory.mktemp("fork") / "proj"))
    return build_site(project, project / "site", pdf=True)


def page_text(path: Path) -> str:
    return unescape(path.read_text(encoding="utf-8"))


def mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE) is not None


def test_fixture_is_marked_as_test_data_and_differs_from_the_original():
    head = (FIXTURE / "guide_data" / "region.yml").read_text(encoding="utf-8").splitlines()[0]
    assert "DATA UJI" in head
    assert SECOND["region"]["name"] != ORIGINAL["region"]["name"]
    assert SECOND["origin"] == ORIGINAL["origin"], "a fork keeps the origin credit unchanged"


# ----------------------------------------------------------- the source tree


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked-file check needs `git ls-files`")
    return [p for p in out.stdout.decode().split("\0") if p]


def test_no_tracked_file_outside_the_region_places_names_the_region():
    name = ORIGINAL["region"]["name"]
    leaks = []
    for rel in tracked_files():
        if rel.startswith(REGION_PLACES) or re.fullmatch(r"tests/fixtures/[^/]+/guide_data/region\.yml", rel):
            continue
        path = ROOT / rel
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # fonts, images
        for n, line in enumerate(text.splitlines(), 1):
            if mentions(line, name):
                leaks.append(f"{rel}:{n}: {line.strip()[:100]}")
    assert not leaks, (f"The region name {name!r} (from guide_data/region.yml) appears outside "
                       f"{', '.join(REGION_PLACES)}; a fork would inherit it:\n" + "\n".join(leaks))


# ------------------------------------------------------------- the fork build


def test_home_page_names_the_second_region(fork_site):
    html = page_text(fork_site / "index.html")
    assert SECOND["clinic"]["title"] in html
    article = html.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]
    assert SECOND["region"]["full_name"] in article, "the home page names the region in its text"
    assert f"{SECOND['book']['title']} {SECOND['clinic']['acronym']}" in html  # site name in header and <title>
    assert f'<meta name="author" content="{SECOND["book"]["publisher"]}">' in html
    assert SECOND["book"]["licence_holder"] in html  # footer
    assert not mentions(html, ORIGINAL["region"]["name"])


def test_theme_logo_and_preview_come_from_the_second_region(fork_site):
    from PIL import Image

    html = page_text(fork_site / "index.html")
    logo = SECOND["logo"]["path"]
    assert re.search(rf'<link rel="icon" href="{re.escape(logo)}"', html), "favicon is the region's SVG logo"
    assert re.search(rf'<img src="{re.escape(logo)}" alt="', html), "header logo"
    css = (fork_site / "assets/stylesheets/region.css").read_text(encoding="utf-8")
    assert SECOND["colors"]["primary"] in css and ORIGINAL["colors"]["primary"] not in css
    image_url = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert image_url.startswith(SECOND["site"]["url"]) and image_url.endswith(".png")
    card = Image.open(fork_site / image_url[len(SECOND["site"]["url"]):])
    assert card.format == "PNG" and card.size == (1200, 630)
    primary = tuple(int(SECOND["colors"]["primary"][i:i + 2], 16) for i in (1, 3, 5))
    assert card.convert("RGB").getpixel((8, 8)) == primary


def test_region_pages_join_the_navigation_without_editing_mkdocs_yml(fork_site):
    html = page_text(fork_site / "index.html")
    for page in sorted((FIXTURE / "docs" / "daerah").glob("*.md")):
        url = "daerah/" if page.stem == "index" else f"daerah/{page.stem}/"
        assert (fork_site / url / "index.html").is_file()
        assert f'href="{url}"' in html, f"{url} missing from the navigation"
    contact = SECOND["contacts"][0]
    assert f'href="mailto:{contact["value"]}"' in page_text(fork_site / "daerah/kontak/index.html")


def assert_edit_links(site: Path, region: dict, docs: Path) -> None:
    repo = region["site"]["repo_url"].rstrip("/")
    branch = region["site"]["edit_branch"]
    pages = [p for p in site.rglob("index.html")]
    assert len(pages) > 5
    for page in pages:
        rel = page.parent.relative_to(site).as_posix()
        html = page_text(page)
        links = re.findall(r'<a href="([^"]+)"[^>]*class="md-content__button md-icon"', html)
        edit = [l for l in links if "/edit/" in l]
        assert len(edit) == 1, f"{rel}: one edit link expected, found {links}"
        src = edit[0].split(f"{repo}/edit/{branch}/docs/", 1)
        assert len(src) == 2 and src[0] == "", f"{rel}: edit link {edit[0]} is not under {repo}"
        candidates = {f"{rel}.md", f"{rel}/index.md"} if rel != "." else {"index.md"}
        assert src[1] in candidates, f"{rel}: edit link points at {src[1]}"
        assert (docs / src[1]).is_file(), f"{rel}: {src[1]} is not a source file"


def test_edit_link_on_every_page_points_at_its_source_file(fork_site, built_site):
    assert_edit_links(fork_site, SECOND, fork_site.parent / "docs")
    assert_edit_links(built_site, ORIGINAL, ROOT / "docs")


def test_original_region_is_named_only_under_daerah_and_tentang(fork_site):
    name = ORIGINAL["region"]["name"]
    found = []
    for path in sorted(p for p in fork_site.rglob("*") if p.is_file()):
        rel = path.relative_to(fork_site).as_posix()
        if rel.startswith(("daerah/", "tentang/")):
            continue
        if path.suffix == ".gz":
            text = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        elif path.suffix in TEXT_SUFFIXES:
            text = unescape(path.read_text(encoding="utf-8", errors="replace"))
        else:
            continue  # images, fonts; the PDF has its own test
        if mentions(text, name):
            found.append(rel)
    assert not found, f"{name!r} appears in the second region's site outside daerah/ and tentang/: {found}"


def test_origin_credit_stays_on_the_about_page(fork_site):
    html = page_text(fork_site / "tentang/index.html")
    assert ORIGINAL["origin"]["model"] in html
    for source in ORIGINAL["origin"]["sources"]:
        assert f'id="sumber-{source["id"]}"' in html  # listed in full on the credit page
        assert source["id"] not in page_text(fork_site / "sumber/index.html")


# ------------------------------------------------------------ the fork's PDF


def fork_pdf(site: Path) -> Path:
    pdf = site / "unduh" / f"{SECOND['book']['slug']}.pdf"
    assert pdf.is_file(), f"no handbook PDF in the build output ({pdf.relative_to(site)})"
    return pdf


def test_pdf_cover_and_metadata_name_the_second_region(fork_site):
    from pypdf import PdfReader

    reader = PdfReader(fork_pdf(fork_site))
    meta = reader.metadata or {}
    title = str(meta.get("/Title", ""))
    assert mentions(title, SECOND["region"]["name"]), f"PDF title {title!r}"
    cover = reader.pages[0].extract_text()
    assert mentions(cover, SECOND["region"]["name"]), cover[:300]
    old = ORIGINAL["region"]["name"]
    for key in ("/Title", "/Subject", "/Author", "/Keywords", "/Creator"):
        assert not mentions(str(meta.get(key, "")), old), f"PDF metadata {key} names {old}"
    assert not mentions(cover, old)


def test_pdf_names_the_original_region_only_in_the_about_chapter(fork_site):
    from pypdf import PdfReader

    reader = PdfReader(fork_pdf(fork_site))
    old = ORIGINAL["region"]["name"]
    pages = [i for i, page in enumerate(reader.pages) if mentions(page.extract_text() or "", old)]
    if not pages:
        return
    def flat(items, depth=0):  # parts nest their chapters in the outline
        for item in items:
            if isinstance(item, list):
                yield from flat(item, depth + 1)
            else:
                yield reader.get_destination_page_number(item), depth, item.title

    entries = list(flat(reader.outline))
    about = [i for i, (_, _, t) in enumerate(entries) if "tentang panduan" in t.lower()]  # "Bab 6. Tentang ..."
    assert about, f"{old!r} is on PDF pages {pages} and the outline has no 'Tentang panduan ini' chapter"
    first, depth, _ = entries[about[0]]
    after = [p for p, d, _ in entries[about[0] + 1:] if d <= depth]
    last = after[0] - 1 if after else len(reader.pages) - 1
    outside = [p + 1 for p in pages if not first <= p <= last]
    assert not outside, f"{old!r} is on PDF pages {outside}, outside the 'Tentang panduan ini' chapter"


# -------------------------------------------------------------- data rules


def test_an_id_defined_in_two_files_is_reported(project):
    region = project / "guide_data/region.yml"
    first_general = load_guide_data(ROOT).items("sources")[0]
    text = region.read_text(encoding="utf-8")
    dup = (f"  - id: {first_general.id}\n    title: Salinan\n    publisher: Uji\n    confidence: C\n")
    region.write_text(text.replace("\nsources:\n", "\nsources:\n" + dup, 1), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_guide_data(project)
    assert re.search(rf"region\.yml, baris \d+, kunci `sources\[0\]\.id`: `id` bernilai `{first_general.id}` "
                     r"sudah dipakai di guide_data/sources\.yml, baris \d+", str(exc.value)), str(exc.value)


def test_origin_sources_link_to_the_about_page_and_stay_off_the_source_list():
    data = load_guide_data(ROOT)
    origin_id = data.region.origin.sources[0].id
    r = Renderer(data, "daerah/index.md")
    assert f'href="../tentang/#sumber-{origin_id}"' in r.cite(origin_id)
    assert f"sumber-{origin_id}" not in Renderer(data, "sumber.md").source_list()
    about = Renderer(data, "tentang.md").reference_list([origin_id])
    assert f'id="sumber-{origin_id}"' in about and data.region.origin.sources[0].url in about
