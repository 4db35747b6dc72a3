"""Shared fixtures of the portal tests (catalogue pages, apply wizard, my dossiers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.dossiers.conftest import clock, world  # noqa: F401  (fixtures re-exported)


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Throttles, lookup lock-outs and the popular-procedures list live in the shared cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_catalog(db: None) -> None:
    """The demo catalogue: 12 real procedures, a province with departments, districts and communes."""
    from egov.catalog.demo import load_demo_catalog

    load_demo_catalog()
