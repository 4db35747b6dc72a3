"""Every setting egov reads from the environment, declared once with its help text.

`egov config` prints the reference (docs/CONFIGURATION.md is generated from it), so an
administrator never has to read code to learn what a variable does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url

from egov.core.errors import DomainError


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


REGISTRY: dict[str, Variable] = {}


def env_str(name: str, default: str, help: str) -> str:
    REGISTRY[name] = Variable(name, default, help)
    return os.environ.get(name, default)


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_bool(name: str, default: bool, help: str) -> bool:
    raw = env_str(name, "true" if default else "false", help).strip().lower()
    if raw not in TRUE_WORDS | FALSE_WORDS:
        raise BadSetting(name, raw, "true / false", "true / false")
    return raw in TRUE_WORDS


def env_int(name: str, default: int, help: str) -> int:
    return read_int(name, env_str(name, str(default), help))


def read_int(name: str, raw: str) -> int:
    """`raw`, the value of the variable `name`, as a whole number, or BadSetting naming it."""
    try:
        return int(raw.strip())
    except ValueError:
        raise BadSetting(name, raw.strip(), "một số nguyên", "an integer") from None


def env_list(name: str, default: str, help: str) -> list[str]:
    return [item.strip() for item in env_str(name, default, help).split(",") if item.strip()]


class SettingError(DomainError):
    """A set-up mistake in the environment, not a bug: `egov` says what to set, without a traceback."""

    def __str__(self) -> str:
        return f"egov: {self.vi}\negov: {self.en}"


class BadSetting(SettingError):
    """A variable whose value egov cannot read (a word for a number, a typo in a yes/no)."""

    code = "bad_setting"

    def __init__(self, name: str, value: str, expected_vi: str, expected_en: str) -> None:
        super().__init__(
            f"Biến môi trường {name}={value!r} không đọc được: cần {expected_vi}.",
            f"The environment variable {name}={value!r} cannot be read: {expected_en} is expected.",
            detail={"variable": name},
        )


def parse_database_url(name: str, url: str, **options: Any) -> dict[str, Any]:
    """Django's DATABASES entry for `url`, or BadSetting naming the variable (not a traceback); the
    message shows the URL without its user and password."""
    try:
        return dict(dj_database_url.parse(url, **options))
    except ValueError:  # dj_database_url.UnknownSchemeError too
        raise BadSetting(
            name,
            re.sub(r"(?<=://)[^/]*@", "***@", url),
            "một địa chỉ cơ sở dữ liệu như postgres://egov@127.0.0.1:5432/egov",
            "a database URL such as postgres://egov@127.0.0.1:5432/egov",
        ) from None


class DataDirNotSet(SettingError):
    """egov runs from an installed package and no EGOV_DATA_DIR says where the node keeps its data."""

    code = "data_dir_not_set"
    vi = (
        "Chưa biết thư mục dữ liệu của nút (cơ sở dữ liệu SQLite, tệp tải lên, khóa): đặt biến môi trường "
        "EGOV_DATA_DIR là đường dẫn tuyệt đối tới thư mục đó, ví dụ EGOV_DATA_DIR=/srv/egov."
    )
    en = (
        "The node's data folder (SQLite database, uploaded files, keys) is unknown: set the environment "
        "variable EGOV_DATA_DIR to its absolute path, e.g. EGOV_DATA_DIR=/srv/egov."
    )


class DataDirUnusable(SettingError):
    """EGOV_DATA_DIR names something that cannot be (or hold) a folder: a file, a read-only place."""

    code = "data_dir_unusable"

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(
            f"Biến môi trường EGOV_DATA_DIR={str(folder)!r} không dùng làm thư mục dữ liệu của nút được "
            f"({reason}): đặt nó là một thư mục ghi được.",
            f"The environment variable EGOV_DATA_DIR={str(folder)!r} cannot be the node's data folder "
            f"({reason}): set it to a writable folder.",
            detail={"variable": "EGOV_DATA_DIR"},
        )


def ensure_folder(folder: Path, data_dir: Path) -> Path:
    """Create `folder` (the data folder or one inside it), or DataDirUnusable naming EGOV_DATA_DIR."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirUnusable(data_dir, exc.strerror or exc.__class__.__name__) from None
    return folder


def checkout_of(package_dir: Path) -> Path | None:
    """The source checkout egov runs from (an editable install: <checkout>/src/egov), else None."""
    root = package_dir.parent.parent
    if package_dir.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def resolve_data_dir(configured: str, package_dir: Path) -> Path:
    """Where the node's data lives, whatever the current directory.

    An explicit EGOV_DATA_DIR wins (a relative one is taken from the current directory, as the operator
    typed it); else the checkout's var/ when egov runs from a checkout; else an error that says what to
    set. Never a folder that merely happens to be the current directory: a command run from elsewhere
    would otherwise start a second, empty node there.
    """
    if configured.strip():
        return Path(configured.strip()).expanduser().absolute()
    checkout = checkout_of(package_dir)
    if checkout is None:
        raise DataDirNotSet()
    return checkout / "var"


def reference_markdown() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated by `egov config`. Every variable is optional; the default suits the demo.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for var in sorted(REGISTRY.values(), key=lambda v: v.name):
        default = f"`{var.default}`" if var.default else "(empty)"
        lines.append(f"| `{var.name}` | {default} | {var.help} |")
    return "\n".join(lines) + "\n"
