"""Load and validate everything in ``guide_data/`` once, into immutable records.

Editors read the errors, so every message is in Bahasa Indonesia and names the
file, the line, the key path, what is wrong and how to fix it. All errors are
collected before failing, not only the first one.

How a file finds its schema: ``guide_data/<name>.yml`` is checked against
``guidebook/schemas/<name>.schema.json``; a file inside a folder,
``guide_data/<folder>/<x>.yml``, against ``guidebook/schemas/<folder>.schema.json``.

Two schema keywords of our own carry the cross-file rules:

* ``"x-ref": "<collection>"`` on a string: the value must be an id of that
  collection (``sources``, ``stages``, ``terms`` ...; see ``COLLECTIONS``).
* ``"x-unique": "<field>"`` on an array of objects: that field is unique.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import jsonschema
import referencing
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
MAX_FILE_BYTES = 2 * 1024 * 1024  # a data file this big is a mistake, not content

# collection name -> (file stem, list key, id field). ``file stem`` may name a
# folder ("iid"): then every file in it contributes one item, its id the field.
COLLECTIONS: dict[str, tuple[str, str | None, str]] = {
    "sources": ("sources", "sources", "id"),
    "stages": ("stages", "stages", "id"),
    "terms": ("glossary", "terms", "id"),
    "regulations": ("regulations", "regulations", "id"),
    "bentuk": ("taxonomy", "bentuk", "id"),
    "jenis": ("taxonomy", "jenis", "id"),
    "inisiator": ("taxonomy", "inisiator", "id"),
    "kriteria": ("taxonomy", "kriteria", "id"),
    "prinsip": ("taxonomy", "prinsip", "id"),
    "services": ("services", "services", "id"),
    "roles": ("services", "roles", "id"),
    "editions": ("iid", None, "year"),
    "templates": ("templates", None, "id"),
    "labinov": ("labinov", "phases", "id"),
}

# Items of a collection that live inside another file: collection -> ((file stem,
# key path), ...). The region's own sources and the origin credit's sources sit in
# region.yml, so a fork replaces them by editing that one file.
COLLECTION_EXTRAS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "sources": (("region", ("sources",)), ("region", ("origin", "sources"))),
}

# An edition file marked ``catalogue: partial`` records only what is known about a
# later edition (no indicator catalogue). It stays out of the "editions" collection,
# which scoring and indicator cards read, so nothing can score with an incomplete
# catalogue; ``data.iid`` (by file stem) still holds every edition file.
COLLECTION_FILTERS = {
    "editions": lambda item: item.get("catalogue", "full") != "partial",
}


# ---------------------------------------------------------------- records


class Record(Mapping):
    """An immutable mapping whose keys also read as attributes (``r.name``).

    Jinja templates, the PDF and the calculator JSON all read the same records.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]):
        object.__setattr__(self, "_data", MappingProxyType(dict(data)))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("Record is read-only")

    def __repr__(self) -> str:
        return f"Record({dict(self._data)!r})"

    def __hash__(self) -> int:  # records are values
        return hash(json.dumps(thaw(self), sort_keys=True, default=str))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())


