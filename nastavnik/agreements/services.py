"""ст. 351.8 ТК РФ: which pair needs an agreement, the agreement itself, its early end, the pay register.

The article covers an employee helping another employee master the job, by the employer's
instruction and with the mentor's written consent. So it applies to a pair whose mentor and (at
least one) mentee are both workers of the school; a partner's employee with a pupil, or a pupil
mentor, never falls under it. When mentoring is already part of the mentor's permanent, paid duties
no agreement is needed (письмо Роструда от 02.10.2025 № ТЗ/7300-6-1).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import xlsxwriter
from babel.numbers import format_decimal
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased, selectinload

from nastavnik.agreements.models import INITIATORS, NOTICE_WORKING_DAYS, MentorAgreement
from nastavnik.banks.models import MentorProfile
from nastavnik.consents.services import has_valid_consent
from nastavnik.extensions import db
from nastavnik.pairs.models import LIVE_STATUSES, Pair, PairMember
from nastavnik.pairs.services import is_school_employee
from nastavnik.participants.models import Person
from nastavnik.periods import ru_date
from nastavnik.workdays import add_working_days, day_off_name


class AgreementError(Exception):
    """An agreement cannot be saved or ended; ``message`` is Russian and shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- does the pair need one?


def applies(pair: Pair) -> bool:
    """ст. 351.8: the mentor and at least one mentee are employees of the pair's school."""
    mentors = [m.person for m in pair.mentors]
    mentees = [m.person for m in pair.mentees]
    return any(is_school_employee(p, pair.org_id) for p in mentors) and any(
        is_school_employee(p, pair.org_id) for p in mentees
    )


@dataclass
class Need:
    """What ст. 351.8 asks of one mentor of a pair, in words for the pair's page."""

    mentor_member: object
    profile: MentorProfile | None
    state: str  # in_duties | missing | signed | ended
    agreement: MentorAgreement | None
    consent: bool  # written consent of the mentor («mentor_duties»)

    @property
    def text(self) -> str:
        return {
            "in_duties": "наставничество входит в должностные обязанности — соглашение не требуется",
            "missing": "нужно дополнительное соглашение",
            "signed": "дополнительное соглашение оформлено",
            "ended": "дополнительное соглашение прекращено",
        }[self.state]


def needs(pair: Pair, day: date, profiles: dict | None = None, agreements: dict | None = None) -> list[Need]:
    """One line per employee mentor of a pair under 351.8; an empty list when it does not apply.
    ``profiles`` and ``agreements`` come from :func:`needs_of` when many pairs are listed."""
    if not applies(pair):
        return []
    result = []
    for member in pair.mentors:
        if not is_school_employee(member.person, pair.org_id):
            continue
        if profiles is None:
            profile = db.session.get(MentorProfile, member.mentor_profile_id) if member.mentor_profile_id else None
            agreement = latest_agreement(pair.id, member.person_id)
        else:
            profile = profiles.get(member.mentor_profile_id)
            agreement = agreements.get((pair.id, member.person_id))
        if profile is not None and profile.duties_included:
            state = "in_duties"
        elif agreement is None:
            state = "missing"
        else:
            state = "ended" if agreement.terminated_on is not None and agreement.terminated_on < day else "signed"
        consent = has_valid_consent(member.person, day, "mentor_duties")
        result.append(Need(member, profile, state, agreement, consent))
    return result


def latest_agreement(pair_id: int, person_id: int) -> MentorAgreement | None:
    return db.session.scalar(
        select(MentorAgreement)
        .where(MentorAgreement.pair_id == pair_id, MentorAgreement.person_id == person_id)
        .order_by(MentorAgreement.id.desc())
        .limit(1)
    )


def pairs_under_351_8(org_ids) -> list[Pair]:
    """Live «employee – employee» pairs of the organisations, for the agreements page (members, their
    people and consents loaded with them)."""
    members = selectinload(Pair.members)
    pairs = db.session.scalars(
        select(Pair).where(Pair.org_id.in_(org_ids), Pair.status.in_(LIVE_STATUSES))
        .options(members.joinedload(PairMember.person).selectinload(Person.consents))
        .order_by(Pair.id)
    ).all()
    return [p for p in pairs if applies(p)]


