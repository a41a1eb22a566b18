from __future__ import annotations

import io

from flask import abort, current_app, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.banks import matching_service as ms
from nastavnik.banks import ru_score
from nastavnik.banks.models import MatchProposal, MatchRun, MenteeProfile, MentorProfile
from nastavnik.consents.services import processing_allowed
from nastavnik.extensions import db
from nastavnik.matching import MatchingError
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs
from nastavnik.pairs import bp
from nastavnik.pairs import services as svc
from nastavnik.pairs.forms import EndForm, OrderForm, PairForm, ReplaceMentorForm, SupportForm
from nastavnik.pairs.models import PAIR_STATUSES, Order, Pair, SupportRecord
from nastavnik.pairs.order_docx import HEADERS, build_order_docx, order_rows, order_texts
from nastavnik.periods import AcademicYear, ru_date
from nastavnik.plugins.manager import registry
from nastavnik.timeutil import today
from nastavnik.web.htmx import is_htmx, redirect_to, render_page_or_partial, render_partial
from nastavnik.web.paging import paginate
from nastavnik.web.urls import id_url
from nastavnik.web.words import plural

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _get_pair(pair_id: int) -> Pair:
    pair = db.session.get(Pair, pair_id)
    if pair is None or not svc.can_view_pair(current_user, pair):
        abort(404)
    return pair


def _orgs(permission: str) -> list[Organisation]:
    return education_orgs(access.scope(current_user, permission))


# ---------------------------------------------------------------- pairs


