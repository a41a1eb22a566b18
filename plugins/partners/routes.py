"""Pages of the partners plugin (``/p/partners``): the register, agreements, partner mentors, activities.

Every view declares its access; the register is checked through ``services.partner_or_404``
(a partner of another municipality answers 404), school records through ``access.get_or_404``.
"""

from __future__ import annotations

import io
import mimetypes

from flask import Blueprint, abort, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.banks.models import MentorProfile
from nastavnik.banks.services import BankRefusal
from nastavnik.consents.models import CONSENT_KINDS, SELF, Consent
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs, subtree_ids
from nastavnik.participants.models import Person
from nastavnik.plugins.manager import registry
from nastavnik.roadmaps.services import EvidenceError, check_upload
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, check_version, commit_or_conflict
from nastavnik.web.htmx import redirect_to, render_page_or_partial
from nastavnik.web.uploads import display_name
from plugins.partners import services as svc
from plugins.partners.forms import (
    ActivityForm,
    AgreementForm,
    BankForm,
    ConsentForm,
    MentorForm,
    PartnerForm,
    TerminateForm,
)
from plugins.partners.models import AGREEMENT_STATES, Activity, Agreement, PartnerMentor, PartnerProfile

bp = Blueprint("partners", __name__, url_prefix="/p/partners", template_folder="templates")

PROFILE_FIELDS = ("kind", "ogrn", "address", "okved", "profile", "areas", "contact_name", "contact_phone", "contact_email")
PERSON_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "phone", "email")
MENTOR_FIELDS = ("post", "experience_years", "record_check_number", "record_check_on", "record_check_until", "briefing_on", "briefing_note")
AGREEMENT_FIELDS = ("number", "signed_on", "starts_on", "ends_on", "subject", "coordinator_id")
ACTIVITY_FIELDS = ("kind", "title", "held_on", "partner_id", "participants", "participants_note", "outcome")


def _version(form) -> int | None:
    raw = form.version.data
    return int(raw) if raw and str(raw).isdigit() else None


def _schools(permission: str, municipality_id: int | None = None) -> list[Organisation]:
    """Education organisations where the user holds ``permission`` (under the municipality, if given)."""
    schools = education_orgs(access.scope(current_user, permission))
    if municipality_id is None:
        return schools
    under = subtree_ids([municipality_id])
    return [s for s in schools if s.id in under]


def _kind_choices() -> list[tuple[str, str]]:
    return [(code, kind.title) for code, kind in registry().kinds.items()]


def _conflict_message() -> str:
    return "Запись изменил другой пользователь, пока вы её редактировали. Ниже — текущие данные; внесите изменения ещё раз."


def _conflict(template: str, form_class, record, extra: dict | None = None, choices: dict | None = None, **context):
    """A stale edit: 409 with the form refilled from the stored record (nothing was written)."""
    db.session.refresh(record)
    form = form_class(obj=record, formdata=None)
    for name, value in (choices or {}).items():
        getattr(form, name).choices = value
    for name, value in (extra or {}).items():
        getattr(form, name).data = value
    form.version.data = record.version
    return render_template(template, form=form, conflict=_conflict_message(), **context), 409


def _agreement_conflict(agreement: Agreement):
    db.session.rollback()
    db.session.refresh(agreement)
    form = AgreementForm(obj=agreement, formdata=None)
    fresh = _agreement_form(agreement.org_id)
    form.kind_codes.choices, form.coordinator_id.choices = fresh.kind_codes.choices, fresh.coordinator_id.choices
    form.kind_codes.data, form.version.data = agreement.kinds, agreement.version
    return render_template(
        "partners/agreement_form.html", form=form, partner=agreement.partner, schools=[], school_id=agreement.org_id,
        agreement=agreement, file_error=None, conflict=_conflict_message(),
    ), 409


# ---------------------------------------------------------------- register


@bp.route("/")
@access.rule("partners.view")
def index():
    municipalities = svc.register_ids(current_user)
    day = today()
    schools = education_orgs(access.scope(current_user, "partners.view"))
    agreements = svc.agreements_of({s.id for s in schools})
    live = {}
    for agreement in agreements:
        if agreement.state_on(day) == "live":
            live.setdefault(agreement.partner_id, []).append(agreement)
    return render_template(
        "partners/index.html",
        partners=svc.partners_of(municipalities),
        live=live,
        can_edit=bool(svc.register_ids(current_user, "partners.edit")),
        expiring=svc.expiring_agreements({s.id for s in schools}, day),
        day=day,
    )


