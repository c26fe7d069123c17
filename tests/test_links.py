"""Links: every internal href/src and #anchor of every built page resolves; the external
link checker (make linkcheck) reports broken links and says so when there is no network."""
from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import threading

import pytest

from conftest import ROOT
from guidebook import links


def test_every_internal_link_and_anchor_resolves(built_site, site_url):
    problems, checked = links.check_internal(built_site, site_url)
    pages = links.built_pages(built_site)
    assert len(pages) >= 10 and checked > 20 * len(pages) // 2
    assert not problems, f"{len(problems)} tautan internal rusak:\n" + "\n".join(f"  {p}" for p in problems)


def test_sitemap_lists_only_built_pages(built_site, site_url):
    assert links.sitemap_problems(built_site, site_url) == []


@pytest.fixture
def broken_site(built_site, tmp_path, site_url):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    page = site / "glosarium" / "index.html"
    html = page.read_text(encoding="utf-8")
    real_anchor = sorted(links.scan_site(site)["sumber/index.html"].ids)[-1]
    extra = ('<a href="../tahapan/tidak-ada/">a</a><a href="../sumber/#sumber-hilang">b</a>'
             '<a href="#jangkar-hilang">c</a><img src="../assets/hilang.png" alt="x">'
             f'<a href="{site_url}tidak-ada/">d</a><a href="javascript:alert(1)">e</a>'
             f'<a href="../sumber/#{real_anchor}">ok</a><a href="mailto:a@b.invalid">ok</a>')
    page.write_text(html.replace("</article>", extra + "</article>", 1), encoding="utf-8")
    return site


def test_checker_finds_every_kind_of_broken_link(broken_site, site_url):
    problems, _ = links.check_internal(broken_site, site_url)
    text = "\n".join(str(p) for p in problems)
    assert all(p.link.page == "glosarium/index.html" for p in problems), text
    for expected in ("`/tahapan/tidak-ada/` tidak ada", "jangkar `#sumber-hilang` tidak ada di sumber/index.html",
                     "jangkar `#jangkar-hilang` tidak ada di glosarium/index.html", "`/assets/hilang.png` tidak ada",
                     "`/tidak-ada/` tidak ada", "`javascript:` dilarang"):
        assert expected in text, text
    assert len(problems) == 6, text
    assert "baris" in text


def test_external_links_are_listed_with_their_pages(built_site, site_url):
    external = links.external_links(built_site, site_url)
    assert external, "tidak ada tautan eksternal sama sekali?"
    assert not any(url.startswith(site_url) for url in external)
    assert all(url.startswith(("http://", "https://")) for url in external)
    assert all(where and where[0].page.endswith(".html") for where in external.values())


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        code = {"/ada": 200, "/hilang": 404, "/tanpa-head": 405}.get(self.path, 500)
        self.send_response(code)
        self.end_headers()

    def do_GET(self):
        self.send_response(200 if self.path in ("/ada", "/tanpa-head") else 404)
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def local_web():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


def test_external_check_classifies_answers(local_web):
    closed = socket_free_port()
    results = {r.url: r for r in links.check_external(
        [f"{local_web}/ada", f"{local_web}/hilang", f"{local_web}/tanpa-head", f"http://127.0.0.1:{closed}/x"],
        timeout=5)}
    assert results[f"{local_web}/ada"].ok
    assert results[f"{local_web}/hilang"].status == 404 and not results[f"{local_web}/hilang"].ok
    assert results[f"{local_web}/tanpa-head"].ok  # HEAD refused, GET works
    assert results[f"http://127.0.0.1:{closed}/x"].status is None


def socket_free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_linkcheck_without_network_says_so(built_site, tmp_path):
    """Hosts under .invalid never resolve (RFC 2606), as on a machine without network."""
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace('href="https://', 'href="https://tidak-ada.invalid/'), encoding="utf-8")
    report = tmp_path / "eksternal.tsv"
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "linkcheck.py"), "--site", str(site),
                          "--report", str(report)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Tidak ada jaringan" in out.stderr and "BELUM diperiksa" in out.stderr
    assert "Traceback" not in out.stderr
    assert "Tautan internal:" in out.stdout and ", 0 rusak." in out.stdout
    assert report.read_text(encoding="utf-8").count("https://tidak-ada.invalid/") > 5
