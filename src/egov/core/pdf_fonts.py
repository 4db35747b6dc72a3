"""The PDF builder's fonts, parsed once per process and given to every document as a fresh font.

Why: fpdf2's ``add_font`` parses the whole TrueType file for every document (widths, cmap and glyph
ids of ~3,500 glyphs: about half the time of a one-page result), and ``output()`` subsets the font
*in place* (fontTools' Subsetter prunes the TTFont's tables and rewrites the data of composite
glyphs, the accented letters). A parsed font object therefore cannot be shared between documents:
an earlier per-process cache that did so corrupted the font subsets of later documents.

What is kept per process, per font file, is only what never changes once read:

- the font cut down to the *document repertoire* (:data:`REPERTOIRE`: Latin with Vietnamese, the
  Vietnamese combining marks, punctuation, ₫ and №), as immutable bytes; and
- fpdf2's metrics read from that cut: widths, cmap, glyph ids (read-only mappings) and the values
  of the font descriptor.

Each document gets a new ``TTFFont`` that shares those and owns everything fpdf2 changes while
writing it: the subset map, the missing-glyph list, the largest size, a copy of the font descriptor
(``output()`` numbers it and attaches the font file) and a ``TTFont`` parsed from the cached bytes
for fpdf2 to subset. The cut holds ~500 glyphs instead of ~3,500, so that parse and the subsetting
stay cheap. A document that uses a character outside the repertoire (a Greek or Han letter in a
name) is laid out again with the complete font files through ``add_font``, so no glyph is lost.

Glyph bounding boxes are taken from the cut as they are (``recalcBBoxes=False``): recalculating
them only re-derives the same numbers by decoding and re-encoding every glyph of the subset.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fontTools import subset as ft_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

# The repertoire: what a Vietnamese administrative document prints (~500 glyphs of DejaVu Serif's
# ~3,500). Anything else (other Latin Extended-B letters, Greek, Han…) makes the complete files render.
REPERTOIRE: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x017F),  # Latin-1 Supplement and Latin Extended-A (Ă ă Đ đ Ĩ ĩ Ũ ũ)
    (0x01A0, 0x01A1),  # Ơ ơ
    (0x01AF, 0x01B0),  # Ư ư
    (0x0300, 0x0303),  # combining grave, acute, circumflex, tilde
    (0x0309, 0x0309),  # combining hook above
    (0x0323, 0x0323),  # combining dot below
    (0x1EA0, 0x1EF9),  # Latin Extended Additional, the Vietnamese part (ạ ả ấ … ỹ)
    (0x2010, 0x2027),  # dashes, quotation marks, bullet, ellipsis
    (0x2030, 0x203A),  # per mille, primes, angle quotation marks
    (0x20AB, 0x20AC),  # ₫ €
    (0x2116, 0x2116),  # №
)
# Tables fpdf2 drops from every embedded subset anyway; the cut drops them up front.
DROPPED_TABLES = [
    "FFTM",
    "GDEF",
    "GPOS",
    "GSUB",
    "MATH",
    "hdmx",
    "meta",
    "sbix",
    "CBDT",
    "CBLC",
    "EBDT",
    "EBLC",
    "EBSC",
    "SVG ",
    "CPAL",
    "COLR",
]

# TTFFont's attributes (fpdf2 2.8), by what a document may do with them.
SHARED = frozenset(
    {
        "type",
        "name",
        "glyph_ids",
        "sp",
        "ss",
        "up",
        "ut",
        "cw",
        "emphasis",
        "scale",
        "cmap",
        "color_font",
        "unicode_range",
        "palette_index",
        "is_compressed",
        "is_cff",
        "is_cid_keyed",
        "is_symbol",
        "cff_ros",
        "collection_font_number",
    }
)
PER_DOCUMENT = frozenset(
    {"i", "fontkey", "ttffile", "ttfont", "desc", "subset", "missing_glyphs", "biggest_size_pt", "_hbfont"}
)


def supported() -> bool:
    """Whether the installed fpdf2 has exactly the font attributes sorted above (else: no cache)."""
    return set(TTFFont.__slots__) == SHARED | PER_DOCUMENT


class Widths(dict[int, float]):
    """Character widths that answer the default width for an unknown character without storing it
    (fpdf2's own defaultdict would grow on every lookup) and refuse any change."""

    def __init__(self, widths: Mapping[int, float], default: float) -> None:
        super().__init__(widths)
        self.default = default

    def __missing__(self, key: int) -> float:
        return self.default

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("shared font widths are read-only")

    __setitem__ = __delitem__ = update = setdefault = pop = popitem = clear = _read_only  # type: ignore[assignment]


@dataclass(frozen=True)
class ParsedFont:
    """One font file cut to the repertoire: its bytes and the metrics fpdf2 read from them."""

    data: bytes
    template: TTFFont


_build_lock = threading.Lock()


def repertoire_cut(path: Path) -> bytes:
    """The font with the repertoire's glyphs only (names, hinting and metrics kept)."""
    font = ttLib.TTFont(str(path), recalcTimestamp=False)
    options = ft_subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += DROPPED_TABLES
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[code for low, high in REPERTOIRE for code in range(low, high + 1)])
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    font.close()
    return out.getvalue()


