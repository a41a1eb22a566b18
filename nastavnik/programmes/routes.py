"""Маршруты программ: каждая страница и каждый фрагмент проверяют доступ через services.require_pair."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from nastavnik import access
from nastavnik.dashboard.cache import cached
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import LIVE_STATUSES, Pair
from nastavnik.pairs.services import pairs_by_id
from nastavnik.periods import AcademicYear
from nastavnik.programmes import bp
from nastavnik.programmes.forms import (
    CompletionForm,
    FeedbackForm,
    MeetingForm,
    PlanItemForm,
    ProgrammeForm,
    UseSampleForm,
)
from nastavnik.programmes.models import (
    MEETING_FORMATS,
    MEETING_KINDS,
    PLAN_STATUSES,
    Meeting,
    PlanItem,
    Programme,
)
from nastavnik.programmes.services import (
    NEWEST_FIRST,
    PROGRAMME_FIELDS,
    AlreadyExists,
    add_item,
    allows,
    as_template,
    complete,
    create_programme,
    find_template,
    kind_missing,
    kind_title,
    may_reuse_practices,
    meetings_of,
    member_pair_ids,
    member_role,
    mentee_prefill,
    missing_feedback,
    next_item,
    open_at_completion,
    own_pairs,
    pair_access,
    pair_title,
    practice_or_404,
    practices,
    programme_of,
    programmes_by_pair,
    programmes_page,
    redate_plan,
    require_pair,
    sorted_items,
    start_of,
    summer_warning,
    template_plan,
    templates_for,
    without_programme_figures,
)
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, check_version, commit_or_conflict, parse_version, save_versioned
from nastavnik.web.htmx import is_htmx, redirect_to, render_page_or_partial, render_partial
from nastavnik.web.urls import id_url
from nastavnik.web.words import plural

CONFLICT = (
    "Программу изменил другой пользователь, пока вы её редактировали. Ниже — текущие данные; "
    "внесите своё изменение ещё раз."
)
ROW_CONFLICT = (
    "Этот пункт плана изменил другой пользователь, пока вы его правили. Показаны текущие данные; "
    "внесите своё изменение ещё раз."
)
MEETING_CONFLICT = (
    "Встречу изменил другой пользователь, пока вы её редактировали. Показаны текущие данные; "
    "внесите своё изменение ещё раз."
)
FORMING_WARNING = (
    "Внимание: пара ещё не закреплена приказом (статус «формируется»). Встреча записана, "
    "но пара станет активной только после приказа о закреплении."
)


@bp.app_context_processor
def _helpers():
    return dict(
        pair_title=pair_title,
        kind_title=kind_title,
        MEETING_KINDS=MEETING_KINDS,
        MEETING_FORMATS=MEETING_FORMATS,
        PLAN_STATUSES=PLAN_STATUSES,
        missing_feedback=missing_feedback,
        org_title=_org_title,
    )


def _org_title(org_id: int) -> str:
    org = db.session.get(Organisation, org_id)
    return org.title if org else ""


# --- Loading with access ------------------------------------------------------------------------


def _pair(pair_id: int, need: str = "view") -> tuple[Pair, str]:
    pair = db.session.get(Pair, pair_id)
    return pair, require_pair(current_user, pair, need)


def _programme(programme_id: int, need: str = "view") -> tuple[Programme, str]:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        abort(404)
    return programme, require_pair(current_user, programme.pair, need)


def _item(item_id: int, need: str = "view") -> tuple[PlanItem, str]:
    item = db.session.get(PlanItem, item_id)
    if item is None:
        abort(404)
    return item, require_pair(current_user, item.programme.pair, need)


def _meeting(meeting_id: int, need: str = "view") -> tuple[Meeting, str]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting, require_pair(current_user, meeting.pair, need)


def _detail_url(programme: Programme) -> str:
    return url_for("programmes.detail", programme_id=programme.id)


# --- Programmes ---------------------------------------------------------------------------------


@bp.route("/")
@access.login_only
def index():
    page = programmes_page(current_user, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    return render_template(
        "programmes/index.html",
        pairs=page.items,
        page=page,
        has_bank=may_reuse_practices(current_user),
        live=LIVE_STATUSES,
        programme_url=id_url("programmes.detail", "programme_id"),
        create_url=id_url("programmes.create", "pair_id"),
        meetings_url=id_url("programmes.meetings", "pair_id"),
    )


def _chosen_template(pair: Pair, code: str | None):
    """A plugin's template, an effective practice («practice:<id>») or None for a blank programme."""
    if not code or code == "blank":
        return None
    if code.startswith("practice:"):
        practice_id = code.partition(":")[2]
        if not practice_id.isdigit():
            return None
        practice = practice_or_404(current_user, int(practice_id))
        return as_template(practice) if practice.pair.kind_code == pair.kind_code else None
    return find_template(pair.kind_code, code)


