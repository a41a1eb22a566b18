from __future__ import annotations

import math

from flask import abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.audit.services import entry_context, history
from nastavnik.consents.services import consent_state, consent_states
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import org_options
from nastavnik.participants import bp
from nastavnik.participants.forms import GuardianForm, PersonForm, RowForm
from nastavnik.participants.models import PERSON_KINDS, Guardianship, Person
from nastavnik.participants.services import (
    CONSENT_FILTERS,
    Filters,
    archive,
    export_query,
    has_history,
    search,
    write_participants,
)
from nastavnik.plugins.manager import hook
from nastavnik.timeutil import today, utcnow
from nastavnik.versioning import Conflict, save_versioned
from nastavnik.web import xlsx
from nastavnik.web.htmx import hx_trigger, is_htmx, redirect_to, render_page_or_partial, render_partial

CONFLICT = (
    "Запись изменил другой пользователь, пока вы её редактировали. Ниже — текущие данные; "
    "внесите своё изменение ещё раз."
)
PERSON_FIELDS = (
    "kind", "org_id", "last_name", "first_name", "middle_name", "birth_date", "email", "phone", "snils",
    "personnel_number", "position", "subjects", "experience_years", "hired_on", "qualification_category",
    "class_name", "notes",
)


def _org_choices(permission: str) -> list[tuple[int, str]]:
    return [(o.id, o.title) for o in org_options(access.scope(current_user, permission))]


def _show_org() -> bool:
    """The organisation column only helps someone who sees more than one school."""
    return len(_org_choices("participants.view")) > 1


def _filters() -> Filters:
    args = request.args
    return Filters(
        q=args.get("q", "").strip()[:100],
        org_id=args.get("org", type=int),
        kind=args.get("kind", "") if args.get("kind") in PERSON_KINDS else "",
        consent=args.get("consent", "") if args.get("consent") in CONSENT_FILTERS else "",
        archived=args.get("archived") == "1",
        page=max(args.get("page", 1, type=int), 1),
    )


def _state(person: Person) -> str:
    return consent_state(person, today(), current_app.config["CONSENT_EXPIRING_DAYS"])


def _get_person(person_id: int, permission: str = "participants.view") -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    access.require_person(person, permission)
    return person


@bp.route("/")
@access.rule("participants.view")
def index():
    filters = _filters()
    org_ids = access.scope(current_user, "participants.view")
    if filters.org_id and filters.org_id not in org_ids:
        abort(404)
    size = current_app.config["PAGE_SIZE"]
    days = current_app.config["CONSENT_EXPIRING_DAYS"]
    people, total = search(org_ids, filters, today(), days, size)
    states = consent_states([p.id for p in people], today(), days)  # the page's, in one query
    orgs = _org_choices("participants.view")
    context = dict(
        people=people, total=total, filters=filters, pages=max(math.ceil(total / size), 1),
        orgs=orgs, kinds=PERSON_KINDS, consent_filters=CONSENT_FILTERS,
        state=lambda person: states.get(person.id, "missing"), can_edit=access.can(current_user, "participants.edit"),
        show_org=len(orgs) > 1 and not filters.org_id,
    )
    return render_page_or_partial("participants/index.html", "participants/_table.html", **context)


@bp.route("/new", methods=["GET", "POST"])
@access.rule("participants.edit")
def create():
    form = PersonForm()
    form.org_id.choices = _org_choices("participants.edit")
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "staff")
    if form.validate_on_submit():
        access.require("participants.edit", form.org_id.data)
        person = Person()
        db.session.add(person)
        values = {name: getattr(form, name).data for name in PERSON_FIELDS}
        if values["experience_years"] is not None:  # the date the experience was counted on
            values["experience_on"] = today()
        save_versioned(person, values, None)
        hook().nastavnik_event_participant_saved(person=person, is_new=True)
        flash(f"Участник «{person.full_name}» добавлен. Теперь внесите согласие на обработку персональных данных.", "success")
        return redirect_to(url_for("participants.detail", person_id=person.id))
    status = 422 if form.is_submitted() else 200
    return render_template("participants/form.html", form=form, person=None), status


def _detail(person: Person, guardian_form: GuardianForm | None = None, status: int = 200):
    can_edit = access.can(current_user, "participants.edit", person.org_id)
    represents = db.session.scalars(select(Guardianship).where(Guardianship.guardian_id == person.id)).all()
    entries = history(person.id) if access.can(current_user, "audit.view", person.org_id) else None
    return render_template(
        "participants/detail.html", person=person, state=_state(person), can_edit=can_edit,
        history=entries, hide_person=True, **entry_context(entries or []),
        guardian_form=(guardian_form or GuardianForm()) if can_edit else None, may_delete=not has_history(person),
        represents=[link for link in represents if access.can_view_person(current_user, link.student)],
        config=current_app.config,
    ), status


