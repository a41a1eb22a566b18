from __future__ import annotations

import math
from pathlib import PurePath

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.banks import bp, vocabulary
from nastavnik.banks import matching_service as ms
from nastavnik.banks import services as svc
from nastavnik.banks.bank_export import MENTEE_COLUMNS, MENTEE_SHEET, MENTOR_COLUMNS, MENTOR_SHEET, write_bank
from nastavnik.banks.forms import (
    AddMenteeForm,
    AddMentorForm,
    DecisionForm,
    ExclusionForm,
    ImportForm,
    MenteeProfileForm,
    MentorProfileForm,
    QuestionnaireForm,
    SettingsForm,
    TagForm,
)
from nastavnik.banks.models import (
    MENTEE_STATUSES,
    MENTOR_ORIGINS,
    MENTOR_STATUSES,
    MatchExclusion,
    MenteeProfile,
    MentorProfile,
    MentorQuestionnaire,
    Tag,
)
from nastavnik.banks.people_import import ImportFileError, parse_people, read_table
from nastavnik.consents.services import processing_allowed
from nastavnik.extensions import db
from nastavnik.matching import MatchingError
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs, org_options
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear
from nastavnik.plugins.manager import registry
from nastavnik.timeutil import today, utcnow
from nastavnik.versioning import Conflict
from nastavnik.web import xlsx
from nastavnik.web.converters import db_id
from nastavnik.web.htmx import redirect_to, render_page_or_partial, render_partial
from nastavnik.web.urls import id_url

CONFLICT = "Запись изменил другой пользователь, пока вы её редактировали. Ниже — текущие данные; внесите изменение ещё раз."


# ---------------------------------------------------------------- helpers


def _orgs(permission: str) -> list[Organisation]:
    return education_orgs(access.scope(current_user, permission))


def _filters() -> svc.BankFilters:
    args = request.args
    org_id = args.get("org", type=int)
    if org_id and org_id not in access.scope(current_user, "banks.view"):
        abort(404)
    return svc.BankFilters(
        q=args.get("q", "").strip()[:100],
        org_id=org_id,
        kind=args.get("kind", "") if args.get("kind") in registry().kinds else "",
        status=args.get("status", "")[:20],
        tag_id=args.get("tag", type=int),
        page=max(args.get("page", 1, type=int), 1),
    )


def _year_choices() -> list[tuple[int, str]]:
    current = AcademicYear.of(today()).start_year
    return [(y, AcademicYear(y).label) for y in (current, current + 1, current - 1)]


def _people_choices(kinds: tuple[str, ...]) -> list[tuple[int, str]]:
    org_ids = access.scope(current_user, "banks.edit")
    people = db.session.scalars(
        select(Person)
        .where(Person.org_id.in_(org_ids), Person.kind.in_(kinds), Person.archived_at.is_(None))
        .order_by(Person.last_name, Person.first_name)
        .limit(3000)
    ).unique()
    return [
        (p.id, f"{p.full_name} — {p.class_name or p.position or p.kind_title}, {p.org.title}") for p in people
    ]


def _tag_choices() -> list[tuple[int, str]]:
    tags = vocabulary.visible_tags(current_user, active_only=True)
    return [(t.id, f"{t.group}: {t.title}" if t.group else t.title) for t in tags]


# ---------------------------------------------------------------- lists


@bp.route("/")
@access.rule("banks.view")
def index():
    return redirect(url_for("banks.mentees"))


def _list_context(kind_label: str, statuses: dict) -> dict:
    return dict(
        filters=_filters(),
        orgs=org_options(access.scope(current_user, "banks.view")),
        kinds=registry().kinds,
        statuses=statuses | svc.BANK_STATUS_SUSPENDED,
        tags=vocabulary.visible_tag_options(current_user),
        registry=registry(),
        can_edit=access.can(current_user, "banks.edit"),
        can_export=access.can(current_user, "banks.export"),
        kind_label=kind_label,
    )