@bp.route("/pair/<int:pair_id>/new", methods=["GET", "POST"])
@access.login_only
def create(pair_id):
    pair, _ = _pair(pair_id, "edit")
    existing = programme_of(pair)
    if existing is not None:
        flash("У этой пары уже есть программа.", "error")
        return redirect_to(_detail_url(existing))
    if pair.status not in LIVE_STATUSES:
        flash("Пара завершена или прервана: новую программу для неё создать нельзя.", "error")
        return redirect_to(url_for("programmes.index"))
    templates = templates_for(pair.kind_code)
    form = ProgrammeForm()
    if request.method == "GET":
        code = request.args.get("template") or (templates[0].code if templates else "")
        template = _chosen_template(pair, code)
        form.template_code.data = template.code if template else ""
        if template:
            form.goal.data, form.tasks.data = template.goal, template.tasks
            form.planned_results.data, form.duration_months.data = (
                template.planned_results,
                template.duration_months,
            )
        else:
            form.duration_months.data = 9
        form.difficulties.data = mentee_prefill(pair)
    template = _chosen_template(pair, form.template_code.data)
    months = form.duration_months.data if form.duration_months.data in range(3, 13) else None
    start = start_of(pair, today())
    plan = template_plan(template, start, months)
    preview = bool(request.form.get("preview"))  # «Пересчитать план»: the plan for the typed length, nothing saved
    if not preview and form.validate_on_submit():
        values = {name: getattr(form, name).data for name in PROGRAMME_FIELDS}
        try:
            programme = create_programme(pair, values, template.code if template else "", plan)
        except AlreadyExists:
            flash("Программу этой пары только что создал другой пользователь.", "error")
            return redirect_to(_detail_url(programme_of(pair)))
        flash("Программа создана. Проверьте даты плана и уточните пункты.", "success")
        return redirect_to(_detail_url(programme))
    status = 422 if form.is_submitted() and not preview else 200
    return render_template(
        "programmes/form.html",
        form=form,
        pair=pair,
        programme=None,
        templates=templates,
        template=template,
        plan=plan,
        plugin_missing=kind_missing(pair.kind_code),
        conflict=None,
        summer=summer_warning(start, months or (template.duration_months if template else 9)),
    ), status


@bp.route("/<int:programme_id>")
@access.login_only
def detail(programme_id):
    programme, level = _programme(programme_id)
    return _render_detail(programme, level)


