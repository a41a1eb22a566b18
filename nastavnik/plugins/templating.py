"""Template slots: ``run_hook`` lets a template join what every plugin returns for a slot."""

from __future__ import annotations

import logging
import sys

from flask import current_app
from markupsafe import Markup, escape

from nastavnik.plugins.failures import record as record_failure
from nastavnik.plugins.manager import hook

log = logging.getLogger(__name__)
UNAVAILABLE = Markup(
    '<p class="note slot-error" role="status">Раздел «{}» временно недоступен: ошибка в плагине. '
    "Остальное работает; администратор найдёт подробности в журнале сервера.</p>"
)


def _call_isolated(name: str, kwargs: dict) -> list:
    """Each implementation on its own: one plugin's failing card must not take the whole page down."""
    from nastavnik.extensions import db

    parts = []
    for impl in getattr(hook(), name).get_hookimpls():
        if impl.hookwrapper or impl.wrapper:
            continue
        try:
            parts.append(impl.function(**{arg: kwargs[arg] for arg in impl.argnames}))
        except Exception:
            if current_app.testing:  # tests must see the failure itself
                raise
            log.exception("Слот %s: плагин %s упал", name, impl.plugin_name)
            db.session.rollback()
            record_failure(impl.plugin_name, f"слот {name}", sys.exc_info()[1])
            parts.append(UNAVAILABLE.format(impl.plugin_name))
    return parts


def run_hook(name: str, **kwargs) -> Markup:
    """Join the HTML every implementation of a ``nastavnik_tpl_*`` hook returns."""
    parts = _call_isolated(name, kwargs)
    # Slot hooks return Markup they escaped themselves (see spec); plain strings are escaped here.
    return Markup("").join(p if isinstance(p, Markup) else escape(p) for p in parts if p)


def nav_links(user) -> list[tuple[str, str]]:
    """Navigation links of all plugins for ``user``, in registration order."""
    links: list[tuple[str, str]] = []
    for part in reversed(hook().nastavnik_tpl_nav(user=user)):
        links.extend(part or [])
    return links
