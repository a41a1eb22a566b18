"""Routes of events: the list, an event, its list of participants, attendance, the attendance sheet,
certificates, materials and photos; «my events» of a mentor or mentee; kinds, settings, the roll-up.

Every view loads its event through ``services.event_or_404`` (another school's event answers 404).
"""

from __future__ import annotations

import io
from datetime import datetime

from flask import abort, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.events import bp, certificates, kinds, services
from nastavnik.events.forms import (
    EventForm,
    KindForm,
    MaterialForm,
    OutsiderForm,
    PhotoForm,
    PhotoTagsForm,
    ReportForm,
    SettingsForm,
)
from nastavnik.events.models import (
    ATTENDANCE,
    AUDIENCE_ROLES,
    GROUPS,
    LEVELS,
    PARTICIPANT_STATUSES,
    STATUSES,
    UNTRAINED,
    Certificate,
    Event,
    EventInvitedOrg,
    EventKindRow,
    EventMaterial,
    EventSettings,
    Participant,
    Photo,
    PhotoTag,
)
from nastavnik.events.services import EventError
from nastavnik.events.site import consented_ids, photo_problems
from nastavnik.events.training import settings_of
from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation
from nastavnik.periods import AcademicYear, ru_date
from nastavnik.plugins.manager import registry
from nastavnik.roadmaps.services import EvidenceError, check_link, check_upload
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, check_version, commit_or_conflict
from nastavnik.web.htmx import is_htmx, redirect_to, render_partial
from nastavnik.web.words import plural

CONFLICT = "Мероприятие изменил другой пользователь, пока вы его редактировали. Ниже — текущие данные; внесите своё изменение ещё раз."
ROW_CONFLICT = "Запись участника только что изменил другой пользователь: показано текущее состояние."
CONTENT_TYPES = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOCX = CONTENT_TYPES["docx"]


@bp.app_context_processor
def _helpers():
    return dict(
        event_kind_title=kinds.title,
        EVENT_STATUSES=STATUSES,
        EVENT_LEVELS=LEVELS,
        ATTENDANCE=ATTENDANCE,
        PARTICIPANT_STATUSES=PARTICIPANT_STATUSES,
        AUDIENCE_ROLES=AUDIENCE_ROLES,
    )


def _version(raw) -> int | None:
    raw = raw if raw is not None else request.form.get("version")
    return int(raw) if raw not in (None, "") and str(raw).isdigit() else None


def _detail_url(event: Event, anchor: str = "") -> str:
    return url_for("events.detail", event_id=event.id) + (f"#{anchor}" if anchor else "")


# -- the list -------------------------------------------------------------------------------------


@bp.route("/")
@access.rule("events.view")
def index():
    when = request.args.get("when", "upcoming")
    filters = services.Filters(
        when=when if when in ("upcoming", "past", "all") else "upcoming",
        kind=request.args.get("kind", ""),
        org_id=request.args.get("org", type=int),
    )
    day = today()
    events = services.event_list(current_user, filters, day)
    return render_template(
        "events/index.html",
        events=events,
        counts=services.counts_by_event([e.id for e in events]),
        filters=filters,
        kind_choices=list(registry().event_kinds.values()),
        can_edit=access.can(current_user, "events.edit"),
        day=day,
    )


# -- creating and editing -------------------------------------------------------------------------


def _level_of(org: Organisation) -> str:
    return "school" if org.kind in EDUCATION_KINDS else "municipality"


