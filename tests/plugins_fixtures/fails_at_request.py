"""A plugin that loads fine but fails on every request: its dashboard card and its programme templates."""

from nastavnik.plugins import hookimpl


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    raise RuntimeError("card is broken")


@hookimpl
def nastavnik_programme_templates(kind_code):
    raise LookupError("templates table is gone")
