from __future__ import annotations

import io
import json
from collections import defaultdict

from flask import abort, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.periods import AcademicYear
from nastavnik.roadmaps import bp, export, mapping, oddities
from nastavnik.roadmaps.deadlines import MONTHS_NOMINATIVE, parse_deadline
from nastavnik.roadmaps.forms import (
    AdoptForm,
    EvidenceForm,
    ImportMapForm,
    ImportUploadForm,
    ItemEditForm,
    StatusForm,
    year_choices,
)
from nastavnik.roadmaps.models import STATUSES, Roadmap, RoadmapEvidence, RoadmapItem
from nastavnik.roadmaps.services import (
    EDITABLE_FIELDS,
    RESPONSIBLE_ROLES,
    EvidenceError,
    add_file,
    add_link,
    can_edit,
    can_view,
    create_roadmap,
    deadline_display,
    delete_roadmap,
    edit_item,
    my_items_query,
    plan,
    rollup,
    school_summary,
    schools_below,
    set_flag_checked,
    set_status,
    staff_choices,
    status_counts,
    status_rows,
    template_label,
    templates,
    to_draft,
    visible_roadmaps_query,
)
from nastavnik.roadmaps.tables import TableImportError, read_docx_tables, read_pasted_table, read_xlsx_table
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict
from nastavnik.web.htmx import is_htmx, redirect_to, render_partial

CONFLICT = "Мероприятие изменил другой пользователь. Ниже — текущие данные; повторите изменение."
EDIT_CONFLICT = (
    "Мероприятие изменил другой пользователь, ваши изменения не сохранены. "
    "В форме — текущий текст; внесите исправление ещё раз."
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# -- helpers --------------------------------------------------------------------------------------------


def _roadmap(roadmap_id: int, edit: bool = False) -> Roadmap:
    roadmap = db.session.get(Roadmap, roadmap_id)
    if roadmap is None or not can_view(current_user, roadmap):
        abort(404)
    if edit and not can_edit(current_user, roadmap):
        abort(403)
    return roadmap


def _item(item_id: int, edit: bool = False) -> RoadmapItem:
    item = db.session.get(RoadmapItem, item_id)
    if item is None or not can_view(current_user, item.roadmap):
        abort(404)
    if edit and not can_edit(current_user, item.roadmap):
        abort(403)
    return item


def _org_choices(permission: str) -> list[tuple[int, str]]:
    orgs = db.session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(access.scope(current_user, permission)), ~Organisation.archived)
        .order_by(Organisation.name)
    ).all()
    return [(o.id, f"{o.title} ({o.kind_title})") for o in orgs if o.kind != "partner"]


def _status_form(item: RoadmapItem, formdata=None) -> StatusForm:
    form = StatusForm(formdata=formdata, obj=None if formdata else item)
    if formdata is None:
        form.version.data = item.version
    return form


def _row_context(item: RoadmapItem, **extra) -> dict:
    context = dict(
        item=item,
        day=today(),
        statuses=STATUSES,
        deadline_display=deadline_display,
        can_edit=can_edit(current_user, item.roadmap),
        roles=RESPONSIBLE_ROLES,
        form=_status_form(item),
        evidence_form=EvidenceForm(formdata=None),
        message="",
        evidence_error="",
    )
    context.update(extra)
    return context


def _detail_context(roadmap: Roadmap, overrides: dict | None = None) -> dict:
    day = today()
    items = roadmap.items()
    return dict(
        roadmap=roadmap,
        day=day,
        counts=status_counts(items, day),
        total=len(items),
        statuses=STATUSES,
        can_edit=can_edit(current_user, roadmap),
        overrides=overrides or {},
        row_context=_row_context,
        children=sorted(roadmap.children, key=lambda r: r.org.title),
        template_title=_template_title,
    )


def _template_title(code: str) -> str:
    from nastavnik.roadmaps.builtin import BUILTIN_LABELS

    return BUILTIN_LABELS.get(code, code)


