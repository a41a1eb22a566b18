"""Маршруты мониторинга. Every view declares its access; objects are loaded through
``services.questionnaire_or_404`` / ``services.campaign_or_404`` / ``growth.pair_level``, so another
school's questionnaire, campaign or pair answers 404."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from flask import abort, flash, make_response, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.monitoring import bp, growth, services
from nastavnik.monitoring import results as figures
from nastavnik.monitoring.forms import (
    CampaignEditForm,
    CampaignForm,
    CharacteristicForm,
    CopyForm,
    ItemForm,
    LinksForm,
    OwnerForm,
    QuestionnaireForm,
    RhythmForm,
    SettingsForm,
    SwotForm,
)
from nastavnik.monitoring.models import (
    CAMPAIGN_STATUSES,
    CHANNELS,
    METHODS,
    STAGES,
    TRIGGERS,
    WAVES,
    Campaign,
    QuestionItem,
    Recipient,
    Response,
    Rhythm,
    Settings,
    Swot,
)
from nastavnik.monitoring.structs import AUDIENCES, GROWTH_VALUE_KINDS, ITEM_KINDS, PURPOSES, SCORED
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs
from nastavnik.pairs.models import PAIR_STATUSES, Pair
from nastavnik.periods import AcademicYear
from nastavnik.plugins.manager import registry
from nastavnik.timeutil import today
from nastavnik.versioning import Conflict, check_version, commit_or_conflict
from nastavnik.web.htmx import is_htmx, redirect_to, render_page_or_partial, render_partial

CONFLICT = "Запись изменил другой пользователь, пока вы её редактировали. Ниже — текущие данные; повторите правку."
NEW_VERSION = ("На прежнюю версию анкеты уже есть ответы, поэтому изменение сохранено в новой версии {n}; "
               "ответы прежней версии не тронуты, новые кампании пойдут по версии {n}.")


@bp.app_context_processor
def _helpers():
    return dict(
        ITEM_KINDS=ITEM_KINDS, AUDIENCES=AUDIENCES, PURPOSES=PURPOSES, WAVES=WAVES, TRIGGERS=TRIGGERS,
        CAMPAIGN_STATUSES=CAMPAIGN_STATUSES, CHANNELS=CHANNELS, STAGES=STAGES, METHODS=METHODS,
        GROWTH_VALUE_KINDS=GROWTH_VALUE_KINDS, SCORED=SCORED, choices_of=services.choices_of,
        percent=_percent, number=_number, kind_title=lambda code: registry().kind(code).title if code else "любая",
        show_growth=growth.show_value, PAIR_STATUSES=PAIR_STATUSES,
    )


def _percent(value) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _number(value, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{places}f}".replace(".", ",")


# --- Index ---------------------------------------------------------------------------------------


@bp.route("/")
@access.rule("monitoring.view")
def index():
    campaigns = db.session.scalars(
        services.visible_campaigns_query(current_user).order_by(Campaign.opens_on.desc(), Campaign.id.desc()).limit(200)
    ).all()
    return render_template(
        "monitoring/index.html", campaigns=campaigns, counts=services.recipient_counts(c.id for c in campaigns),
        can_edit=access.can(current_user, "monitoring.edit"),
    )


# --- Questionnaires and samples -------------------------------------------------------------


@bp.route("/questionnaires")
@access.rule("monitoring.view")
def questionnaires():
    owned = services.visible_questionnaires(current_user)
    form = OwnerForm(formdata=None)
    owners = services.owner_choices(current_user) if access.can(current_user, "monitoring.edit") else []
    form.org_id.choices = [(o.id, o.title) for o in owners]
    return render_template("monitoring/questionnaires.html", owned=owned, samples=services.samples(), form=form,
                           editable={q.id for q in owned if access.can(current_user, "monitoring.edit", q.org_id)})


def _sample_or_404(code: str):
    spec = services.samples().get(code)
    if spec is None:
        abort(404)
    return spec


@bp.route("/samples/<code>")
@access.rule("monitoring.view")
def sample(code):
    spec = _sample_or_404(code)
    return render_template("monitoring/sample.html", spec=spec)


@bp.route("/samples/<code>/use", methods=["POST"])
@access.rule("monitoring.edit")
def use_sample(code):
    spec = _sample_or_404(code)
    form = OwnerForm()
    form.org_id.choices = [(o.id, o.title) for o in services.owner_choices(current_user)]
    if not form.validate_on_submit():
        flash("Выберите организацию, для которой взять образец.", "error")
        return redirect_to(url_for("monitoring.questionnaires"))
    access.require("monitoring.edit", form.org_id.data)
    questionnaire = services.from_sample(spec, form.org_id.data, current_user.id)
    db.session.commit()
    flash("Анкета добавлена. Проверьте формулировки: их можно менять, ответы хранятся по версиям.", "success")
    return redirect_to(url_for("monitoring.questionnaire", questionnaire_id=questionnaire.id))


def _editor_context(questionnaire, item_form=None, notice: str = "", editing_id=None):
    can_edit = access.can(current_user, "monitoring.edit", questionnaire.org_id)
    if can_edit and item_form is None:
        item_form = ItemForm(formdata=None)
    answered = services.answered_version_ids(v.id for v in questionnaire.versions)
    return dict(questionnaire=questionnaire, version=questionnaire.latest, can_edit=can_edit, item_form=item_form,
                notice=notice, answered=answered, editing_id=editing_id)


def _render_editor(questionnaire, status: int = 200, **kwargs):
    return render_page_or_partial("monitoring/questionnaire.html", "monitoring/_items.html", status,
                                  **_editor_context(questionnaire, **kwargs))


@bp.route("/questionnaires/<int:questionnaire_id>")
@access.rule("monitoring.view")
def questionnaire(questionnaire_id):
    return _render_editor(services.questionnaire_or_404(current_user, questionnaire_id))


@bp.route("/questionnaires/<int:questionnaire_id>/edit", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def edit_questionnaire(questionnaire_id):
    questionnaire = services.questionnaire_or_404(current_user, questionnaire_id, "edit")
    form = QuestionnaireForm(obj=questionnaire) if request.method == "GET" else QuestionnaireForm()
    form.kind_code.choices = services.kind_choices()
    conflict = False
    if request.method == "GET":
        form.version.data = questionnaire.version
    elif form.validate_on_submit():
        try:
            check_version(questionnaire, int(form.version.data or 0))
            for name in ("title", "audience", "purpose", "kind_code", "description", "note"):
                setattr(questionnaire, name, getattr(form, name).data)
            questionnaire.anonymous = bool(form.anonymous.data)
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            db.session.refresh(questionnaire)
            form = QuestionnaireForm(obj=questionnaire, formdata=None)
            form.kind_code.choices = services.kind_choices()
            form.version.data = questionnaire.version
            conflict = True
        else:
            flash("Анкета сохранена.", "success")
            return redirect_to(url_for("monitoring.questionnaire", questionnaire_id=questionnaire.id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template("monitoring/questionnaire_form.html", form=form, questionnaire=questionnaire,
                           conflict=conflict and CONFLICT), status


def _version_of(form) -> int | None:
    text = form.version.data if hasattr(form, "version") else request.form.get("version")
    return int(text) if text and str(text).isdigit() else None


def _after_edit(questionnaire, created: bool, message: str):
    notice = NEW_VERSION.format(n=questionnaire.latest.number) if created else ""
    if is_htmx():
        return _render_editor(questionnaire, notice=" ".join(filter(None, [message, notice])))
    flash(message, "success")
    if notice:
        flash(notice, "success")
    return redirect_to(url_for("monitoring.questionnaire", questionnaire_id=questionnaire.id))


def _conflict(questionnaire):
    db.session.rollback()
    db.session.refresh(questionnaire)
    if is_htmx():
        return _render_editor(questionnaire, status=409, notice=CONFLICT)
    flash(CONFLICT, "error")
    return redirect_to(url_for("monitoring.questionnaire", questionnaire_id=questionnaire.id))


@bp.route("/questionnaires/<int:questionnaire_id>/items", methods=["POST"])
@access.rule("monitoring.edit")
def add_item(questionnaire_id):
    questionnaire = services.questionnaire_or_404(current_user, questionnaire_id, "edit")
    form = ItemForm()
    if not form.validate_on_submit():
        return _render_editor(questionnaire, status=422, item_form=form)
    try:
        created = services.add_item(questionnaire, services.item_values_from_form(form), current_user.id,
                                    _version_of(form))
    except Conflict:
        return _conflict(questionnaire)
    return _after_edit(questionnaire, created, "Вопрос добавлен в конец анкеты.")


def _item_or_404(item_id: int, need: str = "edit") -> QuestionItem:
    item = db.session.get(QuestionItem, item_id)
    if item is None:
        abort(404)
    services.questionnaire_or_404(current_user, item.version.questionnaire_id, need)
    return item


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def edit_item(item_id):
    """Правка вопроса: на месте (HTMX) или отдельной страницей без JavaScript."""
    item = _item_or_404(item_id)
    questionnaire = item.version.questionnaire
    if request.method == "GET":
        form = ItemForm(obj=item)
        form.options.data = "\n".join(item.options or [])
        form.version.data = questionnaire.version
    else:
        form = ItemForm()
        if form.validate_on_submit():
            try:
                _, created = services.update_item(item, services.item_values_from_form(form), current_user.id,
                                                  _version_of(form))
            except Conflict:
                return _conflict(questionnaire)
            return _after_edit(questionnaire, created, "Вопрос сохранён.")
    status = 422 if request.method == "POST" else 200
    if is_htmx():
        return render_partial("monitoring/_item_edit.html", status, item=item, form=form, questionnaire=questionnaire)
    return render_template("monitoring/item_form.html", item=item, form=form, questionnaire=questionnaire), status


@bp.route("/items/<int:item_id>/move", methods=["POST"])
@access.rule("monitoring.edit")
def move_item(item_id):
    item = _item_or_404(item_id)
    questionnaire = item.version.questionnaire
    step = -1 if request.form.get("direction") == "up" else 1
    try:
        created = services.move_item(item, step, current_user.id, _int(request.form.get("version")))
    except Conflict:
        return _conflict(questionnaire)
    return _after_edit(questionnaire, created, "Вопрос перемещён " + ("выше." if step < 0 else "ниже."))


def _int(text) -> int | None:
    return int(text) if text and str(text).isdigit() else None


@bp.route("/items/<int:item_id>/delete", methods=["POST"])
@access.rule("monitoring.edit")
def delete_item(item_id):
    item = _item_or_404(item_id)
    questionnaire = item.version.questionnaire
    try:
        created = services.delete_item(item, current_user.id, _int(request.form.get("version")))
    except Conflict:
        return _conflict(questionnaire)
    except services.MonitoringError as exc:
        if is_htmx():
            return _render_editor(questionnaire, status=422, notice=str(exc))
        flash(str(exc), "error")
        return redirect_to(url_for("monitoring.questionnaire", questionnaire_id=questionnaire.id))
    return _after_edit(questionnaire, created, "Вопрос удалён.")


@bp.route("/questionnaires/<int:questionnaire_id>/preview")
@access.rule("monitoring.view")
def preview(questionnaire_id):
    questionnaire = services.questionnaire_or_404(current_user, questionnaire_id)
    return render_template("monitoring/preview.html", questionnaire=questionnaire, items=questionnaire.latest.items)


@bp.route("/questionnaires/<int:questionnaire_id>/print")
@access.rule("monitoring.view")
def print_questionnaire(questionnaire_id):
    questionnaire = services.questionnaire_or_404(current_user, questionnaire_id)
    return render_template("monitoring/print.html", questionnaire=questionnaire, items=questionnaire.latest.items,
                           campaign=None)


@bp.route("/questionnaires/<int:questionnaire_id>/copy", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def copy(questionnaire_id):
    source = services.questionnaire_or_404(current_user, questionnaire_id)
    form = CopyForm()
    form.org_id.choices = [(o.id, o.title) for o in services.owner_choices(current_user)]
    if request.method == "GET":
        form.title.data = f"{source.title} (копия)"[:300]
    elif form.validate_on_submit():
        access.require("monitoring.edit", form.org_id.data)
        questionnaire = services.copy_questionnaire(source, form.org_id.data, current_user.id, form.title.data)
        db.session.commit()
        flash("Копия создана: адаптируйте её под свою программу.", "success")
        return redirect_to(url_for("monitoring.questionnaire", questionnaire_id=questionnaire.id))
    status = 422 if form.is_submitted() else 200
    return render_template("monitoring/copy.html", form=form, source=source), status


# --- Campaigns -------------------------------------------------------------------------------


def _campaign_form_choices(form: CampaignForm) -> list[Organisation]:
    owners = services.owner_choices(current_user)
    form.org_id.choices = [(o.id, o.title) for o in owners]
    own = [(f"q:{q.id}", f"{q.title} — {q.org.title}") for q in services.visible_questionnaires(current_user)
           if access.can(current_user, "monitoring.view", q.org_id) or q.org_id in {o.id for o in owners}]
    form.questionnaire.choices = [("", "— выберите анкету —")] + own + [
        (f"s:{code}", f"образец: {spec.title}") for code, spec in services.samples().items()]
    form.kind_code.choices = services.kind_choices()
    year = AcademicYear.of(today()).start_year
    form.academic_year.choices = [(0, "любой")] + [(y, f"{y}/{y + 1}") for y in range(year + 1, year - 4, -1)]
    schools = education_orgs({o.id for o in owners} | _below(owners))
    form.targets.choices = [(s.id, s.title) for s in schools]
    return owners


def _below(owners) -> set[int]:
    from nastavnik.orgs.services import subtree_ids

    return subtree_ids([o.id for o in owners])


def _resolve_questionnaire(value: str, org_id: int):
    kind, _, key = (value or "").partition(":")
    if kind == "s":  # the organisation's copy of the sample, made on first use (so waves compare)
        spec = _sample_or_404(key)
        return services.own_copy(spec.code, org_id) or services.from_sample(spec, org_id, current_user.id)
    if kind == "q" and key.isdigit():
        return services.questionnaire_or_404(current_user, int(key))
    abort(404)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def new_campaign():
    form = CampaignForm()
    owners = _campaign_form_choices(form)
    if not owners:
        abort(403)
    if request.method == "GET":
        form.org_id.data = owners[0].id
        form.opens_on.data = today()
        form.closes_on.data = today() + timedelta(days=14)
        form.pair_statuses.data = ["active"]
        form.academic_year.data = AcademicYear.of(today()).start_year
        chosen = request.args.get("questionnaire", "")
        if chosen in {value for value, _ in form.questionnaire.choices}:
            form.questionnaire.data = chosen
        default_targets = education_orgs(_below(owners[:1])) or []
        form.targets.data = [s.id for s in default_targets]
    elif form.validate_on_submit():
        access.require("monitoring.edit", form.org_id.data)
        below = _below([db.session.get(Organisation, form.org_id.data)])
        targets = [t for t in form.targets.data if t in below]
        if not targets:
            form.targets.errors = ["Отмеченные организации не входят в выбранную организацию."]
        else:
            questionnaire = _resolve_questionnaire(form.questionnaire.data, form.org_id.data)
            values = dict(title=form.title.data, wave=form.wave.data, trigger=form.trigger.data,
                          offset_days=form.offset_days.data or 0, opens_on=form.opens_on.data,
                          closes_on=form.closes_on.data, kind_code=form.kind_code.data or questionnaire.kind_code,
                          pair_statuses=list(form.pair_statuses.data or []),
                          academic_year=form.academic_year.data or None)
            try:
                campaign = services.create_campaign(questionnaire, form.org_id.data, targets, values, current_user.id,
                                                    today())
            except services.MonitoringError as exc:
                db.session.rollback()
                form.closes_on.errors = [str(exc)]
            else:
                db.session.commit()
                flash(f"Кампания «{campaign.title}» {campaign.status_title}.", "success")
                return redirect_to(url_for("monitoring.campaign", campaign_id=campaign.id))
    status = 422 if form.is_submitted() else 200
    return render_template("monitoring/campaign_form.html", form=form), status


@bp.route("/campaigns/<int:campaign_id>")
@access.rule("monitoring.view")
def campaign(campaign_id):
    campaign, level = services.campaign_or_404(current_user, campaign_id)
    rows = figures.expected_counts([campaign.id], level.org_ids)
    responses = figures.response_counts([campaign.id], level.org_ids, 0.7)
    return render_template(
        "monitoring/campaign.html", campaign=campaign, level=level,
        expected=sum(rows.values()), answered=sum(r[0] for r in responses.values()),
        targets=db.session.scalars(select(Organisation).where(Organisation.id.in_(level.org_ids))
                                   .order_by(Organisation.name)).all(),
        own=services.own_recipient(current_user, campaign) if campaign.questionnaire.audience == "curator" else None,
        form=CampaignEditForm(formdata=None, obj=campaign),
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def edit_campaign(campaign_id):
    campaign, _ = services.campaign_or_404(current_user, campaign_id, "manage")
    form = CampaignEditForm(obj=campaign) if request.method == "GET" else CampaignEditForm()
    conflict = False
    if request.method == "GET":
        form.version.data = campaign.version
    elif form.validate_on_submit():
        if form.closes_on.data < campaign.opens_on:
            form.closes_on.errors = ["Окончание раньше начала кампании."]
        else:
            try:
                check_version(campaign, _int(form.version.data))
                campaign.title, campaign.closes_on = form.title.data, form.closes_on.data
                reopened = campaign.status == "closed" and campaign.closes_on >= today() >= campaign.opens_on
                if reopened:
                    services.open_campaign(campaign, today())
                commit_or_conflict()
            except Conflict:
                db.session.rollback()
                db.session.refresh(campaign)
                form = CampaignEditForm(obj=campaign, formdata=None)
                form.version.data = campaign.version
                conflict = True
            else:
                flash("Кампания сохранена" + (" и снова открыта." if reopened else "."), "success")
                return redirect_to(url_for("monitoring.campaign", campaign_id=campaign.id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template("monitoring/campaign_edit.html", form=form, campaign=campaign,
                           conflict=conflict and CONFLICT), status


@bp.route("/campaigns/<int:campaign_id>/state", methods=["POST"])
@access.rule("monitoring.edit")
def campaign_state(campaign_id):
    """Открыть сейчас / закрыть / обновить список адресатов."""
    campaign, _ = services.campaign_or_404(current_user, campaign_id, "manage")
    action = request.form.get("action")
    day = today()
    if action == "open" and campaign.status == "scheduled":
        campaign.opens_on = min(campaign.opens_on, day)
        added = services.open_campaign(campaign, day)
        message = f"Кампания открыта, адресатов: {added}."
    elif action == "close" and campaign.status == "open":
        services.close_campaign(campaign)
        message = "Кампания закрыта: ответы больше не принимаются."
    elif action == "sync" and campaign.status == "open":
        added = services.sync_recipients(campaign, day)
        message = f"Список адресатов обновлён, добавлено: {added}."
    else:
        flash("Это действие сейчас недоступно для кампании в статусе «" + campaign.status_title + "».", "error")
        return redirect_to(url_for("monitoring.campaign", campaign_id=campaign.id))
    db.session.commit()
    flash(message, "success")
    return redirect_to(url_for("monitoring.campaign", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/respondents")
@access.rule("monitoring.view")
def respondents(campaign_id):
    """Кто ответил — чтобы напомнить остальным; ответы по именам только у неанонимных анкет."""
    campaign, level = services.campaign_or_404(current_user, campaign_id)
    org_ids = level.edit_org_ids or (level.org_ids if level.whole else set())
    if not org_ids:
        abort(403)
    return render_template("monitoring/respondents.html", campaign=campaign, level=level,
                           rows=figures.who_answered(campaign, org_ids), day=today())


@bp.route("/campaigns/<int:campaign_id>/respondents/<int:recipient_id>")
@access.rule("monitoring.view")
def respondent_answers(campaign_id, recipient_id):
    campaign, level = services.campaign_or_404(current_user, campaign_id)
    recipient = db.session.get(Recipient, recipient_id)
    if recipient is None or recipient.campaign_id != campaign.id or recipient.org_id not in level.org_ids:
        abort(404)
    if campaign.questionnaire.anonymous:
        abort(403)
    response = db.session.scalar(select(Response).where(Response.recipient_id == recipient.id))
    if response is None:
        abort(404)
    answers = {}
    for answer in response.answers:
        answers.setdefault(answer.item_id, []).append(answer)
    return render_template("monitoring/respondent.html", campaign=campaign, recipient=recipient, response=response,
                           answers=answers, items=campaign.questionnaire_version.items)


# --- Personal one-time links and the paper way ---------------------------------------------------


def _class_of(recipient: Recipient) -> str:
    person = recipient.person
    return (person.class_name or "без класса") if person is not None and person.kind == "student" else "без класса"


def _class_order(name: str) -> tuple[int, str]:
    """«5А» < «5Б» < «10А»; «без класса» last."""
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 99, name)


@bp.route("/campaigns/<int:campaign_id>/links", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def links(campaign_id):
    """Персональные одноразовые ссылки с QR-кодом: выпуск по классам и лист для печати."""
    campaign, level = services.campaign_or_404(current_user, campaign_id, "edit")
    if campaign.questionnaire.audience == "curator":
        abort(404)
    recipients = db.session.scalars(
        select(Recipient).where(Recipient.campaign_id == campaign.id, Recipient.org_id.in_(level.edit_org_ids))
        .order_by(Recipient.org_id, Recipient.id)
    ).all()
    answered = set(db.session.scalars(select(Response.recipient_id).where(
        Response.recipient_id.in_([r.id for r in recipients]))))
    classes: dict[str, list[Recipient]] = {}
    for recipient in recipients:
        classes.setdefault(_class_of(recipient), []).append(recipient)
    classes = dict(sorted(classes.items(), key=lambda pair: _class_order(pair[0])))
    chosen = request.values.get("class", "")
    form = LinksForm()
    if request.method == "GET":
        form.expires_on.data = campaign.closes_on
    if request.method == "POST":
        if chosen not in classes:
            abort(404)
        if form.validate_on_submit():
            if form.expires_on.data < today():
                form.expires_on.errors = ["Срок действия уже прошёл: укажите будущую дату."]
            else:
                expires = min(form.expires_on.data, campaign.closes_on)
                issued = services.issue_links([r for r in classes[chosen] if r.id not in answered], expires)
                db.session.commit()
                flash(f"Выпущено ссылок: {issued}. Распечатайте лист и раздайте каждому его ссылку.", "success")
                return redirect_to(url_for("monitoring.links", campaign_id=campaign.id, **{"class": chosen}))
    sheet = []
    if chosen in classes:
        for recipient in classes[chosen]:
            if recipient.link_nonce:
                url = url_for("monitoring.answer_link", campaign_id=campaign.id,
                              token=services.link_token(recipient), _external=True)
                sheet.append((recipient, url, _qr(url)))
    status = 422 if form.errors and request.method == "POST" else 200
    return render_template("monitoring/links.html", campaign=campaign, classes=classes, chosen=chosen, sheet=sheet,
                           form=form, answered=answered, day=today()), status


def _qr(url: str) -> Markup:
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff", omitsize=False)
    return Markup(svg)  # noqa: S704 - segno draws our own URL: no user text inside


@bp.route("/campaigns/<int:campaign_id>/links/<int:recipient_id>/renew", methods=["POST"])
@access.rule("monitoring.edit")
def renew_link(campaign_id, recipient_id):
    campaign, level = services.campaign_or_404(current_user, campaign_id, "edit")
    recipient = db.session.get(Recipient, recipient_id)
    if recipient is None or recipient.campaign_id != campaign.id or recipient.org_id not in level.edit_org_ids:
        abort(404)
    if services.responded(recipient.id):
        flash("Этот адресат уже ответил: новая ссылка не нужна.", "error")
    else:
        services.issue_links([recipient], recipient.link_expires_on or campaign.closes_on, renew=True)
        db.session.commit()
        flash("Выпущена новая ссылка; прежняя больше не действует.", "success")
    return redirect_to(url_for("monitoring.links", campaign_id=campaign.id, **{"class": _class_of(recipient)}))


@bp.route("/campaigns/<int:campaign_id>/print")
@access.rule("monitoring.view")
def print_campaign(campaign_id):
    campaign, _ = services.campaign_or_404(current_user, campaign_id)
    return render_template("monitoring/print.html", questionnaire=campaign.questionnaire,
                           items=campaign.questionnaire_version.items, campaign=campaign)


@bp.route("/campaigns/<int:campaign_id>/paper", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def paper(campaign_id):
    """Куратор вносит ответы бумажного бланка; ответ помечается «внёс куратор»."""
    campaign, level = services.campaign_or_404(current_user, campaign_id, "edit")
    items = campaign.questionnaire_version.items
    pending = db.session.scalars(
        select(Recipient).where(Recipient.campaign_id == campaign.id, Recipient.org_id.in_(level.edit_org_ids),
                                ~Recipient.id.in_(select(Response.recipient_id).where(
                                    Response.recipient_id.is_not(None))))
        .order_by(Recipient.org_id, Recipient.id)
    ).all()
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(level.edit_org_ids))
                              .order_by(Organisation.name)).all()
    values, errors, who_error = {}, {}, ""
    if request.method == "POST":
        raw = request.form.get("recipient", "")
        recipient, org_id = None, None
        if raw.startswith("r:") and raw[2:].isdigit():
            recipient = next((r for r in pending if r.id == int(raw[2:])), None)
            if recipient is None:
                who_error = "Этот адресат уже ответил или не относится к вашей организации."
        elif raw.startswith("o:") and raw[2:].isdigit() and int(raw[2:]) in level.edit_org_ids:
            org_id = int(raw[2:])
        else:
            who_error = "Укажите, чей это бланк (или что он анонимный, и из какой организации)."
        parsed, errors = services.check_answers(items, request.form)
        values = {item.id: request.form.getlist(f"q{item.id}") for item in items}
        if not errors and not who_error:
            try:
                services.submit(campaign, recipient, parsed, channel="paper", day=today(),
                                entered_by_id=current_user.id, org_id=org_id)
            except services.MonitoringError as exc:
                flash(str(exc), "error")
                return redirect_to(url_for("monitoring.paper", campaign_id=campaign.id))
            flash("Бумажный бланк внесён (отмечен как внесённый куратором). Можно вносить следующий.", "success")
            return redirect_to(url_for("monitoring.paper", campaign_id=campaign.id))
    status = 422 if errors or who_error else 200
    state = services.answer_state(campaign, None, today())
    return render_template("monitoring/paper.html", campaign=campaign, items=items, pending=pending, orgs=orgs,
                           values=values, errors=errors, who_error=who_error, chosen=request.form.get("recipient", ""),
                           state=state, state_message=services.state_message(state, campaign) if state != "open" else ""
                           ), status


# --- Answering --------------------------------------------------------------------------------


@bp.route("/my")
@access.login_only
def mine():
    """«Мои анкеты»: что ответить сейчас и что уже отвечено; наставнику — ссылки на рост наставляемых."""
    rows = services.my_questionnaires(current_user, today())
    pairs = []
    if current_user.person_id is not None:
        from nastavnik.pairs.models import PairMember

        pairs = db.session.scalars(
            select(Pair).join(PairMember).where(PairMember.person_id == current_user.person_id,
                                                PairMember.role == "mentor").order_by(Pair.id.desc())
        ).all()
    return render_template("monitoring/mine.html", rows=rows, pairs=pairs)


def _answer_page(campaign, recipient, action_url: str, public: bool, values=None, errors=None, status=200):
    return render_template("monitoring/answer.html", campaign=campaign, recipient=recipient,
                           items=campaign.questionnaire_version.items, values=values or {}, errors=errors or {},
                           action_url=action_url, public=public), status


def _closed_page(campaign, message: str, status: int = 200, public: bool = False):
    return render_template("monitoring/answer_closed.html", campaign=campaign, message=message, public=public), status


@bp.route("/answer/<int:campaign_id>", methods=["GET", "POST"])
@access.login_only
def answer(campaign_id):
    """Ответ участника в приложении: only their own questionnaires; anything else is 404."""
    campaign = db.session.get(Campaign, campaign_id)
    recipient = services.own_recipient(current_user, campaign) if campaign is not None else None
    if recipient is None:
        abort(404)
    day = today()
    state = services.answer_state(campaign, recipient, day)
    if state != "open":
        return _closed_page(campaign, services.state_message(state, campaign, recipient),
                            409 if request.method == "POST" else 200)
    action = url_for("monitoring.answer", campaign_id=campaign.id)
    if request.method == "POST":
        parsed, errors = services.check_answers(campaign.questionnaire_version.items, request.form)
        if errors:
            values = {i.id: request.form.getlist(f"q{i.id}") for i in campaign.questionnaire_version.items}
            return _answer_page(campaign, recipient, action, False, values, errors, 422)
        try:
            services.submit(campaign, recipient, parsed, channel="app", day=day)
        except services.MonitoringError as exc:
            return _closed_page(campaign, str(exc), 409)
        flash("Спасибо! Ваши ответы сохранены.", "success")
        return redirect_to(url_for("monitoring.mine"))
    return _answer_page(campaign, recipient, action, False)


LINK_MESSAGES = {
    "invalid": "Ссылка недействительна: проверьте, что она скопирована целиком, или попросите у куратора новую.",
    "other_campaign": "Эта ссылка выдана для другой анкеты: откройте ту ссылку, которую вам дали для этой анкеты.",
    "used": "По этой ссылке уже ответили. Спасибо! Ссылка одноразовая.",
}


@bp.route("/l/<int:campaign_id>/<token>", methods=["GET", "POST"])
@access.public
def answer_link(campaign_id, token):
    """Персональная одноразовая ссылка (QR-код): страница показывает только анкету."""
    day = today()
    recipient, state = services.resolve_link(campaign_id, token, day)
    campaign = recipient.campaign if recipient is not None else None
    if state in ("invalid", "other_campaign"):
        return _closed_page(None, LINK_MESSAGES[state], 404, public=True)
    if state == "used":
        return _closed_page(campaign, LINK_MESSAGES["used"], 409 if request.method == "POST" else 200, public=True)
    if state != "open":
        return _closed_page(campaign, services.state_message(state, campaign, recipient),
                            409 if request.method == "POST" else 200, public=True)
    action = url_for("monitoring.answer_link", campaign_id=campaign_id, token=token)
    if request.method == "POST":
        parsed, errors = services.check_answers(campaign.questionnaire_version.items, request.form)
        if errors:
            values = {i.id: request.form.getlist(f"q{i.id}") for i in campaign.questionnaire_version.items}
            return _answer_page(campaign, recipient, action, True, values, errors, 422)
        try:
            services.submit(campaign, recipient, parsed, channel="link", day=day)
        except services.MonitoringError as exc:
            return _closed_page(campaign, str(exc), 409, public=True)
        return _closed_page(campaign, "Спасибо! Ваши ответы сохранены. Страницу можно закрыть.", public=True)
    return _answer_page(campaign, recipient, action, True)


# --- Results ------------------------------------------------------------------------------------


def _results_scope(campaign, level) -> tuple[set[int] | None, Organisation | None]:
    """None (the whole campaign) or the chosen/only school the user sees."""
    org_id = request.args.get("org", type=int)
    if org_id is not None:
        if org_id not in level.org_ids:
            abort(404)
        return {org_id}, db.session.get(Organisation, org_id)
    if level.whole:
        return None, None
    if len(level.org_ids) == 1:
        only = next(iter(level.org_ids))
        return {only}, db.session.get(Organisation, only)
    return set(level.org_ids), None


def _compare_candidates(campaign):
    from nastavnik.monitoring.models import Questionnaire

    same = Campaign.questionnaire_id == campaign.questionnaire_id
    if campaign.questionnaire.source_code:  # copies of one sample (a school's and its municipality's) compare too
        same = or_(same, Campaign.questionnaire_id.in_(select(Questionnaire.id).where(
            Questionnaire.source_code == campaign.questionnaire.source_code)))
    query = services.visible_campaigns_query(current_user).where(Campaign.id != campaign.id, same)
    return db.session.scalars(query.order_by(Campaign.opens_on)).all()


@bp.route("/campaigns/<int:campaign_id>/results")
@access.rule("monitoring.view")
def results(campaign_id):
    campaign, level = services.campaign_or_404(current_user, campaign_id)
    org_ids, org = _results_scope(campaign, level)
    found = figures.campaign_results(campaign, org_ids)
    candidates = _compare_candidates(campaign)
    compare_id = request.args.get("compare", type=int)
    if compare_id is None and campaign.wave == "final":
        compare_id = next((c.id for c in reversed(candidates) if c.wave == "entry"), None)
    other = next((c for c in candidates if c.id == compare_id), None)
    comparison = None
    if other is not None:
        comparison = (figures.compare(other, campaign, org_ids) if other.opens_on <= campaign.opens_on
                      else figures.compare(campaign, other, org_ids))
    from nastavnik.monitoring.export import swots_of

    swots = swots_of(campaign, org_ids)
    return render_template(
        "monitoring/results.html", campaign=campaign, level=level, results=found, org=org,
        candidates=candidates, comparison=comparison, swots=swots,
        can_swot=bool(level.manage or level.edit_org_ids),
        chart_args={"org": org.id} if org else {},
    )


@bp.route("/campaigns/<int:campaign_id>/chart/<name>.svg")
@access.rule("monitoring.view")
def chart(campaign_id, name):
    from nastavnik.monitoring import charts

    campaign, level = services.campaign_or_404(current_user, campaign_id)
    org_ids, _ = _results_scope(campaign, level)
    found = figures.campaign_results(campaign, org_ids)
    if name == "orgs":
        svg = charts.orgs_chart(found.orgs, "По организациям: отклик и удовлетворённость, %")
    elif found.hidden:
        abort(404)
    elif name == "items":
        svg = charts.items_chart(found)
    elif name == "subscales":
        svg = charts.subscales_chart(found)
    else:
        abort(404)
    return _svg(svg)


def _svg(svg: bytes):
    response = make_response(svg)
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    # The image's own styles (pygal's) and nothing else: no script, no outside requests.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/campaigns/<int:campaign_id>/swot", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def swot(campaign_id):
    """SWOT-анализ, который куратор составляет по ответам (рядом — открытые ответы и цифры)."""
    campaign, level = services.campaign_or_404(current_user, campaign_id, "edit")
    org_id = request.values.get("org", type=int) or (campaign.org_id if level.manage else min(level.edit_org_ids))
    if org_id != campaign.org_id and org_id not in level.edit_org_ids:
        abort(404)
    if org_id == campaign.org_id and not level.manage:
        abort(404)
    record = db.session.scalar(select(Swot).where(Swot.campaign_id == campaign.id, Swot.org_id == org_id))
    form = SwotForm(obj=record) if request.method == "GET" else SwotForm()
    conflict = False
    if request.method == "GET":
        form.version.data = record.version if record else ""
    elif form.validate_on_submit():
        try:
            if record is None:
                record = Swot(campaign_id=campaign.id, org_id=org_id)
                db.session.add(record)
            else:
                check_version(record, _int(form.version.data))
            for name in ("strengths", "weaknesses", "opportunities", "threats", "conclusions"):
                setattr(record, name, getattr(form, name).data)
            record.updated_by_id = current_user.id
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            db.session.refresh(record)
            form = SwotForm(obj=record, formdata=None)
            form.version.data = record.version
            conflict = True
        else:
            flash("SWOT-анализ сохранён.", "success")
            args = {"org": org_id} if org_id != campaign.org_id else {}
            return redirect_to(url_for("monitoring.results", campaign_id=campaign.id, **args))
    scope = None if org_id == campaign.org_id else {org_id}
    found = figures.campaign_results(campaign, scope)
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template("monitoring/swot.html", campaign=campaign, form=form, results=found, org_id=org_id,
                           org=db.session.get(Organisation, org_id), conflict=conflict and CONFLICT), status


@bp.route("/campaigns/<int:campaign_id>/export.xlsx")
@access.rule("monitoring.view")
def export_xlsx(campaign_id):
    from nastavnik.monitoring.export import campaign_xlsx

    campaign, level = services.campaign_or_404(current_user, campaign_id)
    org_ids, _ = _results_scope(campaign, level)
    data = campaign_xlsx(campaign, org_ids)
    return send_file(BytesIO(data), as_attachment=True, download_name=f"monitoring-{campaign.id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/campaigns/<int:campaign_id>/export.docx")
@access.rule("monitoring.view")
def export_docx(campaign_id):
    from nastavnik.monitoring.export import campaign_docx

    campaign, level = services.campaign_or_404(current_user, campaign_id)
    org_ids, _ = _results_scope(campaign, level)
    data = campaign_docx(campaign, org_ids)
    return send_file(BytesIO(data), as_attachment=True, download_name=f"spravka-{campaign.id}.docx",
                     mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _rollup_rows(year: int, audience: str):
    """Satisfaction campaigns of one audience that overlap the academic year, rolled up per school."""
    from nastavnik.monitoring.models import Questionnaire

    span = AcademicYear(year)
    campaigns = db.session.scalars(
        services.visible_campaigns_query(current_user)
        .join(Questionnaire, Questionnaire.id == Campaign.questionnaire_id)
        .where(Questionnaire.purpose == "satisfaction", Questionnaire.audience == audience,
               Campaign.opens_on <= span.ends, Campaign.closes_on >= span.starts)
    ).all()
    schools = education_orgs(access.scope(current_user, "monitoring.view"))
    rule = services.rule_for(schools[0].id) if schools else services.Rule(**services.DEFAULT_SETTINGS)
    rows = figures.rollup([c.id for c in campaigns], {s.id for s in schools}, rule) if campaigns else []
    return rows, campaigns, rule


def _rollup_args() -> tuple[int, str]:
    year = AcademicYear.from_arg(request.args.get("year"), today()).start_year
    audience = request.args.get("audience", "mentee")
    return year, audience if audience in ("mentee", "mentor") else "mentee"


@bp.route("/rollup")
@access.rule("monitoring.view")
def rollup():
    """Свод по школам: удовлетворённость одной аудитории за учебный год, одна строка на школу."""
    year, audience = _rollup_args()
    rows, campaigns, rule = _rollup_rows(year, audience)
    this = AcademicYear.of(today()).start_year
    return render_template("monitoring/rollup.html", rows=rows, campaigns=campaigns, year=year, audience=audience,
                           rule=rule, years=list(range(this, this - 5, -1)))


@bp.route("/rollup/chart.svg")
@access.rule("monitoring.view")
def rollup_chart():
    from nastavnik.monitoring import charts

    rows, _, _ = _rollup_rows(*_rollup_args())
    return _svg(charts.orgs_chart(rows, "Свод по школам: отклик и удовлетворённость, %"))


# --- Rhythm and the municipality's rule -----------------------------------------------------------


@bp.route("/rhythm", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def rhythm():
    """Ритм школы: входная волна через N дней после начала пары, итоговая при завершении, полугодовые."""
    schools = [o for o in services.owner_choices(current_user) if o.is_education]
    if not schools:
        abort(403)
    org_id = request.values.get("org", type=int) or schools[0].id
    if org_id not in {s.id for s in schools}:
        abort(404)
    record = db.session.scalar(select(Rhythm).where(Rhythm.org_id == org_id))
    form = RhythmForm(obj=record) if request.method == "GET" else RhythmForm()
    usable = [q for q in services.visible_questionnaires(current_user)
              if q.org_id == org_id or q.org_id in services._ancestor_ids({org_id})]
    form.questionnaires.choices = [(q.id, q.title) for q in usable]
    conflict = False
    if request.method == "GET":
        if record:
            form.questionnaires.data = record.questionnaire_ids
            form.halfyear.data = ", ".join(record.halfyear_dates or [])
            form.version.data = record.version
        else:
            form.entry_days.data, form.halfyear.data = 14, "01.12, 15.05"
    elif form.validate_on_submit():
        try:
            if record is None:
                record = Rhythm(org_id=org_id)
                db.session.add(record)
            else:
                check_version(record, _int(form.version.data))
            record.questionnaire_ids = list(form.questionnaires.data or [])
            record.entry_days = form.entry_days.data
            record.final_wave = bool(form.final_wave.data)
            record.halfyear_dates = form.halfyear.parsed
            record.window_days = form.window_days.data
            record.active = bool(form.active.data)
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            conflict = True
        else:
            planned = services.plan_rhythm(record, today()) if record.active else 0
            db.session.commit()
            flash(f"Ритм сохранён. Кампаний этого учебного года создано сейчас: {planned}; дальше их открывает "
                  "и закрывает ежедневная команда monitoring-tick.", "success")
            return redirect_to(url_for("monitoring.rhythm", org=org_id))
    campaigns = []
    if record is not None:
        campaigns = db.session.scalars(select(Campaign).where(Campaign.rhythm_id == record.id)
                                       .order_by(Campaign.opens_on, Campaign.id)).all()
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template("monitoring/rhythm.html", form=form, schools=schools, org_id=org_id, record=record,
                           campaigns=campaigns, conflict=conflict and CONFLICT), status


def _rule_orgs() -> list[Organisation]:
    """Organisations whose rule the user sets: where they coordinate from (municipal, admin roles)."""
    ids = [r.org_id for r in current_user.roles if r.role in ("municipal", "admin")]
    return db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))).all()


@bp.route("/settings", methods=["GET", "POST"])
@access.rule("monitoring.view")
def settings():
    orgs = _rule_orgs()
    form = SettingsForm()
    form.org_id.choices = [(o.id, o.title) for o in orgs]
    mine = {o.id for o in education_orgs(access.scope(current_user, "monitoring.view"))}
    current = services.rule_for(next(iter(sorted(mine)))) if mine else services.Rule(**services.DEFAULT_SETTINGS)
    if not orgs:
        if request.method == "POST":
            abort(403)
        return render_template("monitoring/settings.html", form=None, rule=current)
    org_id = form.org_id.data if request.method == "POST" else request.args.get("org", type=int) or orgs[0].id
    if org_id not in {o.id for o in orgs}:
        abort(404)
    record = db.session.scalar(select(Settings).where(Settings.org_id == org_id))
    conflict = False
    if request.method == "GET":
        rule = services.rule_for(org_id)
        form.org_id.data, form.method.data = org_id, rule.method
        form.threshold_percent.data, form.min_group_size.data = rule.threshold_percent, rule.min_group_size
        form.version.data = record.version if record else ""
    elif form.validate_on_submit():
        access.require("monitoring.edit", org_id)
        try:
            if record is None:
                record = Settings(org_id=org_id)
                db.session.add(record)
            else:
                check_version(record, _int(form.version.data))
            record.method, record.threshold_percent = form.method.data, form.threshold_percent.data
            record.min_group_size = form.min_group_size.data
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            conflict = True
        else:
            flash("Правило сохранено: им считаются результаты всех школ муниципалитета.", "success")
            return redirect_to(url_for("monitoring.settings", org=org_id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template("monitoring/settings.html", form=form, rule=current,
                           conflict=conflict and CONFLICT), status


# --- Growth of participants -----------------------------------------------------------------------


@bp.route("/growth")
@access.rule("monitoring.view")
def growth_index():
    """Рост участников по школам и формам; список пар для записи входных и итоговых значений."""
    visible = access.scope(current_user, "monitoring.view")
    schools = education_orgs(visible)
    org_id = request.args.get("org", type=int)
    if org_id is not None and org_id not in {s.id for s in schools}:
        abort(404)
    org_ids = {org_id} if org_id else {s.id for s in schools}
    kind_code = request.args.get("kind", "")
    if kind_code and kind_code not in registry().kinds:
        kind_code = ""
    rows = growth.summary(org_ids, kind_code)
    by_org = growth.summary(org_ids, kind_code, by_org=True) if len(org_ids) > 1 else []
    pairs_query = select(Pair).where(Pair.org_id.in_(org_ids), Pair.status.in_(("active", "finished")))
    if kind_code:
        pairs_query = pairs_query.where(Pair.kind_code == kind_code)
    pairs = db.session.scalars(pairs_query.order_by(Pair.org_id, Pair.id.desc()).limit(300)).all()
    from nastavnik.programmes.services import pair_title

    return render_template("monitoring/growth.html", rows=rows, by_org=by_org, pairs=pairs, schools=schools,
                           org_id=org_id, kind_code=kind_code, pair_title=pair_title, kinds=registry().kinds,
                           recorded=growth.recorded_people(org_ids, kind_code))


@bp.route("/growth/chart.svg")
@access.rule("monitoring.view")
def growth_chart():
    from nastavnik.monitoring import charts

    schools = education_orgs(access.scope(current_user, "monitoring.view"))
    org_id = request.args.get("org", type=int)
    if org_id is not None and org_id not in {s.id for s in schools}:
        abort(404)
    org_ids = {org_id} if org_id else {s.id for s in schools}
    kind_code = request.args.get("kind", "")
    return _svg(charts.growth_chart(growth.summary(org_ids, kind_code)))


@bp.route("/growth/pair/<int:pair_id>", methods=["GET"])
@access.login_only
def growth_pair(pair_id):
    pair = db.session.get(Pair, pair_id)
    level = growth.pair_level(current_user, pair)
    from nastavnik.programmes.services import pair_title

    return render_page_or_partial("monitoring/growth_pair.html", "monitoring/_growth_members.html",
                                  pair=pair, level=level, members=growth.pair_growth(pair), errors={}, posted={},
                                  pair_title=pair_title, saved=None)


@bp.route("/growth/pair/<int:pair_id>/member/<int:member_id>/<stage>", methods=["POST"])
@access.login_only
def growth_save(pair_id, member_id, stage):
    pair = db.session.get(Pair, pair_id)
    level = growth.pair_level(current_user, pair)
    if level != "edit":
        abort(403)
    if stage not in STAGES:
        abort(404)
    member = next((m for m in pair.members if m.id == member_id), None)
    if member is None:
        abort(404)
    chars = [c for c in growth.characteristics(pair.kind_code, [pair.org_id]) if c.role == member.role]
    values, errors = {}, {}
    for characteristic in chars:
        value, error = growth.check_value(characteristic, request.form.get(characteristic.code, ""))
        if error:
            errors[(member.id, stage, characteristic.code)] = error
        values[characteristic.code] = (value, request.form.get(f"{characteristic.code}_note", "").strip()[:2000])
    from nastavnik.programmes.services import pair_title

    context = dict(pair=pair, level=level, pair_title=pair_title, errors=errors,
                   posted={(member.id, stage): request.form} if errors else {})
    if errors:
        return render_page_or_partial("monitoring/growth_pair.html", "monitoring/_growth_members.html", 422,
                                      members=growth.pair_growth(pair), saved=None, **context)
    try:
        growth.save_stage(pair, member, stage, values, current_user.id)
    except Conflict:
        db.session.rollback()
        return render_page_or_partial("monitoring/growth_pair.html", "monitoring/_growth_members.html", 409,
                                      members=growth.pair_growth(pair), saved=CONFLICT, **context)
    message = f"Сохранено: {STAGES[stage]} оценка — {member.person.short_name}."
    if is_htmx():
        return render_partial("monitoring/_growth_members.html", members=growth.pair_growth(pair), saved=message,
                              **context)
    flash(message, "success")
    return redirect_to(url_for("monitoring.growth_pair", pair_id=pair.id))


@bp.route("/growth/characteristics", methods=["GET", "POST"])
@access.rule("monitoring.edit")
def characteristics():
    """Характеристики роста, которые школа добавляет к характеристикам формы."""
    schools = [o for o in services.owner_choices(current_user) if o.is_education]
    if not schools:
        abort(403)
    org_id = request.values.get("org", type=int) or schools[0].id
    if org_id not in {s.id for s in schools}:
        abort(404)
    kind_code = request.values.get("kind", "") or next(iter(registry().kinds), "")
    if kind_code not in registry().kinds:
        abort(404)
    form = CharacteristicForm()
    if request.method == "POST" and form.validate_on_submit():
        options = [x.strip() for x in (form.options.data or "").splitlines() if x.strip()]
        growth.add_characteristic(org_id, kind_code, dict(
            title=form.title.data, role=form.role.data, value_kind=form.value_kind.data,
            options=options if form.value_kind.data == "ordinal" else [], minimum=form.minimum.data,
            maximum=form.maximum.data, higher_is_better=bool(form.higher_is_better.data)))
        flash("Характеристика добавлена: её можно записывать у пар этой формы.", "success")
        return redirect_to(url_for("monitoring.characteristics", org=org_id, kind=kind_code))
    status = 422 if form.is_submitted() else 200
    return render_template("monitoring/characteristics.html", form=form, schools=schools, org_id=org_id,
                           kind_code=kind_code, kinds=registry().kinds,
                           items=growth.characteristics(kind_code, [org_id])), status


# --- Dashboard --------------------------------------------------------------------------------


def dashboard_card(user) -> str | None:
    """Constant statements whatever the number of schools: «мои анкеты» (one), open campaigns (one) and
    their counts (two GROUP BYs)."""
    mine = services.my_questionnaires(user, today())
    pending = [(c, r) for c, r, done in mine if not done]
    open_campaigns, counts = [], {}
    if access.can(user, "monitoring.view"):
        open_campaigns = db.session.scalars(
            services.visible_campaigns_query(user).where(Campaign.status == "open")
            .order_by(Campaign.closes_on, Campaign.id).limit(8)
        ).all()
        counts = services.recipient_counts(c.id for c in open_campaigns)
    if not pending and not open_campaigns and not mine:
        return None
    return render_template("monitoring/_dashboard_card.html", pending=pending, answered=len(mine) - len(pending),
                           open_campaigns=open_campaigns, counts=counts)
