"""Only the catalogue routes, mounted where the node mounts them: these tests need no other app."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("api/v1/", include("egov.catalog.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