def _row_response(item: RoadmapItem, status: int = 200, **extra):
    """The row for htmx; the whole plan (with this row's message) for a plain form."""
    if is_htmx():
        return render_partial("roadmaps/_item_row.html", status=status, r=_row_context(item, **extra))
    context = _detail_context(item.roadmap, {item.id: extra})
    return render_template("roadmaps/detail.html", **context), status


# -- lists ------------------------------------------------------------------------------------------------


@bp.route("/")
@access.rule("roadmaps.view")
def index():
    roadmaps = db.session.scalars(
        visible_roadmaps_query(current_user).order_by(Roadmap.created_at.desc(), Roadmap.id.desc())
    ).all()
    day = today()
    counts = {r.id: status_counts(r.items(), day) for r in roadmaps}
    return render_template(
        "roadmaps/index.html",
        roadmaps=_shares_after_parents(roadmaps),
        counts=counts,
        statuses=STATUSES,
        can_adopt=access.can(current_user, "roadmaps.edit"),
    )


def _shares_after_parents(roadmaps: list[Roadmap]) -> list[Roadmap]:
    """Each school's share right under the municipal roadmap it came from (when that one is listed)."""
    listed = {r.id for r in roadmaps}
    ordered = []
    for roadmap in roadmaps:
        if roadmap.parent_roadmap_id in listed:
            continue
        ordered.append(roadmap)
        ordered += sorted((c for c in roadmap.children if c.id in listed), key=lambda c: c.org.title)
    return ordered


@bp.route("/mine")
@access.rule("roadmaps.view")
def mine():
    query = my_items_query(current_user)
    items = (
        db.session.scalars(query.order_by(RoadmapItem.due_end, RoadmapItem.id)).all()
        if query is not None
        else []
    )
    items = [item for item in items if can_view(current_user, item.roadmap)]
    groups: dict[Roadmap, list[RoadmapItem]] = {}
    for item in items:
        groups.setdefault(item.roadmap, []).append(item)
    return render_template("roadmaps/mine.html", items=items, groups=groups, row_context=_row_context)


# -- adopting a template ----------------------------------------------------------------------------------


def _adopt_form() -> AdoptForm:
    form = AdoptForm()
    found = templates()
    form.template.choices = [(code, template_label(code, draft)) for code, draft in found.items()]
    form.org_id.choices = _org_choices("roadmaps.edit")
    form.academic_year.choices = year_choices()
    if request.method == "GET":
        form.academic_year.data = AcademicYear.of(today()).start_year
        form.template.data = request.args.get("template") or None
        form.org_id.data = _default_owner(form.org_id.choices, found.get(form.template.data or ""))
    return form


def _default_owner(choices: list[tuple[int, str]], draft) -> int | None:
    """A municipal template goes to the organisation that has schools under it (the МКУ УО, not the
    ИМО beside it); a school template to the user's first school."""
    ids = [org_id for org_id, _ in choices]
    if draft is not None and draft.level != "school":
        with_schools = [org_id for org_id in ids if schools_below(org_id)]
        if with_schools:
            return with_schools[0]
    schools = [org_id for org_id in ids if db.session.get(Organisation, org_id).is_education]
    return (schools or ids or [None])[0]


def _adopt_warning(draft, owner: Organisation) -> str:
    if draft.level == "school" or owner.is_education:
        return ""
    if not schools_below(owner.id):
        return (
            f"Под «{owner.title}» нет образовательных организаций: мероприятия с ответственным «ОО» "
            "никому не будут переданы. Муниципальный шаблон принимает орган управления образованием, "
            "которому подчинены школы."
        )
    return ""


