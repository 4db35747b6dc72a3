"""The dossier `world` and `clock` fixtures, for the tests of dossiers across a reorganisation."""

from tests.dossiers.conftest import clock, world  # noqa: F401  (fixtures shared with the dossier tests)
