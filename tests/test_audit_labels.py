"""Issue 7: the person history and the audit log show every value by its Russian label, never an
internal code («kind_code», «in_bank», «low_performance», «origin: employee»); tag changes are logged."""

from __future__ import annotations

import re

from sqlalchemy import select

from nastavnik.audit.models import AuditEntry
from nastavnik.banks.models import MenteeProfile, MentorProfile, Tag
from nastavnik.extensions import db
from nastavnik.periods import AcademicYear
from nastavnik.timeutil import today

CODES = ("kind_code", "in_bank", "low_performance", "employee", "student_student", "teacher_teacher",
         "kind_codes", "origin", "category", "tags", "achiever_underachiever")


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_bank_entries_read_in_russian_on_the_log_and_the_person_page(world, curator):
    year = AcademicYear.of(today()).start_year
    first, second = Tag(title="дисциплина на уроке"), Tag(title="работа с родителями")
    mentee = MenteeProfile(person_id=world.student.id, org_id=world.school.id, kind_code="student_student",
                           category="low_performance", academic_year=year, tags=[first])
    mentor = MentorProfile(person_id=world.teacher.id, org_id=world.school.id, kind_codes="student_student",
                           variation_codes="achiever_underachiever", origin="employee", tags=[second])
    db.session.add_all([mentee, mentor])
    db.session.commit()
    mentee.tags = [second]
    mentee.status = "unmatched"
    db.session.commit()

    for url in ("/audit/", f"/participants/{world.student.id}", f"/participants/{world.teacher.id}"):
        text = _visible_text(curator.get(url).get_data(as_text=True))
        leaked = [code for code in CODES if re.search(rf"(?<![\w/-]){code}(?![\w-])", text)]
        assert leaked == [], (url, leaked)
    log = _visible_text(curator.get("/audit/").get_data(as_text=True))
    for phrase in ("форма наставничества", "ученик – ученик", "категория", "низкая успеваемость",
                   "в базе", "не подобран", "откуда наставник", "работник предприятия", "компетенции",
                   "успевающий – неуспевающий", "запросы (затруднения)"):
        assert phrase in log, phrase


def test_tag_changes_are_logged_as_whole_lists(world):
    year = AcademicYear.of(today()).start_year
    a, b, c = Tag(title="А-тег"), Tag(title="Б-тег"), Tag(title="В-тег")
    profile = MenteeProfile(person_id=world.teacher.id, org_id=world.school.id, kind_code="teacher_teacher",
                            academic_year=year, tags=[a, b])
    db.session.add(profile)
    db.session.commit()
    profile.tags = [b, c]
    db.session.commit()

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "mentee_profile").order_by(AuditEntry.id)
    ).all()
    assert entries[0].changes["tags"] == [None, ["А-тег", "Б-тег"]]
    assert entries[1].action == "update" and entries[1].changes == {"tags": [["А-тег", "Б-тег"], ["Б-тег", "В-тег"]]}


def test_renaming_a_vocabulary_tag_is_logged(world):
    tag = Tag(title="ФГОС")
    db.session.add(tag)
    db.session.commit()
    assert (tag.title, tag.archived) == ("ФГОС", False)  # loaded, as the rename form does
    tag.title, tag.archived = "ФГОС и рабочие программы", True
    db.session.commit()

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "tag").order_by(AuditEntry.id.desc())).first()
    assert entry.changes == {"title": ["ФГОС", "ФГОС и рабочие программы"], "archived": [False, True]}