def _prepare(form: EventForm, event: Event | None) -> Organisation | None:
    orgs = services.organiser_choices(current_user)
    if event is not None and event.org_id not in {o.id for o in orgs}:
        orgs.append(event.org)
    form.org_id.choices = [(o.id, o.title) for o in orgs]
    org_id = form.org_id.data if form.org_id.data in {o.id for o in orgs} else (orgs[0].id if orgs else None)
    if event is not None:
        org_id = event.org_id
    form.kind_code.choices = [("", "— выберите —")] + [
        (k.code, k.title) for k in kinds.choices_for(org_id, keep=event.kind_code if event else "")
    ]
    form.audience_kinds.choices = [(k.code, k.title) for k in registry().kinds.values()]
    org = db.session.get(Organisation, org_id) if org_id else None
    schools = services.schools_under(org_id) if org is not None and _level_of(org) == "municipality" else []
    form.invited_orgs.choices = [(s.id, s.title) for s in schools]
    return org


def _apply(form: EventForm, event: Event, org: Organisation) -> None:
    event.org_id = org.id
    event.level = _level_of(org)
    event.kind_code = form.kind_code.data
    event.title = form.title.data
    event.starts_at = datetime.combine(form.day.data, form.starts.data)
    event.ends_at = datetime.combine(form.day.data, form.ends.data) if form.ends.data else None
    event.place, event.link_url = form.place.data, form.link_url.data
    event.organisers, event.programme = form.organisers.data, form.programme.data
    event.audience_roles = ",".join(form.audience_roles.data or [])
    event.audience_kinds = ",".join(form.audience_kinds.data or [])
    event.hours = form.hours.data
    if event.level == "municipality":
        allowed = {value for value, _ in form.invited_orgs.choices}
        wanted = set(form.invited_orgs.data or []) & allowed
        listed = {p.org_id for p in event.participants}
        kept = [link for link in event.invited_orgs if link.org_id in wanted or link.org_id in listed]
        have = {link.org_id for link in kept}
        event.invited_orgs = kept + [EventInvitedOrg(org_id=org_id) for org_id in sorted(wanted - have)]


