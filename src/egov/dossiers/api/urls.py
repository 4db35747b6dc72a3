from django.urls import URLPattern, URLResolver, path, register_converter

from egov.dossiers.actions import ACTIONS
from egov.dossiers.api import views


class DossierCodeConverter:
    regex = r"[A-Za-z0-9][A-Za-z0-9.\-]{0,59}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DossierCodeConverter, "dcode")

urlpatterns: list[URLPattern | URLResolver] = [
    path("dossiers", views.DossierCreateView.as_view(), name="dossier-create"),
    path("dossiers/<dcode:code>", views.DossierDetailView.as_view(), name="dossier-detail"),
    path("dossiers/<dcode:code>/timeline", views.DossierTimelineView.as_view(), name="dossier-timeline"),
    *[
        path(
            f"dossiers/<dcode:code>/{action.name}",
            views.make_action_view(action).as_view(),
            name=f"dossier-{action.name}",
        )
        for action in ACTIONS.values()
    ],
    path("worklists/<str:view>", views.WorklistView.as_view(), name="worklist"),
    path("my/dossiers", views.MyDossiersView.as_view(), name="my-dossiers"),
    path("public/lookup", views.PublicLookupView.as_view(), name="public-lookup"),
]
