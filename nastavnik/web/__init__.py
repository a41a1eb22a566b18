"""Helpers shared by all blueprints: HTMX responses, uploads."""
