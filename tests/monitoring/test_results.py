"""Results against hand-computed figures: the satisfaction rule in both variants, per item mean, median and
distribution, subscales, the minimum group size; the exports read back."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.monitoring import services
from nastavnik.monitoring.models import Recipient, Settings
from nastavnik.monitoring.results import campaign_results, median_of
from tests.factories import make_person
from tests.monitoring.conftest import TODAY, make_campaign, make_pair, make_questionnaire

# (A 1–10, B agreement reversed, C yes/no, D text) per respondent; see the figures in each test.
ANSWERS = [(9, 1, 1, "Полезно"), (7, 2, 1, "=1+1"), (6, 3, 0, None), (10, 5, 1, None), (8, 2, 0, None), (5, 4, 1, None)]


@pytest.fixture
def answered(world, mentees):
    questionnaire = make_questionnaire(world.school, [
        {"kind": "scale10", "text": "A", "subscale": "общее"},
        {"kind": "agree5", "text": "B", "reverse": True, "subscale": "общее"},
        {"kind": "yesno", "text": "C"},
        {"kind": "text", "text": "D", "required": False},
    ])
    campaign = make_campaign(questionnaire, world.school)
    a, b, c, d = questionnaire.latest.items
    recipients = db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)
                                    .order_by(Recipient.id)).all()
    assert len(recipients) == 6
    for recipient, (va, vb, vc, vd) in zip(recipients, ANSWERS, strict=True):
        values = {a.id: [(float(va), None)], b.id: [(float(vb), None)], c.id: [(float(vc), None)]}
        if vd:
            values[d.id] = [(None, vd)]
        services.submit(campaign, recipient, values, channel="app", day=TODAY)
    return campaign


def _rule(org, **values):
    db.session.add(Settings(org_id=org.id, **values))
    db.session.commit()


def test_threshold_rule_counts_respondents_at_or_above_it(world, answered):
    # Respondent means (share of the maximum; B reversed as 6 − B): .95, .75, .60, .60, .80, .45.
    _rule(world.authority, method="threshold", threshold_percent=70, min_group_size=5)
    result = campaign_results(answered)
    assert (result.satisfaction.satisfied, result.satisfaction.respondents) == (3, 6)
    assert result.satisfaction.percent == pytest.approx(50.0)
    db.session.get(Settings, 1).threshold_percent = 60  # exactly 0.60 counts as «не ниже»
    db.session.commit()
    assert campaign_results(answered).satisfaction.percent == pytest.approx(500 / 6)


def test_mean_share_rule_is_the_mean_as_a_share_of_the_maximum(world, answered):
    _rule(world.municipality, method="mean_share", threshold_percent=70, min_group_size=5)
    result = campaign_results(answered)
    assert result.satisfaction.percent == pytest.approx(100 * 4.15 / 6)  # 69,17 %


def test_items_and_subscales_against_hand_figures(world, answered):
    result = campaign_results(answered)
    a, b, c, d = result.items
    assert (a.n, a.mean, a.median) == (6, 7.5, 7.5)
    assert a.at_threshold == pytest.approx(400 / 6)  # 9, 7, 10, 8 are ≥ 7
    assert [(label, count) for _, label, count in a.distribution if count] == [
        ("5", 1), ("6", 1), ("7", 1), ("8", 1), ("9", 1), ("10", 1)]
    assert b.mean == pytest.approx(17 / 6) and b.median == 2.5
    assert b.mean_share == pytest.approx(100 * (6 - 17 / 6) / 5)
    assert c.mean == pytest.approx(4 / 6)
    assert d.n == 2 and d.texts == ["=1+1", "Полезно"]  # alphabetical, not in the order of answering
    (sub,) = result.subscales
    assert (sub.code, sub.n) == ("общее", 12)
    assert sub.mean_share == pytest.approx(100 * 8.3 / 12) and sub.mean_points is None
    assert (result.expected, result.answered) == (6, 6) and result.rate == 100


def test_median_of_a_distribution():
    assert median_of([(1, 1), (2, 2), (3, 1)]) == 2
    assert median_of([(1, 1), (4, 1)]) == 2.5
    assert median_of([]) is None


def test_minimum_group_size_hides_answers_of_small_groups(world, answered, curator):
    _rule(world.authority, method="threshold", threshold_percent=70, min_group_size=7)
    result = campaign_results(answered)
    assert result.hidden and result.items == [] and result.subscales == []
    page = curator.get(f"/monitoring/campaigns/{answered.id}/results")
    assert "меньше 7" in page.text and "Полезно" not in page.text
    assert curator.get(f"/monitoring/campaigns/{answered.id}/chart/items.svg").status_code == 404
    book = load_workbook(io.BytesIO(curator.get(f"/monitoring/campaigns/{answered.id}/export.xlsx").data))
    assert "не выгружаются" in book["Ответы"]["A3"].value
    db.session.get(Settings, 1).min_group_size = 6
    db.session.commit()
    assert not campaign_results(answered).hidden
    # A non-anonymous questionnaire is not hidden: its answers are seen by name anyway.
    answered.questionnaire.anonymous = False
    db.session.get(Settings, 1).min_group_size = 50
    db.session.commit()
    assert not campaign_results(answered).hidden


def test_small_school_in_a_municipal_campaign_shows_no_satisfaction(world, mentees):
    mentor = make_person(world.school2, last_name="Наставник")
    make_pair(world.school2, mentor, make_person(world.school2, last_name="Одна"))
    db.session.commit()
    questionnaire = make_questionnaire(world.authority, [{"kind": "scale10"}])
    campaign = make_campaign(questionnaire, world.authority, targets=[world.school, world.school2])
    item = questionnaire.latest.items[0]
    for recipient in db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)):
        services.submit(campaign, recipient, {item.id: [(8.0, None)]}, channel="app", day=TODAY)
    rows = {row.org.id: row for row in campaign_results(campaign).orgs}
    assert not rows[world.school.id].hidden and rows[world.school.id].answered == 6
    assert rows[world.school2.id].hidden and rows[world.school2.id].answered == 1


def test_results_page_charts_and_exports(world, answered, curator):
    page = curator.get(f"/monitoring/campaigns/{answered.id}/results")
    assert page.status_code == 200 and "50 %" in page.text and "chart/items.svg" in page.text
    svg = curator.get(f"/monitoring/campaigns/{answered.id}/chart/items.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<script" not in svg.data
    assert curator.get(f"/monitoring/campaigns/{answered.id}/chart/subscales.svg").status_code == 200
    curator.post(f"/monitoring/campaigns/{answered.id}/swot", data={
        "strengths": "Комфортное общение\n=HYPERLINK(\"x\")", "weaknesses": "Мало встреч", "opportunities": "",
        "threats": "", "conclusions": "Продолжить программу."})
    data = curator.get(f"/monitoring/campaigns/{answered.id}/export.xlsx").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) >= 3  # items, subscales, organisations: native Excel charts
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Сводка", "Диаграммы", "По вопросам", "По организациям", "Ответы"]
    answers = book["Ответы"]
    header = [cell.value for cell in answers[3]]
    assert header[:3] == ["Респондент", "Организация", "Как получен"]
    cells = [cell for row in answers.iter_rows(min_row=4) for cell in row]
    formula_like = [c for c in cells if c.value == "=1+1"]
    assert formula_like and all(c.data_type == "s" for c in formula_like)  # a string, never a formula
    assert not any(str(c.value).startswith("Р-") and "Петрова" in str(c.value) for c in cells)
    assert "Петрова" not in str([c.value for c in cells])  # pseudonymised
    summary = [cell.value for row in book["Сводка"].iter_rows() for cell in row]
    assert "=HYPERLINK(\"x\")" in str(summary)
    docx = Document(io.BytesIO(curator.get(f"/monitoring/campaigns/{answered.id}/export.docx").data))
    headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
    assert [h.split(" ", 1)[0] for h in headings] == ["1.", "2.", "3.", "4.", "5."]
    assert "Количество участников" in headings[0] and "Внутренний мониторинг" in headings[1]
    assert "роста участников" in headings[3] and "Выводы" in headings[4]
    assert "Продолжить программу." in "\n".join(p.text for p in docx.paragraphs)
