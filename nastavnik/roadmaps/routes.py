from __future__ import annotations

import io
import json
from collections import defaultdict

from flask import abort, current_app, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.periods import AcademicYear
from nastavnik.roadmaps import bp, editing, export, fulfilment, mapping, oddities
from nastavnik.roadmaps.deadlines import MONTHS_NOMINATIVE, parse_deadline
from nastavnik.roadmaps.forms import (
    AdoptForm,
    EvidenceForm,
    HeaderForm,
    ImportMapForm,
    ImportUploadForm,
    ItemEditForm,
    LinkForm,
    SectionForm,
    SplitForm,
    StatusForm,
    year_choices,
)
from nastavnik.roadmaps.models import STATUSES, Roadmap, RoadmapEvidence, RoadmapItem, RoadmapSection
from nastavnik.roadmaps.services import (
    EDITABLE_FIELDS,
    LIST_ORDER,
    RESPONSIBLE_ROLES,
    EvidenceError,
    StatusRefused,
    add_file,
    add_link,
    can_edit,
    can_see_item,
    can_view,
    can_work_on,
    create_roadmap,
    deadline_display,
    delete_roadmap,
    earlier_adoptions,
    edit_item,
    evidence_file,
    my_items_query,
    own_draft,
    plan,
    plan_date,
    plan_headings,
    preload_shares,
    roadmaps_listing,
    rollup,
    school_summary,
    schools_below,
    set_flag_checked,
    set_status,
    share_counts,
    staff_choices,
    status_counts,
    status_counts_of,
    status_rows,
    template_label,
    templates,
    to_draft,
)
from nastavnik.roadmaps.tables import TableImportError, read_docx_tables, read_pasted_table, read_xlsx_table
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, parse_version
from nastavnik.web.htmx import is_htmx, redirect_to, render_partial
from nastavnik.web.paging import paginate
from nastavnik.web.uploads import UploadReader, UploadRejected, display_name
from nastavnik.web.words import plural

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


def _work_item(item_id: int, work: bool = False) -> RoadmapItem:
    """An item the user sees: through the roadmap, or as the person named responsible for it (a
    teacher without any roadmap permission); ``work``: may also set its status and add evidence."""
    item = db.session.get(RoadmapItem, item_id)
    if item is None or not can_see_item(current_user, item):
        abort(404)
    if work and not can_work_on(current_user, item):
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


def _row_context(item: RoadmapItem, offers: dict | None = None, **extra) -> dict:
    """What one plan row shows; ``offers`` are the page's evaluated links (fulfilment.evaluate), else
    this row's link is checked on its own."""
    editable = can_edit(current_user, item.roadmap)
    if offers is None:
        offers = fulfilment.evaluate([item])
    context = dict(
        item=item,
        day=today(),
        statuses=STATUSES,
        deadline_display=deadline_display,
        can_edit=editable,
        can_work=editable or can_work_on(current_user, item),
        roles=RESPONSIBLE_ROLES,
        form=_status_form(item),
        evidence_form=EvidenceForm(formdata=None),
        message="",
        evidence_error="",
        offer=offers.get(item.id),
        suggestions=fulfilment.suggested_rules(item) if editable and item.link is None else [],
        merge=editable and editing.can_merge(item),
        failed=False,
    )
    context.update(extra)
    return context


def _detail_context(roadmap: Roadmap, overrides: dict | None = None) -> dict:
    day = today()
    preload_shares(roadmap)
    items = roadmap.items()
    offers = fulfilment.evaluate(items)
    return dict(
        roadmap=roadmap,
        day=day,
        counts=status_counts(items, day),
        total=len(items),
        statuses=STATUSES,
        can_edit=can_edit(current_user, roadmap),
        overrides=overrides or {},
        row_context=lambda item, **extra: _row_context(item, offers, **extra),
        children=sorted(roadmap.children, key=lambda r: r.org.title),
        template_title=_template_title,
        headings=plan_headings(roadmap),
    )


def _template_title(code: str) -> str:
    from nastavnik.roadmaps.builtin import BUILTIN_LABELS

    return BUILTIN_LABELS.get(code, code)