@bp.route("/")
@access.login_only
def index():
    filters = svc.PairFilters(
        status=request.args.get("status", "") if request.args.get("status") in PAIR_STATUSES else "",
        kind=request.args.get("kind", "")[:50],
    )
    page = svc.pairs_page(current_user, filters, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    can_edit = access.can(current_user, "pairs.edit")
    return render_page_or_partial(
        "pairs/index.html",
        "pairs/_table.html",
        pairs=page.items,
        page=page,
        forming=svc.forming_count(current_user) if can_edit else 0,
        filters=filters,
        statuses=PAIR_STATUSES,
        registry=registry(),
        kinds=registry().kinds,
        can_edit=can_edit,
        can_match=access.can(current_user, "matching.run"),
        pair_url=id_url("pairs.detail", "pair_id"),
    )


@bp.route("/<int:pair_id>")
@access.login_only
def detail(pair_id):
    pair = _get_pair(pair_id)
    kind = registry().kind(pair.kind_code)
    variation = dict((c.code, c.title) for c in kind.variations).get(pair.variation_code, pair.variation_code)
    from nastavnik.programmes.services import allows, meetings_of, pair_access, programme_of

    level = pair_access(current_user, pair)
    live = pair.status in ("forming", "active")
    return render_template(
        "pairs/detail.html",
        pair=pair,
        # Flagged, never ended silently: the curator decides (152-ФЗ).
        unconsented=[m.person for m in pair.members if live and not processing_allowed(m.person, today())],
        change_orders=svc.change_orders(pair.id),
        kind=kind,
        variation=variation,
        can_edit=access.can(current_user, "pairs.edit", pair.org_id),
        initiators=svc.END_INITIATORS,
        programme=programme_of(pair),
        can_edit_programme=allows(level, "edit"),
        meeting_count=len(meetings_of(pair)),
    )


def _pair_form() -> PairForm:
    form = PairForm()
    orgs = _orgs("pairs.edit")
    form.org_id.choices = [(o.id, o.title) for o in orgs]
    org_id = request.values.get("org_id", type=int) or (orgs[0].id if orgs else None)
    if org_id is not None:
        access.require("pairs.edit", org_id)
    form.kind_code.choices = [(c, k.title) for c, k in registry().kinds.items()]
    kind_code = request.values.get("kind_code") or (
        form.kind_code.choices[0][0] if form.kind_code.choices else ""
    )
    form.variation_code.choices = [
        ("", "—"),
        *[(c.code, c.title) for c in registry().kind(kind_code).variations],
    ]
    mentors = svc.free_mentors(ms.mentor_pool(org_id, kind_code, {org_id}) if org_id else set(), kind_code)
    form.mentor_ids.choices = [
        (m.id, f"{m.person.full_name} (свободно {m.free_slots} из {m.capacity})") for m in mentors
    ]
    year = AcademicYear.of(today()).start_year
    mentees = ms.open_mentees(org_id, kind_code, year) if org_id else []
    form.mentee_ids.choices = [(m.id, m.person.full_name) for m in mentees]
    if request.method == "GET":
        form.org_id.data, form.kind_code.data = org_id, kind_code
        # «Составить пару» from the suggestions page arrives with the mentor and mentee chosen.
        form.mentor_ids.data = request.args.getlist("mentor", type=int)
        form.mentee_ids.data = request.args.getlist("mentee", type=int)
    return form


@bp.route("/new", methods=["GET", "POST"])
@access.rule("pairs.edit")
def create():
    form = _pair_form()
    error = None
    if form.validate_on_submit():
        # The choices were the pool of a school the user may pair for (partners' mentors included).
        mentors = [db.session.get(MentorProfile, i) for i in form.mentor_ids.data]
        mentees = [access.get_or_404(MenteeProfile, i, "pairs.edit") for i in form.mentee_ids.data]
        try:
            pair = svc.create_pair(
                org_id=form.org_id.data,
                kind_code=form.kind_code.data,
                variation_code=form.variation_code.data or "",
                mentors=mentors,
                mentees=mentees,
                academic_year=AcademicYear.of(today()).start_year,
                ends_on=form.ends_on.data,
            )
        except svc.PairError as exc:
            db.session.rollback()
            error = exc.message
            form = _pair_form()
            return render_template("pairs/form.html", form=form, error=error), 409 if isinstance(
                exc, svc.CapacityError
            ) else 422
        db.session.commit()
        flash("Пара создана («формируется»). Закрепите её приказом.", "success")
        return redirect_to(url_for("pairs.detail", pair_id=pair.id))
    status = 422 if form.is_submitted() else 200
    return render_template("pairs/form.html", form=form, error=error), status


@bp.route("/<int:pair_id>/end", methods=["GET", "POST"])
@access.rule("pairs.edit")
def end(pair_id):
    pair = access.get_or_404(Pair, pair_id, "pairs.edit")
    form = EndForm()
    early = request.values.get("mode", "early") != "finish"
    if request.method == "GET":
        form.ended_on.data = today()
        form.order_date.data = today()
    if form.validate_on_submit() and _end_date_ok(form, pair):
        order = None
        try:
            svc.end_pair(
                pair,
                reason=form.reason.data,
                initiator=form.initiator.data,
                ended_on=form.ended_on.data,
                user_id=current_user.id,
                early=early,
            )
            if form.order_number.data:  # «о прекращении наставничества»
                order = svc.end_order(pair, form.order_number.data, form.order_date.data)
        except svc.PairError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect_to(url_for("pairs.detail", pair_id=pair.id))
        db.session.commit()
        flash("Пара прервана; наставляемый возвращён в базу." if early else "Пара завершена.", "success")
        if order is not None:
            return redirect_to(url_for("pairs.order", order_id=order.id))
        return redirect_to(url_for("pairs.detail", pair_id=pair.id))
    status = 422 if form.is_submitted() else 200
    return render_template("pairs/end.html", form=form, pair=pair, early=early), status


@bp.route("/<int:pair_id>/replace-mentor", methods=["GET", "POST"])
@access.rule("pairs.edit")
def replace_mentor(pair_id):
    """Замена наставника приказом «об изменении состава» (пара продолжает работу)."""
    pair = access.get_or_404(Pair, pair_id, "pairs.edit")
    if pair.status not in ("forming", "active"):
        flash("Пара завершена или прервана: наставника заменить нельзя.", "error")
        return redirect_to(url_for("pairs.detail", pair_id=pair.id))
    form = ReplaceMentorForm()
    form.member_id.choices = [(m.id, m.person.full_name) for m in pair.mentors]
    current = {m.person_id for m in pair.members}
    candidates = [m for m in svc.free_mentors({pair.org_id}, pair.kind_code) if m.person_id not in current]
    form.mentor_id.choices = [(0, "")] + [
        (m.id, f"{m.person.full_name} (свободно {m.free_slots} из {m.capacity})") for m in candidates
    ]
    if request.method == "GET":
        form.effective_on.data = form.order_date.data = today()
    error = None
    if form.validate_on_submit():
        new = access.get_or_404(MentorProfile, form.mentor_id.data, "pairs.edit") if form.mentor_id.data else None
        old = next((m for m in pair.mentors if m.id == form.member_id.data), None)
        if new is None:
            form.mentor_id.errors.append("Выберите нового наставника.")
        else:
            try:
                order = svc.replace_mentor(
                    pair, old, new, effective_on=form.effective_on.data, reason=form.reason.data,
                    number=form.order_number.data, issued_on=form.order_date.data, day=today(),
                )
            except svc.PairError as exc:
                db.session.rollback()
                error = exc.message
            else:
                db.session.commit()
                flash(f"Наставник заменён; приказ № {order.number} сформирован.", "success")
                return redirect_to(url_for("pairs.order", order_id=order.id))
    status = 422 if form.is_submitted() else 200
    return render_template("pairs/replace_mentor.html", form=form, pair=pair, error=error), status


def _end_date_ok(form: EndForm, pair: Pair) -> bool:
    """The end date can be neither in the future nor before the pair started."""
    ended_on = form.ended_on.data
    if ended_on > today():
        form.ended_on.errors.append(
            "Дата окончания ещё не наступила: укажите сегодняшнюю или прошедшую дату."
        )
    elif pair.starts_on and ended_on < pair.starts_on:
        form.ended_on.errors.append(
            f"Пара начала работу {ru_date(pair.starts_on)}: дата окончания не может быть раньше."
        )
    return not form.ended_on.errors


# ---------------------------------------------------------------- orders


@bp.route("/orders/new", methods=["GET", "POST"])
@access.rule("pairs.edit")
def new_order():
    orgs = _orgs("pairs.edit")
    org_id = request.values.get("org", type=int) or (orgs[0].id if orgs else None)
    if org_id is None:
        abort(404)
    access.require("pairs.edit", org_id)
    forming = (
        db.session.scalars(
            select(Pair).where(Pair.org_id == org_id, Pair.status == "forming").order_by(Pair.id)
        )
        .unique()
        .all()
    )
    form = OrderForm()
    form.pair_ids.choices = [
        (
            p.id,
            "; ".join(m.person.full_name for m in p.mentors)
            + " → "
            + "; ".join(m.person.full_name for m in p.mentees),
        )
        for p in forming
    ]
    if request.method == "GET":
        form.issued_on.data = today()
        form.ends_on.data = AcademicYear.of(today()).ends.replace(month=5, day=31)  # end of lessons
        form.pair_ids.data = [p.id for p in forming]
    error = None
    if form.validate_on_submit():
        chosen = [p for p in forming if p.id in set(form.pair_ids.data)]
        try:
            order = svc.issue_order(
                org_id, form.number.data, form.issued_on.data, chosen, today(), ends_on=form.ends_on.data
            )
        except svc.PairError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(f"Приказ № {order.number} сохранён; пары активны.", "success")
            return redirect_to(url_for("pairs.order", order_id=order.id))
    status = 422 if form.is_submitted() else 200
    org = db.session.get(Organisation, org_id)
    return render_template(
        "pairs/order_form.html", form=form, orgs=orgs, org_id=org_id, org=org, error=error
    ), status


def _order_context(order_id: int):
    order = access.get_or_404(Order, order_id, "pairs.view")
    pairs = sorted(order.pairs, key=lambda p: p.id)
    org = db.session.get(Organisation, order.org_id)
    return order, org, order_rows(pairs, registry()), order_texts(order, pairs, org, registry())


@bp.route("/orders/<int:order_id>")
@access.rule("pairs.view")
def order(order_id):
    order, org, rows, texts = _order_context(order_id)
    return render_template("pairs/order.html", order=order, org=org, rows=rows, headers=HEADERS, texts=texts)


@bp.route("/orders/<int:order_id>.docx")
@access.rule("pairs.view")
def order_docx(order_id):
    order, org, rows, texts = _order_context(order_id)
    data = build_order_docx(order, org.name, rows, texts)
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        mimetype=DOCX,
        download_name=f"prikaz_{order.number}_{order.issued_on:%Y%m%d}.docx".replace("/", "-"),
    )


