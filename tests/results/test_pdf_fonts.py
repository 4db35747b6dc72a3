"""Fonts parsed once per process (egov.core.pdf_fonts) never change what a document looks like.

A per-process cache of parsed fonts once corrupted the font subsets of later documents; these tests
render many different documents in one process and check that a document comes out byte for byte
as when rendered first, glyph for glyph as with the complete font files, and that every Vietnamese
letter is drawn in every style.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fontTools import ttLib
from fpdf.enums import XPos, YPos
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core import pdf, pdf_fonts

CREATED = dt.datetime(2026, 3, 5, 8, 30, tzinfo=dt.UTC)
LETTERS = pdf.VIETNAMESE + pdf.VIETNAMESE.upper()
TEXT = (
    "Cộng hòa xã hội chủ nghĩa Việt Nam độc lập tự do hạnh phúc giấy chứng nhận đăng ký hộ kinh doanh "
    "Nguyễn Thị Ánh Tuyết Phạm Văn Đức Ủy ban nhân dân xã Tam Dương tỉnh Phú Thọ ngày tháng năm ngành "
    "nghề bán lẻ hàng hóa địa chỉ trụ sở số điện thoại Đặng Quỳnh Hương Lê Minh Khôi 150.000 đồng"
)
WORDS = tuple(TEXT.split(" "))
STYLES = {"": "regular", "B": "bold", "I": "italic", "BI": "bold italic"}


def _spec(
    text: str, *, rows: int = 3, title: str = "Giấy chứng nhận đăng ký hộ kinh doanh"
) -> pdf.DocumentSpec:
    return pdf.DocumentSpec(
        agency_name="Ủy ban nhân dân xã Tam Dương",
        parent_agency="Ủy ban nhân dân tỉnh Phú Thọ",
        title=title,
        number="05/GCN-ĐKHKD",
        place="Phú Thọ",
        date=dt.date(2026, 3, 5),
        blocks=[text, pdf.Table(rows=[(f"Dòng {i}", text[: 20 + i]) for i in range(rows)])],
        signer=pdf.Signer(
            position="Phó Chủ tịch", on_behalf="KT. Chủ tịch", name="Phạm Văn Đức", note="(Đã ký số)"
        ),
        recipients=["Như trên", "Lưu: VT"],
        qr_text="http://127.0.0.1:8000/verify/7KX2MQH4TZ/",
        short_code="7KX2M-QH4TZ",
        footer="Mã hồ sơ: 000.00.13.H12-260305-0001",
        created_at=CREATED,
    )


def _random_spec(rng: random.Random) -> pdf.DocumentSpec:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 80)))
    return _spec(text, rows=rng.randint(0, 25), title=" ".join(rng.sample(WORDS, 4)))


def _every_letter_spec() -> pdf.DocumentSpec:
    """Every Vietnamese letter in the header, title, body, signer block, recipients and footer."""
    return pdf.DocumentSpec(
        agency_name=LETTERS,
        title=LETTERS,
        place=LETTERS,
        date=dt.date(2026, 1, 5),
        blocks=[LETTERS, pdf.Heading(LETTERS)],
        signer=pdf.Signer(position=LETTERS, name=LETTERS, note=LETTERS),
        recipients=[LETTERS],
        footer=LETTERS,
        created_at=CREATED,
    )


def _every_letter_in_every_style(*, complete_fonts: bool) -> bytes:
    """A page with every Vietnamese letter written in each of the four styles."""
    document = pdf._new_pdf(
        pdf.DocumentSpec(agency_name="", title="", created_at=CREATED), complete_fonts=complete_fonts
    )
    for style in STYLES:
        document.set_font(pdf.FAMILY, style, 12)
        document.multi_cell(0, 6, LETTERS, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    assert not pdf_fonts.lacks_glyphs(document, also=LETTERS)
    return bytes(document.output())


def _embedded_fonts(data: bytes) -> dict[str, ttLib.TTFont]:
    """The embedded font programs of a PDF by BaseFont name without its subset tag ("DejaVuSerifBold")."""
    reader = PdfFileReader(BytesIO(data))
    fonts: dict[str, ttLib.TTFont] = {}
    for page_ref in reader.root["/Pages"]["/Kids"]:
        page = page_ref.get_object()
        resources = (
            page["/Resources"] if "/Resources" in page else reader.root["/Pages"]["/Resources"]
        ).get_object()
        for name in resources["/Font"]:
            font = resources["/Font"][name].get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"]["/FontFile2"].get_object().data
            fonts[str(font["/BaseFont"]).split("+", 1)[1]] = ttLib.TTFont(BytesIO(program))
    return fonts


def _outlines(font: ttLib.TTFont, text: str) -> dict[str, Any]:
    """Each character's outline (points with components placed, contour ends, on-curve bits) and
    advance width in `font`: what a PDF viewer draws (it takes no side bearing from the font)."""
    glyf, cmap = font["glyf"], font.getBestCmap()
    drawn: dict[str, Any] = {}
    for char in sorted(set(text) - {" "}):
        name = cmap[ord(char)]
        coordinates, ends, flags = glyf[name].getCoordinates(glyf)
        drawn[char] = (list(coordinates), list(ends), [flag & 1 for flag in flags], font["hmtx"][name][0])
    return drawn


def _complete_render(spec: pdf.DocumentSpec) -> bytes:
    """The same document through fpdf2's own add_font of the complete files (no cache at all)."""
    document = pdf._laid_out(spec, complete_fonts=True)
    return bytes(document.output())


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=30)
    return unicodedata.normalize("NFC", out.stdout.decode("utf-8"))


