"""A small builder of A4 administrative documents (Decree 30/2020/NĐ-CP layout) on fpdf2.

One dataclass describes the document; :func:`render_document` turns it into PDF bytes. Results,
the one-stop forms 01–05, the process-control slip and receipts all use it, so every document of
the node has the same header, typography and signer block.

Typography: a Unicode TrueType font embedded as a subset (Times New Roman or Liberation Serif when
present, which Decree 30 asks for; otherwise DejaVu Serif or Sans; a family is taken only when all
four styles draw every Vietnamese letter), every text NFC-normalised so that
Vietnamese letters with two diacritics (ấ, ệ, ở…) are single precomposed glyphs that extract back as
the same characters. Layout: margins 20/15/30/20 mm (top, right, left, bottom), agency name top left
(issuing parent above, the agency in bold, a short rule below), national motto top right with the
rule under "Độc lập - Tự do - Hạnh phúc", number and date under them, centred bold title.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import segno
from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from egov.core import pdf_fonts
from egov.core.errors import DomainError

# fontTools logs every subsetting step at INFO: far too loud for one PDF per request.
logging.getLogger("fontTools").setLevel(logging.WARNING)

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
FAMILY = "egov"
# (regular, bold, italic, bold italic) file names, in order of preference.
FONT_FILES: list[tuple[str, str, str, str]] = [
    ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf"),
    (
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-BoldItalic.ttf",
    ),
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"),
]
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")

LEFT, TOP, RIGHT, BOTTOM = 30.0, 20.0, 15.0, 20.0
BODY_PT = 13
LINE = 6.2  # mm per body line (13 pt, about 1.35 spacing)
HEADER_LEFT_W = 68.0


class FontNotFound(DomainError):
    code = "pdf_font_missing"
    status = 500
    vi = (
        "Không tìm thấy phông chữ Unicode (Times New Roman, Liberation Serif hoặc DejaVu) để tạo PDF; "
        "cài gói fonts-dejavu-core hoặc đặt EGOV_PDF_FONT_DIR."
    )
    en = (
        "No Unicode font (Times New Roman, Liberation Serif or DejaVu) was found to make PDFs; "
        "install fonts-dejavu-core or set EGOV_PDF_FONT_DIR."
    )


@dataclass(frozen=True)
class Table:
    """Rows of cells; two columns without a header make a key/value table."""

    rows: Sequence[Sequence[str]]
    header: Sequence[str] = ()
    widths: Sequence[float] = ()  # relative column widths
    borders: bool = False


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Signer:
    position: str  # e.g. "GIÁM ĐỐC" (with "KT. …" above when signing on behalf)
    name: str = ""
    on_behalf: str = ""
    note: str = ""  # printed in the signature space, e.g. "(Đã ký số)"


Block = str | Table | Heading


@dataclass(frozen=True)
class DocumentSpec:
    agency_name: str
    title: str
    parent_agency: str = ""
    number: str = ""  # "Số: …" is added
    place: str = ""
    date: dt.date | None = None
    subtitle: str = ""  # the summary (trích yếu) under the title
    blocks: Sequence[Block] = ()
    signer: Signer | None = None
    recipients: Sequence[str] = ()  # "Nơi nhận"
    left_signer: Signer | None = None  # a second signer on the left (e.g. the applicant), not with recipients
    qr_text: str = ""  # e.g. the verification URL
    short_code: str = ""
    qr_caption: str = "Mã tra cứu"
    footer: str = ""
    author: str = ""
    keywords: Sequence[str] = field(default_factory=tuple)
    created_at: dt.datetime | None = None  # the PDF's creation date (default: now)


def nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


def date_line(place: str, day: dt.date) -> str:
    """'Vĩnh Yên, ngày 05 tháng 3 năm 2026': days below 10 and months 1, 2 get a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    prefix = f"{nfc(place)}, " if place else ""
    return f"{prefix}ngày {day.day:02d} tháng {month} năm {day.year}"


def _font_dirs() -> list[Path]:
    configured = str(settings.EGOV.get("PDF_FONT_DIR") or "").strip()
    dirs = [Path(configured).expanduser()] if configured else []
    return dirs + [Path(d).expanduser() for d in SYSTEM_FONT_DIRS]


# Every letter Vietnamese adds to ASCII, lower and upper case: a font must draw all of them.
VIETNAMESE = "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"


def covers_vietnamese(path: Path) -> bool:
    """Whether the font has a glyph for every Vietnamese letter (older Liberation releases do not)."""
    from fontTools.ttLib import TTFont

    try:
        cmap = TTFont(str(path), lazy=True).getBestCmap() or {}
    except Exception:  # an unreadable font file is not a candidate
        return False
    letters = VIETNAMESE + VIETNAMESE.upper()
    return all(ord(ch) in cmap for ch in letters)


