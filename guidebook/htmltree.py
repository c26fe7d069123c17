"""Parse an HTML fragment into an ElementTree and write it back out as HTML.

The book rewrites each page's HTML (ids, links, footnotes) before WeasyPrint
reads it. Parsing uses tinyhtml5, the HTML5 parser WeasyPrint itself uses, so
inline SVG, void elements and unclosed tags come out exactly as a browser (and
WeasyPrint) would read them; ``lxml.html`` would lowercase SVG attributes and
misread ``<path/>``.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape

import tinyhtml5

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
RAW_TEXT = frozenset(("script", "style"))
XLINK = "{http://www.w3.org/1999/xlink}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"


def parse_fragment(html: str) -> ET.Element:
    """The fragment's nodes as the children of one ``<div>`` (returned)."""
    doc = tinyhtml5.parse(f"<!DOCTYPE html><html><body><div>{html}</div></body></html>",
                          namespace_html_elements=False)
    body = doc.find("body")
    return body[0]


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr_name(name: str) -> str:
    if name.startswith(XLINK):
        return "xlink:" + name[len(XLINK):]
    if name.startswith(XML_NS):
        return "xml:" + name[len(XML_NS):]
    return local_name(name)


def _write(el: ET.Element, out: list[str]) -> None:
    if not isinstance(el.tag, str):  # comments and processing instructions
        if el.tail:
            out.append(escape(el.tail, quote=False))
        return
    name = local_name(el.tag)
    foreign = el.tag.startswith("{")  # svg, math
    attrs = "".join(f' {_attr_name(k)}="{escape(str(v), quote=True)}"' for k, v in el.attrib.items())
    if foreign and not len(el) and not el.text:
        out.append(f"<{name}{attrs}/>")
    else:
        out.append(f"<{name}{attrs}>")
        if name not in VOID or foreign:
            if el.text:
                out.append(el.text if name in RAW_TEXT else escape(el.text, quote=False))
            for child in el:
                _write(child, out)
            out.append(f"</{name}>")
    if el.tail:
        out.append(escape(el.tail, quote=False))


def inner_html(el: ET.Element) -> str:
    out: list[str] = [escape(el.text, quote=False)] if el.text else []
    for child in el:
        _write(child, out)
    return "".join(out)


def outer_html(el: ET.Element) -> str:
    out: list[str] = []
    tail, el.tail = el.tail, None
    try:
        _write(el, out)
    finally:
        el.tail = tail
    return "".join(out)


def text_content(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def parent_map(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def remove(el: ET.Element, parents: dict[ET.Element, ET.Element]) -> None:
    """Remove ``el`` but keep its tail text in place."""
    parent = parents[el]
    if el.tail:
        index = list(parent).index(el)
        if index:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
