"""Back-office pages of the one-stop shop. Each views module declares its own `urlpatterns`."""

from egov.backoffice.views import attachments, desk, dossier, leader, print_pdf, results, worklists
from egov.backoffice.views import notifications as notification_views
from egov.backoffice.views import payments as payment_views

app_name = "office"
# attachments before dossier: "dossiers/<code>/attach/" must win over "dossiers/<code>/<action>/".
urlpatterns = [
    *worklists.urlpatterns,
    *attachments.urlpatterns,
    *print_pdf.urlpatterns,
    *results.urlpatterns,
    *payment_views.urlpatterns,
    *dossier.urlpatterns,
    *desk.urlpatterns,
    *leader.urlpatterns,
    *notification_views.urlpatterns,
]