def needs_of(pairs: list[Pair], day: date) -> list[tuple[Pair, list[Need]]]:
    """:func:`needs` of every listed pair, their mentors' profiles and agreements read at once."""
    mentors = [m for p in pairs for m in p.mentors]
    profile_ids = {m.mentor_profile_id for m in mentors if m.mentor_profile_id}
    profiles = {p.id: p for p in db.session.scalars(
        select(MentorProfile).where(MentorProfile.id.in_(profile_ids))
    )} if profile_ids else {}
    agreements: dict[tuple[int, int], MentorAgreement] = {}
    if pairs:
        query = select(MentorAgreement).where(MentorAgreement.pair_id.in_([p.id for p in pairs]))
        for agreement in db.session.scalars(query.order_by(MentorAgreement.id)):
            agreements[(agreement.pair_id, agreement.person_id)] = agreement  # the latest wins
    return [(p, needs(p, day, profiles, agreements)) for p in pairs]


@cache
def _aliases():
    # Made once: an alias adapts its columns on first use, a cost the dashboard card paid on every page.
    return aliased(PairMember), aliased(PairMember), aliased(Person), aliased(Person)


def _missing_query(org_ids):
    """SQL twin of «a need in the state missing» (:func:`needs`): live pairs under 351.8 with an
    employee mentor who has neither the duties in their job nor any agreement for the pair."""
    mentor, mentee, mentor_person, mentee_person = _aliases()

    def employee(person):  # as pairs.services.is_school_employee
        return (person.kind == "staff") & (person.org_id == Pair.org_id)

    employee_mentee = exists().where(
        mentee.pair_id == Pair.id, mentee.role == "mentee", mentee_person.id == mentee.person_id, employee(mentee_person)
    )
    mentor_without_agreement = exists().where(
        mentor.pair_id == Pair.id, mentor.role == "mentor", mentor_person.id == mentor.person_id,
        employee(mentor_person),
        ~exists().where(MentorProfile.id == mentor.mentor_profile_id, MentorProfile.duties_included),
        # two levels down from the pair: named, or SQLAlchemy would read «any pair» into this subquery
        ~exists().where(MentorAgreement.pair_id == Pair.id, MentorAgreement.person_id == mentor.person_id)
        .correlate(Pair, mentor),
    )
    return select(Pair).where(
        Pair.org_id.in_(org_ids), Pair.status.in_(LIVE_STATUSES), employee_mentee, mentor_without_agreement
    )


def missing_agreements(org_ids, first: int) -> tuple[int, list[Pair]]:
    """How many live pairs lack a mentor's agreement, and the ``first`` few with their members, in
    three statements whatever the number of schools (the dashboard card)."""
    from nastavnik.pairs.eligibility import first_ids_and_total
    from nastavnik.pairs.services import pairs_by_id

    total, ids = first_ids_and_total(org_ids, _missing_ids, first)
    return total, pairs_by_id(ids)


def _missing_ids(org_ids):
    return _missing_query(org_ids).with_only_columns(Pair.id)


# ---------------------------------------------------------------- the agreement


def check_new(pair: Pair, person_id: int, day: date) -> None:
    """Refuse an agreement the law does not call for, in the words a director understands."""
    if not applies(pair):
        raise AgreementError(
            "Эта пара не подпадает под ст. 351.8 ТК РФ (наставник и наставляемый должны быть работниками "
            "школы): дополнительное соглашение не оформляется."
        )
    if pair.status not in LIVE_STATUSES:
        raise AgreementError("Пара завершена или прервана: новое соглашение не оформляется.")
    member = next((m for m in pair.mentors if m.person_id == person_id), None)
    if member is None or not is_school_employee(member.person, pair.org_id):
        raise AgreementError("Соглашение заключается только с наставником — работником школы.")
    if not has_valid_consent(member.person, day, "mentor_duties"):
        raise AgreementError(
            f"Нет письменного согласия «{member.person.full_name}» на наставничество (ст. 351.8 ТК РФ): "
            "сначала внесите его согласие на возложение дополнительных обязанностей на странице участника."
        )


