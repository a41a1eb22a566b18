from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from flask import flash, render_template, request, send_file, url_for
from flask_login import current_user

from nastavnik import access
from nastavnik.agreements import bp
from nastavnik.agreements import services as svc
from nastavnik.agreements.agreement_docx import agreement_texts, build_agreement_docx
from nastavnik.agreements.forms import AgreementForm, NameFormsForm, TerminateForm
from nastavnik.agreements.models import INITIATORS, PAY_KINDS, MentorAgreement
from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs
from nastavnik.pairs.models import Pair
from nastavnik.participants.declension import CASES, PersonNameForms, person_in_case, stored_forms
from nastavnik.participants.models import Person
from nastavnik.periods import parse_ru_date, ru_date
from nastavnik.plugins.manager import registry
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, save_versioned
from nastavnik.web.htmx import redirect_to

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONFLICT = "Соглашение изменил другой пользователь, пока вы его редактировали. Ниже — текущие данные."


@bp.route("/")
@access.rule("agreements.edit")
def index():
    """Pairs under ст. 351.8 and what each needs; the pay register for a period."""
    org_ids = access.scope(current_user, "agreements.edit")
    day = today()
    pairs = svc.pairs_under_351_8(org_ids)
    start, end = _period()
    return render_template(
        "agreements/index.html",
        items=svc.needs_of(pairs, day),
        registry=registry(),
        rows=svc.register_rows(org_ids, start, end),
        start=start,
        end=end,
    )


def _period() -> tuple[date, date]:
    """The register's period from ?from=&to= (ДД.ММ.ГГГГ); the current month by default."""
    first = today().replace(day=1)
    following = first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)
    default_end = date.fromordinal(following.toordinal() - 1)
    try:
        start = parse_ru_date(request.args["from"]) if request.args.get("from") else first
        end = parse_ru_date(request.args["to"]) if request.args.get("to") else default_end
    except ValueError:
        flash("Период реестра: даты в формате ДД.ММ.ГГГГ. Показан текущий месяц.", "error")
        return first, default_end
    return (start, end) if start <= end else (end, start)


@bp.route("/register.xlsx")
@access.rule("agreements.edit")
def register():
    org_ids = access.scope(current_user, "agreements.edit")
    start, end = _period()
    orgs = education_orgs(org_ids)
    title = orgs[0].name if len(orgs) == 1 else "все доступные организации"
    data = svc.register_xlsx(svc.register_rows(org_ids, start, end), title, start, end)
    return send_file(
        io.BytesIO(data), as_attachment=True, mimetype=XLSX,
        download_name=f"reestr_vyplat_nastavnikam_{start:%Y%m%d}_{end:%Y%m%d}.xlsx",
    )


# ---------------------------------------------------------------- one agreement


def _fill(agreement: MentorAgreement, form: AgreementForm) -> dict:
    value = form.pay_value.data
    return {
        "number": form.number.data,
        "signed_on": form.signed_on.data,
        "content": form.content.data,
        "work_form": form.work_form.data,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "pay_kind": form.pay_kind.data,
        "pay_value": None if value is None else Decimal(str(value)),
        "pay_terms": form.pay_terms.data or "",
        "local_act": form.local_act.data or "",
    }


def _apply_errors(form: AgreementForm, agreement: MentorAgreement) -> bool:
    """The agreement's own rules (pay and dates), shown at the fields they concern."""
    errors = svc.validate(agreement)
    for message in errors:
        target = form.local_act if "акт" in message else form.ends_on if "Срок" in message else form.pay_value
        target.errors = [*target.errors, message]
    return not errors


