"""Plugin system of nastavnik (pluggy).

Plugins import ``hookimpl`` from here and the value objects from ``nastavnik.plugins.registry``;
they never import pluggy themselves.
"""

import pluggy

PROJECT = "nastavnik"
ENTRY_POINT_GROUP = "nastavnik.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
