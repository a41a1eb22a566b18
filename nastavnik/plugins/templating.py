"""Template slots: ``run_hook`` lets a template join what every plugin returns for a slot."""

from __future__ import annotations

from markupsafe import Markup, escape

from nastavnik.plugins.manager import hook


def run_hook(name: str, **kwargs) -> Markup:
    """Join the HTML every implementation of a ``nastavnik_tpl_*`` hook returns."""
    parts = getattr(hook(), name)(**kwargs)
    # Slot hooks return Markup they escaped themselves (see spec); plain strings are escaped here.
    return Markup("").join(p if isinstance(p, Markup) else escape(p) for p in reversed(parts) if p)


def nav_links(user) -> list[tuple[str, str]]:
    """Navigation links of all plugins for ``user``, in registration order."""
    links: list[tuple[str, str]] = []
    for part in reversed(hook().nastavnik_tpl_nav(user=user)):
        links.extend(part or [])
    return links
