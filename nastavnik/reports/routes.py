"""Маршруты отчётов: формы, прогоны, сдача и проверка, сборы, показатели, ручные значения, реестры, панель."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from flask import Response, abort, flash, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.periods import AcademicYear, ru_date
from nastavnik.plugins.manager import registry
from nastavnik.reports import bp
from nastavnik.reports import registers as reg_module
from nastavnik.reports.blank import fill_blank
from nastavnik.reports.dashboard import LEVEL_ORDER, dashboard_context
from nastavnik.reports.engine import ReportError, compute_indicators, grid_of
from nastavnik.reports.formats import LEVEL_TITLES
from nastavnik.reports.forms import (
    CollectionForm,
    EntryForm,
    IndicatorForm,
    ReviewForm,
    RunForm,
    VersionForm,
    run_form_with_manual,
)
from nastavnik.reports.indicators import active_indicators, ensure_indicators
from nastavnik.reports.models import (
    ENTRY_KINDS,
    Indicator,
    IndicatorEntry,
    IndicatorTarget,
    ReportCollection,
    ReportRun,
)
from nastavnik.reports.services import (
    Options,
    RunError,
    can_review,
    collections_for,
    create_run,
    current_formats,
    data_start,
    edition_for,
    is_builtin,
    open_collections_for,
    org_choices,
    review,
    rollup_from_runs,
    runs_query,
    submissions,
    submit,
)
from nastavnik.reports.xlsx import Meta, render
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, commit_or_conflict
from nastavnik.web.htmx import redirect_to, render_page_or_partial

log = logging.getLogger(__name__)
CONFLICT = "Этот отчёт только что сдал или проверил другой пользователь: действие не выполнено. Ниже — текущее состояние."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.app_template_filter("figure")
def figure_filter(value, unit: str = "") -> str:
    """A number the Russian way: 1 234; 45,5 for a share."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:,.1f}".replace(",", " ").replace(".", ",")
    if float(value) == int(value):
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",")


@bp.app_template_global()
def by_org_rows(data: dict) -> list[tuple[str, str, Markup]]:
    """The rows of the by-organisation table, (title, group, the row's figure cells as HTML), the cells
    formatted and written here in one pass. A region's table has 2,000 rows of ten indicators: looked up,
    formatted and written one by one in the template, its cells cost more than computing the figures.
    The HTML is the template's own, to the byte (whitespace included); tests/reports/test_table_by_org.py
    checks it against the template this replaced."""
    indicators = [(i["code"], i["share"]) for i in data["indicators"]]
    blank = [None, None, None, ""]
    number, share = _formatted(""), _formatted("%")
    rows = []
    for org_id, title, group in data["orgs"]:
        values = data["values"].get(str(org_id), {})
        cells = [_ROW_START]
        for code, is_share in indicators:
            v, n, d, note = values.get(code, blank)
            if is_share:
                titled = f' title="{escape(note)}"' if note else ""
                in_words = f'<span class="sr-only"> ({escape(note)})</span>' if note and v is None else ""
                cells.append(f'{_CELL_START}<td class="num">{number(n)}</td><td class="num">{number(d)}</td>'
                             f'<td class="num"{titled}>{share(v)}{in_words}</td>{_SHARE_END}')
            else:
                cells.append(f'{_CELL_START}<td class="num">{number(v)}</td>{_CELL_END}')
        rows.append((title, group, Markup("".join(cells))))  # noqa: S704 - notes escaped; figures are digits
    return rows


def _formatted(unit: str):
    """``figure_filter`` for one unit, each count formatted once (a table repeats the same small numbers;
    shares, floats, are not kept: -0.0 equals 0 but is written otherwise). Its texts are digits, spaces,
    commas, minus signs and «—»: nothing to escape."""
    done: dict[int, str] = {}

    def formatted(value) -> str:
        if type(value) is not int:
            return figure_filter(value, unit)
        text = done.get(value)
        if text is None:
            text = done[value] = figure_filter(value, unit)
        return text

    return formatted


