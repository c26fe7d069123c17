"""Check the links of the built site: every internal link and anchor, and list the external ones.

Works on the HTML that readers get (``site/``), so it also sees links that themes,
macros and generated pages add, not only those typed in Markdown. ``check_internal``
runs offline in the test suite; ``check_external`` needs a network and runs only
in ``make linkcheck``.
"""
from __future__ import annotations

import concurrent.futures
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

# element -> attributes holding a URL the browser follows or loads
URL_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"),
    "script": ("src",), "iframe": ("src",), "source": ("src", "srcset"), "track": ("src",),
    "audio": ("src",), "video": ("src", "poster"), "embed": ("src",), "object": ("data",),
    "input": ("src",), "form": ("action",), "use": ("href", "xlink:href"), "image": ("href", "xlink:href"),
}
IGNORED_SCHEMES = ("mailto:", "tel:", "data:")


@dataclass(frozen=True)
class Link:
    page: str    # built file, relative to the site folder (tahapan/index.html)
    line: int
    tag: str
    attr: str
    url: str


@dataclass
class SitePage:
    path: str
    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class LinkProblem:
    link: Link
    problem: str

    def __str__(self) -> str:
        return (f"{self.link.page}, baris {self.link.line}: <{self.link.tag} {self.link.attr}="
                f"\"{self.link.url}\">: {self.problem}")


class _PageParser(HTMLParser):
    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.page = SitePage(path)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs_d = dict(attrs)
        if attrs_d.get("id"):
            self.page.ids.add(attrs_d["id"])
        if tag == "a" and attrs_d.get("name"):
            self.page.ids.add(attrs_d["name"])
        line = self.getpos()[0]
        for attr in URL_ATTRS.get(tag, ()):
            value = attrs_d.get(attr)
            if value is None:
                continue
            urls = [c.strip().split()[0] for c in value.split(",") if c.strip()] if attr == "srcset" else [value]
            for url in urls:
                self.page.links.append(Link(self.page.path, line, tag, attr, url.strip()))

    handle_startendtag = handle_starttag


