"""Results store their signed PDF through the dossiers' public `store_result_file`, all or nothing,
and no app reaches into another app's private helpers."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest

from egov.core.models import Event
from egov.dossiers.models import DossierFile
from egov.dossiers.services._base import lock
from egov.dossiers.services.files import files_transaction, store_result_file
from tests.dossiers.factories import World
from tests.results.helpers import at_last_step

SRC = Path(__file__).resolve().parents[2] / "src" / "egov"
PDF = b"%PDF-1.7\n% a signed result\n%%EOF\n"


class Boom(Exception):
    pass


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.django_db
def test_a_result_file_is_stored_with_its_hash_and_recorded(world: World, media: Path) -> None:
    dossier = at_last_step(world)
    with files_transaction() as written:
        row = store_result_file(
            written,
            world.leader,
            lock(dossier),
            name="ket-qua.pdf",
            data=PDF,
            sha256=hashlib.sha256(PDF).hexdigest(),
        )
    row = DossierFile.objects.get(pk=row.pk)
    assert (row.kind, row.content_type, row.size, row.name) == (
        DossierFile.Kind.RESULT,
        "application/pdf",
        len(PDF),
        "ket-qua.pdf",
    )
    assert row.file.open("rb").read() == PDF and row.token not in row.name
    event = Event.objects.get(kind="dossier.file_attached", data__token=row.token)
    assert event.actor == world.leader and event.data["sha256"] == hashlib.sha256(PDF).hexdigest()


@pytest.mark.django_db
def test_a_failed_transaction_leaves_no_result_file_in_storage(world: World, media: Path) -> None:
    dossier = at_last_step(world)
    before = stored_files(media)
    with pytest.raises(Boom), files_transaction() as written:
        store_result_file(written, world.leader, lock(dossier), name="x.pdf", data=PDF, sha256="0" * 64)
        assert len(stored_files(media)) == len(before) + 1
        raise Boom
    assert stored_files(media) == before
    assert not DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.RESULT).exists()


def private_names_from_other_apps(path: Path) -> list[str]:
    app = path.relative_to(SRC).parts[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("egov."):
            continue
        source_app = node.module.split(".")[1]  # type: ignore[union-attr]
        if source_app == app:
            continue
        found += [f"{path.relative_to(SRC)}: {node.module}.{a.name}" for a in node.names if a.name[0] == "_"]
    return found


def test_no_app_imports_another_apps_private_helpers() -> None:
    found = [hit for path in sorted(SRC.rglob("*.py")) for hit in private_names_from_other_apps(path)]
    assert found == []
