"""The dossier `world` of tests/dossiers, for API tests that need procedures, officers and dossiers."""

from tests.dossiers.conftest import world  # noqa: F401
