"""Issue 11, § «Roadmap items fulfilled by the app»: links from items to the app functions that fulfil
them, the offer when a check comes true, and the curator's confirmation (nothing is marked silently)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import event, select

from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db as _db
from nastavnik.pairs.models import Order
from nastavnik.plugins import failures as plugin_failures
from nastavnik.plugins.manager import registry
from nastavnik.plugins.registry import FulfilmentCheck, FulfilmentRule
from nastavnik.roadmaps import fulfilment
from nastavnik.roadmaps.models import Roadmap, RoadmapItem, RoadmapItemLink
from tests.conftest import login

DAY = date(2025, 10, 15)
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("nastavnik.roadmaps.routes.today", lambda: DAY)
    monkeypatch.setattr("nastavnik.timeutil.today", lambda: DAY)


def adopt(client, code: str, org_id: int):
    data = {"template": code, "org_id": org_id, "academic_year": 2025, "year_count": 1, "shift_dates": "y",
            "action": "save"}  # fmt: skip
    assert client.post("/roadmaps/adopt", data=data).status_code == 303
    return _db.session.scalars(
        select(Roadmap).where(Roadmap.parent_roadmap_id.is_(None)).order_by(Roadmap.id.desc())
    ).first()


def item(roadmap: Roadmap, number: str) -> RoadmapItem:
    return next(i for i in roadmap.items() if i.number == number)


def row_of(page: str, row: RoadmapItem) -> str:
    html = page[page.index(f'id="item-{row.id}"') :]
    return html[: html.index("</tr>")]


@pytest.fixture
def penza(client, world) -> Roadmap:
    login(client, "curator")
    return adopt(client, "penza_school30_2022", world.school.id)


def put_in_mentor_bank(person) -> None:
    """A mentor with a consent valid on DAY (the factories sign consents ten days before the real today)."""
    for consent in person.consents:
        consent.signed_on = date(2025, 9, 1)
    _db.session.add(MentorProfile(person=person, person_id=person.id, org_id=person.org_id, status="in_bank"))
    _db.session.commit()


# -- links from templates and by hand --------------------------------------------------------------------


def test_adopting_a_template_links_its_items_to_the_app_functions(penza):
    links = {i.number: i.link for i in penza.items() if i.link}
    assert {number: link.rule_code for number, link in links.items()} == {
        "1.2.": "pairs.orders",
        "1.3.": "programmes.personal",
        "2.2.": "banks.mentees",
        "3.2": "banks.mentors",
        "5.2.": "programmes.personal",
        "4.2.": "events.training",  # the events capability (issue 11)
        "6.3.": "events.public",
        "7.1.": "events.news",
    }
    assert all(link.record_chosen and link.record_id is None for link in links.values())
    assert links["1.2."].record_title == "Приказ о закреплении текущего учебного года"


def test_the_plan_shows_the_function_and_offers_only_when_it_is_done(client, world, penza):
    mentors = item(penza, "3.2")
    page = client.get(f"/roadmaps/{penza.id}").text
    row = row_of(page, mentors)
    assert f'В приложении: <a href="/banks/mentors?org={world.school.id}">База наставников</a>' in row
    assert "пока не выполнено — в базе пока нет наставников с действующим согласием" in row
    assert "/fulfil" not in row

    put_in_mentor_bank(world.teacher)
    row = row_of(client.get(f"/roadmaps/{penza.id}").text, mentors)
    assert "Приложение: в базе 1 наставник с действующим согласием." in row
    assert f'action="/roadmaps/items/{mentors.id}/fulfil"' in row and "Отметить выполненным" in row
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, mentors.id).status == "planned"  # offered, not marked


def test_the_curator_confirms_and_the_record_becomes_evidence(client, world, penza):
    mentors = item(penza, "3.2")
    put_in_mentor_bank(world.teacher)
    response = client.post(f"/roadmaps/items/{mentors.id}/fulfil", data={"version": mentors.version}, headers=HX)
    assert response.status_code == 200 and response.text.lstrip().startswith("<tr")
    assert "Отмечено выполненным: в базе 1 наставник с действующим согласием" in response.text
    assert 'data-hx-swap-oob="true"' in response.text  # the counters come along
    _db.session.expire_all()
    done = _db.session.get(RoadmapItem, mentors.id)
    assert (done.status, done.done_on) == ("done", DAY)
    assert [(e.kind, e.link_url) for e in done.evidence] == [
        ("link", f"/banks/mentors?org={world.school.id}"),
        ("link", f"/banks/mentors.xlsx?org={world.school.id}"),
    ]
    assert done.evidence[0].title == "База наставников: в базе 1 наставник с действующим согласием"


def test_nothing_is_marked_when_the_check_is_not_true_or_the_row_is_stale(client, world, penza):
    mentors = item(penza, "3.2")
    refused = client.post(f"/roadmaps/items/{mentors.id}/fulfil", data={"version": mentors.version}, headers=HX)
    assert refused.status_code == 422 and "Пока не выполнено" in refused.text
    put_in_mentor_bank(world.teacher)
    stale = client.post(f"/roadmaps/items/{mentors.id}/fulfil", data={"version": mentors.version - 1}, headers=HX)
    assert stale.status_code == 409
    _db.session.expire_all()
    untouched = _db.session.get(RoadmapItem, mentors.id)
    assert untouched.status == "planned" and untouched.evidence == []


def test_a_responsible_teacher_cannot_confirm_for_the_curator(client, world, penza):
    mentors = item(penza, "3.2")
    mentors.responsible_person_id = world.teacher.id
    _db.session.commit()
    put_in_mentor_bank(world.teacher)
    client.post("/auth/logout")
    login(client, "mentee")
    row = row_of(client.get("/roadmaps/mine").text, mentors)
    assert "Приложение: в базе 1 наставник" in row and "/fulfil" not in row  # they see it, the curator confirms
    assert client.post(f"/roadmaps/items/{mentors.id}/fulfil", data={"version": mentors.version}).status_code == 403


def test_an_item_is_linked_by_hand_to_a_record(client, world, penza):
    analysis = item(penza, "4.1.")  # «Анализ банка наставников …»: no link from the template
    form = client.get(f"/roadmaps/items/{analysis.id}/link", headers=HX)
    assert form.status_code == 200 and form.text.lstrip().startswith("<tr")
    suggested = re.search(r'<optgroup label="Подходят по тексту мероприятия">(.*?)</optgroup>', form.text).group(1)
    assert "База наставников" in suggested and "Приказ о закреплении пар" not in suggested
    assert '<option value="">— выберите —</option>' in form.text  # a required select starts empty

    order = Order(org_id=world.school.id, number="5-од", issued_on=date(2025, 9, 2), kind="pairs")
    _db.session.add(order)
    _db.session.commit()
    step = client.post(f"/roadmaps/items/{analysis.id}/link", data={f"link{analysis.id}-rule": "pairs.orders"})
    assert step.status_code == 200 and "Приказ № 5-од от 02.09.2025" in step.text  # choose the record
    saved = client.post(
        f"/roadmaps/items/{analysis.id}/link",
        data={f"link{analysis.id}-rule": "pairs.orders", f"link{analysis.id}-record": str(order.id)},
    )
    assert saved.status_code == 303
    _db.session.expire_all()
    link = _db.session.get(RoadmapItem, analysis.id).link
    assert (link.rule_code, link.record_id, link.record_title) == ("pairs.orders", order.id, "Приказ № 5-од от 02.09.2025")
    assert link.record_url == f"/pairs/orders/{order.id}" and link.created_by_id == world.users["curator"].id
    row = row_of(client.get(f"/roadmaps/{penza.id}").text, analysis)
    assert "Приложение: издан приказ № 5-од от 02.09.2025." in row

    forged = client.post(
        f"/roadmaps/items/{analysis.id}/link",
        data={f"link{analysis.id}-rule": "pairs.orders", f"link{analysis.id}-record": "999999"},
    )
    assert forged.status_code == 422  # only the organisation's own records
    assert client.post(f"/roadmaps/items/{analysis.id}/unlink").status_code == 303
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, analysis.id).link is None


def test_suggestions_come_from_the_items_words(app):
    def suggested(name: str) -> list[str]:
        return [rule.code for rule in fulfilment.suggested_rules(RoadmapItem(name=name, content=""))]

    assert suggested("Формирование банка данных наставников, обеспечение согласий") == ["banks.mentors"]
    assert suggested("Формирование базы наставляемых в 2025–2026 уч.г.") == ["banks.mentees"]
    assert suggested("Формирование наставнических пар или групп") == ["pairs.orders"]
    assert suggested("Разработка персонализированных программ наставничества для каждой пары") == [
        "programmes.personal"
    ]
    # a conference or a seminar: both of the events' rules are offered, the curator picks
    assert sorted(suggested("Проведение школьной конференции или семинара.")) == ["events.public", "events.seminar"]
    assert not fulfilment._matches("баз наставник", fulfilment._words("база программ наставничества"))


def test_a_missing_or_failing_rule_never_breaks_the_plan(client, world, penza, monkeypatch):
    def broken(org_id, record_id):
        raise RuntimeError("plugin bug")

    rules = registry().fulfilment_rules
    monkeypatch.setitem(rules, "banks.mentors", FulfilmentRule("banks.mentors", "База наставников", "…", (),
                                                               lambda org_id: [(None, "База")], broken))  # fmt: skip
    gone = item(penza, "2.2.")
    gone.link.rule_code = "uninstalled_plugin.campaign"  # its plugin uninstalled since
    _db.session.commit()
    page = client.get(f"/roadmaps/{penza.id}")
    assert page.status_code == 200
    assert "Проверка «База наставников» не удалась (ошибка плагина)" in row_of(page.text, item(penza, "3.2"))
    assert "плагин не установлен" in row_of(page.text, gone)
    mentors = item(penza, "3.2")
    refused = client.post(f"/roadmaps/items/{mentors.id}/fulfil", data={"version": mentors.version}, headers=HX)
    assert refused.status_code == 422 and "ошибка в плагине" in refused.text
    failures = plugin_failures.counts()
    assert failures["nastavnik.banks"].count >= 2  # counted on the plugins page: the page and the confirmation
    assert "banks.mentors" in failures["nastavnik.banks"].last_where


# -- checks stay bounded on a long plan --------------------------------------------------------------------


@pytest.fixture
def counting_rule(monkeypatch):
    calls = []

    def check(org_id, record_id):
        calls.append(record_id)
        return FulfilmentCheck(True, f"запись {record_id} готова", f"/test/{record_id}")

    rule = FulfilmentRule("test.counting", "Тестовая функция", "всегда", ("тест",),
                          lambda org_id: [(i, f"Запись {i}") for i in range(100)], check)  # fmt: skip
    monkeypatch.setitem(registry().fulfilment_rules, "test.counting", rule)
    return calls


def link_all(roadmap: Roadmap, distinct: bool) -> list[RoadmapItem]:
    """Every item of the plan linked to the counting rule (the template's own links replaced)."""
    items = roadmap.items()
    for index, row in enumerate(items):
        row.link = None
        _db.session.flush()
        row.link = RoadmapItemLink(rule_code="test.counting", record_id=index if distinct else 7)
    _db.session.commit()
    return items


def test_one_check_per_distinct_record_on_a_page(client, penza, counting_rule):
    linked = link_all(penza, distinct=False)
    assert len(linked) == 17
    page = client.get(f"/roadmaps/{penza.id}").text
    assert counting_rule == [7]  # seventeen rows, one check
    assert page.count("Приложение: запись 7 готова.") == 17


def statements(client, url: str) -> int:
    """SQL statements one page costs, with a fresh session as in production."""
    seen = []

    def count(*args, **kwargs):
        seen.append(1)

    _db.session.remove()
    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_plan_costs_the_same_few_queries_however_many_items_are_linked(client, world, penza):
    put_in_mentor_bank(world.teacher)
    roadmap_id = penza.id
    for row in penza.items():
        row.link = None
    _db.session.commit()
    unlinked = statements(client, f"/roadmaps/{roadmap_id}")
    for row in _db.session.get(Roadmap, roadmap_id).items():
        row.link = RoadmapItemLink(rule_code="banks.mentors", record_id=None)
    _db.session.commit()
    linked = statements(client, f"/roadmaps/{roadmap_id}")
    assert linked <= unlinked + 2  # seventeen linked rows: one check, one query
    assert unlinked <= 15  # the plan, its evidence and links in a handful of queries, not several per row


def test_beyond_the_limit_checks_load_lazily_per_item(client, penza, counting_rule, monkeypatch):
    monkeypatch.setattr(fulfilment, "CHECKS_INLINE", 5)
    monkeypatch.setattr(fulfilment.evaluate, "__defaults__", (5,))
    linked = link_all(penza, distinct=True)
    page = client.get(f"/roadmaps/{penza.id}").text
    assert len(counting_rule) == 5
    lazy = [row for row in linked if 'data-hx-trigger="revealed"' in row_of(page, row)]
    assert len(lazy) == len(linked) - 5
    fragment = client.get(f"/roadmaps/items/{lazy[0].id}/fulfilment", headers=HX)
    assert fragment.status_code == 200 and f"запись {lazy[0].link.record_id} готова" in fragment.text
    assert f'id="fulfilment-{lazy[0].id}"' in fragment.text and len(counting_rule) == 6
    plain = client.get(f"/roadmaps/items/{lazy[0].id}/fulfilment")  # without JavaScript: a page
    assert plain.status_code == 200 and "<html" in plain.text and "Отметить выполненным" in plain.text


# -- municipal plans ---------------------------------------------------------------------------------------


def test_school_shares_carry_the_link_and_the_municipal_row_is_not_checked(client, world, counting_rule):
    login(client, "municipal")
    roadmap = adopt(client, "kezhma_municipal_2022", world.authority.id)
    municipal = item(roadmap, "4.2")  # «Формирование базы наставников …» — ОО
    assert municipal.link.rule_code == "banks.mentors"
    shares = municipal.child_items
    assert len(shares) == 2 and all(share.link.rule_code == "banks.mentors" for share in shares)
    assert fulfilment.evaluate([municipal])[municipal.id].state == "closed"  # its status is the schools'
    put_in_mentor_bank(world.teacher)
    client.post("/auth/logout")
    login(client, "curator")
    own = next(share for share in shares if share.roadmap.org_id == world.school.id)
    row = row_of(client.get(f"/roadmaps/{own.roadmap_id}").text, own)
    assert "Приложение: в базе 1 наставник" in row and "Отметить выполненным" in row


# -- the hook: rules load at start-up like any plugin's -----------------------------------------------------


def test_the_core_rules_load_in_a_fresh_process():
    """Rules are collected before the blueprints import every model: a rule module that needs a mapped
    model at import broke the banks plugin at start-up (seen in the browser, not in this process)."""
    code = (
        "from nastavnik.app import create_app\n"
        "from nastavnik.config import TestingConfig\n"
        "from plugins.teacher_teacher import plugin as t\n"
        "app = create_app(TestingConfig, plugins=[t])\n"
        "state = app.extensions['nastavnik']\n"
        "print(' '.join(sorted(state.registry.fulfilment_rules)))\n"
        "print(' '.join(i.name for i in state.infos.values() if i.state != 'active'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    rules, broken = (result.stdout.split("\n") + [""])[:2]
    assert {"banks.mentees", "banks.mentors", "pairs.orders", "programmes.personal"} <= set(rules.split())
    assert broken == "", result.stderr[-2000:]
