"""Маршруты признания: every record is scoped by its school (``access.get_or_404``); the portfolio is
seen by the mentor and by the schools the mentor works for."""

from __future__ import annotations

import io
import mimetypes

from flask import abort, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db
from nastavnik.orgs.services import education_orgs
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.models import Person
from nastavnik.recognition import bp
from nastavnik.recognition import services as svc
from nastavnik.recognition.forms import AwardForm, ContestForm, IncentiveForm, TypeForm
from nastavnik.recognition.models import TYPE_GROUPS, Award, ContestEntry, Incentive, RecognitionType
from nastavnik.roadmaps.services import EvidenceError, check_upload
from nastavnik.timeutil import today
from nastavnik.web.htmx import redirect_to
from nastavnik.web.uploads import display_name

FORMS = {
    "award": (AwardForm, Award, "Награда", ("type_id", "level", "act_number", "act_date", "note")),
    "contest": (ContestForm, ContestEntry, "Участие в конкурсе", ("contest", "title", "year", "stage", "nomination", "result")),
    "incentive": (IncentiveForm, Incentive, "Поощрение", ("type_id", "granted_on", "amount", "basis", "note")),
}


def _mentors(org_ids: set[int]) -> list[Person]:
    """Mentors the user may record recognition for: in the schools' banks or in their pairs."""
    in_bank = select(MentorProfile.person_id).where(MentorProfile.org_id.in_(org_ids))
    people = {p.id: p for p in svc.mentor_people(org_ids)}
    people |= {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(in_bank)))}
    return sorted(people.values(), key=lambda p: (p.last_name, p.first_name))


def _school_of(person: Person, org_ids: set[int]) -> int | None:
    """The school that records it: the mentor's own, or (a partner's employee) the school of their pair."""
    if person.org_id in org_ids:
        return person.org_id
    return db.session.scalar(
        select(Pair.org_id)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(PairMember.person_id == person.id, Pair.org_id.in_(org_ids))
        .order_by(Pair.id.desc())
        .limit(1)
    )


@bp.route("/")
@access.rule("recognition.view")
def index():
    org_ids = access.scope(current_user, "recognition.view")

    def rows(model, order):
        return list(db.session.scalars(select(model).where(model.org_id.in_(org_ids)).order_by(order.desc())))

    return render_template(
        "recognition/index.html",
        awards=rows(Award, Award.act_date),
        contests=rows(ContestEntry, ContestEntry.year),
        incentives=rows(Incentive, Incentive.granted_on),
        mentors=_mentors(org_ids),
    )


@bp.route("/<kind>/new", methods=["GET", "POST"])
@access.rule("recognition.edit")
def create(kind):
    if kind not in FORMS:
        abort(404)
    form_class, model, title, fields = FORMS[kind]
    org_ids = access.scope(current_user, "recognition.edit")
    form = form_class()
    form.person_id.choices = [("", ""), *[(p.id, f"{p.full_name} ({p.org.title})") for p in _mentors(org_ids)]]
    if hasattr(form, "type_id"):
        group = "award" if kind == "award" else "incentive"
        form.type_id.choices = [("", ""), *[(t.id, t.title) for t in svc.types(group)]]
    if request.method == "GET":
        form.person_id.data = request.args.get("person", type=int)
    file_error = None
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        record = model(person_id=person.id, org_id=_school_of(person, org_ids), **{f: getattr(form, f).data for f in fields})
        if kind == "award":
            file_error = _store_file(record)
        if file_error is None:
            db.session.add(record)
            db.session.commit()
            flash(f"{title}: «{person.full_name}» — запись внесена.", "success")
            return redirect_to(url_for("recognition.portfolio", person_id=person.id))
    status = 422 if form.is_submitted() else 200
    return render_template("recognition/form.html", form=form, kind=kind, title=title, file_error=file_error), status


def _store_file(award: Award) -> str | None:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    data = upload.read()
    try:
        check_upload(upload.filename, data)
    except EvidenceError as exc:
        return str(exc)
    award.file_name = display_name(upload.filename)  # shown and offered as the download name only
    award.file_type = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
    award.file_content = data
    return None