def _paged(mentees: bool, filters: svc.BankFilters) -> dict:
    size = current_app.config["PAGE_SIZE"]
    profiles, total = svc.bank_page(mentees, access.scope(current_user, "banks.view"), filters, size)
    return {
        "profiles": profiles,
        "total": total,
        "pages": max(math.ceil(total / size), 1),
        # Shown, not hidden: the curator sees who is paused and why (152-ФЗ).
        "tag_titles": svc.tag_titles(profiles, mentees),
        "suspended": {p.person_id for p in profiles if p.suspended},
        "profile_url": id_url("banks.mentee" if mentees else "banks.mentor", "profile_id"),
        "suggest_url": id_url("banks.suggest", "profile_id"),
    }


@bp.route("/mentees")
@access.rule("banks.view")
def mentees():
    context = _list_context("mentees", MENTEE_STATUSES)
    context |= _paged(True, context["filters"])
    return render_page_or_partial("banks/mentees.html", "banks/_mentees_table.html", **context)


@bp.route("/mentors")
@access.rule("banks.view")
def mentors():
    context = _list_context("mentors", MENTOR_STATUSES)
    context |= _paged(False, context["filters"])
    context["origins"] = MENTOR_ORIGINS
    return render_page_or_partial("banks/mentors.html", "banks/_mentors_table.html", **context)


# ---------------------------------------------------------------- entering a bank


@bp.route("/mentees/new", methods=["GET", "POST"])
@access.rule("banks.edit")
def add_mentee():
    form = AddMenteeForm()
    form.person_id.choices = _people_choices(("staff", "student"))
    form.kind_code.choices = svc.kind_choices()
    form.academic_year.choices = _year_choices()
    if request.method == "GET":
        form.person_id.data = request.args.get("person", type=int)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        access.require("banks.edit", person.org_id)
        try:
            profile = svc.add_mentee(person, form.kind_code.data, form.academic_year.data, today())
        except svc.BankRefusal as refusal:
            form.person_id.errors.append(refusal.message)
        else:
            db.session.commit()
            flash(
                f"«{person.full_name}» включён(а) в базу наставляемых. Укажите запросы и категорию.",
                "success",
            )
            return redirect_to(url_for("banks.edit_mentee", profile_id=profile.id))
    status = 422 if form.is_submitted() else 200
    return render_template("banks/add.html", form=form, title="Включить в базу наставляемых"), status


@bp.route("/mentors/new", methods=["GET", "POST"])
@access.rule("banks.edit")
def add_mentor():
    form = AddMentorForm()
    form.person_id.choices = _people_choices(("staff", "student", "graduate", "partner_employee"))
    if request.method == "GET":
        form.person_id.data = request.args.get("person", type=int)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        access.require("banks.edit", person.org_id)
        try:
            profile = svc.add_mentor(person, today())
        except svc.BankRefusal as refusal:
            form.person_id.errors.append(refusal.message)
        else:
            db.session.commit()
            flash(
                f"«{person.full_name}» включён(а) в базу наставников. Укажите компетенции и нагрузку.",
                "success",
            )
            return redirect_to(url_for("banks.edit_mentor", profile_id=profile.id))
    status = 422 if form.is_submitted() else 200
    return render_template("banks/add.html", form=form, title="Включить в базу наставников"), status


# ---------------------------------------------------------------- profiles


@bp.route("/mentees/<int:profile_id>")
@access.rule("banks.view")
def mentee(profile_id):
    profile = access.get_or_404(MenteeProfile, profile_id, "banks.view")
    from nastavnik.pairs.services import support_records

    return render_template(
        "banks/mentee.html",
        profile=profile,
        kind=registry().kind(profile.kind_code),
        statuses=MENTEE_STATUSES,
        suspended=not processing_allowed(profile.person, today()),
        can_edit=access.can(current_user, "banks.edit", profile.org_id),
        records=support_records(profile.id),
        why=ms.last_why(profile),
    )


