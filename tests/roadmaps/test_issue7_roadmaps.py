"""Issue 7, § «Roadmaps»: each test reproduces one defect found walking the five seeds (the typed
date of point 1 and the periods of point 11 are tested in test_item_editing and test_deadlines)."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from nastavnik.extensions import db as _db
from nastavnik.roadmaps import oddities
from nastavnik.roadmaps.models import Roadmap, RoadmapItem, RoadmapSection
from nastavnik.roadmaps.services import PLACED_FLAG, attention_items
from tests.conftest import login
from tests.factories import make_user

DAY = date(2025, 10, 15)  # inside 2025/2026
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("nastavnik.roadmaps.routes.today", lambda: DAY)
    monkeypatch.setattr("nastavnik.timeutil.today", lambda: DAY)


def adopt(client, code: str, org_id: int, **extra):
    data = {"template": code, "org_id": org_id, "academic_year": 2025, "year_count": 1, "shift_dates": "y",
            "action": "save", **extra}  # fmt: skip
    return client.post("/roadmaps/adopt", data=data)


def newest() -> Roadmap:
    return _db.session.scalars(
        select(Roadmap).where(Roadmap.parent_roadmap_id.is_(None)).order_by(Roadmap.id.desc())
    ).first()


def item(roadmap: Roadmap, number: str) -> RoadmapItem:
    return next(i for i in roadmap.items() if i.number == number)


def share(roadmap: Roadmap, school) -> Roadmap:
    return next(child for child in roadmap.children if child.org_id == school.id)


@pytest.fixture
def kezhma(client, world) -> Roadmap:
    make_user("curator2", "curator", world.school2)
    _db.session.commit()
    login(client, "municipal")
    assert adopt(client, "kezhma_municipal_2022", world.authority.id).status_code == 303
    client.post("/auth/logout")
    return newest()


def set_status(client, row: RoadmapItem, status: str, done_on: str = "", **headers):
    return client.post(
        f"/roadmaps/items/{row.id}/status",
        data={"status": status, "done_on": done_on, "version": row.version},
        headers=headers,
    )


# -- 2. municipal «ОО» items are every school's, through its share ----------------------------------------


def test_oo_items_are_not_pinned_to_the_first_school(client, world, kezhma):
    municipal = item(kezhma, "1.6")  # «ОО»
    assert municipal.responsible_role == "school" and municipal.responsible_org_id is None
    for username, school in (("curator", world.school), ("curator2", world.school2)):
        login(client, username)
        mine = client.get("/roadmaps/mine").text
        ids = {int(i) for i in re.findall(r'id="item-(\d+)"', mine)}
        own = {i.id for i in share(kezhma, school).items()}
        assert ids and ids <= own  # their own share's rows, no read-only municipal duplicates
        assert item(share(kezhma, school), "1.6").id in ids
        client.post("/auth/logout")


# -- 3. the municipal row follows the schools; the dashboard counts an item once ---------------------------


def test_municipal_status_rolls_up_from_the_schools(client, world, kezhma):
    municipal = item(kezhma, "1.6")  # «Август-сентябрь 2025 г.»: overdue on 15.10.2025
    assert municipal.display_status(DAY) == "overdue"
    for username, school, day in (("curator", world.school, "01.10.2025"), ("curator2", world.school2, "03.10.2025")):
        login(client, username)
        row = _db.session.get(RoadmapItem, item(share(kezhma, school), "1.6").id)
        assert set_status(client, row, "done", day).status_code == 303
        client.post("/auth/logout")
        _db.session.expire_all()
        if username == "curator":  # one school done, the other still late: the municipal row is late
            assert _db.session.get(RoadmapItem, municipal.id).display_status(DAY) == "overdue"
    _db.session.expire_all()
    municipal = _db.session.get(RoadmapItem, municipal.id)
    assert municipal.status == "planned"  # nothing stored by hand …
    assert municipal.display_status(DAY) == "done" and municipal.display_done_on == date(2025, 10, 3)

    login(client, "municipal")
    page = client.get(f"/roadmaps/{kezhma.id}").text
    row = page[page.index(f'id="item-{municipal.id}"') :]
    row = row[: row.index("</tr>")]
    assert "status-done" in row and "по ОО: выполнено в 2 из 2" in row
    assert 'name="status"' not in row  # no status of its own to set
    refused = set_status(client, municipal, "planned")
    assert refused.status_code == 422 and "складывается из статусов ОО" in refused.text


def test_the_dashboard_counts_each_item_once(client, world, kezhma):
    coordinator = world.users["municipal"]
    overdue, _ = attention_items(coordinator, DAY)
    assert all(i.roadmap_id == kezhma.id for i in overdue)  # the schools' copies are not counted again
    expected = [i for i in kezhma.items() if i.display_status(DAY) == "overdue"]
    assert sorted(i.id for i in overdue) == sorted(i.id for i in expected)
    school_overdue, _ = attention_items(world.users["curator"], DAY)
    assert school_overdue and all(i.roadmap.org_id == world.school.id for i in school_overdue)


# -- 4. a month without a year is placed by its neighbours -------------------------------------------------


def test_a_month_without_a_year_that_opens_the_plan_comes_before_its_neighbours(client, world):
    login(client, "curator")
    assert adopt(client, "nn_school128_2020", world.school.id).status_code == 303
    roadmap = newest()
    august = item(roadmap, "1.1.")  # «август», followed by «до 20.08.2020» (now «до 20.08.2025»)
    assert august.deadline_text == "август"
    assert (august.due_start, august.due_end) == (date(2025, 8, 1), date(2025, 8, 31))  # not August 2026
    assert PLACED_FLAG in august.flags
    assert item(roadmap, "1.2.").due_end == date(2025, 8, 20)
    printed = client.get(f"/roadmaps/{roadmap.id}/print").text
    cell = re.search(r"<td>1.1.</td>.*?</td><td>(.*?)</td>", printed, re.S).group(1)
    assert cell == "август (август 2025)", cell  # the print says which August


def test_a_month_in_its_academic_place_is_left_alone(client, world):
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    may = item(newest(), "6.1.")  # «Май» after «Октябрь 2025»: May 2026, as the academic year has it
    assert may.due_end == date(2026, 5, 31) and PLACED_FLAG not in may.flags


# -- 5 and 6. template identity; the print view ------------------------------------------------------------

NN_IDENTITY = ("МАОУ «Школа № 128»", "328-01-02", "Матасова", "Нижнего Новгорода")


def test_an_adopted_template_is_the_schools_own_plan(client, world):
    login(client, "curator")
    assert adopt(client, "nn_school128_2020", world.school.id).status_code == 303
    roadmap = newest()
    assert roadmap.approval_text == "" and world.school.title in roadmap.title
    assert roadmap.title.endswith("на 2025/2026 учебный год")
    assert item(roadmap, "1.2.").responsible_text == "заместитель директора"
    assert item(roadmap, "1.2.").result_text == f"приказы {world.school.title}"
    pages = {
        "plan": client.get(f"/roadmaps/{roadmap.id}").text,
        "print": client.get(f"/roadmaps/{roadmap.id}/print").text,
        "timeline": client.get(f"/roadmaps/{roadmap.id}/timeline").text,
    }
    document = docx.Document(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.docx").data))
    pages["docx"] = "\n".join(
        [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.xlsx").data)).active
    pages["xlsx"] = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    source = re.search(r"<dt>Источник</dt><dd>(.*?)</dd>", pages["plan"], re.S).group(1)
    assert "Школа № 128" in source  # the original is kept only as the source
    for name, text in pages.items():
        text = text.replace(source, "")
        for identity in NN_IDENTITY:
            assert identity not in text, (name, identity)
        assert "2020" not in text.split("</header>")[-1], name  # not even a year of the source's plan


def test_print_shows_organisation_year_and_no_document_years_beside_overdue(client, world):
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    roadmap = newest()
    printed = client.get(f"/roadmaps/{roadmap.id}/print").text
    meta = printed[printed.index('class="print-meta"') :]
    meta = meta[: meta.index("</p>")]
    assert world.school.title in meta and "2025/2026 учебный год" in meta and "15.10.2025" in meta
    row = next(r for r in printed.split("<tr>") if "Сбор информации о профессиональных запросах" in r)
    assert "(сентябрь 2025)" in row and "просрочено" in row  # the plan's own date beside «просрочено»
    assert "Октябрь 2025" in printed
    assert "2022" not in printed.split("<main", 1)[1]  # no year of the source document anywhere


# -- 7. a teacher set as responsible -----------------------------------------------------------------------


def test_a_responsible_teacher_opens_mine_and_sets_the_status(client, world):
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    row = item(newest(), "4.3.")
    row.responsible_person_id = world.teacher.id  # the mentee user is Петрова
    row.responsible_kind = "person"
    _db.session.commit()
    client.post("/auth/logout")

    login(client, "mentee")
    mine = client.get("/roadmaps/mine")
    assert mine.status_code == 200 and f'id="item-{row.id}"' in mine.text
    assert "Изменить текст" not in mine.text  # the plan's words stay with the curator
    assert client.get(f"/roadmaps/{row.roadmap_id}").status_code == 403  # no roadmap list permission
    saved = set_status(client, row, "in_progress")
    assert saved.status_code == 303 and saved.location.endswith(f"/roadmaps/mine#item-{row.id}")
    other = item(newest(), "4.1.")
    assert set_status(client, other, "done").status_code == 404  # not theirs
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, row.id).status == "in_progress"
    assert _db.session.get(RoadmapItem, other.id).status == "planned"


# -- 8. seed 003: its layout and text blocks ---------------------------------------------------------------


def test_seed_003_keeps_its_text_blocks_columns_and_content(client, world):
    login(client, "curator")
    assert adopt(client, "zakharvan_2023", world.school.id).status_code == 303
    roadmap = newest()
    assert roadmap.provisions.startswith("План мероприятий («дорожная карта»)")
    assert world.school.title in roadmap.provisions and "на 2025/2026 учебный год" in roadmap.provisions
    assert "АЗ-1128/08" in roadmap.provisions and "от 21 декабря 2021 года" in roadmap.provisions  # cited acts stay
    komi = ["Этап, мероприятия этапа", "Содержание деятельности", "Планируемый результат", "Сроки", "Ответственные"]

    printed = client.get(f"/roadmaps/{roadmap.id}/print").text
    assert all(heading in printed for heading in komi)
    assert "1. Изучение нормативно-правовой базы" in printed  # «Содержание деятельности» is printed
    for block in ("Основные положения", "Цель", "Задачи", "Ожидаемые результаты"):
        assert f'<h2 class="print-block">{block}</h2>' in printed

    document = docx.Document(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.docx").data))
    paragraphs = [p.text for p in document.paragraphs]
    for block, text in (("Цель", roadmap.goal), ("Задачи", roadmap.tasks), ("Ожидаемые результаты", roadmap.expected_results),
                        ("Основные положения", roadmap.provisions)):  # fmt: skip
        assert block in paragraphs and text.split("\n")[0] in "\n".join(paragraphs)
    assert [c.text for c in document.tables[0].rows[0].cells][:5] == komi

    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.xlsx").data)).active
    values = [[v for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["Цель"] in values and [roadmap.goal] in values and ["Задачи"] in values
    assert komi in [row[:5] for row in values]
    plan = client.get(f"/roadmaps/{roadmap.id}").text
    assert "<th scope=\"col\">Этап, мероприятия этапа</th>" in plan and "Основные положения" in plan


# -- 9. editing the structure ------------------------------------------------------------------------------


def test_header_is_editable_and_a_stale_edit_answers_409(client, world):
    login(client, "curator")
    assert adopt(client, "zakharvan_2023", world.school.id).status_code == 303
    roadmap = newest()
    form = client.get(f"/roadmaps/{roadmap.id}/edit")
    assert form.status_code == 200 and "Основные положения" in form.text
    data = {"title": "Дорожная карта СОШ № 3", "period_text": "2025/2026", "approval_text": "Приказ от 29.08.2025 № 101",
            "provisions": "", "goal": "Цель", "tasks": "", "expected_results": "", "forms_text": "",
            "version": roadmap.version}  # fmt: skip
    assert client.post(f"/roadmaps/{roadmap.id}/edit", data=data).status_code == 303
    _db.session.expire_all()
    roadmap = _db.session.get(Roadmap, roadmap.id)
    assert (roadmap.title, roadmap.approval_text, roadmap.provisions) == ("Дорожная карта СОШ № 3", "Приказ от 29.08.2025 № 101", "")
    stale = client.post(f"/roadmaps/{roadmap.id}/edit", data={**data, "title": "Другое"})  # the old version
    assert stale.status_code == 409 and "изменил другой пользователь" in stale.text
    _db.session.expire_all()
    assert _db.session.get(Roadmap, roadmap.id).title == "Дорожная карта СОШ № 3"


def test_sections_can_be_edited_added_and_reach_the_school_shares(client, world, kezhma):
    login(client, "municipal")
    section = next(s for s in kezhma.sections if s.number == "4")
    data = {"number": "3", "title": "Внедрение в ОО", "task": "", "version": section.version}
    assert client.post(f"/roadmaps/sections/{section.id}/edit", data=data).status_code == 303
    _db.session.expire_all()
    copies = _db.session.scalars(select(RoadmapSection).where(RoadmapSection.parent_section_id == section.id)).all()
    assert len(copies) == 2 and {(c.number, c.title) for c in copies} == {("3", "Внедрение в ОО")}
    roadmap = _db.session.get(Roadmap, kezhma.id)
    assert "пропущен раздел 3" not in roadmap.flags  # the gap is filled: flags are redone
    added = client.post(f"/roadmaps/{kezhma.id}/sections/new", data={"number": "7", "title": "Итоги", "task": ""})
    assert added.status_code == 303
    assert _db.session.get(Roadmap, kezhma.id).sections[-1].title == "Итоги"


def test_an_item_added_to_a_municipal_plan_for_oo_reaches_every_school(client, world, kezhma):
    login(client, "municipal")
    section = next(s for s in kezhma.sections if s.number == "4")
    data = {"new-number": "4.6", "new-name": "Фестиваль наставников", "new-deadline_text": "Апрель 2026 г.",
            "new-responsible_text": "ОО", "new-result_text": "Отчет", "new-content": "",
            "new-responsible_person_id": 0}  # fmt: skip
    assert client.post(f"/roadmaps/sections/{section.id}/items/new", data=data).status_code == 303
    _db.session.expire_all()
    added = _db.session.scalars(select(RoadmapItem).where(RoadmapItem.name == "Фестиваль наставников")).all()
    municipal = next(i for i in added if i.roadmap_id == kezhma.id)
    assert municipal.due_end == date(2026, 4, 30) and municipal.document_type == "отчёт"
    assert len(municipal.child_items) == 2 and len(added) == 3
    assert municipal.section.items[-1] is municipal  # at the end of its section


def test_deleting_an_item_takes_its_school_copies_along(client, world, kezhma):
    login(client, "municipal")
    municipal = item(kezhma, "1.6")
    page = client.get(f"/roadmaps/items/{municipal.id}/delete")
    assert page.status_code == 200 and "Копии мероприятия в планах ОО (2)" in page.text
    response = client.post(f"/roadmaps/items/{municipal.id}/delete", data={"version": municipal.version})
    assert response.status_code == 303
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count()).where(RoadmapItem.number == "1.6")) == 0
    client.post("/auth/logout")
    login(client, "curator")  # a school cannot delete what the municipality handed it
    copy = item(share(_db.session.get(Roadmap, kezhma.id), world.school), "1.7")
    refused = client.post(f"/roadmaps/items/{copy.id}/delete", data={"version": copy.version})
    assert refused.status_code == 422 and "владелец муниципальной карты" in refused.text


def two_column_rows() -> list[list[str]]:
    """Seed 002 as its Word table has it: «N° Наименование этапа | Содержание деятельности …», a stage
    cell broken over two rows."""
    return [
        ["N° Наименование этапа", "Содержание деятельности и примерный план мероприятий"],
        ["2. Формирование", "1. Сбор информации о профессиональных запросах педагогов. 2. Формирование банка"],
        ["банка наставляемых", "данных наставляемых, обеспечение согласий на сбор и обработку персональных данных."],
        ["3. Формирование банка наставников", "1. Проведение анкетирования среди потенциальных наставников. "
         "2. Формирование банка данных наставников."],
    ]  # fmt: skip


def test_seed_002_two_column_import_then_split_into_items(client, world):
    login(client, "curator")
    paste = "\n".join("\t".join(row) for row in two_column_rows())
    step2 = client.post("/roadmaps/import", data={"step": "upload", "text": paste})
    assert step2.status_code == 200 and 'value="name" selected' in step2.text  # «N° Наименование этапа» is the stage
    data = {"step": "map", "action": "save", "header_row": 0, "org_id": world.school.id, "academic_year": 2025,
            "year_count": 1, "title": "Этапы", "level": "school", "col_0": "name", "col_1": "content",
            "rows_json": json.dumps(two_column_rows(), ensure_ascii=False)}  # fmt: skip
    assert client.post("/roadmaps/import", data=data).status_code == 303
    roadmap = newest()
    assert [(s.number, s.title) for s in roadmap.sections] == [
        ("2", "Формирование банка наставляемых"),
        ("3", "Формирование банка наставников"),
    ]
    bundle = roadmap.sections[0].items[0]
    assert bundle.name.startswith("1. Сбор информации") and oddities.BUNDLE_FLAG in bundle.flags

    form = client.get(f"/roadmaps/items/{bundle.id}/split")
    assert form.status_code == 200
    parts = re.search(r"<textarea[^>]*>(.*?)</textarea>", form.text, re.S).group(1)
    assert parts.strip().startswith("1. Сбор информации") and "\n\n2. Формирование банка данных" in parts
    saved = client.post(f"/roadmaps/items/{bundle.id}/split", data={"parts": html.unescape(parts), "version": bundle.version})
    assert saved.status_code == 303
    _db.session.expire_all()
    section = _db.session.get(Roadmap, roadmap.id).sections[0]
    assert [(i.number, i.name) for i in section.items] == [
        ("1.", "Сбор информации о профессиональных запросах педагогов."),
        ("2.", "Формирование банка данных наставляемых, обеспечение согласий на сбор и обработку персональных данных."),
    ]
    assert all(oddities.BUNDLE_FLAG not in i.flags for i in section.items)
    one = client.post(f"/roadmaps/items/{section.items[0].id}/split", data={"parts": "только одна часть",
                                                                             "version": section.items[0].version})  # fmt: skip
    assert one.status_code == 422 and "хотя бы на две части" in one.text


def test_a_flagged_continuation_row_is_merged_into_the_one_before(client, world):
    login(client, "curator")
    rows = [
        ["№ п/п", "Наименование мероприятия", "Срок реализации", "Ответственный исполнитель", "Результат, вид документа"],
        ["1.", "Подготовка условий", "", "", ""],
        ["1.2.", "Подготовка и принятие локальных нормативных правовых актов образовательной организации:",
         "Ежегодно, сентябрь", "Директор", "Приказ директора"],
        ["", "приказ(ы) о закреплении наставнических пар/групп.", "", "", ""],
    ]  # fmt: skip
    paste = "\n".join("\t".join(row) for row in rows)
    step2 = client.post("/roadmaps/import", data={"step": "upload", "text": paste})
    assert oddities.CONTINUATION_FLAG in step2.text  # flagged in the preview already
    data = {"step": "map", "action": "save", "header_row": 0, "org_id": world.school.id, "academic_year": 2025,
            "year_count": 1, "title": "Пенза", "level": "school",
            "rows_json": json.dumps(rows, ensure_ascii=False),
            **{f"col_{i}": field for i, field in enumerate(("number", "name", "deadline", "responsible", "result"))}}  # fmt: skip
    assert client.post("/roadmaps/import", data=data).status_code == 303
    roadmap = newest()
    first, rest = roadmap.items()
    assert oddities.CONTINUATION_FLAG in rest.flags
    page = client.get(f"/roadmaps/{roadmap.id}").text
    assert f'action="/roadmaps/items/{rest.id}/merge"' in page
    assert f'action="/roadmaps/items/{first.id}/merge"' not in page  # only the flagged row offers it
    assert client.post(f"/roadmaps/items/{rest.id}/merge", data={"version": rest.version}).status_code == 303
    _db.session.expire_all()
    (merged,) = _db.session.get(Roadmap, roadmap.id).items()
    assert merged.name == (
        "Подготовка и принятие локальных нормативных правовых актов образовательной организации: "
        "приказ(ы) о закреплении наставнических пар/групп."
    )
    assert merged.flags == [] and merged.deadline_text == "Ежегодно, сентябрь"


# -- 10. adopting twice, a future completion date, counters after an HTMX change ----------------------------


def test_adopting_the_same_template_twice_for_a_school_and_year_warns(client, world):
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    again = adopt(client, "penza_school30_2022", world.school.id)
    assert again.status_code == 422 and "уже принят для этой организации на этот учебный год" in again.text
    assert _db.session.scalar(select(func.count(Roadmap.id))) == 1
    preview = adopt(client, "penza_school30_2022", world.school.id, action="preview")
    assert preview.status_code == 200 and "уже принят" in preview.text
    assert adopt(client, "penza_school30_2022", world.school.id, academic_year=2026).status_code == 303  # another year
    assert adopt(client, "penza_school30_2022", world.school.id, again="y").status_code == 303  # confirmed
    assert _db.session.scalar(select(func.count(Roadmap.id))) == 3


def test_a_completion_date_in_the_future_is_refused_at_the_field(client, world):
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    row = item(newest(), "1.1.")
    response = set_status(client, row, "done", "16.10.2025", **HX)
    assert response.status_code == 422
    assert f'id="done-{row.id}-error"' in response.text and "позже сегодняшнего дня" in response.text
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, row.id).status == "planned"
    assert set_status(client, _db.session.get(RoadmapItem, row.id), "done", "15.10.2025", **HX).status_code == 200


def test_counters_come_along_with_an_htmx_status_change(client, world):
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    roadmap = newest()
    page = client.get(f"/roadmaps/{roadmap.id}").text
    assert 'id="roadmap-summary"' in page and "выполнено:" not in page
    response = set_status(client, item(roadmap, "1.1."), "done", "10.10.2025", **HX)
    assert response.status_code == 200 and response.text.lstrip().startswith("<tr")
    summary = response.text[response.text.index('id="roadmap-summary"') - 3 :]
    assert 'data-hx-swap-oob="true"' in summary and "выполнено: 1" in summary
    assert "Всего: <b>17 мероприятий</b>" in summary


def test_identity_is_replaced_once_even_when_the_adopter_has_the_same_name(world):
    """Kezhma's own authority adopting Kezhma's template keeps its name: the name put in is not
    replaced again by a shorter phrase («Кежемского района» → «муниципалитета»)."""
    from nastavnik.roadmaps.adoption import adopted_draft
    from nastavnik.roadmaps.builtin import load_builtin

    own = adopted_draft(load_builtin("kezhma_municipal_2022"), "МКУ УО Кежемского района", 2025, 1, 3)
    first = own.sections[0].items[0]
    assert first.responsible_text == "МКУ УО Кежемского района"
    assert own.title.endswith("образовательных организаций муниципалитета")


def test_a_responsible_teacher_finds_mine_in_the_menu(client, world):
    login(client, "mentee")
    assert ">Мои мероприятия</a>" not in client.get("/").text  # nothing of theirs yet
    client.post("/auth/logout")
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    row = item(newest(), "4.3.")
    edit = {f"item{row.id}-{name}": getattr(row, name) for name in
            ("number", "name", "content", "deadline_text", "responsible_text", "result_text")}  # fmt: skip
    edit |= {f"item{row.id}-responsible_person_id": world.teacher.id, f"item{row.id}-version": row.version}
    assert client.post(f"/roadmaps/items/{row.id}/edit", data=edit).status_code == 303
    client.post("/auth/logout")
    login(client, "mentee")
    assert 'href="/roadmaps/mine">Мои мероприятия</a>' in client.get("/").text


def test_split_suggestions_follow_the_documents_lists():
    from nastavnik.roadmaps.builtin import load_builtin
    from nastavnik.roadmaps.editing import suggest_parts

    first = load_builtin("generic_teacher").sections[0].items[0].name  # seed 002, stage 1: three bullets
    parts = suggest_parts(first)
    assert len(parts) == 3
    assert all(part.startswith("Подготовка и принятие локальных нормативных правовых актов образовательной организации: ")
               for part in parts)  # fmt: skip
    assert "Приложение 1 - Положение о системе" in parts[0]  # a dash inside a sentence is no bullet
    assert parts[1].endswith("приказ(ы) о закреплении наставнических пар/групп с письменного согласия их участников "
                             "на возложение на них дополнительных обязанностей, связанных с наставнической "
                             "деятельностью (при наличии в организации наставляемых).")  # fmt: skip
    assert suggest_parts("1. Сбор информации. 2. Формирование банка.") == ["1. Сбор информации.", "2. Формирование банка."]
