"""Tiny fake plugins that misbehave in one way each, for tests/test_plugins.py."""