def _municipality_choices() -> list[Organisation]:
    ids = svc.register_ids(current_user, "partners.edit")
    return db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)).all()


@bp.route("/new", methods=["GET", "POST"])
@access.rule("partners.edit")
def create():
    form = PartnerForm()
    municipalities = _municipality_choices()
    if not municipalities:
        abort(403)
    chosen = request.form.get("municipality_id", type=int) or municipalities[0].id
    if chosen not in {m.id for m in municipalities}:
        abort(404)
    if form.validate_on_submit():
        if _duplicate_inn(form.inn.data, chosen):
            form.inn.errors.append("Организация с этим ИНН уже есть в реестре муниципалитета.")
        else:
            org = Organisation(kind="partner", parent_id=chosen, name=form.name.data, short_name=form.short_name.data, inn=form.inn.data)
            db.session.add(org)
            db.session.flush()
            profile = PartnerProfile(org_id=org.id, **{f: getattr(form, f).data for f in PROFILE_FIELDS})
            db.session.add(profile)
            db.session.commit()
            flash(f"Организация «{org.title}» внесена в реестр партнёров.", "success")
            return redirect_to(url_for("partners.detail", partner_id=org.id))
    status = 422 if form.is_submitted() else 200
    return render_template("partners/partner_form.html", form=form, municipalities=municipalities, chosen=chosen, partner=None), status


def _duplicate_inn(inn: str, municipality_id: int, except_id: int | None = None) -> bool:
    query = select(Organisation.id).where(
        Organisation.kind == "partner", Organisation.parent_id == municipality_id, Organisation.inn == inn
    )
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return db.session.scalar(query) is not None


@bp.route("/<int:partner_id>")
@access.rule("partners.view")
def detail(partner_id):
    partner = svc.partner_or_404(partner_id)
    day = today()
    schools = _schools("partners.view", partner.parent_id)
    mentors = svc.mentors_of(partner.id)
    profiles = {
        p.person_id: p
        for p in db.session.scalars(select(MentorProfile).where(MentorProfile.person_id.in_([m.person_id for m in mentors])))
    }
    return render_template(
        "partners/detail.html",
        partner=partner,
        profile=svc.profile_of(partner),
        agreements=svc.agreements_of({s.id for s in schools}, partner.id),
        mentors=mentors,
        bank=profiles,
        activities=_activities({s.id for s in schools}, partner.id),
        can_edit=svc.can_see_partner(current_user, partner, "partners.edit"),
        can_add_agreement=bool(_schools("partners.edit", partner.parent_id)),
        day=day,
    )


@bp.route("/<int:partner_id>/edit", methods=["GET", "POST"])
@access.rule("partners.edit")
def edit(partner_id):
    partner = svc.partner_or_404(partner_id, "partners.edit")
    profile = svc.profile_of(partner) or PartnerProfile(org_id=partner.id, kind="enterprise")
    form = PartnerForm(obj=profile if request.method == "GET" else None)
    status = 200
    if request.method == "GET":
        form.name.data, form.short_name.data, form.inn.data = partner.name, partner.short_name, partner.inn
        form.version.data = profile.version or 0
    elif form.validate_on_submit():
        if _duplicate_inn(form.inn.data, partner.parent_id, partner.id):
            form.inn.errors.append("Организация с этим ИНН уже есть в реестре муниципалитета.")
            status = 422
        else:
            try:
                check_version(profile, _version(form))
                partner.name, partner.short_name, partner.inn = form.name.data, form.short_name.data, form.inn.data
                for name in PROFILE_FIELDS:
                    setattr(profile, name, getattr(form, name).data)
                db.session.add(profile)
                commit_or_conflict()
            except Conflict:
                db.session.rollback()
                return _conflict("partners/partner_form.html", PartnerForm, profile, partner=partner, municipalities=[], chosen=None,
                                 extra={"name": partner.name, "short_name": partner.short_name, "inn": partner.inn})
            flash("Карточка партнёра сохранена.", "success")
            return redirect_to(url_for("partners.detail", partner_id=partner.id))
    else:
        status = 422
    return render_template("partners/partner_form.html", form=form, partner=partner, municipalities=[], chosen=None), status


# ---------------------------------------------------------------- agreements


@bp.route("/agreements")
@access.rule("partners.view")
def agreements():
    schools = education_orgs(access.scope(current_user, "partners.view"))
    return render_template(
        "partners/agreements.html",
        agreements=svc.agreements_of({s.id for s in schools}),
        states=AGREEMENT_STATES,
        day=today(),
    )


