"""Security rules checked without a browser: the CSP of every page, YAML only safe-loaded."""
from __future__ import annotations

import ast
import re

import pytest
import yaml

from conftest import ROOT
from guidebook import csp
from guidebook.data import _Loader, parse_yaml

CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_every_page_carries_the_csp_before_any_script_or_stylesheet(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        metas = CSP_META.findall(html)
        assert len(metas) == 1, f"{page}: {len(metas)} meta CSP"
        first_code = min(i for i in (html.find("<script"), html.find('<link rel="stylesheet"')) if i >= 0)
        assert html.find("Content-Security-Policy") < first_code, f"{page}: CSP datang setelah skrip/stylesheet"
        policy = directives(metas[0])
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        script = policy["script-src"]
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, script
        assert set(script) - {"'self'", "'wasm-unsafe-eval'"} == {s for s in script if s.startswith("'sha256-")}
        assert "'unsafe-inline'" not in policy["style-src"]
        for name, sources in policy.items():
            hosts = [s for s in sources if re.match(r"^(https?:|\*|[a-z0-9.-]+\.[a-z]{2,})", s)]
            assert not hosts, f"{page}: {name} mengizinkan host lain {hosts}"


def test_csp_trusts_exactly_the_inline_scripts_outside_page_content(built_site):
    policy = directives(CSP_META.findall((built_site / "index.html").read_text(encoding="utf-8"))[0])
    trusted = {s for s in policy["script-src"] if s.startswith("'sha256-")}
    found = set()
    for page in built_site.rglob("*.html"):
        found |= csp.inline_hashes(page.read_text(encoding="utf-8"))[0]
    assert trusted == found
    # a script inside the article is not trusted, whatever its content
    page = '<article class="md-content__inner md-typeset"><script>alert(1)</script></article><script>ok()</script>'
    assert csp.inline_hashes(page)[0] == {csp._hash("ok()")}


def test_headers_file_has_the_same_policy_for_hosts(built_site):
    meta = CSP_META.findall((built_site / "index.html").read_text(encoding="utf-8"))[0]
    headers = (built_site / "_headers").read_text(encoding="utf-8")
    line = re.search(r"^  Content-Security-Policy: (.*)$", headers, re.M).group(1)
    assert directives(line) == {**directives(meta), "frame-ancestors": ["'self'"]}
    assert "X-Content-Type-Options: nosniff" in headers


PY_SOURCES = sorted([*(ROOT / "guidebook").rglob("*.py"), *(ROOT / "scripts").rglob("*.py"), ROOT / "macros.py"])
UNSAFE_YAML = {"unsafe_load", "full_load", "load_all", "unsafe_load_all", "full_load_all"}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "_Loader"}


@pytest.mark.parametrize("source", PY_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_yaml_is_only_safe_loaded(source):
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"Loader", "FullLoader", "UnsafeLoader", "CLoader",
                                                             "CFullLoader", "CUnsafeLoader"} \
                and isinstance(node.value, ast.Name) and node.value.id == "yaml":
            pytest.fail(f"{source}:{node.lineno}: yaml.{node.attr} dapat menjalankan kode")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml":
            if node.func.attr in UNSAFE_YAML:
                pytest.fail(f"{source}:{node.lineno}: yaml.{node.func.attr}")
            if node.func.attr == "load":
                loader = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "Loader"), None)
                name = getattr(loader, "id", None) or getattr(loader, "attr", None)
                assert name in SAFE_LOADERS, f"{source}:{node.lineno}: yaml.load tanpa SafeLoader"


def test_loader_is_a_safe_loader_and_refuses_python_tags(tmp_path):
    from yaml.constructor import FullConstructor, SafeConstructor

    assert issubclass(_Loader, SafeConstructor) and not issubclass(_Loader, FullConstructor)
    bad = tmp_path / "region.yml"
    for tag in ("!!python/object:os.system", "!!python/object/apply:os.system [\"id\"]",
                "!!python/name:os.system", "!!python/module:os"):
        bad.write_text(f"region:\n  name: {tag}\n", encoding="utf-8")
        data, _, issues = parse_yaml(bad, "guide_data/region.yml")
        assert data is None and len(issues) == 1
        assert re.match(r"tag YAML `!!python/(object|name|module)[^`]*` tidak diizinkan", issues[0].problem), issues
        assert issues[0].line == 2
