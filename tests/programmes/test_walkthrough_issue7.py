"""Issue 7, programmes and meetings: the length is kept, completion with open work is confirmed and
recorded, meetings cannot be dated outside the pair's life, results reach the bank export; and
issue 12: plan items and meetings are versioned, so two editors never silently overwrite each other."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest

from nastavnik.banks.models import MenteeProfile
from nastavnik.extensions import db
from nastavnik.programmes.models import Meeting, PlanItem, Programme
from nastavnik.programmes.services import add_months, fitted_offset, template_plan
from nastavnik.timeutil import today
from plugins.teacher_teacher.plugin import ADAPTATION as YOUNG_SPECIALIST
from tests.programmes.conftest import STARTS

TEMPLATE = "teacher_young_specialist_adaptation"


def _form(**overrides) -> dict:
    data = {
        "template_code": TEMPLATE, "goal": "Адаптация в школе", "tasks": "", "difficulties": "", "strengths": "",
        "duration_months": "9", "planned_results": "",
    }
    return data | overrides


def _programme_of(pair) -> Programme | None:
    return db.session.scalar(db.select(Programme).where(Programme.pair_id == pair.id))


# --- the programme's length ---------------------------------------------------------------------


def test_fitted_offset_keeps_first_and_last_month():
    assert [fitted_offset(o, 9, 9) for o in (0, 4, 8)] == [0, 4, 8]
    assert [fitted_offset(o, 9, 7) for o in (0, 4, 8)] == [0, 3, 6]
    assert fitted_offset(8, 9, 12) == 11 and fitted_offset(0, 9, 12) == 0
    assert fitted_offset(3, 1, 5) == 3 and fitted_offset(9, 1, 5) == 4  # never past the last month


def test_plan_fits_a_shorter_programme(pair, curator):
    """A 9-month template saved as a 7-month programme: nothing runs past the seventh month."""
    response = curator.post(f"/programmes/pair/{pair.id}/new", data=_form(duration_months="7"))

    assert response.status_code == 303
    items = _programme_of(pair).items
    assert len(items) == len(YOUNG_SPECIALIST.plan)
    assert max(i.due_on for i in items) < add_months(STARTS, 7)
    assert min(i.due_on for i in items) == STARTS
    # the template's last month (offset 8) is the programme's last month (offset 6)
    assert max(i.due_on for i in items) == add_months(STARTS, 6)


def test_recalculate_plan_shows_the_new_length_and_saves_nothing(pair, curator):
    response = curator.post(f"/programmes/pair/{pair.id}/new", data=_form(duration_months="4", preview="1"))

    assert response.status_code == 200
    assert _programme_of(pair) is None
    page = response.get_data(as_text=True)
    assert add_months(STARTS, 3).strftime("%d.%m.%Y") in page
    assert add_months(STARTS, 8).strftime("%d.%m.%Y") not in page


def test_a_plan_into_the_summer_is_pointed_out(world, pair, curator):
    pair.starts_on = date(2025, 11, 1)
    db.session.commit()
    page = curator.get(f"/programmes/pair/{pair.id}/new").get_data(as_text=True)
    assert "после окончания учебного года" in page  # 9 months from November end in July


def test_template_plan_uses_the_template_length_by_default():
    rows = template_plan(YOUNG_SPECIALIST, STARTS)
    assert max(r.due_on for r in rows) == add_months(STARTS, YOUNG_SPECIALIST.duration_months - 1)


def test_shortening_a_programme_moves_the_planned_items_into_it(programme, curator):
    programme.items[1].due_on = date(2026, 5, 20)  # month 9 of a 9-month programme
    programme.items[0].status = "done"  # done items keep their date
    db.session.commit()

    response = curator.post(
        f"/programmes/{programme.id}/edit",
        data=_form(duration_months="4", version=programme.version),
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "уместился в новый срок" in response.get_data(as_text=True)
    db.session.expire_all()
    done, moved = sorted(db.session.get(Programme, programme.id).items, key=lambda i: i.position)
    assert done.due_on == STARTS
    assert STARTS < moved.due_on < add_months(STARTS, 4)


# --- completion -----------------------------------------------------------------------------------


def _complete(client, programme, **overrides):
    data = {
        "actual_results": "Проведён открытый урок", "reflection": "Цели достигнуты",
        "completed_on": today().strftime("%d.%m.%Y"), "version": programme.version,
    }
    return client.post(f"/programmes/{programme.id}/complete", data=data | overrides)


def test_completion_with_open_items_asks_for_confirmation(pair, programme, curator):
    db.session.add(Meeting(pair_id=pair.id, kind="joint", held_on=STARTS, mentor_feedback="хорошо"))
    db.session.commit()

    response = _complete(curator, programme)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "2 пункта плана не выполнено" in page and "Посещение уроков" in page
    assert "1 встреча без обратной связи" in page and "нет обратной связи наставляемого" in page
    assert "завершаете программу всё равно" in page
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).status == "active"
    assert pair.status == "active"


def test_confirmed_completion_records_what_was_open(programme, curator):
    response = _complete(curator, programme, confirm_open="y")

    assert response.status_code == 303
    db.session.expire_all()
    done = db.session.get(Programme, programme.id)
    assert done.status == "completed"
    assert "2 пункта плана не выполнено" in done.open_at_completion
    assert "Встреча-знакомство" in done.open_at_completion
    page = curator.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Не выполнено к завершению" in page


def test_completion_of_a_fulfilled_programme_needs_no_confirmation(programme, curator):
    for item in programme.items:
        item.status = "done"
    db.session.commit()

    assert _complete(curator, programme).status_code == 303
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).open_at_completion == ""


# --- meetings ----------------------------------------------------------------------------------


def _meeting(client, pair, **overrides):
    data = {"kind": "intro", "held_on": STARTS.strftime("%d.%m.%Y"), "format": "offline", "notes": "знакомство"}
    return client.post(f"/programmes/pair/{pair.id}/meetings/new", data=data | overrides)


def test_a_meeting_before_the_pair_began_is_refused(pair, as_user):
    mentor = as_user("mentor")
    before = (STARTS - timedelta(days=1)).strftime("%d.%m.%Y")

    response = _meeting(mentor, pair, held_on=before)

    assert response.status_code == 422
    assert "раньше начала работы пары" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 0
    assert _meeting(mentor, pair).status_code == 303  # the start day itself is fine


def test_editing_a_meeting_checks_its_date_too(pair, as_user):
    meeting = Meeting(pair_id=pair.id, kind="intro", held_on=STARTS)
    db.session.add(meeting)
    db.session.commit()
    mentor = as_user("mentor")
    tomorrow = (today() + timedelta(days=1)).strftime("%d.%m.%Y")

    response = mentor.post(
        f"/programmes/meetings/{meeting.id}/edit",
        data={"kind": "intro", "held_on": tomorrow, "format": "offline", "version": meeting.version},
    )

    assert response.status_code == 422 and "позже сегодняшнего дня" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).held_on == STARTS


# --- the bank export's «Результаты» --------------------------------------------------------------


def test_programme_results_reach_the_mentee_bank_export(world, pair, programme, curator):
    profile = MenteeProfile(person_id=world.teacher.id, org_id=world.school.id, kind_code="teacher_teacher",
                            academic_year=pair.academic_year)
    db.session.add(profile)
    db.session.commit()
    assert _complete(curator, programme, confirm_open="y").status_code == 303

    response = curator.get("/banks/mentees.xlsx")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "№ п/п")
    column = header.index("Результаты")
    line = next(r for r in rows if r and r[1] and str(r[1]).startswith("Петрова"))
    assert line[column] == "Проведён открытый урок"


# --- versions: two editors never overwrite each other silently ------------------------------------


@pytest.fixture
def item(programme) -> PlanItem:
    return sorted(programme.items, key=lambda i: i.position)[1]


def test_stale_plan_item_edit_is_refused(item, curator, as_user):
    seen = item.version
    mentor = as_user("mentor")
    first = mentor.post(f"/programmes/items/{item.id}/edit", data={
        "content": "Посещение трёх уроков", "status": "planned", "version": seen,
    })
    assert first.status_code == 303

    second = curator.post(f"/programmes/items/{item.id}/edit", headers={"HX-Request": "true"}, data={
        "content": "Посещение уроков наставника", "status": "planned", "version": seen,
    })

    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "изменил другой пользователь" in page and "Посещение трёх уроков" in page
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).content == "Посещение трёх уроков"


def test_stale_status_change_and_delete_are_refused(item, curator):
    seen = item.version
    assert curator.post(f"/programmes/items/{item.id}/status", data={"status": "done", "version": seen}).status_code == 303

    stale = curator.post(f"/programmes/items/{item.id}/status", headers={"HX-Request": "true"},
                         data={"status": "cancelled", "version": seen})
    assert stale.status_code == 409 and "изменил другой пользователь" in stale.get_data(as_text=True)
    delete = curator.post(f"/programmes/items/{item.id}/delete", data={"version": seen})
    assert delete.status_code == 303  # back to the programme with the message …
    db.session.expire_all()
    kept = db.session.get(PlanItem, item.id)
    assert kept is not None and kept.status == "done"  # … and nothing deleted or overwritten


def test_status_change_is_announced_in_the_row(item, curator):
    response = curator.post(f"/programmes/items/{item.id}/status", headers={"HX-Request": "true"},
                            data={"status": "done", "version": item.version})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="status"' in page and "выполнено" in page
    assert f'id="item-{item.id}-planned"' in page  # the focused button keeps its id: htmx restores focus


def test_stale_meeting_edit_is_refused(pair, as_user, curator):
    meeting = Meeting(pair_id=pair.id, kind="intro", held_on=STARTS, notes="первая запись")
    db.session.add(meeting)
    db.session.commit()
    seen = meeting.version
    data = {"kind": "intro", "held_on": STARTS.strftime("%d.%m.%Y"), "format": "offline", "version": seen}
    assert as_user("mentor").post(f"/programmes/meetings/{meeting.id}/edit", data=data | {"notes": "от наставника"}).status_code == 303

    stale = curator.post(f"/programmes/meetings/{meeting.id}/edit", data=data | {"notes": "от куратора"})

    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).notes == "от наставника"


def test_stale_feedback_keeps_the_text_and_writes_nothing(pair, as_user):
    meeting = Meeting(pair_id=pair.id, kind="joint", held_on=STARTS, mentor_feedback="м")
    db.session.add(meeting)
    db.session.commit()
    seen = meeting.version
    meeting.notes = "куратор дописал заметки"
    db.session.commit()

    response = as_user("mentee").post(f"/programmes/meetings/{meeting.id}/feedback",
                                      data={"feedback": "мой отзыв", "version": seen})

    assert response.status_code == 409
    assert "мой отзыв" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).mentee_feedback == ""
