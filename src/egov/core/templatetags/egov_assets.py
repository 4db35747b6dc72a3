"""`{% asset 'dist/egov.css' %}`: a static URL with a content version, so browsers may cache it for long."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static

register = template.Library()


@lru_cache(maxsize=64)
def _version(path: str) -> str:
    found = finders.find(path)
    if not found or isinstance(found, list):
        return "0"
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


@register.simple_tag
def asset(path: str) -> str:
    return f"{static(path)}?v={_version(path)}"
