from __future__ import annotations

import math
from datetime import timedelta
from functools import cache

from flask import abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from nastavnik import access
from nastavnik.consents import bp
from nastavnik.consents.forms import ConsentForm, WithdrawForm
from nastavnik.consents.models import SELF, Consent
from nastavnik.consents.services import GROUPS, consent_state, lacking
from nastavnik.extensions import db
from nastavnik.orgs.services import load_ancestors
from nastavnik.participants.models import Person
from nastavnik.plugins.manager import hook
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, save_versioned
from nastavnik.web.htmx import redirect_to, render_page_or_partial


@cache
def _people_statement():
    """The page's people with their consents, built once (building it cost more than running it)."""
    return select(Person).where(Person.id.in_(bindparam("ids", expanding=True))).options(selectinload(Person.consents))


@bp.route("/")
@access.rule("consents.view")
def index():
    """Кому не хватает согласия: нет, скоро истекает, истекло, отозвано (с датой обезличивания)."""
    day, config, size = today(), current_app.config, current_app.config["PAGE_SIZE"]
    group = request.args.get("group") if request.args.get("group") in GROUPS else None
    page = max(request.args.get("page", 1, type=int), 1) if group else 1
    # A region lacks 20,000 consents: the first page of each group (or the chosen group's page).
    ids, totals = lacking(access.scope(current_user, "consents.view"), day, config["CONSENT_EXPIRING_DAYS"],
                          group, (page - 1) * size + 1, size)
    shown = (group,) if group else GROUPS
    wanted = [person_id for code in shown for person_id in ids[code]]
    people = {p.id: p for p in db.session.scalars(_people_statement(), {"ids": wanted})} if wanted else {}
    groups = {code: [people[i] for i in ids[code] if i in people] for code in shown}
    load_ancestors({p.org_id for p in people.values()})  # «внести» asks each row's school: read them at once
    retention = timedelta(days=config["PD_RETENTION_DAYS"])
    return render_page_or_partial(
        "consents/index.html", "consents/_groups.html", groups=groups, totals=totals, group=group, page=page,
        pages=max(math.ceil(totals[group] / size), 1) if group else 1, retention=retention, day=day,
    )


def _signing_guardian(person: Person, relation: str, name: str) -> Person | None:
    if relation == SELF:
        return None
    return next((g.guardian for g in person.guardian_links if g.guardian.full_name == name), None)


@bp.route("/new/<int:person_id>", methods=["GET", "POST"])
@access.rule("consents.edit")
def create(person_id):
    person = access.get_or_404(Person, person_id, "consents.edit")
    form = ConsentForm(person=person)
    if request.method == "GET":
        form.signed_on.data = today()
        if person.is_minor_on(today()) and person.guardian_links:
            link = person.guardian_links[0]
            form.signatory_relation.data, form.signatory_name.data = link.relation, link.guardian.full_name
        else:
            form.signatory_relation.data, form.signatory_name.data = SELF, person.full_name
    if form.validate_on_submit():
        # Found before the consent joins the session: a lazy load would flush it half-filled, and the
        # log would show a second «изменение» for one action.
        guardian = _signing_guardian(person, form.signatory_relation.data, form.signatory_name.data)
        consent = Consent(person=person, signatory_person_id=guardian.id if guardian else None)
        form.populate_obj(consent)
        db.session.add(consent)
        db.session.commit()
        flash(f"Согласие «{consent.kind_title.lower()}» внесено.", "success")
        return redirect_to(url_for("participants.detail", person_id=person.id))
    status = 422 if form.is_submitted() else 200
    return render_template("consents/form.html", form=form, person=person), status


@bp.route("/<int:consent_id>/withdraw", methods=["GET", "POST"])
@access.rule("consents.edit")
def withdraw(consent_id):
    consent = db.session.get(Consent, consent_id) or abort(404)
    person = access.get_or_404(Person, consent.person_id, "consents.edit")
    form = WithdrawForm()
    conflict = None
    if request.method == "GET":
        form.withdrawn_on.data, form.version.data = today(), consent.version
    elif consent.withdrawn_on is not None:
        conflict = "Согласие уже отозвано (возможно, другим пользователем)."
    elif form.validate_on_submit():
        try:
            save_versioned(consent, {"withdrawn_on": form.withdrawn_on.data, "withdrawal_reason": form.withdrawal_reason.data},
                 int(form.version.data or 0))
        except Conflict:
            conflict = "Согласие изменил другой пользователь; обновите страницу."
        else:
            hook().nastavnik_event_consent_withdrawn(consent=consent)
            days = current_app.config["PD_RETENTION_DAYS"]
            flash(
                f"Согласие отозвано. «{person.full_name}» приостановлен(а) в банках и исключён(а) из подбора, новых пар, "
                f"приказов и выгрузок; действующие пары отмечены для решения куратора. Персональные данные будут "
                f"обезличены через {days} дн., если не появится новое согласие.", "success",
            )
            return redirect_to(url_for("participants.detail", person_id=person.id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_page_or_partial(
        "consents/withdraw.html", "consents/_withdraw_form.html", status=status,
        form=form, consent=consent, person=person, conflict=conflict,
    )


@bp.route("/person/<int:person_id>")
@access.rule("consents.view")
def for_person(person_id):
    person = access.get_or_404(Person, person_id, "consents.view")
    return render_page_or_partial(
        "consents/person.html", "consents/_list.html", person=person, state=consent_state(
            person, today(), current_app.config["CONSENT_EXPIRING_DAYS"]),
        can_edit=access.can(current_user, "consents.edit", person.org_id),
    )
