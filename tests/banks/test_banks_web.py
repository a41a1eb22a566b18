"""Banks on the web: lists and scope, entry only with consent, profiles, vocabulary, questionnaire, exports."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from nastavnik.banks.models import MenteeProfile, MentorProfile, MentorQuestionnaire, Tag
from nastavnik.extensions import db
from tests.banks.test_matching_web import KIND, make_mentee, make_mentor, year
from tests.factories import make_consent, make_person


def test_lists_are_scoped_and_filtered(as_user, world):
    make_mentee(world.school, "Своя", ["дисциплина"])
    make_mentee(world.other_school, "Чужая", ["дисциплина"])
    make_mentor(world.school, "Наставница", ["дисциплина"])
    db.session.commit()
    curator = as_user("curator")
    html = curator.get("/banks/mentees").get_data(as_text=True)
    assert "Своя" in html and "Чужая" not in html
    partial = curator.get("/banks/mentees?q=нет-такой", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Найдено: 0" in partial and "<html" not in partial
    assert "Наставница" in curator.get("/banks/mentors").get_data(as_text=True)
    assert curator.get(f"/banks/mentees?org={world.other_school.id}").status_code == 404


def test_mentor_and_mentee_roles_have_no_bank_lists(as_user, world):
    assert as_user("mentor").get("/banks/mentees").status_code == 403


def test_no_entry_without_consent(curator, world):
    person = make_person(world.school, last_name="Безсогласия")
    db.session.commit()
    response = curator.post(
        "/banks/mentees/new", data={"person_id": person.id, "kind_code": KIND, "academic_year": year()}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "нет действующего согласия на обработку персональных данных" in text
    assert db.session.scalar(select(MenteeProfile)) is None
    response = curator.post("/banks/mentors/new", data={"person_id": person.id})
    assert response.status_code == 422 and "согласия на обработку персональных данных" in response.get_data(
        as_text=True
    )


def test_add_mentee_once_per_form_and_year(curator, world):
    data = {"person_id": world.teacher.id, "kind_code": KIND, "academic_year": year()}
    assert curator.post("/banks/mentees/new", data=data).status_code == 303
    again = curator.post("/banks/mentees/new", data=data)
    assert again.status_code == 422 and "уже в базе наставляемых" in again.get_data(as_text=True)
    wrong_kind = curator.post("/banks/mentees/new", data=data | {"person_id": world.student.id})
    assert wrong_kind.status_code == 422 and "не может быть наставляемым" in wrong_kind.get_data(as_text=True)


def test_edit_mentee_profile_with_tags_and_category_and_conflict(curator, world):
    profile = make_mentee(world.school, "Правкина", [])
    db.session.add(Tag(title="оценивание"))
    db.session.commit()
    existing = db.session.scalar(select(Tag).where(Tag.title == "оценивание"))
    page = curator.get(f"/banks/mentees/{profile.id}/edit").get_data(as_text=True)
    assert "молодой специалист" in page  # categories come from the form's plugin
    data = {
        "category": "young_specialist",
        "request_text": "дисциплина на уроке",
        "status": "in_bank",
        "tag_ids": [existing.id],
        "new_tags": "работа с родителями",
        "version": profile.version,
    }
    assert curator.post(f"/banks/mentees/{profile.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    profile = db.session.get(MenteeProfile, profile.id)
    assert {t.title for t in profile.tags} == {"оценивание", "работа с родителями"}
    assert profile.category == "young_specialist"
    stale = curator.post(f"/banks/mentees/{profile.id}/edit", data=data | {"version": profile.version - 1})
    assert stale.status_code == 409 and "изменил другой пользователь" in stale.get_data(as_text=True)
    bad = curator.post(
        f"/banks/mentees/{profile.id}/edit", data=data | {"category": "astronaut", "version": profile.version}
    )
    assert bad.status_code == 422


def test_edit_mentor_capacity_not_below_load(curator, world):
    profile = make_mentor(world.school, "Загруженная", capacity=2)
    profile.load = 2
    db.session.commit()
    data = {
        "origin": "teacher",
        "kind_codes": [KIND],
        "capacity": 1,
        "status": "in_bank",
        "version": profile.version,
    }
    response = curator.post(f"/banks/mentors/{profile.id}/edit", data=data)
    assert response.status_code == 422 and "нагрузка не может быть меньше" in response.get_data(as_text=True)
    ok = curator.post(
        f"/banks/mentors/{profile.id}/edit",
        data=data | {"capacity": 3, "preferred_age_min": 25, "preferred_age_max": 35},
    )
    assert ok.status_code == 303
    db.session.expire_all()
    assert db.session.get(MentorProfile, profile.id).capacity == 3


def test_vocabulary_edited_by_curator_only(as_user, world, client):
    curator = as_user("curator")
    assert (
        curator.post("/banks/tags", data={"title": "наставничество онлайн", "group": "методика"}).status_code
        == 303
    )
    duplicate = curator.post("/banks/tags", data={"title": "наставничество онлайн"})
    assert duplicate.status_code == 422 and "уже есть в словаре" in duplicate.get_data(as_text=True)
    client.post("/auth/logout")
    observer = as_user("observer")
    assert "наставничество онлайн" in observer.get("/banks/tags").get_data(as_text=True)
    assert observer.post("/banks/tags", data={"title": "чужое"}).status_code == 403


def test_questionnaire_filled_by_teacher_accepted_by_curator(as_user, world, client):
    db.session.add(Tag(title="цифровые инструменты"))
    db.session.commit()
    tag_id = db.session.scalar(select(Tag.id))
    mentor_user = as_user("mentor")
    data = {
        "kind_codes": [KIND],
        "tag_ids": [tag_id],
        "capacity": 2,
        "achievements": "победитель конкурса",
        "time_place": "по средам, каб. 12",
    }
    assert mentor_user.post("/banks/questionnaire", data=data).status_code == 303
    client.post("/auth/logout")
    curator = as_user("curator")
    assert "победитель конкурса" in curator.get("/banks/questionnaires").get_data(as_text=True)
    q = db.session.scalar(select(MentorQuestionnaire))
    # Наставникова has no consent to processing yet: the curator is told so, nothing is created.
    curator.post(f"/banks/questionnaires/{q.id}/accept")
    assert db.session.scalar(select(MentorProfile)) is None
    make_consent(db.session.get(type(world.teacher), q.person_id))
    db.session.commit()
    assert curator.post(f"/banks/questionnaires/{q.id}/accept").status_code == 303
    profile = db.session.scalar(select(MentorProfile))
    assert (
        profile.capacity == 2
        and profile.kinds == [KIND]
        and [t.title for t in profile.tags] == ["цифровые инструменты"]
    )
    assert db.session.get(MentorQuestionnaire, q.id).status == "accepted"


def test_questionnaire_decline(as_user, world, client):
    as_user("mentor").post("/banks/questionnaire", data={"kind_codes": [KIND], "capacity": 1})
    client.post("/auth/logout")
    q = db.session.scalar(select(MentorQuestionnaire))
    assert (
        as_user("curator")
        .post(f"/banks/questionnaires/{q.id}/decline", data={"note": "нет стажа"})
        .status_code
        == 303
    )
    q = db.session.get(MentorQuestionnaire, q.id)
    assert q.status == "declined" and q.decision_note == "нет стажа"


def _sheet_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)


def test_exports_contain_only_consented_people(curator, world):
    make_mentee(world.school, "Согласная", ["дисциплина"])
    withdrawn = make_mentee(world.school, "Отозвавшая", ["дисциплина"])
    consent = withdrawn.person.consents[0]
    consent.withdrawn_on = date.today() - timedelta(days=1)
    make_mentor(world.school, "Наставник-согласный")
    lapsed = make_mentor(world.school, "Наставник-истёкший")
    lapsed.person.consents[0].valid_until = date.today() - timedelta(days=1)
    db.session.commit()
    mentees = curator.get("/banks/mentees.xlsx")
    assert mentees.status_code == 200
    text = _sheet_text(mentees.data)
    assert "Согласная" in text and "Отозвавшая" not in text
    text = _sheet_text(curator.get("/banks/mentors.xlsx").data)
    assert "Наставник-согласный" in text and "Наставник-истёкший" not in text


def test_export_scope(as_user, world):
    assert as_user("curator").get(f"/banks/mentees.xlsx?org={world.other_school.id}").status_code == 404