@bp.route("/mentors/<int:profile_id>")
@access.rule("banks.view")
def mentor(profile_id):
    profile = access.get_or_404(MentorProfile, profile_id, "banks.view")
    from nastavnik.pairs.services import pairs_of_mentor

    return render_template(
        "banks/mentor.html",
        profile=profile,
        variations=svc.variation_titles(profile.variations),
        pairs=pairs_of_mentor(profile.person_id),
        registry=registry(),
        statuses=MENTOR_STATUSES,
        origins=MENTOR_ORIGINS,
        suspended=not processing_allowed(profile.person, today()),
        can_edit=access.can(current_user, "banks.edit", profile.org_id),
    )


def _profile_form(form_class, profile, formdata):
    form = form_class(obj=profile, formdata=formdata)
    form.tag_ids.choices = _tag_choices()
    if formdata is None:
        form.tag_ids.data = [t.id for t in profile.tags]
        form.version.data = profile.version
    return form


@bp.route("/mentees/<int:profile_id>/edit", methods=["GET", "POST"])
@access.rule("banks.edit")
def edit_mentee(profile_id):
    profile = access.get_or_404(MenteeProfile, profile_id, "banks.edit")
    form = _profile_form(MenteeProfileForm, profile, request.form if request.method == "POST" else None)
    form.category.choices = [("", "—"), *svc.category_choices(profile.kind_code)]
    conflict = None
    if request.method == "POST" and form.validate():
        if form.category.data not in dict(form.category.choices):
            form.category.errors.append("Выберите категорию из списка формы наставничества.")
        else:
            values = {
                "category": form.category.data,
                "request_text": form.request_text.data,
                "status": form.status.data,
            }
            tags = svc.resolve_tags(form.tag_ids.data or [], form.new_tags.data or "", may_create=True,
                                    org_id=profile.org_id)
            try:
                svc.save_profile(profile, values, tags, int(form.version.data or 0))
            except Conflict:
                db.session.refresh(profile)
                form = _profile_form(MenteeProfileForm, profile, None)
                form.category.choices = [("", "—"), *svc.category_choices(profile.kind_code)]
                conflict = CONFLICT
            else:
                flash("Запись базы наставляемых сохранена.", "success")
                return redirect_to(url_for("banks.mentee", profile_id=profile.id))
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_template(
        "banks/mentee_form.html",
        form=form,
        profile=profile,
        kind=registry().kind(profile.kind_code),
        conflict=conflict,
    ), status


def _mentor_form(profile: MentorProfile, formdata) -> MentorProfileForm:
    form = _profile_form(MentorProfileForm, profile, formdata)
    form.kind_codes.choices = svc.kind_choices()
    form.variation_codes.choices = svc.all_variation_choices()
    if formdata is None:
        form.kind_codes.data = profile.kinds
        form.variation_codes.data = profile.variations
    return form


@bp.route("/mentors/<int:profile_id>/edit", methods=["GET", "POST"])
@access.rule("banks.edit")
def edit_mentor(profile_id):
    profile = access.get_or_404(MentorProfile, profile_id, "banks.edit")
    formdata = request.form if request.method == "POST" else None
    form = _mentor_form(profile, formdata)
    conflict = None
    if request.method == "POST" and form.validate():
        if form.capacity.data < profile.load:
            form.capacity.errors.append(f"Наставник уже ведёт {profile.load}: нагрузка не может быть меньше.")
        else:
            values = {
                name: getattr(form, name).data
                for name in (
                    "origin",
                    "capacity",
                    "preferred_age_min",
                    "preferred_age_max",
                    "time_place",
                    "achievements",
                    "interests",
                    "training",
                    "case_url",
                    "status",
                )
            } | {
                "kind_codes": ",".join(form.kind_codes.data or []),
                "variation_codes": ",".join(form.variation_codes.data or []),
            }
            tags = svc.resolve_tags(form.tag_ids.data or [], form.new_tags.data or "", may_create=True,
                                    org_id=profile.org_id)
            try:
                svc.save_profile(profile, values, tags, int(form.version.data or 0))
            except Conflict:
                db.session.refresh(profile)
                form = _mentor_form(profile, None)
                conflict = CONFLICT
            else:
                flash("Запись базы наставников сохранена.", "success")
                return redirect_to(url_for("banks.mentor", profile_id=profile.id))
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_template("banks/mentor_form.html", form=form, profile=profile, conflict=conflict), status


