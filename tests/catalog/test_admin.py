"""The catalogue admin never edits a published version behind the services' checks."""

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.testing.auth import sign_in
from tests.catalog.factories import procedure as published_procedure

pytestmark = pytest.mark.django_db


def test_the_procedure_page_lists_versions_without_editable_dates() -> None:
    procedure = published_procedure()
    admin_user = User.objects.create_superuser("root-admin", "root@example.vn", "x")
    browser = Client()
    sign_in(browser, admin_user)
    page = browser.get(f"/admin/catalog/procedure/{procedure.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "versions-0-effective_from" not in html and "versions-0-number" not in html
    assert f"/admin/catalog/procedureversion/{procedure.versions.get().pk}/change/" in html


def test_a_published_version_cannot_be_deleted_from_the_admin() -> None:
    version = published_procedure().versions.get()
    admin_user = User.objects.create_superuser("root-admin2", "root2@example.vn", "x")
    browser = Client()
    sign_in(browser, admin_user)
    response = browser.post(f"/admin/catalog/procedureversion/{version.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert type(version).objects.filter(pk=version.pk).exists()


def test_the_agency_list_filters_todays_map_from_the_closed_agencies() -> None:
    from datetime import date

    from egov.catalog.models import Agency

    Agency.objects.create(code="000.00.31.H62", name="UBND thành phố Vĩnh Yên", level="district")
    new = Agency.objects.create(code="000.01.50.H44", name="UBND phường Vĩnh Phúc", level="commune")
    Agency.objects.filter(code="000.00.31.H62").update(valid_to=date(2025, 7, 1), successor=new)
    admin_user = User.objects.create_superuser("root-admin3", "root3@example.vn", "x")
    browser = Client()
    sign_in(browser, admin_user)
    today = browser.get("/admin/catalog/agency/", {"in_force": "yes"}).content.decode()
    closed = browser.get("/admin/catalog/agency/", {"in_force": "no"}).content.decode()
    assert "UBND phường Vĩnh Phúc" in today and "UBND thành phố Vĩnh Yên" not in today
    assert "UBND thành phố Vĩnh Yên" in closed and "000.01.50.H44" in closed  # with its successor