def _form_page(form, event, status: int, conflict: str = ""):
    return render_template(
        "events/form.html", form=form, event=event, conflict=conflict,
        municipal=bool(form.invited_orgs.choices),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@access.rule("events.edit")
def create():
    form = EventForm()
    if request.method == "GET":
        form.org_id.data = request.args.get("org", type=int)
        form.kind_code.data = request.args.get("kind", "")
        form.hours.data = None
    org = _prepare(form, None)
    if org is None:
        abort(403)
    if request.method == "GET" and form.kind_code.data:
        form.title.data = form.title.data or kinds.title(form.kind_code.data).capitalize()
    refresh = bool(request.form.get("refresh"))  # «Обновить список видов и школ» after choosing the organiser
    if not refresh and form.validate_on_submit():
        access.require("events.edit", org.id)
        event = Event(created_by_id=current_user.id)
        _apply(form, event, org)
        db.session.add(event)
        db.session.commit()
        flash("Мероприятие создано. Пригласите участников.", "success")
        return redirect_to(url_for("events.invite", event_id=event.id))
    return _form_page(form, None, 422 if form.is_submitted() and not refresh else 200)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@access.rule("events.edit")
def edit(event_id):
    event, _ = services.event_or_404(event_id, current_user, "edit")
    form = EventForm(obj=event) if request.method == "GET" else EventForm()
    if request.method == "GET":
        form.day.data, form.starts.data = event.day, event.starts_at.time()
        form.ends.data = event.ends_at.time() if event.ends_at else None
        form.audience_roles.data = event.audience_role_codes
        form.audience_kinds.data = event.audience_kind_codes
        form.invited_orgs.data = [link.org_id for link in event.invited_orgs]
        form.version.data = event.version
    form.org_id.data = event.org_id  # the organiser is not changed: the certificates' register is theirs
    org = _prepare(form, event)
    if form.validate_on_submit():
        try:
            check_version(event, _version(form.version.data))
            _apply(form, event, org)
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            db.session.refresh(event)
            form = EventForm(obj=event, formdata=None)
            form.day.data, form.starts.data = event.day, event.starts_at.time()
            form.version.data = event.version
            _prepare(form, event)
            return _form_page(form, event, 409, CONFLICT)
        flash("Изменения сохранены.", "success")
        return redirect_to(_detail_url(event))
    return _form_page(form, event, 422 if form.is_submitted() else 200)


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@access.rule("events.edit")
def cancel(event_id):
    event, _ = services.event_or_404(event_id, current_user, "edit")
    restore = request.form.get("restore") == "1"
    try:
        check_version(event, _version(None))
        if restore:
            event.status = "held" if any(p.attendance == "present" for p in event.participants) else "planned"
        elif any(p.certificate is not None for p in event.participants):
            raise EventError("По мероприятию выданы сертификаты: отменить его нельзя.")
        else:
            event.status = "cancelled"
        commit_or_conflict()
    except Conflict:
        flash(CONFLICT, "error")
    except EventError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash("Мероприятие восстановлено." if restore else "Мероприятие отменено.", "success")
    return redirect_to(_detail_url(event))


# -- one event ----------------------------------------------------------------------------------


def _own(event_id: int) -> tuple[Event, Participant]:
    """A mentor's or mentee's own place on an event's list (or 404)."""
    event = db.session.get(Event, event_id)
    mine = services.own_participation(current_user, event) if event is not None else None
    if mine is None:
        abort(404)
    return event, mine


@bp.route("/<int:event_id>")
@access.login_only
def detail(event_id):
    event = db.session.get(Event, event_id)
    level = services.access_level(current_user, event) if event is not None else None
    if level is None:
        _, mine = _own(event_id)
        return render_template("events/mine_detail.html", event=event, p=mine)
    people = [p for p in event.participants]
    if level == "nominate":  # an invited school sees its own people and the totals
        mine = access.scope(current_user, "events.edit")
        people = [p for p in people if p.org_id in mine]
    consented = consented_ids({t.person_id for photo in _photos(event) for t in photo.tags}, today())
    return render_template(
        "events/detail.html",
        event=event,
        level=level,
        people=people,
        counts=services.counts_by_event([event.id])[event.id],
        rollup=services.event_rollup(event) if event.level == "municipality" or event.invited_orgs else [],
        training=certificates.is_training(event),
        waiting=certificates.waiting(event) if level == "edit" else [],
        certificates=_certificates(event),
        photos=[(photo, photo_problems(photo, consented)) for photo in _photos(event)],
        report_form=ReportForm(formdata=None, report=event.report, version=event.version),
        material_form=_prefixed(MaterialForm(formdata=None), "material"),
        photo_form=_prefixed(_photo_form(event, formdata=None), "photo"),
        day=today(),
    )


def _prefixed(form, prefix: str):
    """Two upload forms on one page: their ids differ, their field names (what the views read) do not."""
    for field in form:
        field.id = f"{prefix}-{field.id}"
    return form


def _certificates(event: Event) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.event_id == event.id).order_by(Certificate.number)
    ))


def _photos(event: Event) -> list[Photo]:
    return list(db.session.scalars(select(Photo).where(Photo.event_id == event.id).order_by(Photo.id)))


@bp.route("/<int:event_id>/report", methods=["POST"])
@access.rule("events.edit")
def report(event_id):
    event, _ = services.event_or_404(event_id, current_user, "edit")
    form = ReportForm()
    if form.validate_on_submit():
        try:
            check_version(event, _version(form.version.data))
            event.report = form.report.data
            commit_or_conflict()
        except Conflict:
            flash(CONFLICT, "error")
        else:
            flash("Отчёт сохранён.", "success")
    else:
        flash(" ".join(form.report.errors) or "Отчёт не сохранён.", "error")
    return redirect_to(_detail_url(event, "event-report"))


# -- the list of participants -----------------------------------------------------------------------