def _render_detail(
    programme: Programme, level: str, item_form: PlanItemForm | None = None, status: int = 200
):
    can_edit = allows(level, "edit")
    if can_edit and item_form is None:
        item_form = PlanItemForm(formdata=None)
    context = dict(
        programme=programme,
        pair=programme.pair,
        items=sorted_items(programme),
        can_edit=can_edit,
        item_form=item_form if can_edit else None,
        level=level,
        meetings=meetings_of(programme.pair),
    )
    return render_page_or_partial("programmes/detail.html", "programmes/_plan.html", status, **context)


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@access.login_only
def edit(programme_id):
    programme, _ = _programme(programme_id, "edit")
    form = ProgrammeForm(obj=programme)
    conflict = False
    if request.method == "GET":
        form.version.data = programme.version
    elif form.validate_on_submit():
        values = {name: getattr(form, name).data for name in PROGRAMME_FIELDS}
        old_months = programme.duration_months
        try:
            check_version(programme, int(form.version.data or 0))
            moved = redate_plan(programme, old_months, values["duration_months"])
            save_versioned(programme, values, None)
        except Conflict:
            db.session.rollback()
            db.session.refresh(programme)
            form = ProgrammeForm(obj=programme, formdata=None)
            form.version.data = programme.version
            conflict = True
        else:
            flash("Изменения сохранены.", "success")
            if moved:
                flash(f"Срок программы изменён: {plural(moved, 'пункт', 'пункта', 'пунктов')} плана "
                      "перенесены так, чтобы план уместился в новый срок. Проверьте даты.", "info")
            return redirect_to(_detail_url(programme))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template(
        "programmes/form.html",
        form=form,
        pair=programme.pair,
        programme=programme,
        templates=[],
        template=None,
        plan=[],
        plugin_missing=False,
        conflict=conflict and CONFLICT,
        summer="",
    ), status


# --- Plan items ---------------------------------------------------------------------------------

ITEM_FIELDS = ("due_on", "content", "responsible", "result", "status")


@bp.route("/<int:programme_id>/items", methods=["POST"])
@access.login_only
def add_plan_item(programme_id):
    programme, level = _programme(programme_id, "edit")
    form = PlanItemForm()
    if not form.validate_on_submit():
        return _render_detail(programme, level, item_form=form, status=422)
    add_item(programme, {name: getattr(form, name).data for name in ITEM_FIELDS})
    if is_htmx():
        return _render_detail(programme, level)
    flash("Пункт плана добавлен.", "success")
    return redirect_to(_detail_url(programme))


def _row(item: PlanItem, level: str, status: int = 200, message: str = ""):
    return render_partial(
        "programmes/_item_row.html", item=item, can_edit=allows(level, "edit"), status=status, message=message
    )


def _form_version(form=None) -> int | None:
    """The version the user's page showed (None: an old page without one; then no check is possible)."""
    raw = form.version.data if form is not None else request.form.get("version")
    return parse_version(raw)  # junk reads as versioning.UNKNOWN: a 409, not a ValueError


@bp.route("/items/<int:item_id>")
@access.login_only
def item_row(item_id):
    item, level = _item(item_id)
    if not is_htmx():
        return redirect_to(_detail_url(item.programme))
    return _row(item, level)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@access.login_only
def edit_item(item_id):
    """Правка пункта плана: строкой таблицы (HTMX) или отдельной страницей без JavaScript."""
    item, level = _item(item_id, "edit")
    form = PlanItemForm(obj=item) if request.method == "GET" else PlanItemForm()
    conflict = ""
    if request.method == "POST" and form.validate_on_submit():
        try:
            save_versioned(item, {name: getattr(form, name).data for name in ITEM_FIELDS}, _form_version(form))
        except Conflict:
            db.session.refresh(item)
            form, conflict = PlanItemForm(obj=item, formdata=None), ROW_CONFLICT
        else:
            if is_htmx():
                return _row(item, level, message="Пункт плана сохранён.")
            flash("Пункт плана сохранён.", "success")
            return redirect_to(_detail_url(item.programme))
    if request.method == "GET" or conflict:
        form.version.data = item.version
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_page_or_partial(
        "programmes/item_form.html",
        "programmes/_item_edit.html",
        status,
        item=item,
        form=form,
        programme=item.programme,
        conflict=conflict,
    )


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@access.login_only
def item_status(item_id):
    """Быстрая смена статуса пункта: HTMX получает строку, обычная форма — страницу программы."""
    item, level = _item(item_id, "edit")
    status = request.form.get("status", "")
    if status not in PLAN_STATUSES:
        if is_htmx():
            return _row(item, level, status=422, message="Неизвестный статус пункта плана.")
        flash("Неизвестный статус пункта плана.", "error")
        return redirect_to(_detail_url(item.programme))
    try:
        save_versioned(item, {"status": status}, _form_version())
    except Conflict:
        db.session.refresh(item)
        if is_htmx():
            return _row(item, level, status=409, message=ROW_CONFLICT)
        flash(ROW_CONFLICT, "error")
        return redirect_to(_detail_url(item.programme))
    message = f"Статус пункта «{item.content[:60]}»: {PLAN_STATUSES[status]}."
    if is_htmx():
        return _row(item, level, message=message)
    flash(message, "success")
    return redirect_to(_detail_url(item.programme))


