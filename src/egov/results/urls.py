"""Public verification pages, mounted at /verify/ (namespace `results`)."""

from django.urls import URLPattern, path

from egov.results import views

app_name = "results"
urlpatterns: list[URLPattern] = [
    path("", views.verify_page, name="verify"),
    path("<str:short_code>/", views.code_page, name="code"),
    path("<str:short_code>/pdf", views.code_pdf, name="code_pdf"),
]
