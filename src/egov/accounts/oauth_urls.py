"""/oauth/: the machine clients' token and revocation endpoints (no authorization endpoint: no users)."""

from django.urls import path

from egov.accounts import oauth

app_name = "oauth"
urlpatterns = [
    path("token/", oauth.MachineTokenView.as_view(), name="token"),
    path("revoke/", oauth.MachineRevokeView.as_view(), name="revoke"),
]
