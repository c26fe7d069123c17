"""Indonesian number and date formatting, shared by templates, diagrams and diffs.

Readers see ``1.347`` for a thousand and ``60,01`` for a decimal; dates are written
``22 Agustus 2024``. Registered as Jinja filters by ``guidebook.render``.
"""
from __future__ import annotations

import re

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def angka(value, decimals: int | None = None) -> str:
    """A number in Indonesian notation: ``1.347``, ``0,75``, ``60,01``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.10f}".rstrip("0").rstrip(".")
    # swap the English separators: "," thousands -> ".", "." decimal -> ","
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def batas(value) -> str:
    """A predicate bound as the guidelines print it: ``0``, ``34,99``, ``100``."""
    if isinstance(value, (int, float)) and float(value).is_integer() and value in (0, 100):
        return angka(value)
    return angka(value, 2)


def persen(part: float, whole: float) -> str:
    """Share of ``whole`` in percent with one decimal: ``25,2%``."""
    if not whole:
        return "-"
    return angka(round(100 * part / whole, 1), 1) + "%"


def long_date(value) -> str:
    """An ISO date from the data (TTTT, TTTT-BB or TTTT-BB-HH) as Indonesian prose: 5 Agustus 2024."""
    parts = str(value).split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    except (ValueError, IndexError):
        pass
    return str(value)


def month_index(text: str) -> int:
    """A running month number (year * 12 + month - 1) from ``TTTT-BB[-HH]``."""
    year, month = str(text).split("-")[:2]
    return int(year) * 12 + int(month) - 1


def month_label(index: int, short: bool = True) -> str:
    names = MONTHS_SHORT if short else MONTHS
    return names[index % 12]


def month_year(index: int) -> int:
    return index // 12


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~])")


def md_inline(text) -> str:
    """Escape Markdown punctuation in data text placed in a Markdown heading or list."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def lcfirst(text) -> str:
    """Lower-case only the first letter (after a colon), keeping acronyms like BRIDA."""
    text = str(text)
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


FILTERS = {"lcfirst": lcfirst, "angka": angka, "batas": batas, "tanggal": long_date, "persen": persen, "md": md_inline}
