"""Every payment and result event has a label on the office timeline and, if shown, on the applicant's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from egov.backoffice.views.dossier import EVENT_LABELS as OFFICE_LABELS
from egov.dossiers.selectors import APPLICANT_HIDDEN_KINDS
from egov.payments.events import EVENT_KINDS as PAYMENT_KINDS
from egov.portal.views.mine import EVENT_LABELS as PORTAL_LABELS
from egov.results.events import EVENT_KINDS as RESULT_KINDS

SRC = Path(__file__).resolve().parents[2] / "src" / "egov"
RECORDED = (("payments", "payment.", PAYMENT_KINDS), ("results", "result.", RESULT_KINDS))


def kinds_in_source(app: str, prefix: str) -> set[str]:
    """String literals like "payment.paid" in the app's code (the registry and migrations aside)."""
    found: set[str] = set()
    for path in (SRC / app).rglob("*.py"):
        if "migrations" in path.parts or path.name == "events.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = getattr(node, "value", None) if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and value.startswith(prefix) and value[len(prefix) :].isidentifier():
                found.add(value)
    return found


@pytest.mark.parametrize("app, prefix, registry", RECORDED, ids=[r[0] for r in RECORDED])
def test_the_registry_lists_every_kind_the_app_records(
    app: str, prefix: str, registry: tuple[str, ...]
) -> None:
    assert kinds_in_source(app, prefix) == set(registry)
    assert len(set(registry)) == len(registry)


@pytest.mark.parametrize("kind", [*PAYMENT_KINDS, *RESULT_KINDS])
def test_the_office_timeline_labels_the_kind_in_both_languages(kind: str) -> None:
    vi, en = OFFICE_LABELS[kind]
    assert vi and en and vi != en


@pytest.mark.parametrize("kind", sorted({*PAYMENT_KINDS, *RESULT_KINDS} - APPLICANT_HIDDEN_KINDS))
def test_the_applicant_timeline_labels_the_kind_in_both_languages(kind: str) -> None:
    with translation.override("vi"):
        vi = str(PORTAL_LABELS[kind])
    with translation.override("en"):
        en = str(PORTAL_LABELS[kind])
    assert vi and en and vi != en