@bp.route("/<int:event_id>/invite", methods=["GET", "POST"])
@access.rule("events.view")
def invite(event_id):
    """Приглашение участников: people of the app by name and role, guests by name and organisation."""
    event, level = services.event_or_404(event_id, current_user, "nominate")
    q = (request.values.get("q") or "").strip()
    who = request.values.get("who", "")
    outsider_form = OutsiderForm(formdata=None)
    status = 200
    if request.method == "POST" and request.form.get("action") == "outsider":
        outsider_form = OutsiderForm()
        if outsider_form.validate_on_submit():
            sent_by = None
            if level == "nominate":
                sent_by = next(iter({link.org_id for link in event.invited_orgs} & access.scope(current_user, "events.edit")), None)
            services.add_outsider(
                event, outsider_form.outsider_name.data, outsider_form.outsider_org.data,
                outsider_form.outsider_position.data, outsider_form.publication_consent_ref.data, sent_by,
            )
            flash(f"Гость «{outsider_form.outsider_name.data}» добавлен в список.", "success")
            return redirect_to(url_for("events.invite", event_id=event.id))
        status = 422
    elif request.method == "POST":
        found = services.candidates(event, current_user, level, q, who)
        if request.form.get("all") == "1":
            chosen = found
        else:
            wanted = {int(v) for v in request.form.getlist("person_id") if v.isdigit()}
            chosen = [p for p in found if p.id in wanted]
        if not chosen:
            flash("Отметьте, кого пригласить.", "error")
        else:
            # A school sending its own people to a municipal event registers them; the organiser invites.
            added = services.invite(event, chosen, status="registered" if level == "nominate" else "invited")
            done = "Записано" if level == "nominate" else "Приглашено"
            flash(f"{done}: {plural(len(added), 'человек', 'человека', 'человек')}.", "success")
            return redirect_to(url_for("events.invite", event_id=event.id, q=q, who=who))
    people = services.candidates(event, current_user, level, q, who)
    return render_template(
        "events/invite.html", event=event, level=level, people=people, q=q, who=who,
        outsider_form=outsider_form, listed=[p for p in event.participants],
    ), status


@bp.route("/participants/<int:participant_id>/status", methods=["POST"])
@access.rule("events.view")
def participant_status(participant_id):
    participant, _ = services.participant_or_404(participant_id, current_user)
    try:
        services.set_status(participant, request.form.get("status", ""), _version(None))
    except Conflict:
        flash(ROW_CONFLICT, "error")
    except EventError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{participant.name}: {PARTICIPANT_STATUSES[participant.status]}.", "success")
    return redirect_to(_detail_url(participant.event, f"participant-{participant.id}"))


@bp.route("/participants/<int:participant_id>/remove", methods=["POST"])
@access.rule("events.view")
def participant_remove(participant_id):
    participant, _ = services.participant_or_404(participant_id, current_user)
    event = participant.event
    if participant.attendance or participant.certificate is not None:
        flash("Участник уже отмечен на мероприятии: удалить его из списка нельзя.", "error")
    else:
        db.session.delete(participant)
        db.session.commit()
        flash(f"{participant.name} удалён(а) из списка.", "success")
    return redirect_to(_detail_url(event, "event-participants"))


# -- attendance -----------------------------------------------------------------------------------


@bp.route("/<int:event_id>/attendance")
@access.rule("events.edit")
def attendance(event_id):
    """Отметка присутствия в день мероприятия: one row per participant, HTMX swaps the row."""
    event, _ = services.event_or_404(event_id, current_user, "edit")
    people = sorted((p for p in event.participants if p.status != "declined"), key=lambda p: (p.org_title, p.name))
    return render_template(
        "events/attendance.html", event=event, people=people, day=today(),
        counts=services.counts_by_event([event.id])[event.id],
    )


def _attendance_row(participant: Participant, status: int = 200, message: str = "", error: bool = False):
    event = participant.event
    return render_partial(
        "events/_attendance_row.html", status=status, p=participant, event=event, day=today(),
        message=message, error=error, counts=services.counts_by_event([event.id])[event.id], oob=True,
    )


