"""Property tests: whatever is written into a data file, the loader returns valid data
or raises DataError listing issues; never another exception (a traceback for editors)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, copy_project
from guidebook import data as gdata
from guidebook.data import DataError, DataIssue, GuideData, load_guide_data

DATA_FILES = sorted(p.relative_to(ROOT / "guide_data").as_posix() for p in (ROOT / "guide_data").rglob("*.yml"))
# Modest counts: make test runs on two cores with everything else.
SETTINGS = settings(max_examples=10, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)
yaml_like_text = st.lists(st.sampled_from(["a: 1", "- x", "  b: [", "]", "c: {d: e}", "&a x", "*a", "!!str",
                                           "? k", "---", "...", "  - id: x", "'q", '"', "#", ": :", "\t",
                                           "!!python/object:os.system", "%YAML 1.1", "<<: *a", "? [a, b]",
                                           "? {k: v}", ": x", "!!binary x", "!!set {a}", "!!omap [a: 1]",
                                           "!!float x", "!!int 0x", "terms:", "  - {id: [1]}", "sources: 5"]),
                          max_size=12).map("\n".join)


@pytest.fixture(scope="module")
def scratch() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        yield copy_project(Path(tmp) / "proj")


def load_or_issues(project: Path, name: str, content: bytes) -> None:
    path = project / "guide_data" / name
    original = path.read_bytes()
    path.write_bytes(content)
    try:
        gdata._load_cached.cache_clear()  # file times may not change between two quick writes
        try:
            result = load_guide_data(project)
        except DataError as exc:
            assert exc.issues and all(isinstance(i, DataIssue) and i.file and i.problem and i.fix
                                      for i in exc.issues)
            assert str(exc).startswith("Data panduan tidak valid")
        else:
            assert isinstance(result, GuideData)
    finally:
        path.write_bytes(original)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _replace(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


@pytest.mark.parametrize("name", DATA_FILES)
@SETTINGS
@given(content=st.text(max_size=300) | yaml_like_text | st.binary(max_size=200))
@example(content="? [a, b]\n: 1")   # bugs these tests found: a list as a key,
@example(content="!!float")          # a malformed tagged value,
@example(content="sources: 1")       # a list that is a number
@example(content=b"\xff\xfe")
def test_arbitrary_text_gives_data_or_issues(scratch, name, content):
    load_or_issues(scratch, name, content.encode("utf-8") if isinstance(content, str) else content)


@pytest.mark.parametrize("name", DATA_FILES)
@SETTINGS
@given(value=values)
def test_arbitrary_structure_gives_data_or_issues(scratch, name, value):
    load_or_issues(scratch, name, yaml.safe_dump(value, allow_unicode=True).encode("utf-8"))


@pytest.mark.parametrize("name", DATA_FILES)
@SETTINGS
@given(data=st.data(), value=values)
def test_real_data_with_one_part_replaced_gives_data_or_issues(scratch, name, data, value):
    """Deep mutations reach the cross-file rules (x-ref, x-unique, x-path) with odd types."""
    real = yaml.safe_load((ROOT / "guide_data" / name).read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(list(_paths(real))))
    mutated = _replace(real, path, value)
    load_or_issues(scratch, name, yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False).encode("utf-8"))