# ---------------------------------------------------------------- vocabulary


@bp.route("/tags", methods=["GET", "POST"])
@access.rule("banks.view")
def tags():
    """Словарь: общий, муниципальный и свой школьный; менять можно только свои элементы."""
    form = TagForm()
    owner = vocabulary.owner_for_new(current_user)
    status = 200
    if request.method == "POST":
        if owner is False:
            abort(403)
        if form.validate():
            title = form.title.data
            if vocabulary.title_taken(title, vocabulary.visible_owner_ids(current_user)):
                form.title.errors.append(f"«{title}» уже есть в словаре.")
            else:
                db.session.add(Tag(title=title, group=form.group.data, org_id=owner))
                db.session.commit()
                flash(f"«{title}» добавлено в словарь.", "success")
                return redirect_to(url_for("banks.tags"))
        status = 422
    all_tags = vocabulary.visible_tags(current_user)
    return render_template(
        "banks/tags.html", form=form, tags=all_tags, can_add=owner is not False,
        may_edit=lambda tag: vocabulary.may_edit(current_user, tag), owner_title=vocabulary.owner_title,
    ), status


@bp.route("/tags/<int:tag_id>", methods=["POST"])
@access.rule("banks.view")
def edit_tag(tag_id):
    tag = db.session.get(Tag, tag_id)
    if tag is None or not (tag.org_id is None or tag.org_id in vocabulary.visible_owner_ids(current_user)):
        abort(404)
    if not vocabulary.may_edit(current_user, tag):
        abort(403)  # a shared tag: its owner (the municipality or the administrator) changes it
    if request.form.get("action") == "archive":
        tag.archived = not tag.archived
    else:
        title = request.form.get("title", "").strip()[:200]
        owners = vocabulary.lineage([tag.org_id]) if tag.org_id else set()
        if not title or vocabulary.title_taken(title, owners, except_id=tag.id):
            flash("Название пустое или уже есть в словаре: не сохранено.", "error")
            return redirect_to(url_for("banks.tags"))
        tag.title, tag.group = title, request.form.get("group", "").strip()[:100]
    db.session.commit()
    flash("Словарь обновлён.", "success")
    return redirect_to(url_for("banks.tags"))


# ---------------------------------------------------------------- questionnaire


@bp.route("/questionnaire", methods=["GET", "POST"])
@access.login_only
def questionnaire():
    person = current_user.person
    if not svc.may_apply_as_mentor(current_user):
        abort(404)
    mine = db.session.scalars(
        select(MentorQuestionnaire)
        .where(MentorQuestionnaire.person_id == person.id)
        .order_by(MentorQuestionnaire.submitted_at.desc())
    ).all()
    form = QuestionnaireForm()
    form.kind_codes.choices = [
        (c, k.title) for c, k in registry().kinds.items() if person.kind in k.mentor_person_kinds
    ]
    form.tag_ids.choices = _tag_choices()
    if form.validate_on_submit():
        answers = {
            name: getattr(form, name).data
            for name in (
                "kind_codes",
                "tag_ids",
                "new_tags",
                "capacity",
                "achievements",
                "interests",
                "time_place",
                "training",
            )
        }
        db.session.add(MentorQuestionnaire(person_id=person.id, org_id=person.org_id, answers=answers))
        db.session.commit()
        flash("Анкета отправлена куратору. Он рассмотрит её и включит вас в базу наставников.", "success")
        return redirect_to(url_for("banks.questionnaire"))
    status = 422 if form.is_submitted() else 200
    return render_template("banks/questionnaire.html", form=form, mine=mine, person=person), status


@bp.route("/questionnaires")
@access.rule("banks.edit")
def questionnaires():
    org_ids = access.scope(current_user, "banks.edit")
    items = db.session.scalars(
        select(MentorQuestionnaire)
        .where(MentorQuestionnaire.org_id.in_(org_ids))
        .order_by(MentorQuestionnaire.status.desc(), MentorQuestionnaire.submitted_at.desc())
    ).all()
    tag_titles = {t.id: t.title for t in db.session.scalars(select(Tag))}
    return render_template(
        "banks/questionnaires.html",
        items=items,
        tag_titles=tag_titles,
        registry=registry(),
        form=DecisionForm(),
    )