@bp.route("/participants/<int:participant_id>/attendance", methods=["POST"])
@access.rule("events.edit")
def mark(participant_id):
    participant, level = services.participant_or_404(participant_id, current_user)
    if level != "edit":
        abort(403)
    value = request.form.get("attendance", "")
    try:
        services.mark_attendance(participant, value, current_user, today(), _version(None))
    except Conflict:
        db.session.refresh(participant)
        if is_htmx():
            return _attendance_row(participant, 409, ROW_CONFLICT, error=True)
        flash(ROW_CONFLICT, "error")
    except EventError as exc:
        db.session.rollback()
        if is_htmx():
            return _attendance_row(participant, 422, str(exc), error=True)
        flash(str(exc), "error")
    else:
        message = f"{participant.name}: {ATTENDANCE[participant.attendance]}."
        if is_htmx():
            return _attendance_row(participant, message=message)
        flash(message, "success")
    return redirect_to(url_for("events.attendance", event_id=participant.event_id) + f"#participant-{participant.id}")


@bp.route("/<int:event_id>/sheet")
@access.rule("events.view")
def sheet(event_id):
    """Лист регистрации: A4, a signature column; printed before the event or kept with the marks after it."""
    event, _ = services.event_or_404(event_id, current_user, "view")
    people = sorted((p for p in event.participants if p.status != "declined"), key=lambda p: (p.org_title, p.name))
    blank = max(3, 25 - len(people)) if request.args.get("blank") else 3
    return render_template("events/sheet.html", event=event, people=people, blank=blank)


# -- certificates -------------------------------------------------------------------------------


@bp.route("/<int:event_id>/certificates", methods=["POST"])
@access.rule("events.edit")
def issue_certificates(event_id):
    event, _ = services.event_or_404(event_id, current_user, "edit")
    try:
        issued = certificates.issue(event, current_user, today())
    except certificates.CertificateError as exc:
        flash(str(exc), "error")
    else:
        numbers = ", ".join(c.register_number for c in issued)
        flash(f"Выдано: {plural(len(issued), 'сертификат', 'сертификата', 'сертификатов')} (№ {numbers}).", "success")
    return redirect_to(_detail_url(event, "event-certificates"))


@bp.route("/<int:event_id>/certificates.zip")
@access.rule("events.view")
def certificates_zip(event_id):
    event, _ = services.event_or_404(event_id, current_user, "view")
    issued = _certificates(event)
    if not issued:
        abort(404)
    return send_file(
        io.BytesIO(certificates.to_zip(issued)), as_attachment=True, mimetype="application/zip",
        download_name=f"sertifikaty_{event.day:%Y%m%d}_{event.id}.zip",
    )


@bp.route("/certificates/<int:certificate_id>.docx")
@access.login_only
def certificate_docx(certificate_id):
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    own = certificate.person_id is not None and certificate.person_id == current_user.person_id
    if not own:
        services.event_or_404(certificate.event_id, current_user, "view")
    return send_file(
        io.BytesIO(certificates.to_docx([certificate])), as_attachment=True, mimetype=DOCX,
        download_name=certificates.file_name(certificate),
    )


# -- materials and photos ------------------------------------------------------------------------------


@bp.route("/<int:event_id>/materials", methods=["POST"])
@access.rule("events.edit")
def add_material(event_id):
    event, _ = services.event_or_404(event_id, current_user, "edit")
    form = MaterialForm()
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            data = upload.read()
            extension = check_upload(upload.filename, data)
            material = EventMaterial(
                event=event, kind="file", filename=upload.filename[-255:], content=data, size=len(data),
                content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
            )
        else:
            material = EventMaterial(event=event, kind="link", link_url=check_link(form.link_url.data or ""))
    except EvidenceError as exc:
        flash(str(exc), "error")
        return redirect_to(_detail_url(event, "event-materials"))
    material.title = (form.title.data or "")[:300]
    material.uploaded_by_id = current_user.id
    db.session.add(material)
    db.session.commit()
    flash("Материал добавлен.", "success")
    return redirect_to(_detail_url(event, "event-materials"))


