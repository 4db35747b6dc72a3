"""Back-office pages of the one-stop shop. Each views module declares its own `urlpatterns`."""

from egov.backoffice.views import desk, dossier, leader, worklists

app_name = "office"
urlpatterns = worklists.urlpatterns + dossier.urlpatterns + desk.urlpatterns + leader.urlpatterns
