"""Public catalogue routes under /api/v1/ (procedure and agency codes contain dots)."""

from django.urls import URLPattern, URLResolver, path

from egov.catalog.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("procedures", views.ProcedureListView.as_view(), name="procedure-list"),
    path("procedures/<str:code>", views.ProcedureDetailView.as_view(), name="procedure-detail"),
    path("procedures/<str:code>/versions", views.ProcedureVersionsView.as_view(), name="procedure-versions"),
    path("agencies", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<str:code>", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("sectors", views.SectorListView.as_view(), name="sector-list"),
]
