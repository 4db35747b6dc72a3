"""Dependencies point one way: the import contracts in pyproject.toml hold (also run by `make lint`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_app_imports_against_the_layers() -> None:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_role_names_are_declared_once_in_core() -> None:
    """The catalogue's process steps and the officers' assignments name roles from one enumeration;
    `accounts.models.Role` is the same class, kept importable for the apps above."""
    from egov.accounts import models as accounts_models
    from egov.core.roles import Role

    assert accounts_models.Role is Role
    assert accounts_models.RoleAssignment._meta.get_field("role").choices == Role.choices