# The whitespace the table's template put around its cells (kept so that the page is the same to the byte).
_ROW_START, _CELL_START, _CELL_END = "\n      ", "\n        ", "\n      "
_SHARE_END = "\n        " + _CELL_END


def _format(code: str):
    fmt = registry().report_formats.get(code)
    if fmt is None:
        abort(404)
    return fmt


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- The list of reports ---------------------------------------------------------------------------


@bp.route("/")
@access.rule("reports.view")
def index():
    formats = current_formats()
    runnable = {f.code: bool(org_choices(current_user, f)) for f in formats}
    runs = db.session.scalars(runs_query(current_user).limit(30)).all()
    return render_template(
        "reports/index.html", formats=formats, runnable=runnable, runs=runs, builtin=is_builtin,
        collections=collections_for(current_user), level_titles=LEVEL_TITLES,
    )


# --- Running a report ------------------------------------------------------------------------------


def _manual_cells(fmt):
    if fmt.layout != "grid":
        return []
    rows, columns, cells = grid_of(fmt)
    return [c for c in cells if c.manual is not None]


@bp.route("/run/<code>", methods=["GET", "POST"])
@access.rule("reports.run")
def run_form(code):
    fmt = _format(code)
    orgs = org_choices(current_user, fmt)
    if not orgs:
        abort(403)
    try:
        manual_cells = _manual_cells(fmt)
    except ReportError as exc:
        return render_template("reports/run_form.html", fmt=fmt, form=None, error=str(exc), manual=[]), 422
    form_class = run_form_with_manual(manual_cells) if manual_cells else RunForm
    form = form_class()
    form.org_id.choices = [(o.id, o.title) for o in orgs]
    org_id = form.org_id.data if request.method == "POST" else request.args.get("org_id", type=int) or orgs[0].id
    collections = open_collections_for(org_id, fmt.code, today()) if org_id else []
    form.collection_id.choices = [(0, "— без сбора —")] + [(c.id, f"{c.title} (до {ru_date(c.closes_on)})")
                                                          for c in collections]
    if request.method == "GET":
        form.org_id.data = org_id
        chosen = collections[0] if collections else None
        form.as_of.data = chosen.as_of if chosen else today()
        form.collection_id.data = chosen.id if chosen else 0
        if chosen:
            form.period_start.data, form.period_end.data = chosen.period_start, chosen.period_end
    error = None
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.org_id.data)
        access.require("reports.run", org.id)
        start, end = form.period()
        first = data_start(org.id)
        if form.as_of.data < first:
            form.as_of.errors.append(
                f"Данные в системе начинаются с {ru_date(first)} (учебный год {AcademicYear.of(first)}): "
                "выберите дату не раньше.")
        elif form.as_of.data > today():
            form.as_of.errors.append("Дата отчёта не может быть позже сегодняшней.")
        collection = None
        if form.collection_id.data:
            collection = next((c for c in collections if c.id == form.collection_id.data), None)
            if collection is None:
                form.collection_id.errors.append("Выберите сбор из списка.")
        edition = edition_for(fmt.code, form.as_of.data) if form.as_of.data else fmt
        if edition is None and not form.as_of.errors:
            form.as_of.errors.append(f"На эту дату форма «{fmt.title}» ещё не действовала: выберите дату позже.")
        if not form.errors or not any(form.errors.values()):
            manual = {c.code: getattr(form, f"manual_{c.code}").data for c in manual_cells}
            try:
                run = create_run(edition, Options(org.id, form.as_of.data, start, end, manual), current_user, collection)
            except ReportError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                flash("Отчёт сформирован (черновик). Проверьте цифры и сдайте его.", "success")
                return redirect_to(url_for("reports.run_view", run_id=run.id))
    status = 422 if form.is_submitted() else 200
    return render_template("reports/run_form.html", fmt=fmt, form=form, error=error, manual=manual_cells,
                           collections=collections), status


def _run(run_id: int) -> ReportRun:
    run = db.session.get(ReportRun, run_id)
    if run is None:
        abort(404)
    if not (access.can(current_user, "reports.view", run.org_id) or can_review(current_user, run)):
        abort(404)
    return run


