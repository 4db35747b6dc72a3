import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_openapi_document_is_openapi_3_and_lists_the_dossier_endpoints(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "/api/v1/dossiers" in paths
    assert "/api/v1/dossiers/{code}/receive" in paths
    assert "/api/v1/procedures" in paths
    assert "/api/v1/public/lookup" in paths


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/swagger/"])
def test_reference_pages_load_nothing_from_other_hosts(client: Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    external = [url for url in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if "//" in url]
    assert external == []


@pytest.mark.django_db
def test_unknown_api_address_answers_the_standard_json_error(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["message"]["vi"] and error["message"]["en"]


@pytest.mark.django_db
def test_unknown_page_outside_the_api_is_an_html_404_in_the_visitor_language(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Không tìm thấy" in response.content.decode()
    english = client.get("/no-such-page", headers={"cookie": "egov_language=en"})
    assert "Page not found" in english.content.decode()


def test_the_schema_generates_without_warnings_or_name_clashes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two serializers with one name would make one of them wrong in the published document."""
    import subprocess
    import sys

    out = tmp_path / "schema.yml"
    done = subprocess.run(
        [sys.executable, "-m", "egov.cli", "spectacular", "--file", str(out), "--validate", "--fail-on-warn"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "/api/v1/results/verify" in out.read_text(encoding="utf-8")