@bp.route("/<int:person_id>")
@access.login_only
def detail(person_id):
    return _detail(_get_person(person_id))


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@access.rule("participants.edit")
def edit(person_id):
    person = _get_person(person_id, "participants.edit")
    form = PersonForm(obj=person)
    form.org_id.choices = _org_choices("participants.edit")
    conflict = False
    if request.method == "GET":
        form.version.data = person.version
    elif form.validate_on_submit():
        access.require("participants.edit", form.org_id.data)
        values = {name: getattr(form, name).data for name in PERSON_FIELDS}
        if values["experience_years"] != person.experience_years:
            values["experience_on"] = today()
        try:
            save_versioned(person, values, int(form.version.data or 0))
        except Conflict:
            db.session.refresh(person)
            form = PersonForm(obj=person, formdata=None)
            form.org_id.choices = _org_choices("participants.edit")
            form.version.data = person.version
            conflict = True
        else:
            hook().nastavnik_event_participant_saved(person=person, is_new=False)
            flash("Изменения сохранены.", "success")
            return redirect_to(url_for("participants.detail", person_id=person.id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template("participants/form.html", form=form, person=person, conflict=conflict and CONFLICT), status


def _row_form(person: Person, formdata=None) -> RowForm:
    form = RowForm(obj=person, formdata=formdata)
    if formdata is None:
        form.version.data = person.version
    return form


@bp.route("/<int:person_id>/row")
@access.rule("participants.view")
def row(person_id):
    person = _get_person(person_id)
    return render_partial(
        "participants/_row.html", person=person, state=_state, show_org=_show_org(), focus=True,
        can_edit=access.can(current_user, "participants.edit", person.org_id),
    )


@bp.route("/<int:person_id>/row/edit", methods=["GET", "POST"])
@access.rule("participants.edit")
def row_edit(person_id):
    """Быстрая правка строки списка (HTMX); без JavaScript ведёт на полную форму."""
    person = _get_person(person_id, "participants.edit")
    if not is_htmx() and request.method == "GET":
        return redirect_to(url_for("participants.edit", person_id=person.id))
    form = _row_form(person, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        fields = ("last_name", "first_name", "middle_name", "email", "phone")
        values = {name: getattr(form, name).data for name in fields}
        values["class_name" if person.kind == "student" else "position"] = (
            form.class_name.data if person.kind == "student" else form.position.data
        )
        try:
            save_versioned(person, values, form.version.data)
        except Conflict:
            db.session.refresh(person)
            return render_partial(
                "participants/_row_edit.html", person=person, form=_row_form(person), conflict=CONFLICT, status=409,
                show_org=_show_org(),
            )
        hook().nastavnik_event_participant_saved(person=person, is_new=False)
        if not is_htmx():
            flash("Изменения сохранены.", "success")
            return redirect_to(url_for("participants.index"))
        response = render_partial(
            "participants/_row.html", person=person, state=_state, can_edit=True, show_org=_show_org(), focus=True
        )
        return hx_trigger(response, "participant-saved")
    status = 422 if request.method == "POST" else 200
    return render_partial(
        "participants/_row_edit.html", person=person, form=form, conflict=None, status=status, show_org=_show_org()
    )


@bp.route("/<int:person_id>/archive", methods=["POST"])
@access.rule("participants.edit")
def archive_person(person_id):
    person = _get_person(person_id, "participants.edit")
    if request.form.get("restore") == "1":
        person.archived_at = None
        db.session.commit()
        flash(f"«{person.full_name}» возвращён из архива.", "success")
    else:
        archive(person)
        flash(f"«{person.full_name}» перенесён в архив. История и согласия сохранены.", "success")
    return redirect_to(url_for("participants.detail", person_id=person.id))


@bp.route("/<int:person_id>/delete", methods=["POST"])
@access.rule("participants.edit")
def delete(person_id):
    person = _get_person(person_id, "participants.edit")
    if has_history(person):
        flash("У участника есть согласия или связи: его можно только перенести в архив.", "error")
        return redirect_to(url_for("participants.detail", person_id=person.id))
    db.session.delete(person)
    db.session.commit()
    flash("Ошибочно созданная запись удалена.", "success")
    return redirect_to(url_for("participants.index"))


@bp.route("/<int:person_id>/guardians", methods=["POST"])
@access.rule("participants.edit")
def add_guardian(person_id):
    student = _get_person(person_id, "participants.edit")
    form = GuardianForm()
    if student.kind != "student":
        abort(400)
    if not form.validate_on_submit():
        return _detail(student, guardian_form=form, status=422)
    guardian = Person(
        kind="parent", org_id=student.org_id, last_name=form.last_name.data, first_name=form.first_name.data,
        middle_name=form.middle_name.data, phone=form.phone.data, email=form.email.data,
    )
    db.session.add(Guardianship(student=student, guardian=guardian, relation=form.relation.data))
    db.session.commit()
    flash(f"Законный представитель «{guardian.full_name}» добавлен.", "success")
    return redirect_to(url_for("participants.detail", person_id=student.id))


@bp.route("/export.xlsx")
@access.rule("participants.export")
def export():
    """Выгрузка: только участники с действующим согласием на обработку ПД."""
    org_ids = access.scope(current_user, "participants.export")
    org_id = request.args.get("org", type=int)
    if org_id is not None:
        if org_id not in org_ids:
            abort(404)
        org_ids = {org_id}
    title = db.session.get(Organisation, org_id).title if org_id else "все доступные организации"
    book = xlsx.Book()
    write_participants(book, db.session.scalars(export_query(org_ids, today())), title, today())
    return book.response(f"uchastniki_{utcnow():%Y%m%d}.xlsx")
