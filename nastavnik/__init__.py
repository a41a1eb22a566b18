"""nastavnik — целевая модель наставничества для школы и муниципалитета."""

__version__ = "0.1.0"


def create_app(config=None, plugins=None):
    """Lazy re-export so that pure modules (parsers, matching) import without Flask set-up."""
    from nastavnik.app import create_app as _create_app

    return _create_app(config=config, plugins=plugins)
