"""The front-end asset pipeline: npm lockfile hygiene and the files built into static/dist/.

The built files are not committed: `make assets` (run by `make demo` and `make test`)
creates them; the tests on them skip with the reason when the build has not run.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "src" / "egov" / "core" / "static" / "dist"
LOCKFILE = ROOT / "package-lock.json"
PRIMARY = "#8b0a03"  # USWDS red-70v, $theme-color-primary in assets/scss/egov.scss
NOT_BUILT = "front-end assets not built: run `make assets` (needs Node.js and npm)"


def _built_files() -> list[Path]:
    return sorted(p for p in DIST.rglob("*") if p.is_file() and p.suffix not in {".gz", ".br"})


@pytest.fixture
def dist() -> Path:
    if not (DIST / "egov.css").is_file():
        pytest.skip(NOT_BUILT)
    return DIST


def _walk(node: object, path: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}/{key}", value
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_lockfile_records_no_download_addresses() -> None:
    text = LOCKFILE.read_text(encoding="utf-8")
    lock = json.loads(text)
    keys = [path.rsplit("/", 1)[1] for path, _ in _walk(lock)]
    assert "resolved" not in keys
    assert '"resolved"' not in text
    assert "registry" not in text.lower()
    # The only web addresses npm keeps are the packages' "funding" links,
    # which are not download addresses.
    for path, value in _walk(lock):
        if isinstance(value, str) and re.search(r"https?://", value):
            assert "/funding" in path, f"URL outside a funding entry at {path}: {value}"


def test_npmrc_keeps_urls_out_of_the_lockfile() -> None:
    settings = (ROOT / ".npmrc").read_text(encoding="utf-8").split()
    assert "omit-lockfile-registry-resolved=true" in settings


def test_dependencies_are_pinned_exactly() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    deps = package["devDependencies"]
    assert set(deps) == {"@uswds/uswds", "htmx.org", "axe-core", "sass"}
    for name, version in deps.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
    assert deps["@uswds/uswds"].startswith("3.")
    assert deps["htmx.org"].startswith("2.")
    assert deps["axe-core"].startswith("4.")


def test_expected_files_are_built(dist: Path) -> None:
    for name in ("egov.css", "htmx.min.js", "app.js"):
        assert (dist / name).stat().st_size > 0, name


def test_css_carries_the_theme_and_our_components(dist: Path) -> None:
    css = (dist / "egov.css").read_text(encoding="utf-8")
    assert PRIMARY in css.lower()
    for selector in (
        ".egov-overdue",
        ".egov-due-soon",
        ".egov-banner",
        ".egov-progress",
        ".egov-preview",
        ".egov-kpi",
        ".egov-bar",
        ".egov-w-0",
        ".egov-w-100",
        ".egov-print-only",
        ".usa-step-indicator",
        ".usa-table",
        ".margin-top-2",
    ):
        assert selector in css, selector
    assert "@font-face" not in css  # system fonts only


def test_images_referenced_by_the_css_are_shipped(dist: Path) -> None:
    css = (dist / "egov.css").read_text(encoding="utf-8")
    for rel in set(re.findall(r"url\([\"']?(img/[^\"')?#]+)", css)):
        assert (dist / rel).is_file(), rel


def test_every_file_has_gzip_sibling_with_same_bytes(dist: Path) -> None:
    for path in _built_files():
        original = path.read_bytes()
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == original, path


def test_every_file_has_brotli_sibling_with_same_bytes(dist: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is needed to decompress brotli (Python's brotli is not installed)")
    files = _built_files()
    for path in files:
        assert path.with_name(path.name + ".br").is_file(), path
    script = (
        "const fs=require('fs'),z=require('zlib');"
        "for(const f of process.argv.slice(1)){"
        "if(!z.brotliDecompressSync(fs.readFileSync(f+'.br')).equals(fs.readFileSync(f)))"
        "{console.log(f);process.exitCode=1}}"
    )
    result = subprocess.run(
        [node, "-e", script, *map(str, files)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"brotli mismatch: {result.stdout}{result.stderr}"


def test_app_js_is_csp_safe(dist: Path) -> None:
    js = (dist / "app.js").read_text(encoding="utf-8")
    for forbidden in ("eval(", "new Function", ".style.", "document.write", "innerHTML"):
        assert forbidden not in js, forbidden