@functools.lru_cache(maxsize=16)
def _parsed(path: str, style: str, mtime_ns: int, size: int) -> ParsedFont:
    with _build_lock:
        data = repertoire_cut(Path(path))
        template = TTFFont(FPDF(), BytesIO(data), "template", style)  # type: ignore[arg-type]
        template.ttfont.close()
        default = template.cw.default_factory() if hasattr(template.cw, "default_factory") else 0.0
        template.cw = Widths(template.cw, default)
        template.cmap = MappingProxyType(dict(template.cmap))  # type: ignore[assignment]
        template.glyph_ids = MappingProxyType(dict(template.glyph_ids))  # type: ignore[assignment]
        return ParsedFont(data, template)


def parsed_font(path: Path, style: str) -> ParsedFont:
    """The process's parsed cut of the font file (parsed again when the file changes)."""
    stat = path.stat()
    return _parsed(str(path), style, stat.st_mtime_ns, stat.st_size)


def clear_cache() -> None:
    _parsed.cache_clear()


def _fresh_font(pdf: FPDF, family: str, style: str, parsed: ParsedFont) -> TTFFont:
    font: TTFFont = TTFFont.__new__(TTFFont)
    for name in SHARED:
        if hasattr(parsed.template, name):
            setattr(font, name, getattr(parsed.template, name))
    stream = BytesIO(parsed.data)
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{family.lower()}{style}"
    font.ttffile = stream  # type: ignore[assignment]
    font.ttfont = ttLib.TTFont(stream, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    font.desc = copy.copy(parsed.template.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


def add_family(pdf: FPDF, family: str, styles: Iterable[tuple[str, Path]], *, complete: bool = False) -> None:
    """Register the four styles of the family on ``pdf``: fresh fonts over the process's parsed
    cut, or (``complete``, or an fpdf2 this module does not know) the whole files via ``add_font``."""
    for style, path in styles:
        parsed = None if complete or not supported() else parsed_font(path, style)
        if parsed is None or parsed.template.color_font is not None:
            pdf.add_font(family, style, str(path))
        else:
            font = _fresh_font(pdf, family, style, parsed)
            pdf.fonts[font.fontkey] = font


def lacks_glyphs(pdf: FPDF, *, also: str = "") -> bool:
    """Whether some text laid out so far, or the text ``also`` still to be drawn, has no glyph in the
    document's fonts."""
    fonts = [font for font in pdf.fonts.values() if isinstance(font, TTFFont)]
    if any(font.missing_glyphs for font in fonts):
        return True
    return any(ord(char) not in font.glyph_ids for font in fonts for char in set(also) if char.strip())