@bp.route("/new/<int:pair_id>/<int:person_id>", methods=["GET", "POST"])
@access.rule("agreements.edit")
def create(pair_id, person_id):
    pair = access.get_or_404(Pair, pair_id, "agreements.edit")
    try:
        svc.check_new(pair, person_id, today())
    except svc.AgreementError as exc:
        flash(exc.message, "error")
        return redirect_to(url_for("pairs.detail", pair_id=pair.id))
    mentor = db.session.get(Person, person_id)
    form = AgreementForm()
    if request.method == "GET":
        form.signed_on.data = today()
        form.starts_on.data = pair.starts_on or today()
        form.ends_on.data = pair.ends_on
        form.work_form.data = ("групповая" if pair.is_group else "индивидуальная") + ", очно на рабочем месте"
        form.content.data = (
            "помощь в адаптации и овладении навыками работы на рабочем месте: совместное планирование, "
            "посещение и анализ уроков, консультации, помощь в разработке рабочих программ и документации"
        )
    if form.validate_on_submit():
        agreement = MentorAgreement(org_id=pair.org_id, pair_id=pair.id, person_id=person_id)
        for key, value in _fill(agreement, form).items():
            setattr(agreement, key, value)
        if _apply_errors(form, agreement):
            db.session.add(agreement)
            db.session.commit()
            flash(f"Дополнительное соглашение № {agreement.number} сохранено.", "success")
            return redirect_to(url_for("agreements.detail", agreement_id=agreement.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "agreements/form.html", form=form, pair=pair, mentor=mentor, agreement=None, pay_kinds=PAY_KINDS
    ), status


@bp.route("/<int:agreement_id>")
@access.rule("agreements.edit")
def detail(agreement_id):
    agreement = access.get_or_404(MentorAgreement, agreement_id, "agreements.edit")
    org = db.session.get(Organisation, agreement.org_id)
    texts = agreement_texts(agreement, org, registry().kind(agreement.pair.kind_code).title)
    return render_template(
        "agreements/detail.html", agreement=agreement, org=org, texts=texts, state=agreement.state_on(today()),
        initiators=INITIATORS,
    )


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@access.rule("agreements.edit")
def edit(agreement_id):
    agreement = access.get_or_404(MentorAgreement, agreement_id, "agreements.edit")
    form = AgreementForm(obj=agreement)
    conflict = None
    if request.method == "GET":
        form.version.data = agreement.version
    elif form.validate_on_submit():
        values = _fill(agreement, form)
        probe = MentorAgreement(**values)
        if _apply_errors(form, probe):
            try:
                save_versioned(agreement, values, int(form.version.data or 0))
            except Conflict:
                db.session.refresh(agreement)
                form = AgreementForm(obj=agreement, formdata=None)
                form.version.data = agreement.version
                conflict = CONFLICT
            else:
                flash("Соглашение сохранено.", "success")
                return redirect_to(url_for("agreements.detail", agreement_id=agreement.id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template(
        "agreements/form.html", form=form, pair=agreement.pair, mentor=agreement.person, agreement=agreement,
        pay_kinds=PAY_KINDS, conflict=conflict,
    ), status


@bp.route("/<int:agreement_id>.docx")
@access.rule("agreements.edit")
def docx(agreement_id):
    agreement = access.get_or_404(MentorAgreement, agreement_id, "agreements.edit")
    org = db.session.get(Organisation, agreement.org_id)
    data = build_agreement_docx(agreement_texts(agreement, org, registry().kind(agreement.pair.kind_code).title))
    name = f"dop_soglashenie_{agreement.number}_{agreement.signed_on:%Y%m%d}.docx".replace("/", "-")
    return send_file(io.BytesIO(data), as_attachment=True, mimetype=DOCX, download_name=name)


@bp.route("/<int:agreement_id>/terminate", methods=["GET", "POST"])
@access.rule("agreements.edit")
def terminate(agreement_id):
    """Досрочное прекращение: уведомление, инициатор; срок — три рабочих дня по производственному календарю."""
    agreement = access.get_or_404(MentorAgreement, agreement_id, "agreements.edit")
    if agreement.terminated_on is not None:
        flash(f"Соглашение уже прекращено с {ru_date(agreement.terminated_on)}.", "error")
        return redirect_to(url_for("agreements.detail", agreement_id=agreement.id))
    form = TerminateForm()
    error = None
    if request.method == "GET":
        form.notice_on.data, form.version.data = today(), agreement.version
    elif form.validate_on_submit():
        if str(agreement.version) != (form.version.data or ""):
            error = CONFLICT
        else:
            try:
                ends = svc.terminate(
                    agreement, initiator=form.ended_by.data, notice_on=form.notice_on.data,
                    reason=form.reason.data or "", requested_on=form.requested_on.data,
                )
            except svc.AgreementError as exc:
                db.session.rollback()
                error = exc.message
            else:
                db.session.commit()
                flash(
                    f"Соглашение прекращается {ru_date(ends)}; плановое окончание пары перенесено на эту дату. "
                    "Замените наставника или завершите пару приказом.", "success",
                )
                return redirect_to(url_for("agreements.detail", agreement_id=agreement.id))
    notice = svc.notice_period(form.notice_on.data) if form.notice_on.data else None
    status = 409 if error == CONFLICT else 422 if form.is_submitted() else 200
    return render_template(
        "agreements/terminate.html", form=form, agreement=agreement, error=error, notice=notice
    ), status


@bp.route("/duties/<int:profile_id>", methods=["POST"])
@access.rule("agreements.edit")
def duties(profile_id):
    """«Наставничество входит в должностные обязанности»: then no agreement is required."""
    profile = access.get_or_404(MentorProfile, profile_id, "agreements.edit")
    profile.duties_included = request.form.get("included") == "1"
    db.session.commit()
    flash(
        "Отмечено: наставничество входит в должностные обязанности — дополнительное соглашение не требуется."
        if profile.duties_included else "Отметка снята: для пар «работник – работник» нужно дополнительное соглашение.",
        "success",
    )
    back = request.form.get("pair", type=int)
    return redirect_to(url_for("pairs.detail", pair_id=back) if back else url_for("agreements.index"))


# ---------------------------------------------------------------- names in their cases


@bp.route("/names/<int:person_id>", methods=["GET", "POST"])
@access.rule("participants.edit")
def names(person_id):
    """Падежи ФИО для приказов и соглашений: автоматически, с исправлением вручную."""
    person = access.get_or_404(Person, person_id, "participants.edit")
    forms = stored_forms(person.id)
    form = NameFormsForm(obj=forms)
    if form.validate_on_submit():
        if forms is None:
            forms = PersonNameForms(person_id=person.id)
            db.session.add(forms)
        form.populate_obj(forms)
        db.session.commit()
        flash("Падежи ФИО сохранены: приказы и соглашения будут использовать их.", "success")
        return redirect_to(url_for("agreements.names", person_id=person.id))
    automatic = {case: person_in_case(person, case) for case in CASES}
    status = 422 if form.is_submitted() else 200
    return render_template(
        "agreements/names.html", form=form, person=person, cases=CASES, automatic=automatic
    ), status

