"""«Отчёт» items of a roadmap, fulfilled by a report run: done once it is submitted or accepted."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.periods import ru_date
from nastavnik.plugins.registry import FulfilmentCheck, FulfilmentRule
from nastavnik.reports.models import ReportRun

DONE = ("submitted", "accepted")


def records(org_id: int) -> list[tuple[int | None, str]]:
    runs = db.session.scalars(
        select(ReportRun).where(ReportRun.org_id == org_id).order_by(ReportRun.created_at.desc()).limit(50)
    )
    return [(run.id, f"{run.format_title} на {ru_date(run.as_of)} ({run.status_title})") for run in runs]


def check(org_id: int, record_id: int | None) -> FulfilmentCheck:
    run = db.session.get(ReportRun, record_id) if record_id is not None else None
    if run is None or run.org_id != org_id:
        return FulfilmentCheck(False, "отчёт не найден")
    url = url_for("reports.run_view", run_id=run.id)
    if run.status not in DONE:
        return FulfilmentCheck(False, f"отчёт «{run.format_title}» на {ru_date(run.as_of)}: {run.status_title}", url)
    when = ru_date(run.reviewed_at if run.status == "accepted" else run.submitted_at)
    return FulfilmentCheck(
        True, f"отчёт «{run.format_title}» на {ru_date(run.as_of)} {run.status_title} {when}", url,
        ((f"{run.format_title} (.xlsx)", url_for("reports.run_xlsx", run_id=run.id)),),
    )


RULES = [
    FulfilmentRule(
        code="reports.run",
        title="Отчёт",
        done_when="отчёт сформирован в приложении и сдан (или принят) вышестоящей организацией",
        keywords=("отчет", "отчёт", "фсн", "статистическ", "показател", "сведени"),
        records=records,
        check=check,
    )
]
