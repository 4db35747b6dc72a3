"""Contracts that cannot drift: the committed OpenAPI document and configuration reference.

Integrators read docs/openapi.yaml and administrators docs/CONFIGURATION.md without running a node,
so each must be exactly what the code produces. A test regenerates each in-process and fails with a
diff and the command that refreshes the file.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from egov import conf

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "docs" / "openapi.yaml"
CONFIGURATION = ROOT / "docs" / "CONFIGURATION.md"
OPENAPI_COMMAND = "make openapi"
CONFIGURATION_COMMAND = "make docs-config"
DIFF_LINES = 60


def drift(committed: Path, fresh: str, command: str) -> str | None:
    """None when `committed` holds exactly `fresh`; else what differs and the command that fixes it."""
    old = committed.read_text(encoding="utf-8") if committed.exists() else ""
    if old == fresh:
        return None
    name = committed.relative_to(ROOT) if committed.is_relative_to(ROOT) else committed
    diff = list(
        difflib.unified_diff(
            old.splitlines(),
            fresh.splitlines(),
            f"{name} (committed)",
            f"{name} (from the code)",
            lineterm="",
        )
    )
    shown = "\n".join(diff[:DIFF_LINES]) + (
        f"\n… {len(diff) - DIFF_LINES} more lines" if len(diff) > DIFF_LINES else ""
    )
    return f"{name} is out of date with the code: run `{command}` and commit it.\n{shown}"


def generated_openapi(tmp_path: Path) -> str:
    """What `make openapi` writes: `egov spectacular --validate --fail-on-warn`, run in this process."""
    out = tmp_path / "generated-openapi.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    return out.read_text(encoding="utf-8")


@pytest.mark.postgres  # integer bounds in the document are PostgreSQL's (see `make openapi`)
def test_the_committed_openapi_document_is_the_code_s_schema(tmp_path: Path) -> None:
    problem = drift(OPENAPI, generated_openapi(tmp_path), OPENAPI_COMMAND)

    assert problem is None, problem


def test_the_committed_configuration_reference_is_what_egov_config_prints() -> None:
    problem = drift(CONFIGURATION, conf.reference_markdown(), CONFIGURATION_COMMAND)

    assert problem is None, problem


def test_an_edited_copy_of_the_openapi_document_is_reported_with_the_command(tmp_path: Path) -> None:
    fresh = generated_openapi(tmp_path)
    copy = tmp_path / "openapi-copy.yaml"
    copy.write_text(fresh.replace("/api/v1/procedures:", "/api/v1/procedure-list:", 1), encoding="utf-8")

    problem = drift(copy, fresh, OPENAPI_COMMAND)

    assert problem is not None
    assert "run `make openapi`" in problem
    assert "-  /api/v1/procedure-list:" in problem and "+  /api/v1/procedures:" in problem


def test_a_missing_openapi_document_is_reported(tmp_path: Path) -> None:
    problem = drift(tmp_path / "openapi.yaml", generated_openapi(tmp_path), OPENAPI_COMMAND)

    assert problem is not None and "run `make openapi`" in problem


def test_a_new_setting_without_a_regenerated_reference_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "CONFIGURATION.md"
    copy.write_text(CONFIGURATION.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setitem(conf.REGISTRY, "EGOV_NEW_KNOB", conf.Variable("EGOV_NEW_KNOB", "7", "A new knob."))

    problem = drift(copy, conf.reference_markdown(), CONFIGURATION_COMMAND)

    assert problem is not None
    assert "run `make docs-config`" in problem
    assert "+| `EGOV_NEW_KNOB` | `7` | A new knob. |" in problem


def test_egov_config_prints_the_committed_reference_on_a_node_without_any_setting() -> None:
    """A variable read only on some nodes (e.g. with a database URL set) must still be documented."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    done = subprocess.run(
        [sys.executable, "-m", "egov.cli", "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    problem = drift(CONFIGURATION, done.stdout, CONFIGURATION_COMMAND)
    assert problem is None, problem
