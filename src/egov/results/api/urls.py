from django.urls import URLPattern, path

from egov.results.api import views

urlpatterns: list[URLPattern] = [
    path("results/verify", views.ResultVerifyView.as_view(), name="result-verify"),
    path("results/<str:short_code>", views.ResultFactsView.as_view(), name="result-facts"),
]