def _meta(run: ReportRun) -> Meta:
    made = f"сформирован {ru_date(run.created_at)}"
    if run.created_by:
        made += f", {run.created_by.display_name}"
    if run.plugin:
        made += f"; форма {run.format_code}, версия {run.format_version}, плагин {run.plugin} {run.plugin_version}"
    fmt = registry().report_formats.get(run.format_code)
    return Meta(
        title=run.format_title, org=run.org.title, as_of=ru_date(run.as_of),
        period=f"{ru_date(run.period_start)} – {ru_date(run.period_end)}",
        status=f"статус: {run.status_title}" + (f" ({ru_date(run.submitted_at)})" if run.submitted_at else ""),
        note=fmt.note if fmt else "", made=made,
    )


@bp.route("/runs/<int:run_id>")
@access.login_only
def run_view(run_id):
    run = _run(run_id)
    return _render_run(run)


def _render_run(run: ReportRun, status: int = 200, conflict: str = "", error: str = "", review_form=None):
    fmt = registry().report_formats.get(run.format_code)
    return render_page_or_partial(
        "reports/run.html", "reports/_run_state.html", status, run=run, fmt=fmt, data=run.data,
        can_submit=run.status == "draft" and access.can(current_user, "reports.run", run.org_id),
        can_review=run.status == "submitted" and can_review(current_user, run),
        conflict=conflict, error=error, review_form=review_form or ReviewForm(formdata=None),
    )