def validate(agreement: MentorAgreement) -> list[str]:
    """Russian messages for an agreement that does not hold together (dates, pay)."""
    errors = []
    if agreement.ends_on < agreement.starts_on:
        errors.append("Срок: дата окончания раньше даты начала.")
    if agreement.pay_kind == "local_act":
        if not agreement.local_act.strip():
            errors.append("Укажите локальный нормативный акт или коллективный договор, которым установлена выплата.")
    elif agreement.pay_value is None or agreement.pay_value <= 0:
        errors.append("Укажите размер выплаты (больше нуля).")
    elif agreement.pay_kind == "percent" and agreement.pay_value > 100:
        errors.append("Процент от оклада — не больше 100.")
    return errors


def _number(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * places if places else "#,##0", locale="ru")


def _plain_number(value: Decimal | None) -> str:
    """«10», «0,15», «12,5»: a rate without trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def pay_text(agreement: MentorAgreement, mentees: int) -> str:
    """«Размеры и условия выплат за наставничество» in the agreement's words."""
    value = agreement.pay_value
    if agreement.pay_kind == "fixed":
        text = f"{_number(value)} руб. в месяц"
    elif agreement.pay_kind == "percent":
        text = f"{_plain_number(value)} % должностного оклада в месяц"
    elif agreement.pay_kind == "coefficient":
        total = (value or Decimal(0)) * mentees
        text = (
            f"коэффициент {_plain_number(value)} к должностному окладу за каждого наставляемого "
            f"(наставляемых: {mentees}, итого {_plain_number(total)})"
        )
    else:
        text = f"в размере и порядке, установленных: {agreement.local_act}"
    if agreement.pay_kind != "local_act" and agreement.local_act:
        text += f" (основание: {agreement.local_act})"
    return text + (f"; {agreement.pay_terms}" if agreement.pay_terms else "")


# ---------------------------------------------------------------- early end


@dataclass(frozen=True)
class NoticeDates:
    notice_on: date
    earliest: date  # the third working day after the notice
    skipped: tuple[tuple[date, str], ...]  # days off passed over, with why


def notice_period(notice_on: date) -> NoticeDates:
    """When an agreement noticed on ``notice_on`` may end at the earliest, and the days off skipped."""
    earliest = add_working_days(notice_on, NOTICE_WORKING_DAYS)
    skipped = []
    day = notice_on
    while day < earliest:
        day = date.fromordinal(day.toordinal() + 1)
        reason = day_off_name(day)
        if reason:
            skipped.append((day, reason))
    return NoticeDates(notice_on, earliest, tuple(skipped))


def terminate(
    agreement: MentorAgreement, *, initiator: str, notice_on: date, reason: str, requested_on: date | None = None
) -> date:
    """Record an early end; the agreement ends after the notice period, and so does the pair's term.

    The notice binds both sides in some readings and not in others: the app records it and computes
    the earliest lawful date, it does not refuse a notice. Returns the end date. The caller commits.
    """
    if initiator not in INITIATORS:
        raise AgreementError("Укажите, кто прекращает соглашение: работодатель или работник.")
    if agreement.terminated_on is not None:
        raise AgreementError(f"Соглашение уже прекращено с {ru_date(agreement.terminated_on)}.")
    if notice_on < agreement.signed_on:
        raise AgreementError("Дата уведомления раньше даты соглашения.")
    earliest = notice_period(notice_on).earliest
    if requested_on is not None and requested_on < earliest:
        raise AgreementError(
            f"Предупредить нужно не менее чем за {NOTICE_WORKING_DAYS} рабочих дня: при уведомлении "
            f"{ru_date(notice_on)} соглашение прекращается не раньше {ru_date(earliest)}."
        )
    ends = requested_on or earliest
    agreement.ended_by, agreement.notice_on, agreement.terminated_on, agreement.end_reason = (
        initiator, notice_on, ends, reason,
    )
    pair = agreement.pair
    if pair is not None and pair.status in LIVE_STATUSES and (pair.ends_on is None or ends < pair.ends_on):
        pair.ends_on = ends  # the pair's term follows: the curator ends it or gives it a new mentor
    return ends


# ---------------------------------------------------------------- pay register


