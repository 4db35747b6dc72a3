"""Mounted at /files/ without a namespace: `{% url 'dossier_file' token %}`."""

from django.urls import path

from egov.dossiers import views

urlpatterns = [path("<str:token>/", views.dossier_file, name="dossier_file")]