@bp.route("/runs/<int:run_id>/submit", methods=["POST"])
@access.rule("reports.run")
def run_submit(run_id):
    run = _run(run_id)
    access.require("reports.run", run.org_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return _render_run(run, 422, error="Обновите страницу и повторите.")
    try:
        submit(run, current_user, form.version.data, today())
    except Conflict:
        db.session.refresh(run)
        return _render_run(run, 409, conflict=CONFLICT)
    except RunError as exc:
        return _render_run(run, 422, error=str(exc))
    flash("Отчёт сдан. Изменить его больше нельзя; при возврате сформируйте новый.", "success")
    return redirect_to(url_for("reports.run_view", run_id=run.id))


@bp.route("/runs/<int:run_id>/review", methods=["POST"])
@access.rule("reports.review")
def run_review(run_id):
    run = _run(run_id)
    if not can_review(current_user, run):
        abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_run(run, 422, review_form=form)
    try:
        review(run, current_user, form.version.data, form.decision.data == "accept", form.comment.data)
    except Conflict:
        db.session.refresh(run)
        return _render_run(run, 409, conflict=CONFLICT)
    except RunError as exc:
        form.comment.errors.append(str(exc))
        return _render_run(run, 422, review_form=form)
    flash("Отчёт принят." if run.status == "accepted" else "Отчёт возвращён на доработку с комментарием.", "success")
    target = url_for("reports.collection_view", collection_id=run.collection_id) if run.collection_id else \
        url_for("reports.run_view", run_id=run.id)
    return redirect_to(target)


@bp.route("/runs/<int:run_id>/report.xlsx")
@access.login_only
def run_xlsx(run_id):
    run = _run(run_id)
    name = f"{run.format_code}_{run.org_id}_{run.as_of.isoformat()}_{run.id}.xlsx"
    return _download(render(run.data, _meta(run)), name, XLSX)


@bp.route("/runs/<int:run_id>/blank.xlsx")
@access.login_only
def run_blank(run_id):
    run = _run(run_id)
    fmt = registry().report_formats.get(run.format_code)
    if fmt is None or not fmt.blank:
        abort(404)
    data = dict(run.data, header={"org": run.org.name, "as_of": ru_date(run.as_of),
                                  "period": f"{ru_date(run.period_start)} – {ru_date(run.period_end)}"})
    header = {key: place for key, place in fmt.cell_map.items() if key in ("org", "as_of", "period")}
    cells = {key: place for key, place in fmt.cell_map.items() if key not in header}
    try:
        content = fill_blank(fmt.blank, cells, data, header)
    except ReportError as exc:
        log.exception("Бланк формы %s не заполнен", fmt.code)
        return _render_run(run, 422, error=f"Официальный бланк не заполнен: {exc}")
    return _download(content, f"{run.format_code}_{run.org_id}_{run.as_of.isoformat()}_бланк.xlsx", XLSX)


@bp.route("/runs/<int:run_id>/print")
@access.login_only
def run_print(run_id):
    run = _run(run_id)
    return render_template("reports/print.html", run=run, data=run.data, meta=_meta(run))


# --- Collections -----------------------------------------------------------------------------------


def _collection(collection_id: int) -> ReportCollection:
    collection = db.session.get(ReportCollection, collection_id)
    if collection is None or collection not in collections_for(current_user):
        abort(404)
    return collection


@bp.route("/collections/new", methods=["GET", "POST"])
@access.rule("reports.review")
def collection_new():
    form = CollectionForm()
    form.format_code.choices = [("", "")] + [(f.code, f.title) for f in current_formats() if f.level != "region"]
    # The collector is the organisation where the user holds the reviewing role (the region before a МКУ УО).
    orgs = sorted((r.org for r in current_user.roles if access.grants(r.role, "reports.review")
                   and r.org.kind in ("region", "municipality", "authority")),
                  key=lambda o: (LEVEL_ORDER.get(o.kind, 9), o.name))
    if not orgs:
        abort(403)
    if request.method == "GET":
        year = AcademicYear.of(today())
        form.as_of.data = date(year.start_year, 9, 20)
        form.period_start.data, form.period_end.data = year.starts, year.ends
        form.opens_on.data, form.closes_on.data = today(), today() + timedelta(days=14)
    if form.validate_on_submit():
        org = orgs[0]
        collection = ReportCollection(
            org_id=org.id, format_code=form.format_code.data, title=form.title.data, as_of=form.as_of.data,
            period_start=form.period_start.data, period_end=form.period_end.data, opens_on=form.opens_on.data,
            closes_on=form.closes_on.data, created_by_id=current_user.id,
        )
        db.session.add(collection)
        db.session.commit()
        flash("Сбор открыт: организации увидят его в списке отчётов.", "success")
        return redirect_to(url_for("reports.collection_view", collection_id=collection.id))
    return render_template("reports/collection_form.html", form=form, org=orgs[0]), 422 if form.is_submitted() else 200


@bp.route("/collections/<int:collection_id>")
@access.rule("reports.view")
def collection_view(collection_id):
    collection = _collection(collection_id)
    rows = submissions(collection)
    reviewer = access.can(current_user, "reports.review", collection.org_id)
    if not reviewer:  # a school sees only its own line
        mine = access.scope(current_user, "reports.view")
        rows = [r for r in rows if r.org.id in mine]
    return render_template("reports/collection.html", collection=collection, rows=rows, reviewer=reviewer,
                           missing=[r for r in rows if r.state in ("missing", "returned")])


@bp.route("/collections/<int:collection_id>/rollup")
@access.rule("reports.review")
def collection_rollup(collection_id):
    collection = _collection(collection_id)
    access.require("reports.review", collection.org_id)
    data = rollup_from_runs(collection)
    if request.args.get("format") == "xlsx":
        meta = Meta(title=f"Сводная таблица: {collection.title}", org=collection.org.title,
                    as_of=ru_date(collection.as_of),
                    period=f"{ru_date(collection.period_start)} – {ru_date(collection.period_end)}",
                    status="по сданным отчётам организаций (N и D каждой организации — из её отчёта)",
                    made=f"сформирована {ru_date(today())}")
        return _download(render(data, meta), f"svodnaya_{collection.id}.xlsx", XLSX)
    return render_template("reports/rollup.html", collection=collection, data=data, live=False)


# --- Live roll-up (no run stored) --------------------------------------------------------------------


@bp.route("/rollup")
@access.rule("reports.review")
def live_rollup():
    roots = [o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_(access.scope(current_user, "reports.view")),
        Organisation.kind.in_(("region", "municipality", "authority"))).order_by(Organisation.name))]
    if not roots:
        abort(403)
    org_id = request.args.get("org_id", type=int) or roots[0].id
    access.require("reports.view", org_id)
    day = today()
    year = AcademicYear.of(day)
    data = compute_indicators(active_indicators(), org_id, day, year.starts, year.ends)
    data["layout"] = "by_org"
    return render_template("reports/rollup.html", collection=None, data=data, live=True, roots=roots,
                           org=db.session.get(Organisation, org_id), day=day)


