"""Citizen portal pages. Each views module declares its own `urlpatterns`."""

from egov.portal.views import apply, catalogue, mine, payments

app_name = "portal"
urlpatterns = catalogue.urlpatterns + apply.urlpatterns + mine.urlpatterns + payments.urlpatterns