def test_the_installed_fpdf2_is_the_one_the_cache_knows() -> None:
    """An fpdf2 upgrade that changes its font object must be looked at (the cache would step aside)."""
    assert pdf_fonts.supported()


def test_a_document_rendered_after_many_others_is_byte_for_byte_the_fresh_one() -> None:
    pdf_fonts.clear_cache()
    probe = _spec("Chủ hộ kinh doanh: Nguyễn Thị Ánh Tuyết, sinh ngày 03/02/1990.", rows=12)
    fresh = pdf.render_document(probe)
    rng = random.Random(20260305)
    others = [_random_spec(rng) for _ in range(40)]
    others.insert(7, _every_letter_spec())
    others.insert(
        21, _spec("Họ tên: Ωμέγα Пётр Nguyễn", rows=1)
    )  # outside the repertoire: the complete files
    for spec in others:
        pdf.render_document(spec)
    assert pdf.render_document(probe) == fresh
    pdf_fonts.clear_cache()
    assert pdf.render_document(probe) == fresh  # and as the first document of a new process


def test_documents_rendered_at_once_in_threads_match_their_single_renders() -> None:
    specs = [_random_spec(random.Random(seed)) for seed in range(12)]
    alone = [pdf.render_document(spec) for spec in specs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(pdf.render_document, specs * 2))
    assert together == alone * 2


def test_the_cached_fonts_draw_every_letter_as_the_complete_font_files_do(tmp_path: Path) -> None:
    cached = _embedded_fonts(_every_letter_in_every_style(complete_fonts=False))
    complete = _embedded_fonts(_every_letter_in_every_style(complete_fonts=True))
    assert sorted(cached) == sorted(complete) and len(cached) == 4
    for style, path in zip(STYLES, pdf.find_fonts(), strict=True):
        original = ttLib.TTFont(str(path))
        name = original["name"].getBestFullName().replace(" ", "")  # fpdf2's BaseFont name
        want = _outlines(original, LETTERS)
        assert _outlines(cached[name], LETTERS) == want, STYLES[style]
        assert _outlines(complete[name], LETTERS) == want, STYLES[style]


def test_every_vietnamese_letter_of_a_result_survives_extraction(tmp_path: Path) -> None:
    text = _pdftotext(pdf.render_document(_every_letter_spec()), tmp_path).replace("\n", "")
    assert LETTERS in text and LETTERS.upper() in text


def test_a_character_outside_the_repertoire_is_drawn_with_the_complete_font(tmp_path: Path) -> None:
    spec = _spec("Tên nước ngoài: Ωμέγα Пётр", rows=0)
    document = pdf._laid_out(spec, complete_fonts=False)
    assert pdf_fonts.lacks_glyphs(document)  # the cut has no Greek…
    data = pdf.render_document(spec)
    assert any(ord("Ω") in font.getBestCmap() for font in _embedded_fonts(data).values())  # …the file did
    assert "Ωμέγα Пётр" in _pdftotext(data, tmp_path)


def test_a_footer_outside_the_repertoire_is_noticed_before_output() -> None:
    spec = _spec("Văn bản", rows=0)
    document = pdf._laid_out(spec, complete_fonts=False)
    assert not pdf_fonts.lacks_glyphs(document, also=spec.footer)
    assert pdf_fonts.lacks_glyphs(document, also="Mã hồ sơ: Ω-1")


def test_what_documents_share_cannot_be_changed() -> None:
    regular = pdf.find_fonts()[0]
    parsed = pdf_fonts.parsed_font(regular, "")
    widths = parsed.template.cw
    assert isinstance(widths, pdf_fonts.Widths)
    before = dict(widths)
    assert widths[0x10FFFF] == widths.default and 0x10FFFF not in widths  # no growth on lookup
    with pytest.raises(TypeError):
        widths[ord("A")] = 0
    with pytest.raises(TypeError):
        parsed.template.cmap[ord("A")] = "x"
    assert dict(widths) == before and isinstance(parsed.data, bytes)
