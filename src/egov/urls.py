from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from egov.core import views as core_views
from egov.core.api_reference import redoc_script

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/redoc.standalone.js", redoc_script, name="api-docs-script"),
    path(
        "api/docs/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-docs",
    ),
    path("api/swagger/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-swagger"),
    path("api/v1/", include("egov.api.urls")),
    path("oauth/", include("egov.accounts.oauth_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("egov.accounts.urls")),
    path("office/", include("egov.backoffice.urls")),
    path("files/", include("egov.dossiers.urls")),
    path("payments/", include("egov.payments.urls")),
    path("verify/", include("egov.results.urls")),
    path("", include("egov.portal.urls")),
]

handler400 = "egov.core.views.bad_request"
handler404 = "egov.core.views.not_found"
handler500 = "egov.core.views.server_error"
handler403 = "egov.core.views.permission_denied"