@bp.route("/items/<int:item_id>/delete", methods=["POST"])
@access.login_only
def delete_item(item_id):
    item, level = _item(item_id, "edit")
    programme = item.programme
    try:
        check_version(item, _form_version())
        db.session.delete(item)
        commit_or_conflict()
    except Conflict:
        db.session.rollback()
        db.session.refresh(item)
        if is_htmx():
            return _row(item, level, status=409, message=ROW_CONFLICT)
        flash(ROW_CONFLICT, "error")
        return redirect_to(_detail_url(programme))
    if is_htmx():  # the row is swapped for nothing
        return make_response("", 200)
    flash("Пункт плана удалён.", "success")
    return redirect_to(_detail_url(programme))


# --- Meetings -----------------------------------------------------------------------------------


def _meetings_context(pair: Pair, level: str) -> dict:
    return dict(
        pair=pair,
        level=level,
        meetings=meetings_of(pair),
        role=member_role(current_user, pair),
        can_edit=allows(level, "edit"),
        programme=programme_of(pair),
    )


@bp.route("/pair/<int:pair_id>/meetings")
@access.login_only
def meetings(pair_id):
    pair, level = _pair(pair_id)
    form = MeetingForm(formdata=None) if allows(level, "edit") else None
    if form is not None:
        form.held_on.data = today()
    return render_page_or_partial(
        "programmes/meetings.html",
        "programmes/_meetings.html",
        form=form,
        feedback_for=None,
        feedback_form=None,
        **_meetings_context(pair, level),
    )


@bp.route("/pair/<int:pair_id>/meetings/new", methods=["GET", "POST"])
@access.login_only
def new_meeting(pair_id):
    pair, level = _pair(pair_id, "edit")
    form = MeetingForm()
    form.pair = pair
    if request.method == "GET":
        form.held_on.data = today()
    elif form.validate_on_submit():
        meeting = Meeting(pair_id=pair.id, created_by_id=current_user.id)
        _fill_meeting(meeting, form)
        db.session.add(meeting)
        db.session.commit()
        if pair.status == "forming":
            flash(FORMING_WARNING, "error")
        flash(f"Встреча «{MEETING_KINDS[meeting.kind]}» записана.", "success")
        return redirect_to(url_for("programmes.meetings", pair_id=pair.id))
    status = 422 if form.is_submitted() else 200
    return render_page_or_partial(
        "programmes/meeting_form.html",
        "programmes/_meeting_form.html",
        status,
        form=form,
        meeting=None,
        forming=pair.status == "forming",
        **_meetings_context(pair, level),
    )


MEETING_FIELDS = ("kind", "held_on", "format", "notes", "mentor_feedback")


def _fill_meeting(meeting: Meeting, form: MeetingForm) -> None:
    for name in MEETING_FIELDS:
        setattr(meeting, name, getattr(form, name).data)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@access.login_only
def edit_meeting(meeting_id):
    meeting, level = _meeting(meeting_id, "edit")
    form = MeetingForm(obj=meeting) if request.method == "GET" else MeetingForm()
    form.pair = meeting.pair
    conflict = ""
    if request.method == "POST" and form.validate_on_submit():
        values = {name: getattr(form, name).data for name in MEETING_FIELDS}
        try:
            save_versioned(meeting, values, _form_version(form))
        except Conflict:
            db.session.refresh(meeting)
            form, conflict = MeetingForm(obj=meeting, formdata=None), MEETING_CONFLICT
        else:
            flash("Встреча сохранена.", "success")
            return redirect_to(url_for("programmes.meetings", pair_id=meeting.pair_id))
    if request.method == "GET" or conflict:
        form.version.data = meeting.version
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_page_or_partial(
        "programmes/meeting_form.html",
        "programmes/_meeting_form.html",
        status,
        form=form,
        meeting=meeting,
        forming=False,
        conflict=conflict,
        **_meetings_context(meeting.pair, level),
    )


