"""The document builder: A4, Decree 30 header, Vietnamese text that survives extraction (pdftotext)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core import pdf

PDFTOTEXT = shutil.which("pdftotext")


def _text(data: bytes, tmp_path: Path) -> str:
    if PDFTOTEXT is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=30
    )
    return out.stdout.decode("utf-8")


def _spec(**extra: object) -> pdf.DocumentSpec:
    base: dict[str, object] = {
        "agency_name": "Phòng Tài chính - Kế hoạch",
        "parent_agency": "UBND huyện Tam Dương",
        "title": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "number": "05/GCN-ĐKHKD",
        "place": "Vĩnh Phúc",
        "date": dt.date(2026, 3, 5),
        # Decomposed input (NFD), as some keyboards and copy-paste produce it: it must come out NFC.
        "blocks": [
            unicodedata.normalize("NFD", "Chủ hộ kinh doanh: Nguyễn Thị Ánh Tuyết."),
            pdf.Table(rows=[("Tên hộ kinh doanh", "Tạp hoá Ánh Tuyết"), ("Ngành, nghề", "Bán lẻ")]),
            pdf.Heading("Ghi chú"),
            pdf.Table(header=["Bước", "Đơn vị"], rows=[["1", "Bộ phận một cửa"]]),
        ],
        "signer": pdf.Signer(position="Trưởng phòng", name="Phạm Văn Đức", note="(Đã ký số)"),
        "recipients": ["Như trên", "Lưu: VT"],
        "qr_text": "http://127.0.0.1:8000/verify/7KX2MQH4TZ/",
        "short_code": "7KX2M-QH4TZ",
    }
    base.update(extra)
    return pdf.DocumentSpec(**base)  # type: ignore[arg-type]


def test_vietnamese_text_survives_extraction(tmp_path: Path) -> None:
    data = pdf.render_document(_spec())
    text = unicodedata.normalize("NFC", _text(data, tmp_path))
    for expected in (
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
        "Nguyễn Thị Ánh Tuyết",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/GCN-ĐKHKD",
        "Vĩnh Phúc, ngày 05 tháng 3 năm 2026",
        "PHÒNG TÀI CHÍNH - KẾ",  # the agency column wraps before "HOẠCH"
        "Tạp hoá Ánh Tuyết",
        "Phạm Văn Đức",
        "7KX2M-QH4TZ",
        "http://127.0.0.1:8000/verify/7KX2MQH4TZ/",
    ):
        assert expected in text.replace("\n", " ") or expected in text, expected
    # The NFD input was normalised: the extracted text has the precomposed letters only.
    assert unicodedata.normalize("NFC", _text(data, tmp_path)) == _text(data, tmp_path)


def test_a4_with_embedded_unicode_font() -> None:
    data = pdf.render_document(_spec())
    reader = PdfFileReader(BytesIO(data))
    pages = reader.root["/Pages"]
    page = pages["/Kids"][0].get_object()
    box = page["/MediaBox"] if "/MediaBox" in page else pages["/MediaBox"]  # may be inherited
    assert [round(float(v)) for v in box] == [0, 0, 595, 842]
    resources = (page["/Resources"] if "/Resources" in page else pages["/Resources"]).get_object()
    fonts = [resources["/Font"][name].get_object() for name in resources["/Font"]]
    assert fonts and all(f["/Subtype"] == "/Type0" for f in fonts)  # CID fonts: any Unicode letter
    assert all("/ToUnicode" in f for f in fonts)  # so text extraction gives the letters back


def test_date_line_follows_decree_30() -> None:
    assert pdf.date_line("Hà Nội", dt.date(2026, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2026"
    assert pdf.date_line("Hà Nội", dt.date(2026, 2, 15)) == "Hà Nội, ngày 15 tháng 02 năm 2026"
    assert pdf.date_line("", dt.date(2026, 11, 30)) == "ngày 30 tháng 11 năm 2026"


def test_long_content_breaks_pages_and_keeps_the_text(tmp_path: Path) -> None:
    rows = [(f"Dòng {i}", "Nguyễn Thị Ánh Tuyết") for i in range(80)]
    data = pdf.render_document(_spec(blocks=[pdf.Table(rows=rows)]))
    reader = PdfFileReader(BytesIO(data))
    assert len(reader.root["/Pages"]["/Kids"]) >= 2
    assert "Dòng 79" in _text(data, tmp_path)


def test_missing_font_is_a_clear_bilingual_error(
    settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pdf, "SYSTEM_FONT_DIRS", ())
    settings.EGOV = {**settings.EGOV, "PDF_FONT_DIR": str(tmp_path)}
    with pytest.raises(pdf.FontNotFound) as info:
        pdf.render_document(_spec())
    assert "EGOV_PDF_FONT_DIR" in info.value.vi and "EGOV_PDF_FONT_DIR" in info.value.en


def test_configured_font_dir_is_used_first(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    regular, bold, italic, bold_italic = pdf.find_fonts()
    for path in (regular, bold, italic, bold_italic):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    settings.EGOV = {**settings.EGOV, "PDF_FONT_DIR": str(tmp_path)}
    assert pdf.find_fonts()[0].parent == tmp_path


def test_a_font_without_vietnamese_letters_is_passed_over(
    settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Older Liberation Serif releases (Debian's fonts-liberation) lack ệ, ư, ơ…: never pick them."""
    from fontTools import subset

    good = pdf.find_fonts()
    assert pdf.covers_vietnamese(good[0])
    for style, path in zip(pdf.FONT_FILES[1], good, strict=True):  # the Liberation Serif file names
        options = subset.Options()
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="Cong hoa xa hoi chu nghia Viet Nam")
        subsetter.subset(font)
        subset.save_font(font, str(tmp_path / style), options)
    assert not pdf.covers_vietnamese(tmp_path / pdf.FONT_FILES[1][0])
    monkeypatch.setattr(pdf, "SYSTEM_FONT_DIRS", ())
    settings.EGOV = {**settings.EGOV, "PDF_FONT_DIR": str(tmp_path)}
    with pytest.raises(pdf.FontNotFound):
        pdf.find_fonts()