def _row_response(item: RoadmapItem, status: int = 200, **extra):
    """The row for htmx (with the plan's counters, swapped out of band); the whole plan (with this
    row's message) for a plain form, or «мои мероприятия» for someone who only works on the item."""
    if is_htmx():
        return render_partial(
            "roadmaps/_item_row.html",
            status=status,
            r=_row_context(item, failed=status >= 400, **extra),
            oob=True,
            **_summary_context(item.roadmap),
        )
    if not can_view(current_user, item.roadmap):
        return _mine_page({item.id: {"failed": status >= 400, **extra}}), status
    context = _detail_context(item.roadmap, {item.id: {"failed": status >= 400, **extra}})
    return render_template("roadmaps/detail.html", **context), status


def _summary_context(roadmap: Roadmap) -> dict:
    day = today()
    preload_shares(roadmap)
    items = roadmap.items()
    return dict(roadmap=roadmap, counts=status_counts(items, day), total=len(items), statuses=STATUSES)


# -- lists ------------------------------------------------------------------------------------------------


@bp.route("/")
@access.rule("roadmaps.view")
def index():
    # A region sees 2,000 roadmaps: a page of them, counted in two GROUP BYs.
    query, params = roadmaps_listing(current_user)
    page = paginate(query, Roadmap, LIST_ORDER, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"],
                    params)
    ids = [r.id for r in page.items]
    return render_template(
        "roadmaps/index.html",
        roadmaps=page.items,
        page=page,
        counts=status_counts_of(ids, today()),
        shares=share_counts(ids),
        statuses=STATUSES,
        can_adopt=access.can(current_user, "roadmaps.edit"),
    )


@bp.route("/mine")
@access.login_only
def mine():
    """Мои мероприятия: also for a teacher named responsible who holds no roadmap permission."""
    return _mine_page()


