"""Contento: total customer satisfaction, self-hosted."""

__version__ = "0.1.0"