# ---------------------------------------------------------------- unmatched and support


@bp.route("/unmatched")
@access.rule("pairs.view")
def unmatched():
    query, params = svc.unmatched_listing(access.scope(current_user, "pairs.view"), today())
    page = paginate(query, MenteeProfile, svc.UNMATCHED_ORDER, request.args.get("page", 1, type=int),
                    current_app.config["PAGE_SIZE"], params)
    mentees = page.items
    return render_template(
        "pairs/unmatched.html",
        mentees=mentees,
        page=page,
        why=ms.last_why_of(mentees),
        records=svc.support_records_of([m.id for m in mentees]),
        registry=registry(),
        form=SupportForm(),
        can_edit=access.can(current_user, "pairs.edit"),
    )


@bp.route("/unmatched/<int:mentee_id>/support", methods=["POST"])
@access.rule("pairs.edit")
def add_support(mentee_id):
    mentee = access.get_or_404(MenteeProfile, mentee_id, "pairs.edit")
    form = SupportForm()
    if not form.validate_on_submit():
        flash(
            "Сопровождение не сохранено: " + "; ".join(e for errs in form.errors.values() for e in errs),
            "error",
        )
        return redirect_to(url_for("pairs.unmatched"))
    db.session.add(
        SupportRecord(
            mentee_profile_id=mentee.id,
            happened_on=form.happened_on.data,
            text=form.text.data,
            created_by_id=current_user.id,
        )
    )
    db.session.commit()
    flash(f"Сопровождение «{mentee.person.full_name}» записано.", "success")
    return redirect_to(url_for("pairs.unmatched"))