@bp.route("/questionnaires/<int:q_id>/<decision>", methods=["POST"])
@access.rule("banks.edit")
def decide(q_id, decision):
    if decision not in ("accept", "decline"):
        abort(404)
    q = access.get_or_404(MentorQuestionnaire, q_id, "banks.edit")
    if q.status != "submitted":
        flash("По этой анкете решение уже принято.", "error")
        return redirect_to(url_for("banks.questionnaires"))
    form = DecisionForm()
    note = (form.note.data or "").strip()
    if decision == "decline":
        q.status, q.decided_by_id, q.decided_at, q.decision_note = "declined", current_user.id, utcnow(), note
        db.session.commit()
        flash(f"Анкета «{q.person.full_name}» отклонена.", "success")
        return redirect_to(url_for("banks.questionnaires"))
    try:
        profile = svc.accept_questionnaire(q, current_user.id, today())
    except svc.BankRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect_to(url_for("banks.questionnaires"))
    q.decision_note = note
    db.session.commit()
    flash(f"«{q.person.full_name}» в базе наставников.", "success")
    return redirect_to(url_for("banks.mentor", profile_id=profile.id))


# ---------------------------------------------------------------- exports


def _export_scope() -> tuple[set[int], str]:
    org_ids = access.scope(current_user, "banks.export")
    org_id = request.args.get("org", type=int)
    if org_id is not None:
        if org_id not in org_ids:
            abort(404)
        return {org_id}, db.session.get(Organisation, org_id).title
    orgs = org_options(org_ids)[:2]
    return org_ids, orgs[0].title if len(orgs) == 1 else "все доступные организации"


def _bank_download(sheet: str, columns, rows, title: str, name: str):
    """Rows streamed into a workbook on disk, then sent (a region's bank is 60,000 rows)."""
    book = xlsx.Book()
    write_bank(book, sheet, columns, rows, svc.bank_header(title, today()))
    return book.response(f"{name}_{today():%Y%m%d}.xlsx")


@bp.route("/mentees.xlsx")
@access.rule("banks.export")
def export_mentees():
    org_ids, title = _export_scope()
    rows = svc.mentee_export_rows(org_ids, today())
    return _bank_download(MENTEE_SHEET, MENTEE_COLUMNS, rows, title, "baza_nastavlyaemyh")


@bp.route("/mentors.xlsx")
@access.rule("banks.export")
def export_mentors():
    org_ids, title = _export_scope()
    rows = svc.mentor_export_rows(org_ids, today())
    return _bank_download(MENTOR_SHEET, MENTOR_COLUMNS, rows, title, "baza_nastavnikov")


# ---------------------------------------------------------------- import of lists


def _import_form() -> ImportForm:
    form = ImportForm()
    form.org_id.choices = [(o.id, o.title) for o in _orgs("banks.edit")]
    return form


@bp.route("/import", methods=["GET", "POST"])
@access.rule("banks.edit", "participants.edit")
def import_people():
    """Шаг 1: загрузка файла → предпросмотр с ошибками по строкам (ничего не записывается)."""
    form = _import_form()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("banks/import.html", form=form, file_error=None), status
    access.require("participants.edit", form.org_id.data)
    upload = request.files.get("file")
    name = PurePath(upload.filename or "").name if upload else ""
    if not name:
        return render_template(
            "banks/import.html", form=form, file_error="Выберите файл .xlsx или .csv."
        ), 422
    data = upload.read()
    try:
        rows = read_table(name, data)  # checks the extension and the content (zip / text) both
    except ImportFileError as exc:
        return render_template("banks/import.html", form=form, file_error=exc.message), 422
    preview = parse_people(rows, form.kind.data, today())
    token = None
    if preview.ok:
        token = svc.store_upload(
            current_app.instance_path,
            current_user.id,
            name,
            data,
            {"kind": form.kind.data, "org_id": form.org_id.data},
        )
    org = db.session.get(Organisation, form.org_id.data)
    return render_template(
        "banks/import_preview.html",
        preview=preview,
        columns=svc.preview_cells(preview),
        token=token,
        filename=name,
        org=org,
        kind=form.kind.data,
    ), 200 if preview.ok else 422