@bp.route("/meetings/<int:meeting_id>/feedback", methods=["POST"])
@access.login_only
def feedback(meeting_id):
    """Участник пары добавляет свою (и только свою) обратную связь о встрече."""
    meeting, level = _meeting(meeting_id, "feedback")
    role = member_role(current_user, meeting.pair)
    if role is None:  # curators and coordinators are not a side of the meeting
        abort(403)
    form = FeedbackForm()
    if not form.validate_on_submit():
        if is_htmx():
            return render_partial(
                "programmes/_meeting_row.html",
                m=meeting,
                role=role,
                can_edit=allows(level, "edit"),
                feedback_form=form,
                status=422,
            )
        return render_template(
            "programmes/meetings.html",
            form=None,
            feedback_for=meeting.id,
            feedback_form=form,
            **_meetings_context(meeting.pair, level),
        ), 422
    field = "mentor_feedback" if role == "mentor" else "mentee_feedback"
    try:
        save_versioned(meeting, {field: form.feedback.data.strip()}, _form_version(form))
    except Conflict:
        db.session.refresh(meeting)
        form.feedback.errors = [
            "Встречу изменили, пока вы писали отзыв. Проверьте её текущие данные и отправьте отзыв ещё раз — "
            "ваш текст сохранён в поле."
        ]
        if is_htmx():
            return render_partial(
                "programmes/_meeting_row.html", m=meeting, role=role, can_edit=allows(level, "edit"),
                feedback_form=form, status=409,
            )
        return render_template(
            "programmes/meetings.html", form=None, feedback_for=meeting.id, feedback_form=form,
            **_meetings_context(meeting.pair, level),
        ), 409
    if is_htmx():
        return render_partial(
            "programmes/_meeting_row.html",
            m=meeting,
            role=role,
            can_edit=allows(level, "edit"),
            feedback_form=None,
        )
    flash("Обратная связь сохранена.", "success")
    return redirect_to(url_for("programmes.meetings", pair_id=meeting.pair_id))


# --- Completion ---------------------------------------------------------------------------------


@bp.route("/<int:programme_id>/complete", methods=["GET", "POST"])
@access.login_only
def complete_programme(programme_id):
    programme, _ = _programme(programme_id, "edit")
    if programme.status == "completed":
        flash("Программа уже завершена.", "error")
        return redirect_to(_detail_url(programme))
    if programme.pair.status not in LIVE_STATUSES:
        flash("Пара прервана: завершить программу нельзя, итоги записываются при прекращении пары.", "error")
        return redirect_to(_detail_url(programme))
    form = CompletionForm(obj=programme)
    conflict = False
    still_open = open_at_completion(programme)
    if request.method == "GET":
        form.version.data = programme.version
        form.completed_on.data = today()
    elif form.validate_on_submit() and _confirmed(form, still_open):
        values = {name: getattr(form, name).data for name in ("actual_results", "reflection", "completed_on")}
        values["effective_practice"] = bool(form.effective_practice.data)
        try:
            initiator = "mentor" if member_role(current_user, programme.pair) == "mentor" else "school"
            complete(programme, values, int(form.version.data or 0), current_user.id, initiator)
        except Conflict:
            db.session.refresh(programme)
            form.version.data = programme.version
            conflict = True
        else:
            flash("Программа завершена, пара переведена в статус «завершена».", "success")
            return redirect_to(_detail_url(programme))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template(
        "programmes/complete.html",
        form=form,
        programme=programme,
        pair=programme.pair,
        conflict=conflict and CONFLICT,
        still_open=still_open,
    ), status


