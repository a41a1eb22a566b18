"""Reports end to end: roll-ups sum N and D, frozen submitted runs, 409, access, xlsx read back, bad input."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from nastavnik.extensions import db
from nastavnik.periods import ru_date
from nastavnik.reports.engine import compute_indicators
from nastavnik.reports.indicators import active_indicators
from nastavnik.reports.models import Indicator, IndicatorEntry, ReportRun
from nastavnik.reports.services import RunFrozen, rollup_from_runs
from nastavnik.timeutil import today
from tests.conftest import login
from tests.factories import make_person
from tests.reports.conftest import add_pair

pytestmark = pytest.mark.usefixtures("pupils")


def run_report(client, org, code="r145", as_of="20.09.2025", **extra):
    response = client.post(f"/reports/run/{code}", data={"org_id": org.id, "as_of": as_of, **extra})
    assert response.status_code == 303, response.data.decode()[:2000]
    return db.session.get(ReportRun, int(response.headers["Location"].rsplit("/", 1)[1]))


def figures(run, code, org=None):
    return run.data["values"][str(org.id)][code] if org else run.data["total"][code]


def test_a_school_report_has_n_and_d_beside_every_share(as_user, world):
    run = run_report(as_user("curator"), world.school)
    value, n, d, _ = figures(run, "R145_1")
    assert (n, d) == (2, 4) and value == 50.0
    assert figures(run, "R145_2")[1:3] == [1, 2]
    page = as_user("curator").get(f"/reports/runs/{run.id}").data.decode()
    assert "50,0" in page and "R145_1" in page


def test_roll_up_sums_n_and_d_and_never_averages_percentages(as_user, world):
    add_pair(world.school2, make_person(world.school2), make_person(world.school2, kind="student",
                                                                     birth_date=date(2014, 4, 4)), date(2025, 9, 2))
    db.session.commit()  # school2: 2 of 3 pupils are mentees (66,7 %), school: 2 of 4 (50 %)
    data = compute_indicators(active_indicators(), world.authority.id, date(2025, 9, 20), date(2025, 9, 1),
                              date(2026, 8, 31))
    assert data["values"][str(world.school.id)]["R145_1"][1:3] == [2, 4]
    assert data["values"][str(world.school2.id)]["R145_1"][1:3] == [2, 3]
    value, n, d, _ = data["total"]["R145_1"]
    assert (n, d) == (4, 7)
    assert value == pytest.approx(4 / 7 * 100)  # 57,1 %, not the average 58,3 %


def test_a_denominator_override_keeps_its_source_and_enters_the_totals(as_user, world):
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "R145_1"))
    db.session.add(IndicatorEntry(indicator_id=indicator.id, org_id=world.school.id, academic_year=2025,
                                  kind="denominator", value=10, source="ОО-1 на 20.09: 10"))
    db.session.commit()
    data = compute_indicators([indicator], world.authority.id, date(2025, 9, 20), date(2025, 9, 1), date(2026, 8, 31))
    school = data["values"][str(world.school.id)]["R145_1"]
    assert school == [20.0, 2, 10, "D вручную: ОО-1 на 20.09: 10"]
    assert data["total"]["R145_1"][1:3] == [3, 12]  # 2 + 1 over 10 + 2
    assert "D вручную у 1 из 2" in data["total"]["R145_1"][3]


def test_a_missing_counter_says_which_plugin_and_nothing_fails(as_user, world, monkeypatch):
    from nastavnik.plugins.manager import registry

    # As if the partners plugin were uninstalled: its counter (R145_5's denominator) is gone.
    monkeypatch.delitem(registry().counters, "partners_total")
    run = run_report(as_user("curator"), world.school)
    # Monitoring provides the satisfaction counters (nobody surveyed: 0 of 0, no note).
    value, n, d, note = figures(run, "R145_6")
    assert (value, n, d, note) == (None, 0, 0, "")
    assert "нет данных: счётчик не установлен (плагин партнёры (nastavnik.partners))" in run.data["problems"]
    assert not any("мониторинг" in problem for problem in run.data["problems"])


def test_a_submitted_run_never_changes(as_user, world, collection):
    client = as_user("curator")
    run = run_report(client, world.school, collection_id=collection.id)
    assert client.post(f"/reports/runs/{run.id}/submit", data={"version": run.version}).status_code == 303
    db.session.refresh(run)
    assert run.status == "submitted"
    run.data = dict(run.data, total={})
    with pytest.raises(RunFrozen):
        db.session.flush()
    db.session.rollback()
    run.as_of = date(2025, 9, 21)
    with pytest.raises(RunFrozen):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ReportRun, run.id))
    with pytest.raises(RunFrozen):
        db.session.flush()
    db.session.rollback()
    # A second submit of the same run (a stale page) is a conflict, not a change.
    response = client.post(f"/reports/runs/{run.id}/submit", data={"version": 1})
    assert response.status_code == 409
    assert "только что сдал или проверил другой пользователь" in response.data.decode()


def test_two_people_submitting_at_once_one_wins(app, world, collection, tmp_path):
    """Two threads with their own sessions submit the same draft with the same version."""
    from nastavnik.reports.services import submit
    from nastavnik.versioning import Conflict

    run = ReportRun(org_id=world.school.id, format_code="r145", as_of=date(2025, 9, 20), period_start=date(2025, 9, 1),
                    period_end=date(2026, 8, 31), options={}, data={}, collection_id=collection.id)
    db.session.add(run)
    db.session.commit()
    if db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database in (None, "", ":memory:"):
        pytest.skip("an in-memory SQLite database is one connection: the race needs two (PostgreSQL run covers it)")
    results, barrier = [], threading.Barrier(2, timeout=30)

    class Submitter:  # a plain id: the world's User belongs to this thread's session
        id = world.users["curator"].id

    def attempt():
        with app.app_context():
            try:
                mine = db.session.get(ReportRun, run.id)
                db.session.rollback()  # read, then let go of the connection's snapshot before racing
                barrier.wait()
                submit(mine, Submitter, 1, today())
                results.append("ok")
            except Conflict:
                results.append("409")
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                results.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["409", "ok"]


def test_review_returns_with_a_comment_then_accepts_a_new_run(as_user, client, world, collection):
    curator = as_user("curator")
    first = run_report(curator, world.school, collection_id=collection.id)
    curator.post(f"/reports/runs/{first.id}/submit", data={"version": first.version})
    municipal = login(client, "municipal")
    page = municipal.get(f"/reports/collections/{collection.id}").data.decode()
    assert "Сдали 1 из 2" in page and "СОШ № 4" in page  # who has not submitted yet
    no_comment = municipal.post(f"/reports/runs/{first.id}/review", data={"version": 2, "decision": "return"})
    assert no_comment.status_code == 422 and "без комментария" in no_comment.data.decode()
    returned = municipal.post(f"/reports/runs/{first.id}/review",
                              data={"version": 2, "decision": "return", "comment": "Проверьте D по ОО-1"})
    assert returned.status_code == 303
    db.session.refresh(first)
    assert (first.status, first.review_comment) == ("returned", "Проверьте D по ОО-1")
    curator = login(client, "curator")
    second = run_report(curator, world.school, collection_id=collection.id)
    curator.post(f"/reports/runs/{second.id}/submit", data={"version": second.version})
    municipal = login(client, "municipal")
    assert municipal.post(f"/reports/runs/{second.id}/review", data={"version": 2, "decision": "accept"}).status_code == 303
    db.session.refresh(second)
    assert second.status == "accepted" and first.status == "returned"


def test_submission_outside_the_window_is_refused(as_user, world, collection):
    client = as_user("curator")
    run = run_report(client, world.school, collection_id=collection.id)
    collection.closes_on = today() - timedelta(days=1)
    db.session.commit()
    response = client.post(f"/reports/runs/{run.id}/submit", data={"version": run.version})
    assert response.status_code == 422 and "принимает отчёты" in response.data.decode()
    db.session.refresh(run)
    assert run.status == "draft"


def test_a_school_sees_only_its_runs_a_municipality_its_schools(as_user, client, world):
    mine = run_report(as_user("curator"), world.school)
    other = login(client, "curator_other")
    theirs = run_report(other, world.other_school, as_of=ru_date(today()))  # its data begin this year
    assert other.get(f"/reports/runs/{mine.id}").status_code == 404
    assert other.get(f"/reports/runs/{mine.id}/report.xlsx").status_code == 404
    assert other.post(f"/reports/runs/{mine.id}/submit", data={"version": 1}).status_code == 404
    assert other.post("/reports/run/r145", data={"org_id": world.school.id, "as_of": "20.09.2025"}).status_code == 422
    municipal = login(client, "municipal")
    assert municipal.get(f"/reports/runs/{mine.id}").status_code == 200
    assert municipal.get(f"/reports/runs/{theirs.id}").status_code == 404
    listing = municipal.get("/reports/").data.decode()
    assert f"№ {mine.id}." in listing and f"№ {theirs.id}." not in listing
    assert login(client, "mentor").get("/reports/").status_code == 403


def test_bad_input_is_told_at_the_field(as_user, world):
    client = as_user("curator")
    early = client.post("/reports/run/r145", data={"org_id": world.school.id, "as_of": "20.09.2020"})
    page = early.data.decode()
    assert early.status_code == 422 and "Данные в системе начинаются с 01.09.2025" in page
    assert 'id="as_of-error"' in page
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "INFO"))
    response = client.post("/reports/entries", data={
        "indicator": indicator.id, "org_id": world.school.id, "year": "2025/2026",
        f"i{indicator.id}-value": "5000", f"i{indicator.id}-source": "сайт школы"})
    assert response.status_code == 422
    assert "Значение вне допустимого диапазона: от 0 до 1000." in response.data.decode()
    share = db.session.scalar(select(Indicator).where(Indicator.code == "R145_1"))
    response = client.post("/reports/entries", data={
        "indicator": share.id, "org_id": world.school.id, "year": "2025/2026",
        f"i{share.id}-value": "1", f"i{share.id}-source": "ОО-1"})
    assert response.status_code == 422 and "не может быть меньше числителя" in response.data.decode()
    assert db.session.scalar(select(IndicatorEntry.id)) is None


def _load(content: bytes):
    return load_workbook(io.BytesIO(content))


def test_the_school_xlsx_read_back(as_user, world):
    client = as_user("curator")
    run = run_report(client, world.school)
    sheet = _load(client.get(f"/reports/runs/{run.id}/report.xlsx").data)["Показатели"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 2).value == "Показатель")
    row = header + 1  # R145_1
    assert sheet.cell(row, 4).value == 2 and sheet.cell(row, 5).value == 4  # N and D as numbers
    assert sheet.cell(row, 6).value == f'=IF(E{row}=0,"",D{row}/E{row})'
    assert sheet.cell(row, 6).number_format == "0.0%"
    assert sheet.cell(row, 7).value == 0.7 and sheet.cell(row, 7).number_format == "0.0%"  # the target
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToHeight == 0  # fit to width, any number of pages down


def test_the_live_roll_up_shows_each_schools_n_d_and_share_in_order(client, world, monkeypatch):
    """Every cell of a school's row on the live page, against the figures computed for it: N, D and % for a
    share, one value for a sum, and a share that has no data says why in words for screen readers."""
    import re
    from dataclasses import replace

    from nastavnik.periods import AcademicYear
    from nastavnik.plugins.manager import registry
    from nastavnik.reports.routes import figure_filter

    def broken(scope):
        raise RuntimeError("счётчик сломан")

    counter = registry().counters["satisfied_mentees"]
    monkeypatch.setitem(registry().counters, "satisfied_mentees", replace(counter, compute=broken))
    municipal = login(client, "municipal")
    page = municipal.get(f"/reports/rollup?org_id={world.authority.id}").data.decode()
    year = AcademicYear.of(today())
    data = compute_indicators(active_indicators(), world.authority.id, today(), year.starts, year.ends)
    for org_id, title, _ in data["orgs"]:
        row = re.search(rf'<tr><th scope="row">{re.escape(title)}</th>(.*?)</tr>', page, re.S).group(1)
        expected = []
        for indicator in data["indicators"]:
            v, n, d, note = data["values"][str(org_id)][indicator["code"]]
            if indicator["share"]:
                words = f'<span class="sr-only"> ({note})</span>' if note and v is None else ""
                expected += [figure_filter(n), figure_filter(d), figure_filter(v, "%") + words]
            else:
                expected.append(figure_filter(v))
        cells = [re.sub(r"&#3[49];", lambda m: {"&#34;": '"', "&#39;": "'"}[m.group()], c)
                 for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)]
        assert cells == expected
        assert sum("sr-only" in cell for cell in cells) == 1  # R145_6, whose counter fails
    values = data["values"][str(world.school.id)]
    assert values["R145_1"][1:3] == [2, 4] and values["R145_6"][0] is None and "нет данных" in values["R145_6"][3]


def test_the_municipal_roll_up_xlsx_has_school_rows_formula_totals_and_n_d(as_user, client, world):
    municipal = login(client, "municipal")
    run = run_report(municipal, world.authority, code="rollup_municipal")
    page = municipal.get(f"/reports/runs/{run.id}").data.decode()
    assert 'id="rollup-table"' in page and "Итого" in page
    assert 'id="rollup-table"' in municipal.get("/reports/rollup").data.decode()  # the live page
    sheet = _load(municipal.get(f"/reports/runs/{run.id}/report.xlsx").data)["Сводная"]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    school, total = rows["СОШ № 3"], rows["Итого"]
    assert rows["СОШ № 4"] == school + 1 and total == school + 2
    assert [sheet.cell(school - 1, c).value for c in (2, 3, 4)] == ["N", "D", "%"]
    assert sheet.cell(school - 2, 2).value.startswith("R145_1. Доля обучающихся")  # the indicator over its N, D, %
    assert (sheet.cell(school, 2).value, sheet.cell(school, 3).value) == (2, 4)
    assert sheet.cell(total, 2).value == f"=SUM(B{school}:B{school + 1})"
    assert sheet.cell(total, 4).value == f'=IF(C{total}=0,"",B{total}/C{total})'
    assert sheet.cell(total, 4).number_format == "0.0%"


def test_the_participants_form_xlsx_keeps_its_formula_check(as_user, world):
    client = as_user("curator")
    run = run_report(client, world.school, code="participants_count")
    assert run.data["total"]["r01_mentees"][0] == 2
    assert run.data["total"]["a_total_mentees"][0] == 2  # the age rows add up to row 01
    page = client.get(f"/reports/runs/{run.id}").data.decode()
    assert "строка формы федерального статистического наблюдения" in page and "не известна" in page
    sheet = _load(client.get(f"/reports/runs/{run.id}/report.xlsx").data)["Форма"]
    total_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "06")
    assert sheet.cell(total_row, 4).value.startswith("=SUM(")


def test_dashboard_card_statements_do_not_grow_with_schools(as_user, world):
    from nastavnik.reports.dashboard import dashboard_context

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            dashboard_context(world.users["municipal"])
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = statements()
    from tests.factories import make_org

    for index in range(5):
        school = make_org(name=f"Новая школа {index}", parent=world.authority)
        add_pair(school, make_person(school), make_person(school, kind="student", birth_date=date(2013, 1, 1)),
                 date(2025, 9, 1))
    db.session.commit()
    assert statements() == before


def test_dashboard_pages_show_charts_with_tables(as_user, client, world):
    page = as_user("curator").get("/").data.decode()
    assert "Показатели наставничества на" in page
    municipal = login(client, "municipal")
    page = municipal.get("/reports/dashboard").data.decode()
    assert page.count('src="data:image/svg+xml;base64,') == 3
    assert 'id="trend-table"' in page and 'id="side-table"' in page


def test_the_fulfilment_rule_is_done_when_submitted(app, as_user, world, collection):
    from nastavnik.plugins.manager import registry

    rule = registry().fulfilment_rules["reports.run"]
    client = as_user("curator")
    run = run_report(client, world.school, collection_id=collection.id)
    assert (run.id, ) == tuple(r[0] for r in rule.records(world.school.id))
    with app.test_request_context():
        assert rule.check(world.school.id, run.id).done is False
    client.post(f"/reports/runs/{run.id}/submit", data={"version": run.version})
    with app.test_request_context():
        check = rule.check(world.school.id, run.id)
        assert rule.check(world.school2.id, run.id).done is False
    assert check.done and "сдан" in check.summary and check.evidence  # another school's record does not count


def test_collection_roll_up_takes_what_schools_submitted(as_user, client, world, collection):
    curator = as_user("curator")
    run = run_report(curator, world.school, collection_id=collection.id)
    curator.post(f"/reports/runs/{run.id}/submit", data={"version": run.version})
    data = rollup_from_runs(collection)
    assert data["values"][str(world.school.id)]["R145_1"][1:3] == [2, 4]
    assert str(world.school2.id) not in data["values"]
    municipal = login(client, "municipal")
    response = municipal.get(f"/reports/collections/{collection.id}/rollup?format=xlsx")
    sheet = _load(response.data)["Сводная"]
    names = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    assert "СОШ № 3" in names and "СОШ № 4" in names and "Итого" in names
    assert login(client, "curator").get(f"/reports/collections/{collection.id}/rollup").status_code == 403


def test_a_municipality_submits_to_the_region(as_user, client, world):
    from tests.factories import make_user

    make_user("regional", "municipal", world.region)
    db.session.commit()
    regional = login(client, "regional")
    response = regional.post("/reports/collections/new", data={
        "format_code": "r145_municipal", "title": "Показатели муниципалитетов", "as_of": "20.09.2025",
        "period_start": "01.09.2025", "period_end": "31.08.2026", "opens_on": ru_date(today()),
        "closes_on": ru_date(today() + timedelta(days=7))})
    assert response.status_code == 303, response.data.decode()[:1500]
    collection_id = int(response.headers["Location"].rsplit("/", 1)[1])
    from nastavnik.reports.models import ReportCollection

    assert db.session.get(ReportCollection, collection_id).org_id == world.region.id  # collected by the region
    municipal = login(client, "municipal")
    run = run_report(municipal, world.authority, code="r145_municipal", collection_id=collection_id)
    assert figures(run, "R145_1")[1:3] == [3, 6]  # both schools summed
    assert municipal.post(f"/reports/runs/{run.id}/submit", data={"version": run.version}).status_code == 303
    regional = login(client, "regional")
    page = regional.get(f"/reports/collections/{collection_id}").data.decode()
    assert "Сдали 1 из 2" in page and "Другой район" in page
    assert regional.post(f"/reports/runs/{run.id}/review", data={"version": 2, "decision": "accept"}).status_code == 303
    # The municipal coordinator cannot accept its own report.
    assert login(client, "municipal").post(f"/reports/runs/{run.id}/review",
                                           data={"version": 3, "decision": "accept"}).status_code == 404