@bp.route("/import/confirm", methods=["POST"])
@access.rule("banks.edit", "participants.edit")
def import_confirm():
    """Шаг 2: всё или ничего — файл читается снова с сервера (не от клиента) и записывается одной транзакцией."""
    token = request.form.get("token", "")
    stored = svc.load_upload(current_app.instance_path, token, current_user.id)
    if stored is None:
        flash("Загруженный файл не найден или устарел (хранится сутки). Загрузите его ещё раз.", "error")
        return redirect_to(url_for("banks.import_people"))
    data, meta = stored
    access.require("participants.edit", meta["org_id"])
    preview = parse_people(read_table(meta["filename"], data), meta["kind"], today())
    if not preview.ok:
        flash("В файле есть ошибки: исправьте их и загрузите файл снова.", "error")
        return redirect_to(url_for("banks.import_people"))
    try:
        created, updated = svc.apply_import(preview, meta["org_id"], meta["kind"], today())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    svc.drop_upload(current_app.instance_path, token)
    flash(
        f"Импорт выполнен: добавлено {created}, обновлено {updated}. Чтобы включить новых людей в банки, "
        "внесите их согласия на обработку персональных данных (фильтр «нет согласия» ниже).",
        "success",
    )
    return redirect_to(url_for("participants.index", org=meta["org_id"], kind=meta["kind"]))


# ---------------------------------------------------------------- matching settings and suggestions


def _settings_target(permission: str = "matching.run") -> tuple[Organisation, str]:
    orgs = _orgs(permission)
    if not orgs:
        abort(404)
    org_id = request.values.get("org", type=int) or orgs[0].id
    access.require(permission, org_id)
    kinds = list(registry().kinds)
    kind_code = request.values.get("kind") or (kinds[0] if kinds else "")
    if kind_code not in registry().kinds:
        abort(404)
    return db.session.get(Organisation, org_id), kind_code


def _weights_from_form(titles: dict[str, str], errors: dict[str, str]) -> dict[str, float]:
    weights = {}
    for code in titles:
        raw = request.form.get(f"w_{code}", "0").strip().replace(",", ".") or "0"
        try:
            value = float(raw)
        except ValueError:
            errors[code] = "Введите число от 0 до 10."
            continue
        if not 0 <= value <= 10:
            errors[code] = "Вес — от 0 до 10."
            continue
        weights[code] = value
    return weights