@functools.lru_cache(maxsize=8)
def _find_fonts(dirs: tuple[Path, ...]) -> tuple[Path, Path, Path, Path]:
    for names in FONT_FILES:
        for directory in dirs:
            if not directory.is_dir():
                continue
            found = [next(iter(sorted(directory.rglob(name))), None) for name in names]
            if all(found) and all(covers_vietnamese(path) for path in found):  # type: ignore[arg-type]
                return tuple(found)  # type: ignore[return-value]
    raise FontNotFound(detail={"searched": [str(d) for d in dirs]})


def find_fonts() -> tuple[Path, Path, Path, Path]:
    """Regular, bold, italic and bold italic files of the preferred font family found."""
    return _find_fonts(tuple(_font_dirs()))


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "I", 9)
        page = f"Trang {self.page_no()}/{{nb}}"
        text = f"{self.footer_text}    {page}" if self.footer_text else page
        self.cell(0, 5, text, align="R")


def _new_pdf(spec: DocumentSpec, *, complete_fonts: bool = False) -> _Document:
    regular, bold, italic, bold_italic = find_fonts()
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.footer_text = nfc(spec.footer)
    styles = (("", regular), ("B", bold), ("I", italic), ("BI", bold_italic))
    pdf_fonts.add_family(pdf, FAMILY, styles, complete=complete_fonts)
    if spec.created_at is not None:
        pdf.set_creation_date(spec.created_at)
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_title(nfc(spec.title))
    pdf.set_author(nfc(spec.author or spec.agency_name))
    pdf.set_creator("egov")
    pdf.set_lang("vi-VN")
    if spec.keywords:
        pdf.set_keywords(nfc(" ".join(spec.keywords)))
    pdf.add_page()
    return pdf


def _fit_font(pdf: FPDF, style: str, size: float, text: str, width: float, smallest: float = 10) -> None:
    """The font at `size`, or smaller (down to `smallest`) so that `text` fits on one line."""
    pdf.set_font(FAMILY, style, size)
    while size > smallest and pdf.get_string_width(text) > width - 2:
        size -= 0.5
        pdf.set_font(FAMILY, style, size)


def _header(pdf: FPDF, spec: DocumentSpec) -> None:
    top = pdf.get_y()
    right_x = LEFT + HEADER_LEFT_W
    right_w = pdf.w - RIGHT - right_x
    # Left: issuing parent (regular), agency (bold), a short rule, the number.
    pdf.set_xy(LEFT, top)
    if spec.parent_agency:
        pdf.set_font(FAMILY, "", 12)
        pdf.multi_cell(HEADER_LEFT_W, 5.2, nfc(spec.parent_agency).upper(), align="C")
    pdf.set_x(LEFT)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(HEADER_LEFT_W, 5.2, nfc(spec.agency_name).upper(), align="C")
    rule_y = pdf.get_y() + 0.8
    pdf.line(LEFT + HEADER_LEFT_W / 2 - 12, rule_y, LEFT + HEADER_LEFT_W / 2 + 12, rule_y)
    left_bottom = rule_y + 2
    if spec.number:
        pdf.set_xy(LEFT, left_bottom)
        pdf.set_font(FAMILY, "", 13)
        pdf.multi_cell(HEADER_LEFT_W, 6, f"Số: {nfc(spec.number)}", align="C")
        left_bottom = pdf.get_y()
    # Right: the national motto, its rule, the place and date.
    pdf.set_xy(right_x, top)
    _fit_font(pdf, "B", 12, MOTTO_1, right_w)
    pdf.multi_cell(right_w, 5.2, MOTTO_1, align="C")
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(right_w, 6, MOTTO_2, align="C")
    width = pdf.get_string_width(MOTTO_2)
    rule_y = pdf.get_y() + 0.3
    middle = right_x + right_w / 2
    pdf.line(middle - width / 2, rule_y, middle + width / 2, rule_y)
    right_bottom = rule_y + 2
    if spec.date is not None:
        pdf.set_xy(right_x, right_bottom)
        line = date_line(spec.place, spec.date)
        _fit_font(pdf, "I", 13, line, right_w)
        pdf.multi_cell(right_w, 6, line, align="C")
        right_bottom = pdf.get_y()
    pdf.set_xy(LEFT, max(left_bottom, right_bottom) + 6)


