"""Demo: every school names its director and curator; the demo «учитель – учитель» pair has its agreement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from nastavnik.agreements.models import MentorAgreement
from nastavnik.agreements.services import applies
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair

DIRECTORS = ("Сидоров Пётр Иванович", "Кузнецова Елена Викторовна", "Лебедев Андрей Николаевич")
CURATORS = ("Морозова Ирина Сергеевна", "Волков Дмитрий Олегович", "Соколова Наталья Андреевна")


def add(demo) -> None:
    for index, school in enumerate(demo.schools):
        school.director_name = DIRECTORS[index % len(DIRECTORS)]
        school.director_position, school.director_position_genitive = "Директор", "директора"
        school.curator_name = CURATORS[index % len(CURATORS)]
        school.curator_position = "заместитель директора по УВР"
    pairs = db.session.scalars(select(Pair).where(Pair.status == "active").order_by(Pair.id)).all()
    for number, pair in enumerate((p for p in pairs if applies(p)), start=1):
        mentor = pair.mentors[0]
        db.session.add(MentorAgreement(
            org_id=pair.org_id, pair_id=pair.id, person_id=mentor.person_id, number=f"{number}-н",
            signed_on=pair.starts_on, starts_on=pair.starts_on,
            ends_on=pair.ends_on or pair.starts_on + timedelta(days=270),
            content="помощь молодому специалисту в адаптации: планирование, посещение и анализ уроков, консультации",
            work_form="индивидуальная, очно на рабочем месте", pay_kind="percent", pay_value=Decimal("10"),
            local_act="Положение об оплате труда работников школы, п. 4.2",
        ))