@bp.route("/settings", methods=["GET", "POST"])
@access.rule("matching.run")
def settings():
    org, kind_code = _settings_target()
    row = ms.settings_row(org.id, kind_code)
    titles = ms.criteria_titles(kind_code)
    form = SettingsForm(obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = row.version or 0
    weight_errors: dict[str, str] = {}
    weights = {code: row.weights.get(code, ms.DEFAULT_WEIGHTS.get(code, 1.0)) for code in titles}
    preview, conflict, status = None, None, 200
    if request.method == "POST":
        posted = _weights_from_form(titles, weight_errors)
        weights |= posted
        if form.validate() and not weight_errors:
            values = {
                "weights": weights,
                "must_share_subject": form.must_share_subject.data,
                "min_experience_gap": form.min_experience_gap.data,
                "min_score": form.min_score.data or 0.0,
                "mode": form.mode.data,
            }
            if request.form.get("action") == "preview":
                settings_obj = ms.engine_settings(row, kind_code, values)
                preview = ms.preview(
                    org.id,
                    kind_code,
                    AcademicYear.of(today()).start_year,
                    access.scope(current_user, "matching.run"),
                    settings_obj,
                    today(),
                )
                if request.headers.get("HX-Request"):
                    return render_partial("banks/_settings_preview.html", preview=preview)
            elif (row.version or 0) != (form.version.data or 0):
                conflict, status = "Настройки изменил другой пользователь. Ниже — текущие значения.", 409
                if row.id is not None:  # never saved: nothing to reload (a junk version lands here too)
                    db.session.refresh(row)
                weights = dict(row.weights)
                form = SettingsForm(obj=row, formdata=None)
                form.version.data = row.version
            else:
                if row.id is None:
                    db.session.add(row)
                for key, value in values.items():
                    setattr(row, key, value)
                db.session.commit()
                flash("Настройки подбора сохранены.", "success")
                return redirect_to(url_for("banks.settings", org=org.id, kind=kind_code))
        else:
            status = 422
    ex_form = ExclusionForm()
    ex_form.mentee_person_id.choices = [
        (m.person_id, m.person.full_name)
        for m in ms.open_mentees(org.id, kind_code, AcademicYear.of(today()).start_year)
    ]
    ex_form.mentor_person_id.choices = [
        (m.person_id, m.person.full_name) for m in ms.pool_mentors({org.id}, kind_code)
    ]
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(
                Person.id.in_(
                    [e.mentee_person_id for e in ms.exclusions(org.id)]
                    + [e.mentor_person_id for e in ms.exclusions(org.id)]
                )
            )
        )
    }
    return render_template(
        "banks/settings.html",
        form=form,
        org=org,
        kind_code=kind_code,
        titles=titles,
        weights=weights,
        weight_errors=weight_errors,
        preview=preview,
        conflict=conflict,
        orgs=_orgs("matching.run"),
        kinds=registry().kinds,
        exclusions=ms.exclusions(org.id),
        ex_form=ex_form,
        people=people,
    ), status


@bp.route("/settings/exclusions", methods=["POST"])
@access.rule("matching.run")
def add_exclusion():
    org, kind_code = _settings_target()
    mentee_id, mentor_id = (
        request.form.get("mentee_person_id", type=db_id),
        request.form.get("mentor_person_id", type=db_id),
    )
    people = [db.session.get(Person, i) if i else None for i in (mentee_id, mentor_id)]
    if any(p is None or not access.can(current_user, "matching.run", p.org_id) for p in people):
        abort(404)  # an unknown id (-1 was stored, and the settings page then failed for good) or another school's
    exists_ = db.session.scalar(
        select(MatchExclusion).where(
            MatchExclusion.mentee_person_id == mentee_id, MatchExclusion.mentor_person_id == mentor_id
        )
    )
    if exists_ is None:
        db.session.add(
            MatchExclusion(
                org_id=org.id,
                mentee_person_id=mentee_id,
                mentor_person_id=mentor_id,
                reason=request.form.get("reason", "").strip()[:500],
            )
        )
        db.session.commit()
    flash("Исключение добавлено: эту пару подбор не предложит.", "success")
    return redirect_to(url_for("banks.settings", org=org.id, kind=kind_code))


@bp.route("/settings/exclusions/<int:ex_id>/delete", methods=["POST"])
@access.rule("matching.run")
def delete_exclusion(ex_id):
    ex = access.get_or_404(MatchExclusion, ex_id, "matching.run")
    db.session.delete(ex)
    db.session.commit()
    flash("Исключение снято.", "success")
    return redirect_to(url_for("banks.settings", org=ex.org_id, kind=request.form.get("kind", "")))


@bp.route("/mentees/<int:profile_id>/suggest")
@access.rule("banks.view")
def suggest(profile_id):
    profile = access.get_or_404(MenteeProfile, profile_id, "banks.view")
    pool = access.scope(current_user, "banks.view")
    try:
        found = ms.suggestions(profile, pool, today())
    except MatchingError as exc:
        found, error = [], str(exc)
    else:
        error = None
    return render_page_or_partial(
        "banks/suggest.html",
        "banks/_suggestions.html",
        profile=profile,
        found=found,
        error=error,
        eligible=[s for s in found if not s.blocked_by],
        blocked=[s for s in found if s.blocked_by],
        kind=registry().kind(profile.kind_code),
        can_pair=access.can(current_user, "pairs.edit", profile.org_id),
    )
