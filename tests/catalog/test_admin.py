"""The catalogue admin never edits a published version behind the services' checks."""

import pytest
from django.test import Client

from egov.accounts.models import User
from tests.catalog.factories import procedure as published_procedure

pytestmark = pytest.mark.django_db


def test_the_procedure_page_lists_versions_without_editable_dates() -> None:
    procedure = published_procedure()
    admin_user = User.objects.create_superuser("root-admin", "root@example.vn", "x")
    browser = Client()
    browser.force_login(admin_user)
    page = browser.get(f"/admin/catalog/procedure/{procedure.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "versions-0-effective_from" not in html and "versions-0-number" not in html
    assert f"/admin/catalog/procedureversion/{procedure.versions.get().pk}/change/" in html