def _title(pdf: FPDF, spec: DocumentSpec) -> None:
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, nfc(spec.title).upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if spec.subtitle:
        pdf.set_font(FAMILY, "B", 13)
        pdf.multi_cell(0, 6.5, nfc(spec.subtitle), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, "", BODY_PT)
    for line in nfc(text).splitlines() or [""]:
        pdf.set_x(LEFT)
        pdf.multi_cell(0, LINE, "      " + line.strip(), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _heading(pdf: FPDF, block: Heading) -> None:
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.multi_cell(0, LINE, nfc(block.text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _table(pdf: FPDF, block: Table) -> None:
    columns = max([1, len(block.header), *(len(r) for r in block.rows)])
    widths = tuple(block.widths) if len(block.widths) == columns else None
    if widths is None:
        widths = (38.0, 62.0) if columns == 2 and not block.header else tuple([1.0] * columns)
    size = BODY_PT if columns <= 3 else 10
    pdf.set_font(FAMILY, "", size)
    with pdf.table(
        col_widths=widths,
        borders_layout="ALL" if block.borders or block.header else "NONE",
        first_row_as_headings=bool(block.header),
        line_height=LINE if size == BODY_PT else 4.8,
        text_align="LEFT",
        align="LEFT",
        width=pdf.epw,
        headings_style=FontFace(emphasis="BOLD"),
        padding=(0.8, 1.2),
    ) as table:
        if block.header:
            row = table.row()
            for cell in block.header:
                row.cell(nfc(cell))
        for cells in block.rows:
            row = table.row()
            for cell in list(cells) + [""] * (columns - len(cells)):
                row.cell(nfc(cell))
    pdf.ln(3)


def _signer_block(pdf: FPDF, signer: Signer, x: float, top: float, width: float) -> float:
    pdf.set_xy(x, top)
    pdf.set_font(FAMILY, "B", 13)
    if signer.on_behalf:
        pdf.multi_cell(width, 6, nfc(signer.on_behalf).upper(), align="C")
        pdf.set_x(x)
    pdf.multi_cell(width, 6, nfc(signer.position).upper(), align="C")
    pdf.set_x(x)
    pdf.set_font(FAMILY, "I", 11)
    pdf.multi_cell(width, 14, nfc(signer.note), align="C")
    if signer.name:
        pdf.set_x(x)
        pdf.set_font(FAMILY, "B", 13)
        pdf.multi_cell(width, 6, nfc(signer.name), align="C")
    return float(pdf.get_y())


def _recipients(pdf: FPDF, names: Sequence[str], top: float, width: float) -> float:
    pdf.set_xy(LEFT, top)
    pdf.set_font(FAMILY, "BI", 12)
    pdf.cell(width, 5.5, "Nơi nhận:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 11)
    for name in names:
        pdf.multi_cell(width, 5, f"- {nfc(name)};", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return float(pdf.get_y())


def _signature_row(pdf: FPDF, spec: DocumentSpec) -> None:
    half = (pdf.w - LEFT - RIGHT) / 2
    if pdf.will_page_break(45):
        pdf.add_page()
    top = pdf.get_y() + 2
    left_bottom = right_bottom = top
    if spec.left_signer is not None:
        left_bottom = _signer_block(pdf, spec.left_signer, LEFT, top, half)
    elif spec.recipients:
        left_bottom = _recipients(pdf, spec.recipients, top, half)
    if spec.signer is not None:
        right_bottom = _signer_block(pdf, spec.signer, LEFT + half, top, half)
    pdf.set_xy(LEFT, max(left_bottom, right_bottom) + 4)


def _qr(pdf: FPDF, spec: DocumentSpec) -> None:
    size = 26.0
    if pdf.will_page_break(size + 14):
        pdf.add_page()
    image = BytesIO()
    segno.make(spec.qr_text, error="m", micro=False).save(image, kind="png", scale=6, border=2)
    image.seek(0)
    top = pdf.get_y()
    pdf.image(image, x=LEFT, y=top, w=size, h=size)
    pdf.set_xy(LEFT + size + 3, top + 4)
    width = pdf.w - RIGHT - pdf.get_x()
    if spec.short_code:
        pdf.set_font(FAMILY, "", 11)
        pdf.multi_cell(width, 5.5, f"{nfc(spec.qr_caption)}: ", align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_xy(LEFT + size + 3, top + 9.5)
        pdf.set_font(FAMILY, "B", 14)
        pdf.multi_cell(width, 6.5, nfc(spec.short_code), align="L")
        pdf.set_x(LEFT + size + 3)
    pdf.set_font(FAMILY, "", 9.5)
    pdf.multi_cell(width, 4.5, nfc(spec.qr_text), align="L")
    pdf.set_xy(LEFT, max(pdf.get_y(), top + size) + 2)


def render_document(spec: DocumentSpec) -> bytes:
    """The document as PDF bytes (A4, fonts embedded as subsets, text extractable).

    Laid out with the process's parsed fonts (see pdf_fonts); laid out again with the complete font
    files when some character is outside their repertoire."""
    pdf = _laid_out(spec, complete_fonts=False)
    if pdf_fonts.lacks_glyphs(pdf, also=pdf.footer_text):  # the footer is drawn by output()
        pdf = _laid_out(spec, complete_fonts=True)
    return bytes(pdf.output())


def _laid_out(spec: DocumentSpec, *, complete_fonts: bool) -> _Document:
    pdf = _new_pdf(spec, complete_fonts=complete_fonts)
    _header(pdf, spec)
    _title(pdf, spec)
    for block in spec.blocks:
        if isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Heading):
            _heading(pdf, block)
        else:
            _paragraph(pdf, block)
    if spec.signer is not None or spec.recipients or spec.left_signer is not None:
        _signature_row(pdf, spec)
    if spec.qr_text:
        _qr(pdf, spec)
    return pdf
