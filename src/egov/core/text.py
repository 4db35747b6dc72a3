"""Vietnamese-aware text folding for search: accents and case do not matter."""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """'ĐĂNG KÝ Khai sinh' -> 'dang ky khai sinh' (NFD, marks dropped, đ -> d, lower case, one space)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