def freeze(value: Any) -> Any:
    """Turn parsed YAML into records and tuples, all the way down."""
    if isinstance(value, Mapping):
        return Record({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of ``freeze``: plain dicts and lists (for JSON output)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class GuideData:
    """Everything the guide renders from, validated and read-only."""

    root: Path
    files: Mapping[str, Record]  # "region" -> the whole file; "iid" -> {year: file}
    index: Mapping[str, Mapping[Any, Record]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        files = object.__getattribute__(self, "files")
        if name in files:
            return files[name]
        raise AttributeError(name)

    @property
    def region(self) -> Record:
        return self.files["region"]

    def get(self, collection: str, key: Any) -> Record:
        return self.index[collection][key]

    def items(self, collection: str) -> tuple[Record, ...]:
        return tuple(self.index.get(collection, {}).values())


# ----------------------------------------------------------------- errors


@dataclass(frozen=True)
class DataIssue:
    file: str  # relative to the repository root
    line: int | None
    key: str  # key path like ``stages[1].name``, or "" for the whole file
    problem: str
    fix: str

    def __str__(self) -> str:
        where = self.file + (f", baris {self.line}" if self.line else "")
        key = f", kunci `{self.key}`" if self.key else ""
        return f"{where}{key}: {self.problem}\n    Perbaikan: {self.fix}"


class DataError(Exception):
    """One or more problems in ``guide_data/``; ``str()`` lists them all."""

    def __init__(self, issues: list[DataIssue]):
        self.issues = issues
        head = f"Data panduan tidak valid ({len(issues)} masalah):"
        super().__init__("\n".join([head] + [f"  - {i}" for i in issues]))


# ------------------------------------------------------------ YAML parsing


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader with YAML 1.2 habits editors expect: dates stay text (the schema
    checks their form) and only true/false are booleans (`no:` is a key, not False).

    libyaml's parser when PyYAML has it (about ten times faster), else the pure
    Python one; either way only SafeConstructor builds the values.
    """


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _walk_nodes(node: yaml.Node, path: tuple, lines: dict, dupes: list) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key: construct_document reports it
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                dupes.append((path + (key,), line, seen[key]))
            seen[key] = line
            lines[path + (key,)] = line
            _walk_nodes(value_node, path + (key,), lines, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk_nodes(item, path + (i,), lines, dupes)


def key_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def yaml_error_issue(exc: yaml.MarkedYAMLError, rel: str, first_line: int = 1) -> DataIssue:
    """An Indonesian issue for a YAML syntax error, or for a tag the safe loader refuses.

    ``first_line``: the file line where the parsed YAML text starts (front matter: 2).
    """
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + first_line if mark else None
    if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in (exc.problem or ""):
        tag = (exc.problem or "").split("tag ", 1)[-1].strip("'\" ").replace("tag:yaml.org,2002:", "!!")
        return DataIssue(rel, line, "", f"tag YAML `{tag}` tidak diizinkan; data hanya boleh berisi teks, "
                                        "angka, true/false, daftar, dan pasangan `kunci: nilai`.",
                         "hapus tag yang diawali tanda seru (misalnya `!!python/object`) dan tulis nilainya "
                         "sebagai teks biasa.")
    what = exc.problem or "format YAML salah"
    return DataIssue(rel, line, "", f"YAML tidak dapat dibaca ({what}).",
                     "periksa indentasi (spasi, bukan tab), tanda titik dua setelah kunci, "
                     "dan tanda kutip yang belum ditutup di sekitar baris ini.")


def parse_yaml(path: Path, rel: str) -> tuple[Any, dict, list[DataIssue]]:
    """Parse one file: (data, {key path tuple: line}, issues)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, {}, [DataIssue(rel, None, "", f"berkas tidak dapat dibaca ({exc.strerror}).",
                                    "periksa bahwa berkas ada dan dapat dibaca.")]
    if size > MAX_FILE_BYTES:
        return None, {}, [DataIssue(
            rel, None, "", f"berkas terlalu besar ({size:,} bita; batas {MAX_FILE_BYTES:,} bita).",
            "pecah isinya menjadi beberapa berkas atau hapus bagian yang tidak perlu.")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, {}, [DataIssue(
            rel, line, "", "berkas bukan teks UTF-8.",
            "simpan ulang berkas dengan penyandian (encoding) UTF-8 di editor Anda.")]
    if not text.strip() or all(l.strip().startswith("#") or not l.strip() for l in text.splitlines()):
        return None, {}, [DataIssue(rel, None, "", "berkas kosong.",
                                    "isi berkas sesuai contohnya, atau hapus berkas ini.")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, [DataIssue(rel, None, "", "berkas kosong.",
                                        "isi berkas sesuai contohnya, atau hapus berkas ini.")]
        lines: dict = {}
        dupes: list = []
        _walk_nodes(node, (), lines, dupes)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return None, {}, [yaml_error_issue(exc, rel)]
    except yaml.YAMLError as exc:
        return None, {}, [DataIssue(rel, None, "", f"YAML tidak dapat dibaca ({exc}).",
                                    "periksa format YAML berkas ini.")]
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        # PyYAML's constructors fail this way on malformed tagged values (`!!float`, `!!binary x`)
        line = next((i for i, l in enumerate(text.splitlines(), 1) if "!!" in l), None)
        return None, {}, [DataIssue(rel, line, "", f"nilai bertanda YAML (`!!...`) tidak sah ({exc}).",
                                    "hapus tanda yang diawali `!!` dan tulis nilainya biasa saja.")]
    finally:
        loader.dispose()
    issues = [
        DataIssue(rel, line, key_path(p), f"kunci `{p[-1]}` ditulis dua kali (pertama di baris {first}).",
                  "hapus salah satunya atau gabungkan isinya.")
        for p, line, first in dupes
    ]
    return data, lines, issues


# ------------------------------------------------------------- validation


def _schema_for(rel_parts: tuple[str, ...]) -> Path:
    stem = rel_parts[0] if len(rel_parts) > 1 else Path(rel_parts[0]).stem
    return SCHEMA_DIR / f"{stem}.schema.json"


@lru_cache(maxsize=None)
def _load_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _schema_registry() -> referencing.Registry:
    """Every schema by its ``$id``, so one schema can ``$ref`` a part of another."""
    schemas = [_load_schema(p) for p in sorted(SCHEMA_DIR.glob("*.schema.json"))]
    return referencing.Registry().with_resources(
        (s["$id"], referencing.Resource.from_contents(s)) for s in schemas if "$id" in s)


def _describe(error: jsonschema.ValidationError) -> tuple[str, str, tuple]:
    """An Indonesian (problem, fix, extra key) for one jsonschema error."""
    v = error.validator
    val = error.validator_value
    inst = error.instance
    if v == "required":
        # one error per missing key; its message names the key ("'x' is a required property")
        named = re.match(r"'(.+?)' is a required property", error.message)
        missing = [k for k in val if isinstance(inst, dict) and k not in inst]
        name = named.group(1) if named else (missing[0] if missing else "?")
        return f"kunci wajib `{name}` tidak ada.", f"tambahkan `{name}: ...` di bagian ini.", ()
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in inst if k not in error.schema.get("properties", {})] if isinstance(inst, dict) else []
        name = extra[0] if extra else "?"
        return (f"kunci `{name}` tidak dikenal.",
                f"hapus `{name}` atau perbaiki ejaannya; kunci yang boleh: {', '.join(allowed)}.",
                (name,))
    if v == "type":
        names = {"string": "teks", "integer": "bilangan bulat", "number": "angka", "boolean": "true/false",
                 "array": "daftar (baris berawalan '-')", "object": "kumpulan kunci: nilai", "null": "kosong"}
        want = " atau ".join(names.get(t, t) for t in ([val] if isinstance(val, str) else val))
        return f"nilainya harus berupa {want}, bukan `{_short(inst)}`.", f"ubah nilainya menjadi {want}.", ()
    if v == "enum":
        opts = ", ".join(str(o) for o in val)
        return f"nilai `{_short(inst)}` tidak termasuk pilihan.", f"gunakan salah satu dari: {opts}.", ()
    if v == "const":
        return f"nilai harus `{val}`.", f"ubah nilainya menjadi `{val}`.", ()
    if v == "pattern":
        hint = error.schema.get("x-hint", f"sesuaikan dengan pola {val}")
        return f"nilai `{_short(inst)}` tidak sesuai format.", hint + ".", ()
    if v == "format":
        return f"nilai `{_short(inst)}` bukan {val} yang sah.", f"tulis sebagai {val} yang sah (tanggal: TTTT-BB-HH).", ()
    if v in ("minLength", "minItems"):
        return "isinya kosong atau terlalu pendek.", "lengkapi isinya.", ()
    if v in ("maxLength", "maxItems"):
        return "isinya terlalu panjang.", f"persingkat (paling banyak {val}).", ()
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"nilai {_short(inst)} di luar batas ({v} {val}).", "perbaiki angkanya.", ()
    if v == "uniqueItems":
        return "daftar berisi nilai yang sama lebih dari sekali.", "hapus nilai yang berulang.", ()
    if v == "x-ref" and val == "indicators":
        return (f"indikator nomor `{_short(inst)}` tidak ada di {_COLLECTION_LABEL[val]}.",
                "gunakan nomor indikator yang ada di katalog edisi terbaru, atau hapus nomor ini "
                "bila indikatornya sudah tidak dipakai.", ())
    if v in ("anyOf", "oneOf"):
        hint = error.schema.get("x-hint", "periksa bentuk nilai ini sesuai contoh di berkas")
        return f"bentuk nilai `{_short(inst)}` tidak dikenali.", hint + ".", ()
    if v == "x-ref":
        return (f"`{_short(inst)}` tidak ditemukan di {_COLLECTION_LABEL.get(val, val)}.",
                f"perbaiki ejaannya atau tambahkan entri `{_short(inst)}` ke {_COLLECTION_FILE.get(val, val)}.", ())
    if v == "x-path":
        if error.message == "outside":
            return (f"jalur `{_short(inst)}` menunjuk ke luar folder {val}/.",
                    f"simpan berkasnya di dalam folder {val}/ dan tulis jalurnya relatif terhadap folder itu.", ())
        return (f"berkas `{val}/{_short(inst)}` tidak ditemukan.",
                f"periksa ejaan jalurnya atau salin berkasnya ke {val}/{_short(inst)}.", ())
    if v == "x-unique":
        return (f"`{val}` bernilai `{_short(error.instance)}` dipakai lebih dari sekali.",
                f"setiap `{val}` harus unik; ganti salah satunya.", ())
    return error.message, "periksa nilai ini sesuai skema.", ()


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


_COLLECTION_FILE = {name: f"guide_data/{stem}{'/' if key is None else '.yml'}"
                    for name, (stem, key, _) in COLLECTIONS.items()}
_COLLECTION_LABEL = {
    "sources": "daftar sumber (sources.yml)", "stages": "daftar tahapan (stages.yml)",
    "terms": "glosarium (glossary.yml)", "regulations": "daftar regulasi (regulations.yml)",
    "services": "layanan klinik (services.yml)", "editions": "edisi IID (folder iid/)",
    "templates": "templat (folder templates/)",
    "labinov": "tahap Laboratorium Inovasi (labinov.yml)",
    "roles": "daftar peran klinik (services.yml, bagian roles)",
    "indicators": "katalog indikator edisi IID terbaru (folder iid/)",
}
_COLLECTION_FILE["indicators"] = "guide_data/iid/ (edisi terbaru dengan katalog lengkap)"


def _make_validator(schema: dict, ids: Mapping[str, set], root: Path) -> jsonschema.Validator:
    def x_path(validator, base, instance, schema):
        if not isinstance(instance, str):
            return
        base_dir = (root / base).resolve()
        target = (base_dir / instance).resolve()
        if not target.is_relative_to(base_dir):
            yield jsonschema.ValidationError("outside")
        elif not target.is_file():
            yield jsonschema.ValidationError("missing")

    def x_ref(validator, collection, instance, schema):
        if isinstance(instance, (str, int)) and instance not in ids.get(collection, set()):
            yield jsonschema.ValidationError(f"unknown {collection} id {instance!r}")

    def x_unique(validator, fieldname, instance, schema):
        if not isinstance(instance, list):
            return
        seen = set()
        for i, item in enumerate(instance):
            if isinstance(item, dict) and fieldname in item:
                value = item[fieldname]
                try:
                    if value in seen:
                        err = jsonschema.ValidationError(f"duplicate {fieldname}", instance=value)
                        err.path.extend([i, fieldname])
                        yield err
                    seen.add(value)
                except TypeError:
                    pass

    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                       {"x-ref": x_ref, "x-unique": x_unique, "x-path": x_path})
    return cls(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
               registry=_schema_registry())


def _collection_items(raw: Mapping[tuple[str, ...], Any], name: str) -> Iterator[tuple[tuple, tuple, Any]]:
    """Every raw item of a collection as (file parts, key path inside the file, item)."""
    stem, key, _ = COLLECTIONS[name]
    for parts, data in raw.items():
        if key is None and len(parts) == 2 and parts[0] == stem:
            if isinstance(data, dict) and not COLLECTION_FILTERS.get(name, lambda item: True)(data):
                continue
            yield parts, (), data
        elif key is not None and parts == (f"{stem}.yml",) and isinstance(data, dict) \
                and isinstance(data.get(key), list):  # any other shape: the schema reports it
            for i, item in enumerate(data[key]):
                yield parts, (key, i), item
    for extra_stem, path in COLLECTION_EXTRAS.get(name, ()):
        data = raw.get((f"{extra_stem}.yml",))
        for step in path:
            data = data.get(step) if isinstance(data, dict) else None
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield (f"{extra_stem}.yml",), path + (i,), item


def _collect_ids(raw: Mapping[tuple[str, ...], Any]) -> dict[str, set]:
    ids: dict[str, set] = {}
    for name, (_, _, idf) in COLLECTIONS.items():
        ids[name] = {item[idf] for _, _, item in _collection_items(raw, name)
                     if isinstance(item, dict) and isinstance(item.get(idf), (str, int))}
    ids["indicators"] = set(_newest_catalogue_numbers(raw))
    return ids


def _newest_catalogue_numbers(raw: Mapping[tuple[str, ...], Any]) -> list[int]:
    """The id collection "indicators": indicator numbers of the newest full edition, so
    other data (clinic services) can only point at indicators the current catalogue has."""
    full = [item for _, _, item in _collection_items(raw, "editions")
            if isinstance(item, dict) and isinstance(item.get("year"), int)]
    if not full:
        return []
    newest = max(full, key=lambda d: d["year"])
    return [i["no"] for i in newest.get("indicators") or [] if isinstance(i, dict) and isinstance(i.get("no"), int)]


def _cross_file_duplicates(raw: Mapping, lines_of: Mapping, rel_of: Mapping) -> list[DataIssue]:
    """An id defined in two places of one collection (e.g. sources.yml and region.yml)."""
    issues = []
    for name, (_, _, idf) in COLLECTIONS.items():
        if name not in COLLECTION_EXTRAS:
            continue
        first: dict[Any, tuple] = {}
        for parts, path, item in _collection_items(raw, name):
            if not isinstance(item, dict) or not isinstance(item.get(idf), (str, int)):
                continue
            value = item[idf]
            if value in first and first[value][:2] != (parts, path[:-1]):
                fparts, _, fpath = first[value]
                where = f"{rel_of[fparts]}, baris {lines_of[fparts].get(fpath + (idf,), '?')}"
                issues.append(DataIssue(
                    rel_of[parts], lines_of[parts].get(path + (idf,)), key_path(path + (idf,)),
                    f"`{idf}` bernilai `{_short(value)}` sudah dipakai di {where}.",
                    f"setiap `{idf}` harus unik di seluruh data; ganti salah satunya."))
            else:
                first.setdefault(value, (parts, path[:-1], path))
    return issues


def _data_files(data_dir: Path) -> list[Path]:
    out = []
    for p in sorted(data_dir.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(data_dir).parts):
            out.append(p)
    return out


def validate_guide_data(data_dir: Path, root: Path | None = None) -> tuple[dict, list[DataIssue]]:
    """Parse and check every file; return ({rel parts: data}, issues)."""
    root = root or data_dir.parent
    issues: list[DataIssue] = []
    raw: dict[tuple[str, ...], Any] = {}
    lines_of: dict[tuple[str, ...], dict] = {}
    rel_of: dict[tuple[str, ...], str] = {}
    if not data_dir.is_dir():
        return {}, [DataIssue(str(data_dir), None, "", "folder data tidak ditemukan.",
                              "pastikan folder guide_data/ ada di akar repositori.")]
    for path in _data_files(data_dir):
        parts = path.relative_to(data_dir).parts
        rel = os.path.relpath(path, root)
        if path.suffix not in (".yml", ".yaml"):
            continue  # assets (images, notes) may live beside the data
        if len(parts) > 2:
            issues.append(DataIssue(rel, None, "", "berkas data terlalu dalam di dalam folder.",
                                    "letakkan berkas langsung di guide_data/ atau satu folder di bawahnya."))
            continue
        if not _schema_for(parts).exists():
            issues.append(DataIssue(rel, None, "", "berkas data ini tidak dikenal (tidak ada skemanya).",
                                    "periksa nama berkas; nama yang dikenal sesuai guidebook/schemas/*.schema.json."))
            continue
        data, lines, file_issues = parse_yaml(path, rel)
        issues += file_issues
        if data is not None:
            raw[parts] = data
            lines_of[parts] = lines
            rel_of[parts] = rel
    for required in ("region", "sources"):
        if (f"{required}.yml",) not in raw and not any(i.file.endswith(f"{required}.yml") for i in issues):
            issues.append(DataIssue(f"guide_data/{required}.yml", None, "", "berkas wajib tidak ada.",
                                    f"buat guide_data/{required}.yml (lihat contoh di repositori asal)."))
    ids = _collect_ids(raw)
    issues += _cross_file_duplicates(raw, lines_of, rel_of)
    schema_clean: set[tuple[str, ...]] = set()
    for parts, data in raw.items():
        validator = _make_validator(_load_schema(_schema_for(parts)), ids, root)
        found = []
        for err in validator.iter_errors(data):
            path = tuple(err.absolute_path)
            problem, fix, extra = _describe(err)
            full = path + extra
            lines = lines_of[parts]
            line = lines.get(full) or lines.get(path)
            found.append(DataIssue(rel_of[parts], line, key_path(full), problem, fix))
        issues += sorted(found, key=lambda i: (i.line or 0, i.key))
        if not found:
            schema_clean.add(parts)
    # Rules a schema cannot say (sums, contiguous ranges, calendar fits the year),
    # checked only on files whose shape is already right.
    from .checks import semantic_issues
    issues += semantic_issues(raw, schema_clean, lines_of, rel_of)
    return raw, issues


def _build(root: Path, raw: dict) -> GuideData:
    files: dict[str, Any] = {}
    folders: dict[str, dict] = {}
    for parts, data in raw.items():
        if len(parts) == 1:
            files[Path(parts[0]).stem] = freeze(data)
        else:
            folders.setdefault(parts[0], {})[Path(parts[1]).stem] = freeze(data)
    for folder, items in folders.items():
        files[folder] = Record(items)
    index: dict[str, dict] = {}
    for name, (stem, key, idf) in COLLECTIONS.items():
        if key is None:
            keep = COLLECTION_FILTERS.get(name, lambda item: True)
            entries = sorted((r for r in files.get(stem, Record({})).values() if keep(r)), key=lambda r: r[idf])
        else:
            entries = files.get(stem, {}).get(key, ()) if stem in files else ()
        for extra_stem, path in COLLECTION_EXTRAS.get(name, ()):
            extra: Any = files.get(extra_stem, {})
            for step in path:
                extra = extra.get(step, ()) if isinstance(extra, Mapping) else ()
            entries = tuple(entries) + tuple(extra)
        index[name] = MappingProxyType({e[idf]: e for e in entries})
    return GuideData(root=root, files=MappingProxyType(files), index=MappingProxyType(index))


def _fingerprint(data_dir: Path) -> tuple:
    out = []
    for p in _data_files(data_dir):
        st = p.stat()
        out.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(out)


@lru_cache(maxsize=4)
def _load_cached(data_dir: Path, root: Path, fingerprint: tuple) -> GuideData:
    raw, issues = validate_guide_data(data_dir, root)
    if issues:
        raise DataError(issues)
    return _build(root, raw)


def load_guide_data(root: Path | str = ROOT) -> GuideData:
    """Load ``<root>/guide_data`` once per content version (cached by mtimes).

    Raises ``DataError`` listing every problem found.
    """
    root = Path(root).resolve()
    data_dir = root / "guide_data"
    return _load_cached(data_dir, root, _fingerprint(data_dir) if data_dir.is_dir() else ())
