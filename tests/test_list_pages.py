"""Long lists come in pages counted in SQL: a region's pairs, programmes, consents and roadmaps."""

from __future__ import annotations

import re
from datetime import date

import pytest

from nastavnik.banks.models import MenteeProfile
from nastavnik.extensions import db
from nastavnik.periods import AcademicYear
from tests.factories import make_consent, make_person
from tests.programmes.conftest import make_pair, make_programme


@pytest.fixture
def pages_of_two(app):
    app.config["PAGE_SIZE"] = 2


@pytest.fixture
def three_pairs(world):
    mentor = make_person(world.school, last_name="Наставник")
    pairs = [make_pair(world.school, mentor, make_person(world.school, last_name=f"Подопечный{n}"), status=status)
             for n, status in enumerate(("forming", "forming", "active"))]
    make_programme(pairs[2])
    db.session.commit()
    return pairs


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]*page=\d+[^"]*)"', html))


def test_pairs_list_in_pages_counts_the_forming_ones_all(pages_of_two, three_pairs, curator):
    first = curator.get("/pairs/").text
    assert first.count('id="pair-') == 2 and "3 пары" in first
    assert "2 пары формируются" in first  # all of them, not those of the page
    assert any("page=2" in link for link in _links(first))
    second = curator.get("/pairs/?page=2").text
    assert second.count('id="pair-') == 1
    fragment = curator.get("/pairs/?page=2", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and fragment.count('id="pair-') == 1


def test_programmes_list_in_pages(pages_of_two, three_pairs, curator):
    first, second = curator.get("/programmes/").text, curator.get("/programmes/?page=2").text
    assert "3 пары" in first and "страница 1 из 2" in first and "страница 2 из 2" in second
    assert first.count("<tr>") - 1 == 2 and second.count("<tr>") - 1 == 1  # rows, less the header


def test_unmatched_list_in_pages(pages_of_two, world, curator):
    year = AcademicYear.of(date.today()).start_year
    for n in range(3):
        person = make_person(world.school, last_name=f"Ждущий{n}")
        make_consent(person)  # without one a mentee is out of the list (152-ФЗ)
        db.session.add(MenteeProfile(person=person, org_id=world.school.id, kind_code="teacher_teacher",
                                     academic_year=year, status="unmatched"))
    db.session.commit()
    first, second = curator.get("/pairs/unmatched").text, curator.get("/pairs/unmatched?page=2").text
    assert first.count('id="unmatched-') == 2 and second.count('id="unmatched-') == 1
    assert "3 наставляемых" in first


def test_consents_overview_names_a_page_per_group_and_pages_one_group(pages_of_two, world, curator):
    for n in range(3):
        make_person(world.school, last_name=f"Безсогласия{n}")
    withdrawn = make_person(world.school, last_name="Отозвавший")
    make_consent(withdrawn, withdrawn_on=date.today())
    db.session.commit()
    overview = curator.get("/consents/").text
    assert "Нет согласия: 4" in overview and "Отозвано: 1" in overview  # + the world's mentor: 4 missing
    assert len(re.findall(r">(Безсогласия\d|Наставникова) ", overview)) == 2  # rows named on the overview
    assert "/consents/?group=missing" in overview
    pages = [curator.get(f"/consents/?group=missing&page={n}").text for n in (1, 2)]
    names = [set(re.findall(r">(Безсогласия\d|Наставникова) ", page)) for page in pages]
    assert len(names[0]) == 2 and len(names[1]) == 2 and not names[0] & names[1]
    assert "Отозвавший" not in pages[0] and "Отозвано: 1" in pages[0]  # the other groups: counted only


def test_roadmaps_list_in_pages_with_shares_under_their_roadmap(pages_of_two, world, as_user):
    from nastavnik.roadmaps.services import create_roadmap, status_counts, templates

    roadmap = create_roadmap(templates()["kezhma_municipal_2022"], world.authority, AcademicYear.of(date.today()).start_year)
    db.session.commit()
    page = as_user("municipal").get("/roadmaps/").text
    assert "страница 1 из 2" in page and "передана 2 ОО" in page  # the municipal roadmap, then a school's share
    done = status_counts(roadmap.items(), date.today())
    assert f"{done['done']} из {sum(done.values())}" in page