@bp.route("/adopt", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def adopt():
    """Принять шаблон: сначала предпросмотр датированных мероприятий, затем сохранение."""
    form = _adopt_form()
    preview = None
    if form.validate_on_submit():
        access.require("roadmaps.edit", form.org_id.data)
        draft = templates()[form.template.data]
        if form.title.data:
            draft.title = form.title.data
        if request.form.get("action") == "save":
            owner = db.session.get(Organisation, form.org_id.data)
            if draft.level != "school" and owner.is_education:
                draft.level = "school"  # a school adopting a municipal template runs it as its own
            roadmap = create_roadmap(
                draft,
                owner,
                form.academic_year.data,
                form.year_count.data,
                form.shift_dates.data,
                template_code=form.template.data,
            )
            db.session.commit()
            shared = len(roadmap.children)
            note = f" Мероприятия «ОО» переданы в планы {shared} организаций." if shared else ""
            flash(f"Дорожная карта «{roadmap.title[:80]}» принята на {roadmap.year_label}.{note}", "success")
            return redirect_to(url_for("roadmaps.detail", roadmap_id=roadmap.id))
        preview = plan(draft, form.academic_year.data, form.year_count.data, form.shift_dates.data)
        owner = db.session.get(Organisation, form.org_id.data)
        warning = _adopt_warning(draft, owner)
        schools = [] if warning or owner.is_education or draft.level == "school" else schools_below(owner.id)
    else:
        warning, schools = "", []
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(
        "roadmaps/adopt.html",
        form=form,
        preview=preview,
        warning=warning,
        schools=schools,
        templates=templates(),
        roles=RESPONSIBLE_ROLES,
    ), status


# -- one roadmap -------------------------------------------------------------------------------------------


@bp.route("/<int:roadmap_id>")
@access.rule("roadmaps.view")
def detail(roadmap_id):
    roadmap = _roadmap(roadmap_id)
    return render_template("roadmaps/detail.html", **_detail_context(roadmap))


@bp.route("/<int:roadmap_id>/print")
@access.rule("roadmaps.view")
def print_view(roadmap_id):
    roadmap = _roadmap(roadmap_id)
    return render_template(
        "roadmaps/print.html", **_detail_context(roadmap), deadline_display=deadline_display
    )


def _month_key(item: RoadmapItem) -> tuple[int, int] | None:
    return (item.due_end.year, item.due_end.month) if item.due_end else None


@bp.route("/<int:roadmap_id>/timeline")
@access.rule("roadmaps.view")
def timeline(roadmap_id):
    """По месяцам срока; мероприятия без даты — отдельным списком."""
    roadmap = _roadmap(roadmap_id)
    months: dict = defaultdict(list)
    undated = []
    for item in roadmap.items():
        key = _month_key(item)
        (months[key] if key else undated).append(item)
    ordered = [(f"{MONTHS_NOMINATIVE[m].capitalize()} {y}", months[(y, m)]) for y, m in sorted(months)]
    return render_template(
        "roadmaps/timeline.html",
        **_detail_context(roadmap),
        view="timeline",
        months=ordered,
        undated=undated,
        deadline_display=deadline_display,
    )


@bp.route("/<int:roadmap_id>/rollup")
@access.rule("roadmaps.view")
def rollup_view(roadmap_id):
    roadmap = _roadmap(roadmap_id)
    if roadmap.org_id not in access.scope(current_user, "roadmaps.view"):
        abort(404)  # a school sees its own share, not the other schools' progress
    return render_template(
        "roadmaps/rollup.html",
        **_detail_context(roadmap),
        view="rollup",
        schools=school_summary(roadmap, today()),
        rollups=rollup(roadmap, today()),
        deadline_display=deadline_display,
    )


def _export_name(roadmap: Roadmap, extension: str) -> str:
    return f"dorozhnaya_karta_{roadmap.id}.{extension}"


@bp.route("/<int:roadmap_id>/export.docx")
@access.rule("roadmaps.view")
def export_docx(roadmap_id):
    roadmap = _roadmap(roadmap_id)
    data = export.export_docx(to_draft(roadmap), status_rows(roadmap, today()))
    return send_file(
        io.BytesIO(data), as_attachment=True, download_name=_export_name(roadmap, "docx"), mimetype=DOCX
    )


@bp.route("/<int:roadmap_id>/export.xlsx")
@access.rule("roadmaps.view")
def export_xlsx(roadmap_id):
    roadmap = _roadmap(roadmap_id)
    data = export.export_xlsx(to_draft(roadmap), status_rows(roadmap, today()))
    return send_file(
        io.BytesIO(data), as_attachment=True, download_name=_export_name(roadmap, "xlsx"), mimetype=XLSX
    )


# -- items: status and evidence ----------------------------------------------------------------------------


@bp.route("/items/<int:item_id>/row")
@access.rule("roadmaps.view")
def item_row(item_id):
    item = _item(item_id)
    return render_partial("roadmaps/_item_row.html", r=_row_context(item))


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@access.rule("roadmaps.edit")
def item_status(item_id):
    item = _item(item_id, edit=True)
    form = _status_form(item, request.form)
    if not form.validate():
        return _row_response(item, 422, form=form, message="Статус не сохранён: исправьте дату.")
    try:
        version = int(form.version.data) if form.version.data else None
    except ValueError:
        version = None
    try:
        set_status(item, form.status.data, form.done_on.data, version, today())
    except Conflict:
        db.session.refresh(item)
        return _row_response(item, 409, message=CONFLICT)
    if not is_htmx():
        flash(f"Статус мероприятия {item.number} «{item.name[:60]}» сохранён.", "success")
        return redirect_to(url_for("roadmaps.detail", roadmap_id=item.roadmap_id) + f"#item-{item.id}")
    return render_partial("roadmaps/_item_row.html", r=_row_context(item, message="Сохранено."))


@bp.route("/items/<int:item_id>/evidence", methods=["POST"])
@access.rule("roadmaps.edit")
def item_evidence(item_id):
    item = _item(item_id, edit=True)
    form = EvidenceForm()
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            add_file(item, upload.filename, upload.read(), form.title.data or "", current_user)
        else:
            add_link(item, form.link_url.data or "", form.title.data or "", current_user)
    except EvidenceError as exc:
        db.session.rollback()
        return _row_response(item, 422, evidence_form=form, evidence_error=str(exc))
    if not is_htmx():
        flash("Подтверждение добавлено.", "success")
        return redirect_to(url_for("roadmaps.detail", roadmap_id=item.roadmap_id) + f"#item-{item.id}")
    return render_partial("roadmaps/_item_row.html", r=_row_context(item, message="Подтверждение добавлено."))


@bp.route("/evidence/<int:evidence_id>")
@access.rule("roadmaps.view")
def evidence_download(evidence_id):
    evidence = db.session.get(RoadmapEvidence, evidence_id)
    if evidence is None or not can_view(current_user, evidence.item.roadmap):
        abort(404)
    if evidence.kind == "link":
        return redirect_to(evidence.link_url)
    return send_file(
        io.BytesIO(evidence.content or b""),
        as_attachment=True,
        download_name=evidence.filename,
        mimetype=evidence.content_type or "application/octet-stream",
    )


# -- import --------------------------------------------------------------------------------------------------


def _read_upload(form: ImportUploadForm) -> list[list[str]]:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read()
        name = upload.filename.lower()
        if name.endswith(".docx"):
            tables = read_docx_tables(data)
            return tables[mapping.find_roadmap_table(tables)]
        if name.endswith(".xlsx"):
            return read_xlsx_table(data)
        raise TableImportError("можно загрузить документ Word (.docx) или книгу Excel (.xlsx)")
    return read_pasted_table(form.text.data or "")


def _map_form(rows: list[list[str]] | None = None) -> ImportMapForm:
    form = ImportMapForm(formdata=None if rows is not None else request.form)
    form.org_id.choices = _org_choices("roadmaps.edit")
    form.academic_year.choices = year_choices()
    if rows is not None:
        form.rows_json.data = json.dumps(rows, ensure_ascii=False)
        form.header_row.data = mapping.find_header_row(rows)
        form.academic_year.data = AcademicYear.of(today()).start_year
        form.title.data = "Дорожная карта"
    return form


def _column_mapping(rows: list[list[str]], header_row: int) -> dict[int, str]:
    width = max((len(row) for row in rows), default=0)
    if request.form.get("col_0") is not None and request.form.get("remap") != "1":
        return {i: request.form.get(f"col_{i}", mapping.IGNORE) for i in range(width)}
    if header_row == mapping.NO_HEADER or header_row >= len(rows):
        return {i: mapping.IGNORE for i in range(width)}
    return mapping.guess_mapping(rows[header_row])


def _rows_from_form(form: ImportMapForm) -> list[list[str]]:
    try:
        rows = json.loads(form.rows_json.data or "")
    except ValueError:
        rows = None
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and all(isinstance(c, str) for c in r) for r in rows
    ):
        raise TableImportError("данные таблицы потеряны — загрузите файл ещё раз")
    return rows


