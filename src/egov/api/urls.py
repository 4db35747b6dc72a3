"""/api/v1/ — each app contributes its routes from its own `api` module."""

from django.urls import include, path

urlpatterns = [
    path("", include("egov.catalog.api.urls")),
    path("", include("egov.dossiers.api.urls")),
    path("", include("egov.results.api.urls")),
]