# --- Indicators ------------------------------------------------------------------------------------


@bp.route("/indicators")
@access.rule("reports.view")
def indicators():
    ensure_indicators()
    items = db.session.scalars(select(Indicator).order_by(Indicator.archived, Indicator.position)).all()
    counters = registry().counters
    return render_template("reports/indicators.html", indicators=items, counters=counters,
                           year=AcademicYear.of(today()), owners=registry().owner)


@bp.route("/indicators/<int:indicator_id>", methods=["GET", "POST"])
@access.rule("reports.indicators")
def indicator_edit(indicator_id):
    indicator = db.session.get(Indicator, indicator_id) or abort(404)
    form = IndicatorForm(obj=indicator)
    conflict = ""
    if request.method == "GET":
        form.version.data = indicator.version
    elif form.validate_on_submit():
        if str(indicator.version) != (form.version.data or ""):
            conflict = "Паспорт изменил другой пользователь. Ниже — его версия; внесите изменения ещё раз."
            form = IndicatorForm(obj=indicator, formdata=None)
            form.version.data = indicator.version
        else:
            for name in ("name", "unit", "definition", "time_characteristic", "formula", "numerator", "denominator",
                         "min_value", "max_value", "collection_method", "responsible", "source_note"):
                setattr(indicator, name, getattr(form, name).data)
            if form.target_year.data and form.target_value.data is not None:
                year = AcademicYear.parse(form.target_year.data).start_year
                target = next((t for t in indicator.targets if t.academic_year == year), None)
                if target is None:
                    indicator.targets.append(IndicatorTarget(academic_year=year, value=form.target_value.data))
                else:
                    target.value = form.target_value.data
            try:
                commit_or_conflict()
            except Conflict:
                conflict = "Паспорт изменил другой пользователь: изменения не сохранены."
            else:
                flash("Паспорт показателя сохранён.", "success")
                return redirect_to(url_for("reports.indicators"))
    unknown = [c for c in indicator.counter_codes if c not in registry().counters]
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template("reports/indicator_form.html", form=form, indicator=indicator, conflict=conflict,
                           unknown=unknown, counters=registry().counters), status


# --- Manual values and denominator overrides -----------------------------------------------------------