def _preview(rows, columns, header_row):
    """(draft, preview rows with deadline labels and flags) or a MappingError."""
    draft = mapping.build_draft(rows, columns, header_row)
    oddities.check(draft)
    previews = mapping.preview_rows(rows, columns, header_row)
    items = iter(draft.items())
    shown = []
    for row in previews:
        item = next(items) if row.kind == mapping.ITEM else None
        label = parse_deadline(item.deadline_text).label if item else ""
        shown.append((row, item, label))
    return draft, shown


@bp.route("/import", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def import_table():
    """Импорт: шаг 1 — файл или вставка; шаг 2 — колонки, предпросмотр, сохранение."""
    if request.method == "POST" and request.form.get("step") == "map":
        return _import_map()
    form = ImportUploadForm()
    error = ""
    if form.is_submitted():
        try:
            rows = _read_upload(form)
        except TableImportError as exc:
            error = f"Таблица не загружена: {exc}."
        else:
            map_form = _map_form(rows)
            return _render_map(map_form, rows)
    return render_template("roadmaps/import_upload.html", form=form, error=error), 422 if error else 200


def _render_map(form: ImportMapForm, rows, error: str = "", status: int = 200):
    header_row = form.header_row.data if form.header_row.data is not None else mapping.NO_HEADER
    columns = _column_mapping(rows, header_row)
    draft, shown = None, []
    try:
        draft, shown = _preview(rows, columns, header_row)
    except mapping.MappingError as exc:
        error = error or f"Сопоставление колонок: {exc}."
        status = 422 if status == 200 and request.form.get("action") == "save" else status
    return render_template(
        "roadmaps/import_map.html",
        form=form,
        rows=rows,
        columns=columns,
        fields=mapping.FIELD_LABELS,
        draft=draft,
        shown=shown,
        error=error,
        flags=oddities.all_flags(draft) if draft else [],
        width=max((len(r) for r in rows), default=0),
    ), status


def _import_map():
    form = _map_form()
    try:
        rows = _rows_from_form(form)
    except TableImportError as exc:
        return render_template(
            "roadmaps/import_upload.html",
            form=ImportUploadForm(formdata=None),
            error=f"Таблица не загружена: {exc}.",
        ), 422
    if request.form.get("action") != "save":
        return _render_map(form, rows)
    if not form.validate():
        return _render_map(form, rows, "Дорожная карта не сохранена: исправьте отмеченные поля.", 422)
    access.require("roadmaps.edit", form.org_id.data)
    columns = _column_mapping(rows, form.header_row.data)
    try:
        draft = mapping.build_draft(
            rows, columns, form.header_row.data, title=form.title.data, level=form.level.data
        )
    except mapping.MappingError as exc:
        return _render_map(form, rows, f"Дорожная карта не сохранена: {exc}.", 422)
    if not draft.items():
        return _render_map(
            form, rows, "Дорожная карта не сохранена: в таблице нет ни одного мероприятия.", 422
        )
    owner = db.session.get(Organisation, form.org_id.data)
    roadmap = create_roadmap(
        draft, owner, form.academic_year.data, form.year_count.data, shift_dates=form.shift_dates.data
    )
    db.session.commit()
    flash(f"Дорожная карта «{roadmap.title[:80]}» загружена: {len(roadmap.items())} мероприятий.", "success")
    return redirect_to(url_for("roadmaps.detail", roadmap_id=roadmap.id))


# -- editing an item: the document's words, flags, the responsible person ------------------------------


def _edit_form(item: RoadmapItem, formdata=None) -> ItemEditForm:
    # The prefix keeps ids unique when several rows of a plan are open for editing at once.
    form = ItemEditForm(formdata=formdata, obj=None if formdata else item, prefix=f"item{item.id}")
    form.responsible_person_id.choices = [(0, "— не выбран (по тексту) —")] + staff_choices(
        item.roadmap.org_id
    )
    if formdata is None:
        form.version.data = item.version
        form.responsible_person_id.data = item.responsible_person_id or 0
    return form


def _edit_response(item: RoadmapItem, form: ItemEditForm, status: int = 200, message: str = ""):
    context = dict(item=item, form=form, message=message, colspan=7)
    if is_htmx():
        return render_partial("roadmaps/_item_edit_row.html", status=status, **context)
    return render_template("roadmaps/item_edit.html", roadmap=item.roadmap, **context), status


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def item_edit(item_id):
    """Исправить текст мероприятия (номер, наименование, срок …): срок читается заново, отметки пересчитываются."""
    item = _item(item_id, edit=True)
    if request.method == "GET":
        return _edit_response(item, _edit_form(item))
    form = _edit_form(item, request.form)
    if not form.validate():
        return _edit_response(item, form, 422, "Не сохранено: исправьте отмеченные поля.")
    values = {name: getattr(form, name).data or "" for name in EDITABLE_FIELDS}
    try:
        edit_item(item, values, form.responsible_person_id.data or None, _version(form.version.data))
    except Conflict:
        db.session.rollback()
        db.session.refresh(item)
        return _edit_response(item, _edit_form(item), 409, EDIT_CONFLICT)
    if not is_htmx():
        flash(f"Мероприятие {item.number} «{item.name[:60]}» сохранено.", "success")
        return redirect_to(url_for("roadmaps.detail", roadmap_id=item.roadmap_id) + f"#item-{item.id}")
    return render_partial("roadmaps/_item_row.html", r=_row_context(item, message="Изменения сохранены."))


def _version(value) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@bp.route("/items/<int:item_id>/flags", methods=["POST"])
@access.rule("roadmaps.edit")
def item_flag(item_id):
    """Отметить «⚑» как проверенную (документ так и задуман) или вернуть её."""
    item = _item(item_id, edit=True)
    flag = request.form.get("flag", "")
    checked = request.form.get("action") != "uncheck"
    try:
        set_flag_checked(item, flag, checked, _version(request.form.get("version")))
    except Conflict:
        db.session.refresh(item)
        return _row_response(item, 409, message=CONFLICT)
    message = "Отмечено как проверенное." if checked else "Отметка снова требует проверки."
    if not is_htmx():
        flash(message, "success")
        return redirect_to(url_for("roadmaps.detail", roadmap_id=item.roadmap_id) + f"#item-{item.id}")
    return render_partial("roadmaps/_item_row.html", r=_row_context(item, message=message))


# -- deleting a roadmap -----------------------------------------------------------------------------------


@bp.route("/<int:roadmap_id>/delete", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def delete(roadmap_id):
    """Удалить дорожную карту (например, принятую не той организацией) — после подтверждения."""
    roadmap = _roadmap(roadmap_id, edit=True)
    if roadmap.parent_roadmap_id is not None:
        flash("Долю ОО в муниципальной дорожной карте удаляет владелец всей карты.", "error")
        return redirect_to(url_for("roadmaps.detail", roadmap_id=roadmap.id))
    if request.method == "POST":
        title = roadmap.title
        shares = delete_roadmap(roadmap)
        note = f" вместе с планами {shares} ОО" if shares else ""
        flash(f"Дорожная карта «{title[:80]}» удалена{note}.", "success")
        return redirect_to(url_for("roadmaps.index"))
    items = roadmap.items() + [item for child in roadmap.children for item in child.items()]
    return render_template(
        "roadmaps/delete.html",
        roadmap=roadmap,
        done=sum(1 for item in items if item.status == "done"),
        evidence=sum(len(item.evidence) for item in items),
    )