@dataclass
class RegisterRow:
    mentor: str
    position: str
    mentees: str
    starts_on: date
    ends_on: date
    basis: str
    pay_kind: str
    rate: Decimal | None
    monthly_sum: Decimal | None
    terms: str


def register_rows(org_ids: set[int], start: date, end: date) -> list[RegisterRow]:
    """Agreements running at any day of [start, end], each clipped to that period."""
    agreements = db.session.scalars(
        select(MentorAgreement)
        .options(selectinload(MentorAgreement.pair).selectinload(Pair.members))
        .where(
            MentorAgreement.org_id.in_(org_ids),
            MentorAgreement.starts_on <= end,
            MentorAgreement.ends_on >= start,
            or_(MentorAgreement.terminated_on.is_(None), MentorAgreement.terminated_on >= start),
        )
        .order_by(MentorAgreement.org_id, MentorAgreement.id)
    ).all()
    rows = []
    for a in agreements:
        mentees = [m.person for m in a.pair.mentees]
        count = len(mentees)
        rate = a.pay_value * count if a.pay_kind == "coefficient" and a.pay_value is not None else a.pay_value
        basis = f"доп. соглашение № {a.number} от {ru_date(a.signed_on)}"
        if a.local_act:
            basis += f"; {a.local_act}"
        if a.terminated_on is not None:
            basis += f"; прекращено досрочно с {ru_date(a.terminated_on)}"
        rows.append(
            RegisterRow(
                mentor=a.person.full_name,
                position=a.person.position,
                mentees=", ".join(p.full_name for p in mentees),
                starts_on=max(a.starts_on, start),
                ends_on=min(a.last_day, end),
                basis=basis,
                pay_kind=a.pay_kind_title,
                rate=None if a.pay_kind == "local_act" else rate,
                monthly_sum=a.pay_value if a.pay_kind == "fixed" else None,
                terms=pay_text(a, count),
            )
        )
    return rows


REGISTER_HEADERS = (
    "№", "Наставник (ФИО)", "Должность", "Наставляемые", "Период с", "Период по", "Основание", "Вид выплаты",
    "Размер (%, коэффициент или руб.)", "Сумма в месяц, руб.", "Условия выплаты",
)


def register_xlsx(rows: list[RegisterRow], org_title: str, start: date, end: date) -> bytes:
    """The register for the accounts department; every user string written as a string (never a formula)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Реестр выплат")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    cell = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    day = book.add_format({"num_format": "dd.mm.yyyy", "valign": "top", "border": 1})
    money = book.add_format({"num_format": "#,##0.00", "valign": "top", "border": 1})
    rate = book.add_format({"num_format": "0.####", "valign": "top", "border": 1})
    sheet.write_string(0, 0, "Реестр выплат за наставничество (ст. 351.8 ТК РФ)", bold)
    sheet.write_string(1, 0, f"{org_title} · период с {ru_date(start)} по {ru_date(end)}")
    for col, (title, width) in enumerate(zip(REGISTER_HEADERS, (4, 28, 20, 30, 11, 11, 34, 22, 14, 14, 40), strict=True)):
        sheet.write_string(3, col, title, head)
        sheet.set_column(col, col, width)
    for n, row in enumerate(rows, start=1):
        r = 3 + n
        sheet.write_number(r, 0, n, cell)
        for col, text in ((1, row.mentor), (2, row.position), (3, row.mentees)):
            sheet.write_string(r, col, text, cell)
        sheet.write_datetime(r, 4, row.starts_on, day)
        sheet.write_datetime(r, 5, row.ends_on, day)
        for col, text in ((6, row.basis), (7, row.pay_kind)):
            sheet.write_string(r, col, text, cell)
        if row.rate is not None:
            sheet.write_number(r, 8, float(row.rate), rate)
        else:
            sheet.write_blank(r, 8, None, cell)
        if row.monthly_sum is not None:
            sheet.write_number(r, 9, float(row.monthly_sum), money)
        else:
            sheet.write_blank(r, 9, None, cell)
        sheet.write_string(r, 10, row.terms, cell)
    sheet.repeat_rows(3)
    sheet.freeze_panes(4, 0)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()
