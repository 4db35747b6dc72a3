"""Citizen portal pages. Each views module declares its own `urlpatterns`."""

from egov.portal.views import agencies, apply, catalogue, mine, payments

app_name = "portal"
urlpatterns = (
    catalogue.urlpatterns + agencies.urlpatterns + apply.urlpatterns + mine.urlpatterns + payments.urlpatterns
)