def _confirmed(form: CompletionForm, still_open: list[str]) -> bool:
    """Completing with open items or missing feedback is allowed, but only when the user says so."""
    if still_open and not form.confirm_open.data:
        form.confirm_open.errors = [
            "Не всё выполнено (см. список выше). Отметьте, что завершаете программу всё равно — "
            "невыполненное будет записано в её итоги, — или вернитесь к плану и встречам."
        ]
        return False
    return True


# --- Bank of programmes -------------------------------------------------------------------------


@bp.route("/practices")
@access.login_only
def practice_list():
    from nastavnik.programmes.sharing import shared_practice

    shared = [shared_practice(p) for p in practices(current_user)]
    return render_template("programmes/practices.html", practices=shared, year=AcademicYear)


@bp.route("/practices/<int:programme_id>")
@access.login_only
def practice(programme_id):
    """Another school's practice: the page shows only the shared record, never the programme itself."""
    from nastavnik.programmes.sharing import shared_practice

    programme = practice_or_404(current_user, programme_id)
    form = UseSampleForm()
    form.pair_id.choices = _sample_targets(programme)
    shared = shared_practice(programme)
    return render_template(
        "programmes/practice.html", practice=shared, form=form, year=AcademicYear(shared.academic_year),
    )


def _sample_targets(programme: Programme) -> list[tuple[int, str]]:
    """Live pairs of the same form that the user edits and that have no programme yet."""
    # Only where the user edits (their school's pairs, their own as mentor): not a region's 60,000.
    editable = [Pair.id.in_(member_pair_ids(current_user))]
    if access.can(current_user, "pairs.edit"):
        editable.append(Pair.org_id.in_(access.scope(current_user, "pairs.edit")))
    query = select(Pair).where(
        or_(*editable), Pair.status.in_(LIVE_STATUSES), Pair.kind_code == programme.pair.kind_code
    )
    candidates = db.session.scalars(query.options(selectinload(Pair.members)).order_by(*NEWEST_FIRST)).all()
    pairs = [p for p in candidates if allows(pair_access(current_user, p), "edit")]
    taken = programmes_by_pair(p.id for p in pairs)
    return [(p.id, pair_title(p)) for p in pairs if p.id not in taken]


@bp.route("/practices/<int:programme_id>/use", methods=["POST"])
@access.login_only
def use_practice(programme_id):
    """«Использовать как образец»: форма новой программы выбранной пары, заполненная по практике."""
    programme = practice_or_404(current_user, programme_id)
    pair_id = request.form.get("pair_id", type=int)
    if pair_id not in {value for value, _ in _sample_targets(programme)}:
        pair = db.session.get(Pair, pair_id) if pair_id else None
        require_pair(current_user, pair, "edit")  # 404/403 for someone else's pair
        flash("Выберите действующую пару той же формы, у которой ещё нет программы.", "error")
        return redirect_to(url_for("programmes.practice", programme_id=programme.id))
    return redirect_to(url_for("programmes.create", pair_id=pair_id, template=f"practice:{programme.id}"))


# --- Dashboard ----------------------------------------------------------------------------------


def dashboard_cards(user) -> Markup | None:
    """Участнику — программы его пар с ближайшим пунктом плана; куратору — пары без программы."""
    mine = own_pairs(user, LIVE_STATUSES)
    programmes = programmes_by_pair(p.id for p in mine)
    own = [(p, programmes.get(p.id), member_role(user, p)) for p in mine]
    edit_orgs = access.scope(user, "pairs.edit")
    figures = cached("programmes.card", edit_orgs, lambda: without_programme_figures(edit_orgs)) if edit_orgs else None
    missing_total = figures.value["total"] if figures else 0
    if not own and not missing_total:
        return None
    html = render_template(
        "programmes/_dashboard_card.html", own=own, missing=pairs_by_id(figures.value["ids"]) if figures else [],
        missing_total=missing_total, as_of=figures.as_of.astimezone() if figures and figures.as_of else None,
        next_item=next_item,
    )
    return Markup(html)  # noqa: S704 - render_template autoescapes
