"""Back-office pages of the one-stop shop. Each views module declares its own `urlpatterns`."""

from egov.backoffice.views import attachments, desk, dossier, leader, worklists

app_name = "office"
# attachments before dossier: "dossiers/<code>/attach/" must win over "dossiers/<code>/<action>/".
urlpatterns = [
    *worklists.urlpatterns,
    *attachments.urlpatterns,
    *dossier.urlpatterns,
    *desk.urlpatterns,
    *leader.urlpatterns,
]
