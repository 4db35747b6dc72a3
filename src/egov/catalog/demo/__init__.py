"""Demo catalogue: one province with its departments, districts and communes, and real procedures.

The data is a catalogue bundle (`catalog.json`), loaded through the same import as any bundle, so
the demo also proves the import path. Loading twice changes nothing the second time.
"""

from __future__ import annotations

from pathlib import Path

from egov.catalog import bundle, services

DEMO_BUNDLE = Path(__file__).with_name("catalog.json")


def load_demo_catalog() -> bundle.BundleDiff:
    """Import the demo bundle (idempotent: unchanged objects are left alone) and return the diff."""
    data = bundle.parse_bundle(DEMO_BUNDLE.read_bytes())
    return services.import_bundle(data)