def _event_reachable(event_id: int) -> Event:
    """Materials are open to everyone on the list too (a mentor takes the slides home)."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if services.access_level(current_user, event) is None and services.own_participation(current_user, event) is None:
        abort(404)
    return event


@bp.route("/materials/<int:material_id>")
@access.login_only
def material(material_id):
    item = db.session.get(EventMaterial, material_id)
    if item is None:
        abort(404)
    _event_reachable(item.event_id)
    if item.kind == "link":
        return redirect_to(item.link_url)
    return send_file(io.BytesIO(item.content or b""), as_attachment=True, download_name=item.filename,
                     mimetype=item.content_type or "application/octet-stream")


@bp.route("/materials/<int:material_id>/delete", methods=["POST"])
@access.rule("events.edit")
def delete_material(material_id):
    item = db.session.get(EventMaterial, material_id)
    if item is None:
        abort(404)
    event, _ = services.event_or_404(item.event_id, current_user, "edit")
    db.session.delete(item)
    db.session.commit()
    flash("Материал удалён.", "success")
    return redirect_to(_detail_url(event, "event-materials"))


def _tag_choices(event: Event) -> list[tuple[str, str]]:
    """Who can be tagged: everyone on the list (people as «p<id>», guests as «g<id>»)."""
    return [
        (f"p{p.person_id}" if p.person_id else f"g{p.id}", f"{p.name} ({p.org_title})" if p.org_title else p.name)
        for p in sorted(event.participants, key=lambda p: p.name)
        if p.status != "declined"
    ]


def _photo_form(event: Event, formdata=None, cls=PhotoForm):
    form = cls(formdata=formdata) if formdata is None else cls()
    form.tags.choices = _tag_choices(event)
    return form


def _set_tags(photo: Photo, event: Event, values: list[str]) -> None:
    allowed = {value for value, _ in _tag_choices(event)}
    by_participant = {p.id: p for p in event.participants}
    photo.tags = []
    for value in values:
        if value not in allowed:
            continue
        if value.startswith("p"):
            photo.tags.append(PhotoTag(person_id=int(value[1:])))
        else:
            photo.tags.append(PhotoTag(participant=by_participant[int(value[1:])]))


def read_photo() -> tuple[str, bytes, str]:
    """The uploaded photo as (file name, bytes, content type); EvidenceError with a Russian message."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise EvidenceError("Выберите файл фотографии.")
    data = upload.read()
    extension = check_upload(upload.filename, data)
    if extension not in ("jpg", "png"):
        raise EvidenceError("Фотография должна быть в формате JPG или PNG.")
    return upload.filename[-255:], data, CONTENT_TYPES[extension]


@bp.route("/<int:event_id>/photos", methods=["POST"])
@access.rule("events.edit")
def add_photo(event_id):
    event, _ = services.event_or_404(event_id, current_user, "edit")
    form = _photo_form(event, formdata=True)
    try:
        filename, data, content_type = read_photo()
    except EvidenceError as exc:
        flash(str(exc), "error")
        return redirect_to(_detail_url(event, "event-photos"))
    photo = Photo(
        org_id=event.org_id, event=event, caption=(form.caption.data or "")[:500], filename=filename,
        content=data, size=len(data), content_type=content_type,
        people_confirmed=bool(form.people_confirmed.data), uploaded_by_id=current_user.id,
    )
    _set_tags(photo, event, request.form.getlist("tags"))
    db.session.add(photo)
    db.session.commit()
    flash("Фотография добавлена.", "success")
    return redirect_to(_detail_url(event, "event-photos"))


def _photo_or_404(photo_id: int, need: str = "view") -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        abort(404)
    if photo.event_id is not None:
        if need == "view":
            _event_reachable(photo.event_id)
        else:
            services.event_or_404(photo.event_id, current_user, need)
    else:
        access.require("events.edit" if need == "edit" else "events.view", photo.org_id)
    return photo