# ---------------------------------------------------------------- cohort matching drafts


def _get_run(run_id: int) -> MatchRun:
    return access.get_or_404(MatchRun, run_id, "matching.run")


@bp.route("/match/")
@access.rule("matching.run")
def runs():
    org_ids = access.scope(current_user, "matching.run")
    items = db.session.scalars(
        select(MatchRun).where(MatchRun.org_id.in_(org_ids)).order_by(MatchRun.id.desc())
    ).all()
    return render_template("pairs/runs.html", runs=items, registry=registry(), orgs=_orgs("matching.run"))


@bp.route("/match/new", methods=["GET", "POST"])
@access.rule("matching.run")
def new_run():
    orgs = _orgs("matching.run")
    year = AcademicYear.of(today())
    if request.method == "GET":
        counts = ms.open_counts(orgs[0].id, year.start_year, registry().kinds) if len(orgs) == 1 else {}
        chosen = max(counts, key=counts.get) if counts and any(counts.values()) else None
        return render_template(
            "pairs/run_new.html", orgs=orgs, kinds=registry().kinds, year=year, counts=counts, chosen=chosen
        )
    org_id = request.form.get("org", type=int)
    kind_code = request.form.get("kind", "")
    if org_id is None or kind_code not in registry().kinds:
        abort(400)
    access.require("matching.run", org_id)
    if not ms.open_mentees(org_id, kind_code, year.start_year):
        flash(
            f"Подбирать некого: в базе наставляемых нет ожидающих пары по форме «{registry().kind(kind_code).title}» "
            f"на {year} учебный год. Выберите другую форму или включите наставляемых в базу.",
            "error",
        )
        return redirect_to(url_for("pairs.new_run"))
    try:
        run = ms.create_run(
            org_id,
            kind_code,
            AcademicYear.of(today()).start_year,
            access.scope(current_user, "matching.run"),
            current_user.id,
            today(),
        )
    except MatchingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect_to(url_for("pairs.new_run"))
    db.session.commit()
    return redirect_to(url_for("pairs.run", run_id=run.id))


def _draft_context(run: MatchRun, error: str | None = None, announce: str = "") -> dict:
    active = [p for p in run.proposals if p.state != "rejected"]
    draft = run.status == "draft"
    mentors = ms.pool_mentors(ms.run_pool(run), run.kind_code) if draft else []
    return dict(
        run=run,
        proposals=active,
        rejected=[p for p in run.proposals if p.state == "rejected"],
        swap_choices={p.id: ms.swap_choices(run, p, mentors) for p in active} if draft else {},
        kind=registry().kind(run.kind_code),
        error=error,
        announce=announce,
        capacity_problems=ms.check_capacity(run) if draft else [],
    )


