"""Make a copy of the project whose every free-text field carries an attack payload.

Used by test_hostile.py. Fields are found by walking the data, not listed by hand,
so fields that other chapters or tools add later are attacked too: every string
leaf of every ``guide_data`` file gets a payload appended, then the ones the
schema refuses (ids, enums, dates, paths) are put back until the data validates.
The front matter ``title`` and ``description`` of every page get one too.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from guidebook.data import _collect_ids, _Loader, validate_guide_data

# {n}: the payload's own number, so a hit names the field it came from.
PAYLOADS = [
    '<script>alert("xss-{n}")</script>',
    '<img src=x onerror=alert("xss-{n}")>',
    '"><svg onload=alert("xss-{n}")>',
    "' onmouseover='alert(\"xss-{n}\")' x='",
    '</textarea></title><script>alert("xss-{n}")</script>',
    '{{{{ 191*7191 }}}} {{% raw %}} xss-{n}',   # template injection: must stay literal (never 1373481)
]
URL_PAYLOAD = '?q="><img src=x onerror=alert("xss-{n}")>'  # still matches ^https?://
MARKERS = re.compile(r"xss-(\d+)")


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, path + (i,))
    elif isinstance(value, str):
        yield path


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _set(data, path, value):
    for p in path[:-1]:
        data = data[p]
    data[path[-1]] = value


def _key_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def make_hostile(project: Path) -> dict[int, str]:
    """Inject payloads into ``project`` in place; return {payload number: where it went}."""
    data_dir = project / "guide_data"
    # the project's own loader: YAML 1.2 booleans, so `no:` stays a key
    files = {p: yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader) for p in sorted(data_dir.rglob("*.yml"))}
    # ids and the references to them stay as they are (a changed id only breaks references)
    ids = {str(i) for found in _collect_ids({p.relative_to(data_dir).parts: d for p, d in files.items()}).values()
           for i in found}
    originals: dict[tuple, str] = {}
    placed: dict[int, str] = {}
    n = 0
    for path, data in files.items():
        for leaf in list(_leaves(data)):
            original = _get(data, leaf)
            if leaf[-1] == "id" or original in ids:
                continue
            n += 1
            payload = (URL_PAYLOAD if original.startswith(("http://", "https://")) else
                       " " + PAYLOADS[n % len(PAYLOADS)]).format(n=n)
            _set(data, leaf, original + payload)
            originals[(path, leaf)] = original
            placed[n] = f"{path.relative_to(project)}: {_key_path(leaf)}"

    def dump():
        for path, data in files.items():
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000),
                            encoding="utf-8")

    for _ in range(30):  # put back what the schema refuses (enums, patterns, paths)
        dump()
        _, issues = validate_guide_data(data_dir, project)
        if not issues:
            break
        reverted = False
        for issue in issues:
            here = False
            for (path, leaf), original in originals.items():
                if str(path.relative_to(project)) == issue.file and issue.key.startswith(_key_path(leaf)) \
                        and _get(files[path], leaf) != original:
                    _set(files[path], leaf, original)
                    here = True
            if not here:
                # the problem is reported on a mapping (oneOf, required ...): put back every leaf inside it
                for (path, leaf), original in originals.items():
                    if str(path.relative_to(project)) == issue.file and _key_path(leaf).startswith(issue.key) \
                            and _get(files[path], leaf) != original:
                        _set(files[path], leaf, original)
                        here = True
            reverted = reverted or here
        if not reverted:
            raise AssertionError("data tetap tidak valid: " + "\n".join(map(str, issues)))
    else:
        raise AssertionError("data tetap tidak valid setelah 30 putaran:\n" + "\n".join(map(str, issues)))
    kept = {m for path, data in files.items() for leaf in _leaves(data)
            for m in MARKERS.findall(_get(data, leaf))}
    placed = {k: v for k, v in placed.items() if str(k) in kept}

    for page in sorted((project / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for key in ("title", "description"):
            n += 1
            text, count = re.subn(rf"(?m)^({key}: .*)$",
                                  lambda m: m.group(1) + " " + PAYLOADS[n % 5].format(n=n).replace("\\", ""),
                                  text, count=1)
            if count:
                # front matter is YAML: quote the whole value
                text = re.sub(rf"(?m)^{key}: (.*)$", lambda m: f"{key}: " + yaml.safe_dump(
                    m.group(1), allow_unicode=True, width=1000).strip().removesuffix("...").strip(), text, count=1)
                placed[n] = f"{page.relative_to(project)}: front matter {key}"
        page.write_text(text, encoding="utf-8")
    return placed