def _agreement_form(school_id: int | None, agreement: Agreement | None = None) -> AgreementForm:
    form = AgreementForm(obj=agreement if request.method == "GET" else None)
    form.kind_codes.choices = _kind_choices()
    staff = []
    if school_id is not None:
        staff = db.session.scalars(
            select(Person)
            .where(Person.org_id == school_id, Person.kind == "staff", Person.archived_at.is_(None))
            .order_by(Person.last_name, Person.first_name)
        ).all()
    form.coordinator_id.choices = [("", "—"), *[(p.id, p.full_name) for p in staff]]
    if request.method == "GET" and agreement is not None:
        form.kind_codes.data = agreement.kinds
        form.version.data = agreement.version
    return form


def _store_file(agreement: Agreement) -> str | None:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    data = upload.read()
    try:
        check_upload(upload.filename, data)
    except EvidenceError as exc:
        return str(exc)
    agreement.file_name = display_name(upload.filename)  # shown and offered as the download name only
    agreement.file_type = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
    agreement.file_content = data
    return None


@bp.route("/<int:partner_id>/agreements/new", methods=["GET", "POST"])
@access.rule("partners.edit")
def new_agreement(partner_id):
    partner = svc.partner_or_404(partner_id)
    schools = _schools("partners.edit", partner.parent_id)
    if not schools:
        abort(404)
    school_id = request.values.get("school_id", type=int) or schools[0].id
    if school_id not in {s.id for s in schools}:
        abort(404)
    form = _agreement_form(school_id)
    if request.method == "GET":
        form.starts_on.data = form.signed_on.data = today()
    file_error = None
    if form.validate_on_submit():
        agreement = Agreement(org_id=school_id, partner_id=partner.id, **{f: getattr(form, f).data for f in AGREEMENT_FIELDS})
        agreement.kind_codes = ",".join(form.kind_codes.data or [])
        file_error = _store_file(agreement)
        if file_error is None:
            db.session.add(agreement)
            db.session.commit()
            flash(f"Соглашение № {agreement.number} с «{partner.title}» внесено.", "success")
            return redirect_to(url_for("partners.detail", partner_id=partner.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "partners/agreement_form.html", form=form, partner=partner, schools=schools, school_id=school_id,
        agreement=None, file_error=file_error,
    ), status


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@access.rule("partners.edit")
def edit_agreement(agreement_id):
    agreement = access.get_or_404(Agreement, agreement_id, "partners.edit")
    form = _agreement_form(agreement.org_id, agreement)
    file_error, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                check_version(agreement, _version(form))
            except Conflict:
                return _agreement_conflict(agreement)
            file_error = _store_file(agreement)
            if file_error is None:
                for name in AGREEMENT_FIELDS:
                    setattr(agreement, name, getattr(form, name).data)
                agreement.kind_codes = ",".join(form.kind_codes.data or [])
                try:
                    commit_or_conflict()
                except Conflict:
                    return _agreement_conflict(agreement)
                flash("Соглашение сохранено.", "success")
                return redirect_to(url_for("partners.detail", partner_id=agreement.partner_id))
        status = 422
    return render_template(
        "partners/agreement_form.html", form=form, partner=agreement.partner, schools=[], school_id=agreement.org_id,
        agreement=agreement, file_error=file_error,
    ), status


@bp.route("/agreements/<int:agreement_id>/terminate", methods=["GET", "POST"])
@access.rule("partners.edit")
def terminate_agreement(agreement_id):
    agreement = access.get_or_404(Agreement, agreement_id, "partners.edit")
    form = TerminateForm()
    if request.method == "GET":
        form.terminated_on.data, form.version.data = today(), agreement.version
    if form.validate_on_submit():
        try:
            check_version(agreement, _version(form))
            agreement.terminated_on, agreement.termination_reason = form.terminated_on.data, form.termination_reason.data
            commit_or_conflict()
        except Conflict:
            db.session.refresh(agreement)
            form.version.data = agreement.version
            return render_template("partners/terminate.html", form=form, agreement=agreement, conflict=_conflict_message()), 409
        flash(f"Соглашение № {agreement.number} расторгнуто с {form.terminated_on.data:%d.%m.%Y}.", "success")
        return redirect_to(url_for("partners.detail", partner_id=agreement.partner_id))
    status = 422 if form.is_submitted() else 200
    return render_template("partners/terminate.html", form=form, agreement=agreement), status


@bp.route("/agreements/<int:agreement_id>/file")
@access.rule("partners.view")
def agreement_file(agreement_id):
    agreement = access.get_or_404(Agreement, agreement_id, "partners.view")
    if not agreement.file_name:
        abort(404)
    return send_file(
        io.BytesIO(agreement.file_content or b""), download_name=agreement.file_name,
        mimetype=agreement.file_type or "application/octet-stream", as_attachment=True,
    )


# ---------------------------------------------------------------- partner mentors


def _mentor_or_404(mentor_id: int, permission: str = "partners.view") -> PartnerMentor:
    mentor = db.session.get(PartnerMentor, mentor_id)
    if mentor is None:
        abort(404)
    svc.partner_or_404(mentor.person.org_id, permission)
    return mentor


@bp.route("/<int:partner_id>/mentors/new", methods=["GET", "POST"])
@access.rule("partners.edit")
def new_mentor(partner_id):
    partner = svc.partner_or_404(partner_id, "partners.edit")
    form = MentorForm()
    if form.validate_on_submit():
        person = Person(org_id=partner.id, kind="partner_employee", position=form.post.data,
                        **{f: getattr(form, f).data for f in PERSON_FIELDS})
        db.session.add(person)
        db.session.flush()
        mentor = PartnerMentor(person_id=person.id, **{f: getattr(form, f).data for f in MENTOR_FIELDS})
        db.session.add(mentor)
        db.session.commit()
        flash(f"«{person.full_name}» внесён(а) как наставник от партнёра. Внесите согласия и включите в банк наставников.", "success")
        return redirect_to(url_for("partners.mentor", mentor_id=mentor.id))
    status = 422 if form.is_submitted() else 200
    return render_template("partners/mentor_form.html", form=form, partner=partner, mentor=None), status


@bp.route("/mentors/<int:mentor_id>")
@access.rule("partners.view")
def mentor(mentor_id):
    mentor = _mentor_or_404(mentor_id)
    day = today()
    consent_form = ConsentForm(formdata=None)
    consent_form.kind.choices = [("", ""), *CONSENT_KINDS.items()]
    consent_form.signed_on.data = day
    return render_template(
        "partners/mentor.html",
        mentor=mentor,
        partner=mentor.person.org,
        problem=svc.record_check_problem(mentor, day),
        profile=db.session.scalar(select(MentorProfile).where(MentorProfile.person_id == mentor.person_id)),
        consent_form=consent_form,
        bank_form=BankForm(formdata=None),
        can_edit=svc.can_see_partner(current_user, mentor.person.org, "partners.edit"),
        day=day,
    )


@bp.route("/mentors/<int:mentor_id>/edit", methods=["GET", "POST"])
@access.rule("partners.edit")
def edit_mentor(mentor_id):
    mentor = _mentor_or_404(mentor_id, "partners.edit")
    person = mentor.person
    form = MentorForm(obj=mentor if request.method == "GET" else None)
    if request.method == "GET":
        for name in PERSON_FIELDS:
            getattr(form, name).data = getattr(person, name)
        form.version.data = mentor.version
    elif form.validate_on_submit():
        try:
            check_version(mentor, _version(form))
            for name in PERSON_FIELDS:
                setattr(person, name, getattr(form, name).data)
            person.position = form.post.data
            for name in MENTOR_FIELDS:
                setattr(mentor, name, getattr(form, name).data)
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            return _conflict("partners/mentor_form.html", MentorForm, mentor, partner=person.org, mentor=mentor,
                             extra={name: getattr(person, name) for name in PERSON_FIELDS})
        flash("Данные наставника сохранены.", "success")
        return redirect_to(url_for("partners.mentor", mentor_id=mentor.id))
    status = 422 if form.is_submitted() else 200
    return render_template("partners/mentor_form.html", form=form, partner=person.org, mentor=mentor), status


@bp.route("/mentors/<int:mentor_id>/consents", methods=["POST"])
@access.rule("partners.edit")
def add_consent(mentor_id):
    mentor = _mentor_or_404(mentor_id, "partners.edit")
    form = ConsentForm()
    form.kind.choices = [("", ""), *CONSENT_KINDS.items()]
    if form.validate_on_submit() and form.kind.data:
        person = mentor.person
        db.session.add(Consent(
            person=person, kind=form.kind.data, signatory_name=person.full_name, signatory_relation=SELF,
            signed_on=form.signed_on.data, valid_until=form.valid_until.data, document_ref=form.document_ref.data,
            purposes="участие в программе наставничества",
        ))
        db.session.commit()
        flash(f"Согласие «{CONSENT_KINDS[form.kind.data].lower()}» внесено.", "success")
    else:
        errors = [e for field in form for e in field.errors if field.name != "csrf_token"] or ["Выберите вид согласия."]
        flash("Согласие не внесено: " + " ".join(errors), "error")
    return redirect_to(url_for("partners.mentor", mentor_id=mentor.id))


@bp.route("/mentors/<int:mentor_id>/bank", methods=["POST"])
@access.rule("partners.edit")
def include_in_bank(mentor_id):
    mentor = _mentor_or_404(mentor_id, "partners.edit")
    form = BankForm()
    if not form.validate_on_submit():
        flash("Не включён в банк: " + " ".join(form.capacity.errors), "error")
        return redirect_to(url_for("partners.mentor", mentor_id=mentor.id))
    try:
        svc.include_in_bank(mentor, form.capacity.data, today())
    except BankRefusal as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect_to(url_for("partners.mentor", mentor_id=mentor.id))
    db.session.commit()
    flash(f"«{mentor.person.full_name}» включён(а) в банк наставников: его увидят при подборе школы с действующим соглашением.", "success")
    return redirect_to(url_for("partners.mentor", mentor_id=mentor.id))


# ---------------------------------------------------------------- activities


def _activities(org_ids: set[int], partner_id: int | None = None) -> list[Activity]:
    query = select(Activity).where(Activity.org_id.in_(org_ids))
    if partner_id is not None:
        query = query.where(Activity.partner_id == partner_id)
    return list(db.session.scalars(query.order_by(Activity.held_on.desc(), Activity.id.desc())))


@bp.route("/activities")
@access.rule("partners.view")
def activities():
    schools = education_orgs(access.scope(current_user, "partners.view"))
    items = _activities({s.id for s in schools})
    return render_page_or_partial(
        "partners/activities.html", "partners/_activities.html",
        activities=items, total=sum(a.participants for a in items),
        can_edit=bool(_schools("partners.edit")),
    )


def _activity_form(activity: Activity | None = None) -> ActivityForm:
    form = ActivityForm(obj=activity if request.method == "GET" else None)
    partners = svc.partners_of(svc.register_ids(current_user))
    form.partner_id.choices = [("", "—"), *[(org.id, org.title) for org, _ in partners]]
    if request.method == "GET" and activity is not None:
        form.version.data = activity.version
    return form


@bp.route("/activities/new", methods=["GET", "POST"])
@access.rule("partners.edit")
def new_activity():
    schools = _schools("partners.edit")
    if not schools:
        abort(403)
    school_id = request.values.get("school_id", type=int) or schools[0].id
    if school_id not in {s.id for s in schools}:
        abort(404)
    form = _activity_form()
    if request.method == "GET":
        form.partner_id.data = request.args.get("partner", type=int)
    if form.validate_on_submit():
        activity = Activity(org_id=school_id, **{f: getattr(form, f).data for f in ACTIVITY_FIELDS})
        db.session.add(activity)
        db.session.commit()
        flash(f"Мероприятие «{activity.title}» записано.", "success")
        return redirect_to(url_for("partners.activities"))
    status = 422 if form.is_submitted() else 200
    return render_template("partners/activity_form.html", form=form, schools=schools, school_id=school_id, activity=None), status


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@access.rule("partners.edit")
def edit_activity(activity_id):
    activity = access.get_or_404(Activity, activity_id, "partners.edit")
    form = _activity_form(activity)
    if form.validate_on_submit():
        try:
            check_version(activity, _version(form))
            for name in ACTIVITY_FIELDS:
                setattr(activity, name, getattr(form, name).data)
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            return _conflict("partners/activity_form.html", ActivityForm, activity, schools=[], school_id=activity.org_id,
                             activity=activity, choices={"partner_id": form.partner_id.choices})
        flash("Мероприятие сохранено.", "success")
        return redirect_to(url_for("partners.activities"))
    status = 422 if form.is_submitted() else 200
    return render_template("partners/activity_form.html", form=form, schools=[], school_id=activity.org_id, activity=activity), status


# ---------------------------------------------------------------- dashboard


def dashboard_card(user):
    if not access.can(user, "partners.view"):
        return None
    org_ids = access.scope(user, "partners.view")
    expiring = svc.expiring_agreements(org_ids, today())
    return render_template("partners/_dashboard_card.html", expiring=expiring, day=today())
