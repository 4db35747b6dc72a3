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