@bp.route("/entries", methods=["GET", "POST"])
@access.rule("reports.run")
def entries():
    orgs = [o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_(access.scope(current_user, "reports.run")),
        Organisation.kind.in_(("school", "preschool", "college", "additional"))).order_by(Organisation.name))]
    if not orgs:
        abort(403)
    org_id = request.values.get("org_id", type=int) or orgs[0].id
    access.require("reports.run", org_id)
    year = AcademicYear.from_arg(request.values.get("year"), today())
    items = active_indicators()
    existing = {(e.indicator_id, e.kind): e for e in db.session.scalars(select(IndicatorEntry).where(
        IndicatorEntry.org_id == org_id, IndicatorEntry.academic_year == year.start_year))}
    figures = compute_indicators(items, org_id, min(today(), year.ends), year.starts, year.ends)["total"]
    forms, status = {}, 200
    for indicator in items:
        kind = "value" if indicator.formula == "manual" else "denominator" if indicator.is_share else None
        if kind is None:
            continue
        prefix = f"i{indicator.id}"
        posted = request.method == "POST" and request.form.get("indicator") == str(indicator.id)
        entry = existing.get((indicator.id, kind))
        form = EntryForm(prefix=prefix, formdata=None if not posted else request.form, obj=entry)
        if not posted and entry is not None:
            form.version.data = entry.version
        forms[indicator.id] = (kind, form, entry)
        if posted:
            if request.form.get("action") == "delete" and entry is not None:
                db.session.delete(entry)
                db.session.commit()
                flash("Ручное значение удалено: показатель снова считается по данным системы.", "success")
                return redirect_to(url_for("reports.entries", org_id=org_id, year=year.label))
            if form.validate():
                problem = _entry_problem(indicator, kind, form.value.data, figures.get(indicator.code))
                if problem:
                    form.value.errors.append(problem)
                elif entry is not None and str(entry.version) != (form.version.data or ""):
                    form.value.errors.append("Значение изменил другой пользователь: обновите страницу.")
                    status = 409
                else:
                    entry = entry or IndicatorEntry(indicator_id=indicator.id, org_id=org_id,
                                                    academic_year=year.start_year, kind=kind)
                    entry.value, entry.source, entry.entered_by_id = form.value.data, form.source.data, current_user.id
                    db.session.add(entry)
                    try:
                        commit_or_conflict()
                    except Conflict:
                        form.value.errors.append("Значение изменил другой пользователь: обновите страницу.")
                        status = 409
                    else:
                        flash("Значение сохранено.", "success")
                        return redirect_to(url_for("reports.entries", org_id=org_id, year=year.label))
            status = status if status != 200 else 422
    return render_template("reports/entries.html", orgs=orgs, org_id=org_id, year=year, indicators=items,
                           forms=forms, figures=figures, kinds=ENTRY_KINDS), status


def _entry_problem(indicator: Indicator, kind: str, value: float, figure) -> str:
    if kind == "value":
        low = indicator.min_value if indicator.min_value is not None else 0
        high = indicator.max_value
        if value < low or (high is not None and value > high):
            upper = f" до {high:g}" if high is not None else ""
            return f"Значение вне допустимого диапазона: от {low:g}{upper}."
        return ""
    if value != int(value) or value < 0:
        return "Знаменатель — целое неотрицательное число (количество человек)."
    if value > 1_000_000:
        return "Слишком большое значение: проверьте, не лишние ли цифры."
    n = figure[1] if figure else None
    if n is not None and value < n:
        return f"Знаменатель не может быть меньше числителя: в системе N = {int(n)}."
    return ""


# --- Registers for the school site --------------------------------------------------------------------


@bp.route("/registers")
@access.rule("reports.view")
def registers():
    orgs = [o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_(access.scope(current_user, "reports.view")),
        Organisation.kind.in_(("school", "preschool", "college", "additional"))).order_by(Organisation.name))]
    org_id = request.args.get("org_id", type=int) or (orgs[0].id if orgs else None)
    if org_id is None:
        return render_template("reports/registers.html", orgs=[], org=None, built=[])
    access.require("reports.view", org_id)
    org = db.session.get(Organisation, org_id)
    built = [reg_module.build(code, org, today()) for code in reg_module.REGISTERS]
    return render_template("reports/registers.html", orgs=orgs, org=org, built=built)


@bp.route("/registers/<code>.<ext>")
@access.rule("reports.view")
def register_download(code, ext):
    if code not in reg_module.REGISTERS or ext not in ("xlsx", "docx", "html"):
        abort(404)
    org_id = request.args.get("org_id", type=int)
    if org_id is None:
        abort(404)
    access.require("reports.view", org_id)
    org = db.session.get(Organisation, org_id)
    register = reg_module.build(code, org, today())
    name = f"{code}_{org_id}_{today().isoformat()}.{ext}"
    if ext == "xlsx":
        return _download(reg_module.to_xlsx(register), name, XLSX)
    if ext == "docx":
        return _download(reg_module.to_docx(register), name, DOCX)
    html = render_template("reports/register_public.html", register=register)
    return _download(html.encode(), name, "text/html")


# --- Dashboard ---------------------------------------------------------------------------------------------


@bp.route("/dashboard")
@access.rule("reports.view")
def dashboard():
    return render_template("reports/dashboard.html", **dashboard_context(current_user, full=True, indicator_code=request.args.get("indicator")))