def _mine_page(overrides: dict | None = None) -> str:
    query = my_items_query(current_user)
    items = (
        db.session.scalars(
            query.order_by(RoadmapItem.due_end, RoadmapItem.id).options(selectinload(RoadmapItem.child_items))
        ).all()
        if query is not None
        else []
    )
    items = [item for item in items if can_see_item(current_user, item)]
    groups: dict[Roadmap, list[RoadmapItem]] = {}
    for item in items:
        groups.setdefault(item.roadmap, []).append(item)
    offers = fulfilment.evaluate(items)
    overrides = overrides or {}
    return render_template(
        "roadmaps/mine.html",
        items=items,
        groups=groups,
        row_context=lambda item: _row_context(item, offers, **overrides.get(item.id, {})),
        can_list=access.can(current_user, "roadmaps.view"),
    )


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
    preview, earlier, warning, schools = None, [], "", []
    status = 200
    if form.validate_on_submit():
        access.require("roadmaps.edit", form.org_id.data)
        code = form.template.data
        draft = templates()[code]
        if form.title.data:
            draft.title = form.title.data
        owner = db.session.get(Organisation, form.org_id.data)
        if draft.level != "school" and owner.is_education:
            draft.level = "school"  # a school adopting a municipal template runs it as its own
        earlier = earlier_adoptions(code, owner.id, form.academic_year.data)
        if request.form.get("action") == "save":
            if earlier and not form.again.data:
                form.again.errors = ["Отметьте, если этот шаблон действительно нужно принять ещё раз."]
                status = 422
            else:
                roadmap = create_roadmap(
                    draft,
                    owner,
                    form.academic_year.data,
                    form.year_count.data,
                    form.shift_dates.data,
                    template_code=code,
                )
                db.session.commit()
                shared = len(roadmap.children)
                note = (
                    f" Мероприятия «ОО» переданы в планы {plural(shared, 'организации', 'организаций', 'организаций')}."
                    if shared
                    else ""
                )
                flash(
                    f"Дорожная карта «{roadmap.title[:80]}» принята на {roadmap.year_label}.{note}", "success"
                )
                return redirect_to(url_for("roadmaps.detail", roadmap_id=roadmap.id))
        own = own_draft(
            draft, owner, form.academic_year.data, form.year_count.data, form.shift_dates.data, True
        )
        preview = plan(own, form.academic_year.data, form.year_count.data)
        warning = _adopt_warning(draft, owner)
        schools = [] if warning or owner.is_education or draft.level == "school" else schools_below(owner.id)
    elif form.is_submitted():
        status = 422
    return render_template(
        "roadmaps/adopt.html",
        form=form,
        preview=preview,
        warning=warning,
        schools=schools,
        earlier=earlier,
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
    """The plan as the document it is: its organisation and year, its text blocks and its own columns
    (seed 003 keeps «Содержание деятельности»), with each item's status as of today."""
    roadmap = _roadmap(roadmap_id)
    context = _detail_context(roadmap)
    return render_template(
        "roadmaps/print.html",
        **context,
        deadline_display=deadline_display,
        plan_date=plan_date,
        columns=export.document_columns(roadmap.columns or [], context["roadmap"].items()),
        blocks=export.text_blocks(to_draft(roadmap)),
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
@access.login_only
def item_row(item_id):
    item = _work_item(item_id)
    return render_partial("roadmaps/_item_row.html", r=_row_context(item))


FUTURE_DONE = "Дата выполнения не может быть позже сегодняшнего дня."


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@access.login_only
def item_status(item_id):
    """Статус мероприятия: куратор, директор — или сотрудник, назначенный ответственным."""
    item = _work_item(item_id, work=True)
    form = _status_form(item, request.form)
    valid = form.validate()
    if valid and form.status.data == "done" and form.done_on.data and form.done_on.data > today():
        form.done_on.errors = [FUTURE_DONE]
        valid = False
    if not valid:
        return _row_response(item, 422, form=form, message="Статус не сохранён: исправьте дату.")
    try:
        set_status(item, form.status.data, form.done_on.data, _version(form.version.data), today())
    except StatusRefused as exc:
        return _row_response(item, 422, message=str(exc))
    except Conflict:
        db.session.refresh(item)
        return _row_response(item, 409, message=CONFLICT)
    return _saved(item, "Сохранено.", f"Статус мероприятия {item.number} «{item.name[:60]}» сохранён.")


def _saved(item: RoadmapItem, message: str, flashed: str | None = None):
    """After a change of one row: the row with its message (HTMX), else back to it with a flash."""
    if is_htmx():
        return _row_response(item, message=message)
    flash(flashed or message, "success")
    return redirect_to(_back(item))


def _back(item: RoadmapItem) -> str:
    """Where a plain form returns: the plan at the row, or «мои мероприятия» for a responsible teacher."""
    if can_view(current_user, item.roadmap):
        return url_for("roadmaps.detail", roadmap_id=item.roadmap_id) + f"#item-{item.id}"
    return url_for("roadmaps.mine") + f"#item-{item.id}"


@bp.route("/items/<int:item_id>/evidence", methods=["POST"])
@access.login_only
def item_evidence(item_id):
    item = _work_item(item_id, work=True)
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
    return _saved(item, "Подтверждение добавлено.")


@bp.route("/evidence/<int:evidence_id>")
@access.login_only
def evidence_download(evidence_id):
    evidence = db.session.get(RoadmapEvidence, evidence_id)
    if evidence is None or not can_see_item(current_user, evidence.item):
        abort(404)
    if evidence.kind == "link":
        return redirect_to(evidence.link_url)
    kept = evidence_file(evidence)
    if not isinstance(kept, bytes) and not kept.is_file():
        abort(404)
    return send_file(
        io.BytesIO(kept) if isinstance(kept, bytes) else kept,
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
        reader = UploadReader(display_name(upload.filename))
        if name.endswith(".docx"):
            tables = read_docx_tables(data, reader)
            return tables[mapping.find_roadmap_table(tables)]
        if name.endswith(".xlsx"):
            return read_xlsx_table(data, reader)
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
    UploadReader().check_table(rows)  # the rows came back from the client: bound them again
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
        except UploadRejected as exc:
            error = f"Таблица не загружена. {exc.message}"
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
    except (TableImportError, UploadRejected) as exc:
        error = f"Таблица не загружена. {exc.message}" if isinstance(exc, UploadRejected) else f"Таблица не загружена: {exc}."
        return render_template(
            "roadmaps/import_upload.html", form=ImportUploadForm(formdata=None), error=error
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
    flash(f"Дорожная карта «{roadmap.title[:80]}» загружена: {plural(len(roadmap.items()), 'мероприятие', 'мероприятия', 'мероприятий')}.", "success")
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
    return _saved(item, "Изменения сохранены.", f"Мероприятие {item.number} «{item.name[:60]}» сохранено.")


def _version(value) -> int | None:
    return parse_version(value)  # junk reads as versioning.UNKNOWN and "0" as 0: a conflict, not an overwrite


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
    return _saved(item, message)


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


# -- the plan's structure: header, sections, adding, deleting, splitting and merging items -----------


def _after_change(roadmap_id: int, message: str, anchor: str = ""):
    flash(message, "success")
    return redirect_to(url_for("roadmaps.detail", roadmap_id=roadmap_id) + anchor)


STRUCTURE_CONFLICT = "Это изменил другой пользователь, ваши изменения не сохранены. В форме — текущие данные."


def _edit_versioned(record, form_class, fields, save, roadmap_id: int, done: tuple[str, str], template, **context):
    """GET: the form with the record and the version seen; POST: saved, or on a stale version 409 with
    the current data in the form (nothing written over)."""
    form = form_class(obj=record if request.method == "GET" else None)
    message = ""
    if request.method == "GET":
        form.version.data = record.version
    elif form.validate():
        values = {name: getattr(form, name).data or "" for name in fields}
        try:
            save(record, values, _version(form.version.data))
        except Conflict:
            db.session.rollback()
            db.session.refresh(record)
            form = form_class(formdata=None, obj=record)
            form.version.data = record.version
            message = STRUCTURE_CONFLICT
        else:
            return _after_change(roadmap_id, *done)
    status = 409 if message else (422 if form.errors else 200)
    return render_template(template, form=form, message=message, **context), status


@bp.route("/<int:roadmap_id>/edit", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def header_edit(roadmap_id):
    """Шапка: название, период, утверждение, «Основные положения», цель, задачи, ожидаемые результаты."""
    roadmap = _roadmap(roadmap_id, edit=True)
    return _edit_versioned(
        roadmap, HeaderForm, editing.HEADER_FIELDS, editing.edit_header, roadmap.id,
        ("Шапка дорожной карты сохранена.", ""), "roadmaps/header_edit.html", roadmap=roadmap,
    )  # fmt: skip


def _section(section_id: int) -> RoadmapSection:
    section = db.session.get(RoadmapSection, section_id)
    if section is None:
        abort(404)
    _roadmap(section.roadmap_id, edit=True)
    return section


@bp.route("/<int:roadmap_id>/sections/new", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def section_new(roadmap_id):
    roadmap = _roadmap(roadmap_id, edit=True)
    form = SectionForm()
    if form.validate_on_submit():
        section = editing.add_section(
            roadmap, {name: getattr(form, name).data or "" for name in editing.SECTION_FIELDS}
        )
        return _after_change(roadmap.id, "Раздел добавлен.", f"#section-{section.id}")
    status = 422 if form.errors else 200
    return render_template(
        "roadmaps/section_edit.html", roadmap=roadmap, section=None, form=form, message=""
    ), status


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def section_edit(section_id):
    """Раздел: номер, название, задача этапа; копии раздела в планах ОО следуют."""
    section = _section(section_id)
    return _edit_versioned(
        section, SectionForm, editing.SECTION_FIELDS, editing.edit_section, section.roadmap_id,
        ("Раздел сохранён.", f"#section-{section.id}"), "roadmaps/section_edit.html",
        roadmap=section.roadmap, section=section,
    )  # fmt: skip


@bp.route("/sections/<int:section_id>/delete", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def section_delete(section_id):
    section = _section(section_id)
    roadmap = section.roadmap
    if request.method == "POST":
        try:
            count = editing.delete_section(section, _version(request.form.get("version")))
        except editing.StructureError as exc:
            flash(str(exc), "error")
            return redirect_to(url_for("roadmaps.detail", roadmap_id=roadmap.id) + f"#section-{section.id}")
        except Conflict:
            db.session.rollback()
            flash(STRUCTURE_CONFLICT, "error")
            return redirect_to(url_for("roadmaps.section_delete", section_id=section_id))
        return _after_change(
            roadmap.id,
            f"Раздел удалён вместе с {plural(count, 'мероприятием', 'мероприятиями', 'мероприятиями')}.",
        )
    return render_template(
        "roadmaps/section_delete.html", roadmap=roadmap, section=section, **_loss(section.items)
    )


def _loss(items: list[RoadmapItem]) -> dict:
    """What deleting these items (and the schools' copies of them) would take away."""
    everything = items + [copy for item in items for copy in item.child_items]
    return dict(
        done=sum(1 for item in everything if item.status == "done"),
        evidence=sum(len(item.evidence) for item in everything),
        copies=sum(len(item.child_items) for item in items),
    )


@bp.route("/sections/<int:section_id>/items/new", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def item_new(section_id):
    """Добавить мероприятие в конец раздела: срок читается так же, как у остальных."""
    section = _section(section_id)
    form = ItemEditForm(prefix="new")
    form.responsible_person_id.choices = [(0, "— не выбран (по тексту) —")] + staff_choices(
        section.roadmap.org_id
    )
    if form.validate_on_submit():
        values = {name: getattr(form, name).data or "" for name in EDITABLE_FIELDS}
        item = editing.add_item(section, values, form.responsible_person_id.data or None)
        return _after_change(
            section.roadmap_id, f"Мероприятие «{item.name[:60]}» добавлено.", f"#item-{item.id}"
        )
    status = 422 if form.errors else 200
    return render_template(
        "roadmaps/item_new.html", roadmap=section.roadmap, section=section, form=form
    ), status


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def item_delete(item_id):
    item = _item(item_id, edit=True)
    roadmap_id = item.roadmap_id
    error = ""
    if request.method == "POST":
        try:
            editing.delete_item(item, _version(request.form.get("version")))
        except editing.StructureError as exc:
            error = str(exc)
        except Conflict:
            db.session.rollback()
            db.session.refresh(item)
            error = CONFLICT
        else:
            return _after_change(roadmap_id, f"Мероприятие {item.number} «{item.name[:60]}» удалено.")
    return render_template(
        "roadmaps/item_delete.html", roadmap=item.roadmap, item=item, error=error, **_loss([item])
    ), (422 if error else 200)


@bp.route("/items/<int:item_id>/split", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def item_split(item_id):
    """Разделить строку на несколько мероприятий (после импорта таблицы «этап | содержание»)."""
    item = _item(item_id, edit=True)
    form = SplitForm()
    error = ""
    if request.method == "GET":
        form.parts.data = "\n\n".join(editing.suggest_parts(item.name))
        form.version.data = item.version
    elif form.validate():
        try:
            items = editing.split_item(item, form.parts.data, _version(form.version.data))
        except editing.StructureError as exc:
            error = str(exc)
        except Conflict:
            db.session.rollback()
            db.session.refresh(item)
            error = CONFLICT
        else:
            count = plural(len(items), "мероприятие", "мероприятия", "мероприятий")
            return _after_change(item.roadmap_id, f"Строка разделена: {count}.", f"#item-{item.id}")
    status = 422 if (error or form.errors) else 200
    return render_template(
        "roadmaps/item_split.html", roadmap=item.roadmap, item=item, form=form, error=error
    ), status


@bp.route("/items/<int:item_id>/merge", methods=["POST"])
@access.rule("roadmaps.edit")
def item_merge(item_id):
    """Присоединить строку (отмеченную как продолжение) к мероприятию над ней."""
    item = _item(item_id, edit=True)
    try:
        previous = editing.merge_into_previous(item, _version(request.form.get("version")))
    except editing.StructureError as exc:
        return _row_response(item, 422, message=str(exc))
    except Conflict:
        db.session.rollback()
        db.session.refresh(item)
        return _row_response(item, 409, message=CONFLICT)
    return _after_change(previous.roadmap_id, "Строка присоединена к мероприятию выше.", f"#item-{previous.id}")


# -- the app function behind an item: link, lazy check, offer and confirmation ------------------------


def _link_form(item: RoadmapItem, formdata=None) -> tuple[LinkForm, list, list]:
    form = LinkForm(formdata=formdata, prefix=f"link{item.id}")
    suggested = fulfilment.suggested_rules(item)
    others = sorted((r for r in fulfilment.rules().values() if r not in suggested), key=lambda r: r.title)
    form.rule.choices = [("", "")] + [(r.code, r.title) for r in suggested + others]
    if formdata is None and item.link is not None:
        form.rule.data = item.link.rule_code
    return form, suggested, others


def _link_response(item: RoadmapItem, form, suggested, others, records=None, status=200, message=""):
    context = dict(
        item=item,
        form=form,
        suggested=suggested,
        others=others,
        records=records,
        message=message,
        rules=fulfilment.rules(),
        colspan=7,
    )
    if is_htmx():
        return render_partial("roadmaps/_item_link_row.html", status=status, **context)
    return render_template("roadmaps/item_link.html", roadmap=item.roadmap, **context), status


@bp.route("/items/<int:item_id>/link", methods=["GET", "POST"])
@access.rule("roadmaps.edit")
def item_link(item_id):
    """Связать мероприятие с функцией приложения: выбрать правило, затем (если нужно) запись."""
    item = _item(item_id, edit=True)
    if request.method == "GET":
        form, suggested, others = _link_form(item)
        return _link_response(item, form, suggested, others)
    form, suggested, others = _link_form(item, request.form)
    if not form.validate():
        return _link_response(item, form, suggested, others, status=422)
    rule = fulfilment.rules()[form.rule.data]
    records = fulfilment.records_of(rule, item.roadmap.org_id)
    if not records:
        form.rule.errors = ["Для этой организации пока нет записей, с которыми можно связать мероприятие."]
        return _link_response(item, form, suggested, others, status=422)
    choices = [("" if record_id is None else str(record_id), title) for record_id, title in records]
    chosen = request.form.get(form.record.name)
    if chosen is None and len(records) > 1:
        form.record.choices = choices
        return _link_response(item, form, suggested, others, records=choices)
    if chosen is None:
        chosen = choices[0][0]
    try:
        record_id = int(chosen) if chosen else None
        fulfilment.set_link(item, rule, record_id, current_user)
    except (ValueError, fulfilment.FulfilmentError):
        form.record.choices = choices
        form.record.errors = ["Выберите запись из списка."]
        return _link_response(item, form, suggested, others, records=choices, status=422)
    message = f"Мероприятие связано: «{rule.title}»."
    return _saved(item, message)


@bp.route("/items/<int:item_id>/unlink", methods=["POST"])
@access.rule("roadmaps.edit")
def item_unlink(item_id):
    item = _item(item_id, edit=True)
    fulfilment.remove_link(item)
    message = "Связь с функцией приложения снята."
    return _saved(item, message)


@bp.route("/items/<int:item_id>/fulfilment")
@access.login_only
def item_fulfilment(item_id):
    """The check of one item's link, run on its own: lazily for a long plan (HTMX), or as a page."""
    item = _work_item(item_id)
    offer = fulfilment.evaluate([item], inline=1).get(item.id)
    context = dict(
        item=item,
        offer=offer,
        can_edit=can_edit(current_user, item.roadmap),
        can_view=can_view(current_user, item.roadmap),
        in_row=is_htmx(),
    )
    if is_htmx():
        return render_partial("roadmaps/_fulfilment.html", r=context)
    return render_template("roadmaps/item_fulfilment.html", roadmap=item.roadmap, r=context)


@bp.route("/items/<int:item_id>/fulfil", methods=["POST"])
@access.rule("roadmaps.edit")
def item_fulfil(item_id):
    """Куратор подтверждает: отметить выполненным по данным приложения, с подтверждениями записи."""
    item = _item(item_id, edit=True)
    try:
        check = fulfilment.confirm(item, current_user, _version(request.form.get("version")), today())
    except fulfilment.FulfilmentError as exc:
        db.session.rollback()
        return _row_response(item, 422, message=str(exc))
    except Conflict:
        db.session.refresh(item)
        return _row_response(item, 409, message=CONFLICT)
    message = f"Отмечено выполненным: {check.summary}. Подтверждения добавлены."
    return _saved(item, message)