@bp.route("/match/<int:run_id>")
@access.rule("matching.run")
def run(run_id):
    match_run = _get_run(run_id)
    return render_page_or_partial("pairs/run.html", "pairs/_draft.html", **_draft_context(match_run))


def _after_change(match_run: MatchRun, error: str | None = None, status: int = 200, announce: str = ""):
    if is_htmx():
        return render_partial(
            "pairs/_draft.html", status=status, **_draft_context(match_run, error, announce or error or "")
        )
    if error:
        flash(error, "error")
    elif announce:
        flash(announce, "success")
    return redirect_to(url_for("pairs.run", run_id=match_run.id))


DONE = {
    "pin": "закреплена", "unpin": "откреплена", "reject": "отклонена", "restore": "возвращена в подбор",
    "swap": "получила другого наставника и закреплена",
}


def _summary(run: MatchRun) -> str:
    result = run.result or {}
    unmatched = len(result.get("unmatched", []))
    return (
        f"Черновик пересчитан: {plural(result.get('matched', 0), 'пара', 'пары', 'пар')}, суммарный балл "
        f"{ru_score(result.get('total_score', 0))}, без пары — {unmatched}."
    )


@bp.route("/match/<int:run_id>/proposals/<int:proposal_id>/<action>", methods=["POST"])
@access.rule("matching.run")
def proposal_action(run_id, proposal_id, action):
    if action not in ("pin", "unpin", "reject", "restore", "swap"):
        abort(404)
    match_run = _get_run(run_id)
    proposal = db.session.get(MatchProposal, proposal_id)
    if proposal is None or proposal.run_id != match_run.id:
        abort(404)
    if match_run.status != "draft":
        return _after_change(match_run, "Прогон уже опубликован: изменения невозможны.", 409)
    who = f"Пара «{proposal.mentee.person.full_name} — {proposal.mentor.person.full_name}»"
    try:
        if action == "swap":
            mentor = db.session.get(MentorProfile, request.form.get("mentor_id", type=int) or 0)
            if mentor is None:
                return _after_change(match_run, "Выберите наставника.", 422)
            if mentor.org_id not in ms.run_pool(match_run):
                access.require("matching.run", mentor.org_id)
            ms.swap(proposal, mentor, today())
        else:
            proposal.state = {"pin": "pinned", "unpin": "proposed", "reject": "rejected", "restore": "proposed"}[
                action
            ]
        # Every action changes what is left for the others: the draft is recomputed at once, so the
        # total, the unmatched list and the free places never show a state that no longer holds.
        ms.compute(match_run, today())
    except MatchingError as exc:
        db.session.rollback()
        return _after_change(match_run, str(exc), 422)
    db.session.commit()
    return _after_change(match_run, announce=f"{who} {DONE[action]}. {_summary(match_run)}")


@bp.route("/match/<int:run_id>/rerun", methods=["POST"])
@access.rule("matching.run")
def rerun(run_id):
    match_run = _get_run(run_id)
    if match_run.status != "draft":
        return _after_change(match_run, "Прогон уже опубликован.", 409)
    try:
        ms.compute(match_run, today())
    except MatchingError as exc:
        db.session.rollback()
        return _after_change(match_run, str(exc), 422)
    db.session.commit()
    return _after_change(match_run)


@bp.route("/match/<int:run_id>/publish", methods=["POST"])
@access.rule("matching.run", "pairs.edit")
def publish(run_id):
    match_run = _get_run(run_id)
    access.require("pairs.edit", match_run.org_id)
    if match_run.status != "draft":
        return _after_change(match_run, "Прогон уже опубликован.", 409)
    try:
        pairs = ms.publish(match_run, today())
    except svc.PairError as exc:
        db.session.rollback()
        return _after_change(match_run, exc.message + " Ничего не опубликовано.", 409)
    db.session.commit()
    flash(f"Опубликовано пар: {len(pairs)}. Они «формируются» — закрепите их приказом.", "success")
    return redirect_to(url_for("pairs.index", status="forming"))