def page_url(rel: str) -> str:
    """The URL path a built file is served at: tahapan/index.html -> /tahapan/."""
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def built_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the built site (relative paths, sorted), whatever created it."""
    return sorted(p.relative_to(site_dir).as_posix() for p in Path(site_dir).rglob("*.html"))


def scan_site(site_dir: Path) -> dict[str, SitePage]:
    pages = {}
    for rel in built_pages(site_dir):
        parser = _PageParser(rel)
        parser.feed((Path(site_dir) / rel).read_text(encoding="utf-8"))
        parser.close()
        pages[rel] = parser.page
    return pages


def _target_file(site_dir: Path, path: str) -> str | None:
    """The built file a URL path resolves to (as a web server would), or None."""
    rel = unquote(path).lstrip("/")
    candidates = [rel + "index.html"] if (rel == "" or rel.endswith("/")) else [rel, rel + "/index.html"]
    for c in candidates:
        f = Path(site_dir) / c
        if f.is_file() and f.resolve().is_relative_to(Path(site_dir).resolve()):
            return c
    return None


def classify(url: str, site_url: str) -> str:
    """'internal', 'external', 'ignored' (mailto:, data: ...) or 'forbidden' (javascript:)."""
    low = url.strip().lower()
    if low.startswith("javascript:") or low.startswith("vbscript:"):
        return "forbidden"
    if low.startswith(IGNORED_SCHEMES):
        return "ignored"
    if site_url and url.startswith(site_url):
        return "internal"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return "external"
    return "internal"


def check_internal(site_dir: Path, site_url: str = "") -> tuple[list[LinkProblem], int]:
    """Every internal href/src and #anchor of every page; returns (problems, links checked).

    ``site_url`` is the published address (region.site.url): absolute links to it
    (canonical, 404 page assets) are checked as internal ones.
    """
    site_dir = Path(site_dir)
    base_path = urlsplit(site_url).path if site_url else "/"
    pages = scan_site(site_dir)
    problems: list[LinkProblem] = []
    checked = 0
    for rel, page in pages.items():
        here = "http://site.invalid" + page_url(rel)
        for link in page.links:
            kind = classify(link.url, site_url)
            if kind == "forbidden":
                problems.append(LinkProblem(link, "tautan `javascript:` dilarang (bisa menjalankan kode)."))
                continue
            if kind != "internal":
                continue
            checked += 1
            url = link.url[len(site_url) - len(base_path):] if site_url and link.url.startswith(site_url) else link.url
            target = urlsplit(urljoin(here, url))
            path = target.path
            if url.startswith("/") and base_path != "/":
                if not path.startswith(base_path):
                    problems.append(LinkProblem(link, f"jalur mutlak di luar alamat situs ({base_path})."))
                    continue
                path = "/" + path[len(base_path):]
            dest = _target_file(site_dir, path)
            if dest is None:
                problems.append(LinkProblem(link, f"berkas tujuan `{unquote(path)}` tidak ada di situs hasil build."))
                continue
            anchor = unquote(target.fragment)
            if anchor and dest.endswith(".html") and anchor not in pages[dest].ids:
                problems.append(LinkProblem(link, f"jangkar `#{anchor}` tidak ada di {dest}."))
    return problems, checked


def sitemap_problems(site_dir: Path, site_url: str) -> list[str]:
    """Every <loc> of sitemap.xml must be a built page."""
    import xml.etree.ElementTree as ET

    sitemap = Path(site_dir) / "sitemap.xml"
    if not sitemap.exists():
        return []
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    out = []
    for loc in ET.parse(sitemap).getroot().findall("s:url/s:loc", ns):
        url = (loc.text or "").strip()
        if not url.startswith(site_url):
            out.append(f"sitemap.xml: {url} bukan alamat situs ini ({site_url}).")
        elif _target_file(site_dir, "/" + url[len(site_url):]) is None:
            out.append(f"sitemap.xml: {url} tidak punya halaman di situs hasil build.")
    return out


def external_links(site_dir: Path, site_url: str = "") -> dict[str, list[Link]]:
    """External URL -> the places that link to it (sorted by URL)."""
    found: dict[str, list[Link]] = {}
    for page in scan_site(site_dir).values():
        for link in page.links:
            if classify(link.url, site_url) == "external":
                url = link.url if not link.url.startswith("//") else "https:" + link.url
                found.setdefault(url, []).append(link)
    return dict(sorted(found.items()))


# ------------------------------------------------------------ external (network)


@dataclass(frozen=True)
class ExternalResult:
    url: str
    status: int | None   # HTTP status, or None when the host could not be reached
    detail: str

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def resolvable_hosts(urls: list[str]) -> dict[str, bool]:
    """Host -> whether DNS resolves it (cheap network probe before any request)."""
    out = {}
    for host in sorted({urlsplit(u).hostname or "" for u in urls} - {""}):
        try:
            socket.getaddrinfo(host, None)
            out[host] = True
        except (socket.gaierror, UnicodeError):
            out[host] = False
    return out


def check_url(url: str, timeout: float = 15.0) -> ExternalResult:
    headers = {"User-Agent": "klik-linkcheck/1 (+pemeriksa tautan panduan)"}
    for method in ("HEAD", "GET"):
        req = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only
                return ExternalResult(url, resp.status, "")
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue  # some servers refuse HEAD; ask again with GET
            return ExternalResult(url, exc.code, exc.reason if isinstance(exc.reason, str) else "")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return ExternalResult(url, None, str(reason))
    return ExternalResult(url, None, "tidak ada jawaban")


def check_external(urls: list[str], timeout: float = 15.0, workers: int = 4) -> list[ExternalResult]:
    urls = [u for u in urls if urlsplit(u).scheme in ("http", "https")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda u: check_url(u, timeout), urls))