@bp.route("/photos/<int:photo_id>")
@access.login_only
def photo_file(photo_id):
    photo = _photo_or_404(photo_id)
    return send_file(io.BytesIO(photo.content or b""), mimetype=photo.content_type, download_name=photo.filename)


@bp.route("/photos/<int:photo_id>/edit", methods=["GET", "POST"])
@access.rule("events.edit")
def photo_edit(photo_id):
    photo = _photo_or_404(photo_id, "edit")
    event = photo.event
    if event is None:
        abort(404)  # news photos are tagged on the news page
    form = _photo_form(event, formdata=True if request.method == "POST" else None, cls=PhotoTagsForm)
    if request.method == "GET":
        form.tags.data = [f"p{t.person_id}" if t.person_id else f"g{t.participant_id}" for t in photo.tags]
        form.people_confirmed.data = photo.people_confirmed
    elif form.validate_on_submit():
        if request.form.get("delete") == "1":
            db.session.delete(photo)
            db.session.commit()
            flash("Фотография удалена.", "success")
            return redirect_to(_detail_url(event, "event-photos"))
        _set_tags(photo, event, request.form.getlist("tags"))
        photo.people_confirmed = bool(form.people_confirmed.data)
        db.session.commit()
        flash("Отметки на фотографии сохранены.", "success")
        return redirect_to(_detail_url(event, "event-photos"))
    consented = consented_ids({t.person_id for t in photo.tags}, today())
    return render_template("events/photo.html", photo=photo, event=event, form=form,
                           problems=photo_problems(photo, consented))


# -- a mentor's and a mentee's own events -----------------------------------------------------------


@bp.route("/mine")
@access.login_only
def mine():
    day = today()
    everything = services.my_invitations(current_user, day, upcoming_only=False)
    upcoming = [p for p in everything if p.event.day >= day]
    past = [p for p in everything if p.event.day < day]
    return render_template("events/mine.html", upcoming=list(reversed(upcoming)), past=past, day=day)


@bp.route("/mine/<int:event_id>/register", methods=["POST"])
@access.login_only
def register(event_id):
    event, mine = _own(event_id)
    answer = request.form.get("answer")
    if event.day < today():
        flash("Мероприятие уже прошло.", "error")
    elif answer in ("registered", "declined"):
        try:
            services.set_status(mine, answer, _version(None))
        except (Conflict, EventError):
            flash("Не удалось сохранить ответ: обновите страницу и повторите.", "error")
        else:
            flash("Вы зарегистрированы." if answer == "registered" else "Отказ записан: организаторы увидят его.", "success")
    return redirect_to(url_for("events.mine"))


# -- roll-up for a municipality ---------------------------------------------------------------------


@bp.route("/rollup")
@access.rule("events.view")
def rollup():
    """Посещаемость по школам за учебный год: events attended, attendances, people, trained mentors."""
    day = today()
    year = AcademicYear.from_arg(request.args.get("year"), day)
    rows = services.municipal_rollup(access.scope(current_user, "events.view"), year.starts, year.ends)
    years = [AcademicYear(AcademicYear.of(day).start_year - n) for n in range(0, 4)]
    return render_template("events/rollup.html", rows=rows, year=year, years=years)


# -- kinds and settings -------------------------------------------------------------------------


def _own_orgs(permission: str = "events.edit") -> list[Organisation]:
    ids = access.scope(current_user, permission)
    roots = {r.org_id for r in current_user.roles} & ids if not any(r.role == "admin" for r in current_user.roles) else ids
    return db.session.scalars(
        select(Organisation).where(Organisation.id.in_(roots or ids), ~Organisation.archived).order_by(Organisation.name)
    ).all()


