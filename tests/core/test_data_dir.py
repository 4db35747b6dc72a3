"""Where a node keeps its data, wherever `egov` is run from.

`egov` run from another folder used to create `var/egov.sqlite3` there: a second, empty node. It now
uses EGOV_DATA_DIR, else the checkout's var/, else stops with a bilingual message saying what to set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from egov.conf import DataDirNotSet, resolve_data_dir

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "egov"
PRINT_DATA_DIR = "from django.conf import settings; print(settings.DATA_DIR)"


def egov(
    *args: str, cwd: Path, env: dict[str, str], pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `egov` command in a subprocess, from `cwd`, with egov's own variables replaced by `env`."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_") and k != "PYTHONPATH"}
    full.update({"EGOV_DEMO": "true", **env})  # a demo node: its default secrets are allowed
    if pythonpath is not None:
        full["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "egov.cli", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_from_another_folder_a_checkout_uses_its_own_var_and_writes_nothing_where_it_runs(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    done = egov("shell", "-c", PRINT_DATA_DIR, cwd=elsewhere, env={})

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == str(ROOT / "var")
    assert files_in(elsewhere) == []


def test_an_explicit_data_dir_is_used_from_any_folder(tmp_path: Path) -> None:
    elsewhere, data = tmp_path / "elsewhere", tmp_path / "node-data"
    elsewhere.mkdir()

    done = egov("migrate", "--verbosity", "0", cwd=elsewhere, env={"EGOV_DATA_DIR": str(data)})

    assert done.returncode == 0, done.stderr[-2000:]
    assert (data / "egov.sqlite3").is_file(), "the SQLite database lives in EGOV_DATA_DIR"
    assert files_in(elsewhere) == []


def test_an_installed_egov_without_a_data_dir_says_what_to_set_in_both_languages(tmp_path: Path) -> None:
    """egov installed as a package (here: a copy of it outside any checkout) has no var/ to fall back to."""
    site, elsewhere = tmp_path / "site-packages", tmp_path / "elsewhere"
    shutil.copytree(PACKAGE, site / "egov", ignore=shutil.ignore_patterns("__pycache__"))
    elsewhere.mkdir()

    done = egov("migrate", cwd=elsewhere, env={}, pythonpath=site)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "đặt biến môi trường EGOV_DATA_DIR" in done.stderr
    assert "set the environment variable EGOV_DATA_DIR" in done.stderr
    assert files_in(elsewhere) == [], "nothing is created in the folder it was run from"


def test_the_installed_copy_runs_once_the_data_dir_is_set(tmp_path: Path) -> None:
    site, elsewhere, data = tmp_path / "site-packages", tmp_path / "elsewhere", tmp_path / "node-data"
    shutil.copytree(PACKAGE, site / "egov", ignore=shutil.ignore_patterns("__pycache__"))
    elsewhere.mkdir()

    done = egov(
        "shell", "-c", PRINT_DATA_DIR, cwd=elsewhere, env={"EGOV_DATA_DIR": str(data)}, pythonpath=site
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == str(data)
    assert files_in(elsewhere) == []


@pytest.mark.parametrize("configured", ["", "   "])
def test_outside_a_checkout_an_empty_setting_is_refused(tmp_path: Path, configured: str) -> None:
    with pytest.raises(DataDirNotSet) as raised:
        resolve_data_dir(configured, tmp_path / "lib" / "egov")

    assert raised.value.code == "data_dir_not_set"
    assert "EGOV_DATA_DIR" in raised.value.vi and "EGOV_DATA_DIR" in raised.value.en


def test_a_relative_data_dir_is_taken_from_where_the_operator_typed_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    assert resolve_data_dir("nodes/one", PACKAGE) == tmp_path / "nodes" / "one"
    assert resolve_data_dir("", PACKAGE) == ROOT / "var"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EGOV_PIN_LENGTH", "six"),
        ("EGOV_OFFICER_2FA", "ture"),
        ("PORT", "80 80"),
        ("EGOV_DATABASE_URL", "garbage"),
        ("EGOV_DATABASE_URL", "postgres://127.0.0.1:port/egov"),
    ],
)
def test_a_setting_egov_cannot_read_is_named_without_a_traceback(
    tmp_path: Path, variable: str, value: str
) -> None:
    done = egov("config", cwd=tmp_path, env={"EGOV_DATA_DIR": str(tmp_path / "data"), variable: value})

    assert done.returncode == 2
    assert f"{variable}={value!r}" in done.stderr
    assert "không đọc được" in done.stderr and "cannot be read" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_database_url_egov_cannot_read_is_named_without_its_password(tmp_path: Path) -> None:
    url = "postgres://egov:s3cret-Pass@127.0.0.1:port/egov"

    done = egov(
        "config", cwd=tmp_path, env={"EGOV_DATA_DIR": str(tmp_path / "data"), "EGOV_DATABASE_URL": url}
    )

    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "EGOV_DATABASE_URL='postgres://***@127.0.0.1:port/egov'" in done.stderr
    assert "s3cret" not in done.stderr


def test_each_line_of_a_setting_message_speaks_one_language(tmp_path: Path) -> None:
    done = egov("config", cwd=tmp_path, env={"EGOV_DATA_DIR": str(tmp_path / "data"), "PORT": "abc"})

    vi, en = done.stderr.strip().splitlines()
    assert vi.endswith("cần một số nguyên.") and "integer" not in vi
    assert en.endswith("an integer is expected.") and "số nguyên" not in en


def test_the_demo_names_an_unreadable_port_before_it_prepares_anything(tmp_path: Path) -> None:
    data = tmp_path / "data"

    done = egov("demo", cwd=tmp_path, env={"EGOV_DATA_DIR": str(data), "PORT": "abc"})

    assert done.returncode == 2
    assert "PORT='abc'" in done.stderr and "Traceback" not in done.stderr
    assert not data.exists(), "nothing was prepared"


@pytest.mark.parametrize("where", ["a-file", "a-file/below"])
def test_a_data_dir_that_cannot_be_a_folder_is_named_without_a_traceback(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")

    done = egov("migrate", cwd=tmp_path, env={"EGOV_DATA_DIR": str(tmp_path / where)})

    assert done.returncode == 2
    assert f"EGOV_DATA_DIR={str(tmp_path / where)!r}" in done.stderr
    assert "thư mục dữ liệu" in done.stderr and "data folder" in done.stderr
    assert "Traceback" not in done.stderr
