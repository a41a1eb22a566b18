"""``flask nastavnik monitoring-tick``: run daily from cron."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from nastavnik.periods import parse_ru_date


@click.command("monitoring-tick")
@click.option("--date", "day_text", default="", help="Считать сегодняшним этот день (ДД.ММ.ГГГГ), для проверки.")
@with_appcontext
def monitoring_tick(day_text):
    """Мониторинг: создать кампании по ритму школ, открыть начавшиеся, добавить адресатов, закрыть истёкшие (для cron)."""
    from nastavnik.audit.services import acting_as
    from nastavnik.monitoring.services import tick
    from nastavnik.timeutil import today

    try:
        day = parse_ru_date(day_text) if day_text else today()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    with acting_as("мониторинг по расписанию"):
        report = tick(day)
    click.echo(
        f"Мониторинг на {day:%d.%m.%Y}: создано по ритму {report.planned}, открыто {report.opened}, "
        f"закрыто {report.closed}, новых адресатов {report.recipients}."
    )