@bp.route("/kinds", methods=["GET", "POST"])
@access.rule("events.edit")
def kinds_page():
    form = KindForm()
    form.org_id.choices = [(o.id, o.title) for o in _own_orgs()]
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        access.require("events.edit", form.org_id.data)
        taken = {k.title.lower() for k in kinds.choices_for(form.org_id.data)}
        if form.title.data.lower() in taken:
            form.title.errors.append("Такой вид мероприятия уже есть.")
            status = 422
        else:
            db.session.add(EventKindRow(
                org_id=form.org_id.data, code=kinds.new_code(), title=form.title.data,
                group=form.group.data, certificates=bool(form.certificates.data),
            ))
            db.session.commit()
            kinds.forget_cache()
            flash(f"Вид «{form.title.data}» добавлен.", "success")
            return redirect_to(url_for("events.kinds_page"))
    elif request.method == "POST":
        status = 422
    scope = access.scope(current_user, "events.edit")
    own = db.session.scalars(
        select(EventKindRow).where(EventKindRow.org_id.in_(scope)).order_by(EventKindRow.archived, EventKindRow.title)
    ).all()
    return render_template("events/kinds.html", form=form, builtin=list(registry().event_kinds.values()),
                           own=own, groups=GROUPS), status


@bp.route("/kinds/<int:kind_id>", methods=["POST"])
@access.rule("events.edit")
def kind_edit(kind_id):
    row = db.session.get(EventKindRow, kind_id)
    if row is None:
        abort(404)
    access.require("events.edit", row.org_id)
    title = (request.form.get("title") or "").strip()
    try:
        check_version(row, _version(None))
        if request.form.get("archived") in ("0", "1"):
            row.archived = request.form["archived"] == "1"
        if title:
            row.title = title[:200]
        commit_or_conflict()
    except Conflict:
        flash("Вид мероприятия только что изменил другой пользователь: проверьте и повторите.", "error")
    else:
        kinds.forget_cache()
        flash("Вид мероприятия сохранён.", "success")
    return redirect_to(url_for("events.kinds_page"))


@bp.route("/settings", methods=["GET", "POST"])
@access.rule("events.edit")
def settings():
    orgs = [o for o in _own_orgs() if o.kind in EDUCATION_KINDS] or _own_orgs()
    if not orgs:
        abort(403)
    org_id = request.values.get("org", type=int) or orgs[0].id
    if org_id not in {o.id for o in orgs}:
        abort(404)
    row = db.session.get(EventSettings, org_id)
    form = SettingsForm(obj=row) if request.method == "GET" else SettingsForm()
    if request.method == "GET":
        current = settings_of(org_id)
        form.untrained_mentors.data = current.untrained_mentors
        form.version.data = row.version if row else ""
    elif form.validate_on_submit():
        values = {"untrained_mentors": form.untrained_mentors.data, "site_url": form.site_url.data,
                  "site_intro": form.site_intro.data}
        try:
            if row is None:
                db.session.add(EventSettings(org_id=org_id, **values))
                db.session.commit()
            else:
                check_version(row, _version(form.version.data))
                for key, value in values.items():
                    setattr(row, key, value)
                commit_or_conflict()
        except Conflict:
            flash("Настройки только что изменил другой пользователь: проверьте и сохраните ещё раз.", "error")
            return redirect_to(url_for("events.settings", org=org_id))
        flash("Настройки сохранены.", "success")
        return redirect_to(url_for("events.settings", org=org_id))
    return render_template("events/settings.html", form=form, orgs=orgs, org_id=org_id, untrained=UNTRAINED), \
        422 if form.errors else 200


def ru_when(event: Event) -> str:
    """«14.10.2025, 14:30–16:00»"""
    text = f"{ru_date(event.day)}, {event.starts_at:%H:%M}"
    return text + (f"–{event.ends_at:%H:%M}" if event.ends_at else "")


bp.add_app_template_filter(ru_when, "ru_when")
bp.add_app_template_filter(certificates.hours_text, "hours")
