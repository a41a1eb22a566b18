"""A version with answers is never changed in place: editing makes a new version, answers keep their question."""

from __future__ import annotations

from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.monitoring.models import Answer, QuestionItem, Questionnaire
from nastavnik.monitoring.services import samples
from tests.monitoring.conftest import TODAY, make_campaign, make_questionnaire


def _answer(client, campaign, values):
    return client.post(f"/monitoring/answer/{campaign.id}", data=values)


def test_editing_before_answers_changes_the_version_in_place(world, curator):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10", "text": "Старый текст"}])
    db.session.commit()
    item = questionnaire.latest.items[0]
    response = curator.post(f"/monitoring/items/{item.id}/edit", data={
        "kind": "scale10", "text": "Новый текст", "required": "y", "in_satisfaction": "y",
        "version": questionnaire.version})
    assert response.status_code == 303
    db.session.expire_all()
    questionnaire = db.session.get(Questionnaire, questionnaire.id)
    assert [v.number for v in questionnaire.versions] == [1]
    assert questionnaire.latest.items[0].text == "Новый текст"


def test_editing_after_answers_makes_a_new_version_and_keeps_the_answered_one(world, mentees, client, as_user):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10", "text": "Насколько полезно?"},
                                                      {"kind": "yesno", "text": "Продолжить?"}])
    campaign = make_campaign(questionnaire, world.school)
    first, second = questionnaire.latest.items
    as_user("mentee")
    assert _answer(client, campaign, {f"q{first.id}": "9", f"q{second.id}": "1"}).status_code == 303
    as_user("curator")
    response = client.post(f"/monitoring/items/{first.id}/edit", data={
        "kind": "scale10", "text": "Насколько полезной была программа?", "required": "y", "version":
        questionnaire.version}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "новой версии 2" in response.text
    db.session.expire_all()
    questionnaire = db.session.get(Questionnaire, questionnaire.id)
    old, new = questionnaire.versions
    assert [i.text for i in old.items] == ["Насколько полезно?", "Продолжить?"]  # untouched
    assert [i.text for i in new.items] == ["Насколько полезной была программа?", "Продолжить?"]
    answer = db.session.scalar(select(Answer).where(Answer.item_id == first.id))
    assert answer.value == 9 and db.session.get(QuestionItem, answer.item_id).version_id == old.id
    assert campaign.version_id == old.id  # the running campaign keeps the version it asked
    # Reorder and delete on the new version (no answers yet) stay in version 2.
    client.post(f"/monitoring/items/{new.items[1].id}/move", data={"direction": "up", "version": questionnaire.version})
    db.session.expire_all()
    questionnaire = db.session.get(Questionnaire, questionnaire.id)
    assert [v.number for v in questionnaire.versions] == [1, 2]
    assert [i.text for i in questionnaire.latest.items] == ["Продолжить?", "Насколько полезной была программа?"]


def test_add_move_and_delete_items_with_htmx_and_without(world, curator):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}, {"kind": "text"}])
    db.session.commit()
    response = curator.post(f"/monitoring/questionnaires/{questionnaire.id}/items", headers={"HX-Request": "true"},
                            data={"kind": "single", "text": "Кто вы?", "options": "ученик\nучитель",
                                  "required": "y", "version": questionnaire.version})
    assert response.status_code == 200 and "<html" not in response.text and 'id="items"' in response.text
    assert "Вопрос добавлен" in response.text
    db.session.expire_all()
    questionnaire = db.session.get(Questionnaire, questionnaire.id)
    added = questionnaire.latest.items[-1]
    assert added.options == ["ученик", "учитель"] and added.in_satisfaction is False
    # Invalid: a choice with one option is refused at the field.
    bad = curator.post(f"/monitoring/questionnaires/{questionnaire.id}/items", headers={"HX-Request": "true"},
                       data={"kind": "multiple", "text": "X", "options": "один", "version": questionnaire.version})
    assert bad.status_code == 422 and "хотя бы два варианта" in bad.text
    # A stale version answers 409 and changes nothing.
    stale = curator.post(f"/monitoring/items/{added.id}/delete", data={"version": "1"}, headers={"HX-Request": "true"})
    assert stale.status_code == 409
    deleted = curator.post(f"/monitoring/items/{added.id}/delete", data={"version": questionnaire.version})
    assert deleted.status_code == 303
    db.session.expire_all()
    assert len(db.session.get(Questionnaire, questionnaire.id).latest.items) == 2


def test_samples_from_plugins_and_core_copy_and_preview(world, curator):
    codes = set(samples())
    assert {"core_curator", "student_student_mentor_satisfaction", "student_student_mentee_satisfaction",
            "teacher_teacher_mentor_satisfaction", "teacher_teacher_mentee_satisfaction"} <= codes
    page = curator.get("/monitoring/samples/student_student_mentee_satisfaction")
    assert "модели Приложения 2" in page.text and "сверьте формулировки" in page.text
    response = curator.post("/monitoring/samples/student_student_mentee_satisfaction/use",
                            data={"org_id": world.school.id})
    assert response.status_code == 303
    questionnaire = db.session.scalar(select(Questionnaire))
    kinds = {i.kind for i in questionnaire.latest.items}
    assert {"scale10", "yesno", "frequency", "text"} <= kinds
    assert "модели Приложения 2" in curator.get(f"/monitoring/questionnaires/{questionnaire.id}").text
    copied = curator.post(f"/monitoring/questionnaires/{questionnaire.id}/copy",
                          data={"org_id": world.school.id, "title": "Наша анкета"})
    assert copied.status_code == 303
    copy = db.session.scalar(select(Questionnaire).where(Questionnaire.title == "Наша анкета"))
    assert [i.text for i in copy.latest.items] == [i.text for i in questionnaire.latest.items]
    preview = curator.get(f"/monitoring/questionnaires/{copy.id}/preview")
    assert preview.status_code == 200 and "disabled" in preview.text
    assert curator.get(f"/monitoring/questionnaires/{copy.id}/print").status_code == 200


def test_another_school_cannot_edit_or_see_the_questionnaire(world, as_user):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}])
    db.session.commit()
    client = as_user("curator_other")
    assert client.get(f"/monitoring/questionnaires/{questionnaire.id}").status_code == 404
    item = questionnaire.latest.items[0]
    assert client.post(f"/monitoring/items/{item.id}/edit", data={"kind": "scale10", "text": "Взлом"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(QuestionItem, item.id).text != "Взлом"
    assert TODAY