@bp.route("/awards/<int:award_id>/file")
@access.login_only
def award_file(award_id):
    award = db.session.get(Award, award_id)
    if award is None or not award.file_name:
        abort(404)
    if current_user.person_id != award.person_id:
        access.require("recognition.view", award.org_id)
    return send_file(io.BytesIO(award.file_content or b""), download_name=award.file_name,
                     mimetype=award.file_type or "application/octet-stream", as_attachment=True)


@bp.route("/<kind>/<int:record_id>/delete", methods=["POST"])
@access.rule("recognition.edit")
def delete(kind, record_id):
    if kind not in FORMS:
        abort(404)
    record = access.get_or_404(FORMS[kind][1], record_id, "recognition.edit")
    person_id = record.person_id
    db.session.delete(record)
    db.session.commit()
    flash("Запись удалена.", "success")
    return redirect_to(url_for("recognition.portfolio", person_id=person_id))


# ---------------------------------------------------------------- portfolio


def _portfolio_scope(person: Person) -> set[int] | None:
    """None: the mentor sees all of their own; a school sees what happened in its schools; else 404."""
    if current_user.person_id == person.id:
        return None
    org_ids = access.scope(current_user, "recognition.view")
    if not org_ids or _school_of(person, org_ids) is None:
        abort(404)
    return org_ids


@bp.route("/portfolio/<int:person_id>")
@access.login_only
def portfolio(person_id):
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    org_ids = _portfolio_scope(person)
    return render_template(
        "recognition/portfolio.html",
        p=svc.portfolio(person, org_ids),
        can_edit=org_ids is not None and access.can(current_user, "recognition.edit"),
        may_publish=svc.may_publish(person, today()),
        public=False,
    )


@bp.route("/portfolio/<int:person_id>/site")
@access.login_only
def portfolio_site(person_id):
    """The version for the school's site: no contacts, no mentee's name; only with a consent to distribution."""
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    org_ids = _portfolio_scope(person)
    if not svc.may_publish(person, today()):
        return render_template("recognition/no_consent.html", person=person), 409  # not a lack of rights: of consent
    return render_template("recognition/portfolio.html", p=svc.portfolio(person, org_ids), can_edit=False,
                           may_publish=True, public=True)


# ---------------------------------------------------------------- candidates and lists


@bp.route("/candidates")
@access.rule("recognition.view")
def candidates():
    schools = education_orgs(access.scope(current_user, "recognition.view"))
    if not schools:
        abort(404)
    school_id = request.args.get("school", type=int) or schools[0].id
    if school_id not in {s.id for s in schools}:
        abort(404)
    return render_template(
        "recognition/candidates.html", schools=schools, school_id=school_id,
        candidates=svc.candidates({school_id}, today()),
    )


@bp.route("/types", methods=["GET", "POST"])
@access.rule("recognition.edit")
def types():
    form = TypeForm()
    if form.validate_on_submit():
        db.session.add(RecognitionType(group=form.group.data, title=form.title.data))
        db.session.commit()
        flash(f"«{form.title.data}» добавлено в список «{TYPE_GROUPS[form.group.data]}».", "success")
        return redirect_to(url_for("recognition.types"))
    status = 422 if form.is_submitted() else 200
    lists = {group: svc.types(group, include_archived=True) for group in TYPE_GROUPS}
    return render_template("recognition/types.html", form=form, lists=lists, groups=TYPE_GROUPS), status


@bp.route("/types/<int:type_id>/archive", methods=["POST"])
@access.rule("recognition.edit")
def archive_type(type_id):
    item = db.session.get(RecognitionType, type_id)
    if item is None:
        abort(404)
    item.archived = not item.archived
    db.session.commit()
    flash(f"«{item.title}» {'убрано из выбора' if item.archived else 'снова доступно'}.", "success")
    return redirect_to(url_for("recognition.types"))
