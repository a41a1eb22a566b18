"""What a curator tripped over in the issue 3 walkthrough, in the banks: paging, variations, wording."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from nastavnik.banks.bank_export import MenteeBankRow, export_mentee_bank
from nastavnik.banks.models import MatchRun, MentorProfile
from nastavnik.banks.people_import import FieldError, parse_date
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair
from nastavnik.timeutil import today
from tests.banks.test_matching_web import KIND, make_mentee, make_mentor
from tests.factories import make_consent


@pytest.fixture
def small_pages(app):
    app.config["PAGE_SIZE"] = 2


def test_mentee_bank_is_paged_with_htmx_pager(curator, world, small_pages):
    for name in ("Альфа", "Бета", "Гамма", "Дельта", "Эпсилон"):
        make_mentee(world.school, name)
    db.session.commit()
    first = curator.get("/banks/mentees").get_data(as_text=True)
    assert "Найдено: 5 · страница 1 из 3" in first
    assert "Альфа" in first and "Бета" in first and "Гамма" not in first
    assert 'data-hx-get="/banks/mentees?page=2"' in first and 'data-hx-target="#bank-table"' in first
    second = curator.get("/banks/mentees?page=2", headers={"HX-Request": "true"})
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and "<html" not in html  # the fragment only
    assert "Гамма" in html and "Дельта" in html and "Альфа" not in html
    assert "страница 2 из 3" in html
    beyond = curator.get("/banks/mentees?page=99").get_data(as_text=True)
    assert "Эпсилон" in beyond and "страница 3 из 3" in beyond  # clamped to the last page


def test_mentor_bank_is_paged_and_keeps_filters(curator, world, small_pages):
    for name in ("Аверина", "Белова", "Волкова"):
        make_mentor(world.school, name, ["дисциплина"])
    db.session.commit()
    page = curator.get("/banks/mentors?tag=&status=in_bank").get_data(as_text=True)
    assert "Найдено: 3 · страница 1 из 2" in page and "Волкова" not in page
    assert "status=in_bank" in page.split('class="pager')[1]  # the pager keeps the filter
    assert "Волкова" in curator.get("/banks/mentors?status=in_bank&page=2").get_data(as_text=True)


def test_filtered_empty_bank_says_so(curator, world):
    page = curator.get("/banks/mentees?q=Никтоневстречал").get_data(as_text=True)
    assert "Никого не нашлось. Измените условия поиска." in page
    empty = curator.get("/banks/mentees").get_data(as_text=True)
    assert "В базе наставляемых пока никого нет." in empty and 'href="/banks/mentees/new"' in empty


def _mentor_form(profile, **extra) -> dict:
    return {
        "origin": "teacher",
        "kind_codes": [KIND],
        "capacity": 2,
        "status": "in_bank",
        "version": profile.version,
    } | extra


def test_curator_edits_the_variations_a_mentor_offers(curator, world):
    profile = make_mentor(world.school, "Вариантова")
    db.session.commit()
    form = curator.get(f"/banks/mentors/{profile.id}/edit").get_data(as_text=True)
    assert "учитель – учитель: опытный педагог – молодой специалист" in form
    assert "ученик – ученик: равный – равному" in form
    data = _mentor_form(profile, variation_codes=["experienced_young", "subject_expert_novice"])
    assert curator.post(f"/banks/mentors/{profile.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    saved = db.session.get(MentorProfile, profile.id)
    assert saved.variations == ["experienced_young", "subject_expert_novice"]
    card = curator.get(f"/banks/mentors/{profile.id}").get_data(as_text=True)
    assert "учитель – учитель: опытный предметник – неопытный предметник" in card


def test_variation_of_a_form_not_offered_is_refused_at_the_field(curator, world):
    profile = make_mentor(world.school, "Вариантова")
    db.session.commit()
    data = _mentor_form(profile, variation_codes=["peer_to_peer"])
    response = curator.post(f"/banks/mentors/{profile.id}/edit", data=data)
    assert response.status_code == 422
    assert (
        "Вариация «ученик – ученик: равный – равному» относится к форме «ученик – ученик», которую наставник "
        "не предлагает: отметьте эту форму или снимите вариацию." in response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.get(MentorProfile, profile.id).variation_codes == ""


def test_published_pair_takes_the_mentors_only_variation(curator, world):
    mentor = make_mentor(world.school, "Одновариантная", ["дисциплина"])
    mentor.variation_codes = "class_teacher_young"
    make_consent(mentor.person, kind="mentor_duties")
    make_mentee(world.school, "Юнова", ["дисциплина"])
    db.session.commit()
    curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    run = db.session.scalar(select(MatchRun))
    assert curator.post(f"/pairs/match/{run.id}/publish").status_code == 303
    assert db.session.scalar(select(Pair)).variation_code == "class_teacher_young"


def test_a_date_that_does_not_exist_is_named_as_such():
    with pytest.raises(FieldError, match="такой даты нет: «31.02.2000» — проверьте день и месяц"):
        parse_date("31.02.2000")
    with pytest.raises(FieldError, match="неверная дата «в прошлом году» — ожидается ДД.ММ.ГГГГ"):
        parse_date("в прошлом году")


def test_suggestions_offer_a_prefilled_pair_and_fold_criteria_without_data(curator, world):
    mentor = make_mentor(world.school, "Подходящая", ["дисциплина"])
    mentee = make_mentee(world.school, "Юнова", ["дисциплина"])
    db.session.commit()
    page = curator.get(f"/banks/mentees/{mentee.id}/suggest").get_data(as_text=True)
    assert "Свободно мест" in page and "не учитывались: предмет (предметы не указаны" in page
    link = f"/pairs/new?org_id={world.school.id}&amp;kind_code={KIND}&amp;mentor={mentor.id}&amp;mentee={mentee.id}"
    assert link in page
    form = curator.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*name="mentor_ids"[^>]*value="{mentor.id}"', form)
    assert re.search(rf'<input checked[^>]*name="mentee_ids"[^>]*value="{mentee.id}"', form)


def test_export_rows_grow_with_wrapped_text():
    long_request = "дисциплина на уроке, " * 12
    data = export_mentee_bank(
        [MenteeBankRow(full_name="Юнова Анна", has_consent=True, request=long_request, entered_on=today())],
        {"organisation": "СОШ № 3", "academic_year": "2025/2026", "as_of": today()},
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.row_dimensions[6].height >= 4 * 15  # several lines, not clipped to one


def test_interrupted_pair_mentor_is_not_exported_as_the_mentees(curator, world):
    mentor = make_mentor(world.school, "Прерванная", ["дисциплина"])
    make_consent(mentor.person, kind="mentor_duties")
    mentee = make_mentee(world.school, "Юнова", ["дисциплина"])
    db.session.commit()
    curator.post(
        "/pairs/new",
        data={
            "org_id": world.school.id,
            "kind_code": KIND,
            "mentor_ids": [mentor.id],
            "mentee_ids": [mentee.id],
        },
    )
    pair = db.session.scalar(select(Pair))
    end = {
        "mode": "early",
        "initiator": "school",
        "ended_on": today().strftime("%d.%m.%Y"),
        "reason": "Болезнь",
    }
    assert curator.post(f"/pairs/{pair.id}/end", data=end).status_code == 303
    sheet = load_workbook(io.BytesIO(curator.get("/banks/mentees.xlsx").data)).active
    row = [cell.value for cell in sheet[6]]
    assert row[1] == mentee.person.full_name and not row[5]  # «ФИО наставника» empty: back in the bank


def test_exports_name_the_partner_of_a_live_pair(curator, world):
    """Both banks name the other side of a live pair: the mentee's mentor, the mentor's mentees."""
    mentor = make_mentor(world.school, "Живая", ["дисциплина"], capacity=2)
    make_consent(mentor.person, kind="mentor_duties")
    mentee = make_mentee(world.school, "Юнова", ["дисциплина"])
    other = make_mentee(world.school, "Вторая", ["дисциплина"])
    db.session.commit()
    for profile in (mentee, other):
        response = curator.post(
            "/pairs/new",
            data={
                "org_id": world.school.id,
                "kind_code": KIND,
                "mentor_ids": [mentor.id],
                "mentee_ids": [profile.id],
            },
        )
        assert response.status_code == 303

    mentees = load_workbook(io.BytesIO(curator.get("/banks/mentees.xlsx").data)).active
    by_name = {row[1]: row for row in mentees.iter_rows(min_row=6, values_only=True) if row[1]}
    assert by_name[mentee.person.full_name][5] == mentor.person.full_name
    assert by_name[other.person.full_name][5] == mentor.person.full_name

    mentors = load_workbook(io.BytesIO(curator.get("/banks/mentors.xlsx").data)).active
    row = next(r for r in mentors.iter_rows(min_row=6, values_only=True) if r[1] == mentor.person.full_name)
    assert mentee.person.full_name in row[-2] and other.person.full_name in row[-2]  # «ФИО наставляемых»
