"""egov: an open-source e-government platform (one node = a province, a ministry or the national level)."""

__version__ = "0.1.0"
