"""Issue 4, «Done when», end to end through the Flask test client — as a curator and a coordinator would.

A curator adopts seed 000 for two academic years from 2025/2026; a coordinator adopts seed 001 for the
municipality, each school sees its share, two schools close an item with evidence and the roll-up
says so; seed 003's table (a .docx built from the seed text) and seed 004's table (pasted from Excel,
built from the seed text) import to the very items of the built-in templates; the exports open with
the seed's columns. The seed tables are built here from /work/shared/seeds, not from the templates,
so the comparison is not circular.
"""

from __future__ import annotations

import html
import io
import os
import re
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from sqlalchemy import select

from nastavnik.extensions import db as _db
from nastavnik.roadmaps.builtin import load_builtin
from nastavnik.roadmaps.models import Roadmap, RoadmapItem
from nastavnik.roadmaps.seedgen import DEFAULT_SEEDS
from nastavnik.web.words import plural_word
from tests.conftest import login
from tests.factories import make_org, make_user

DAY = date(2025, 10, 15)  # inside 2025/2026: September items are overdue, May ones still ahead
SEEDS = DEFAULT_SEEDS
SEED_COLUMNS = [
    "№ п/п",
    "Наименование мероприятия",
    "Срок реализации",
    "Ответственный исполнитель",
    "Результат, вид документа",
]
NN_COLUMNS = [
    "№ п/п",
    "Наименование мероприятий",
    "Срок реализации",
    "Ответственный исполнитель",
    "Результат. Вид документа",
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("nastavnik.roadmaps.routes.today", lambda: DAY)
    monkeypatch.setattr("nastavnik.timeutil.today", lambda: DAY)  # the dashboard card


@pytest.fixture(scope="module")
def seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"seed documents not found at {SEEDS}")
        pytest.skip(f"seed documents not found at {SEEDS}")
    return SEEDS


def seed_lines(seeds: Path, number: str) -> list[str]:
    return next(seeds.glob(f"{number}_*.txt")).read_text(encoding="utf-8").splitlines()


# -- the seed tables as a person has them: a Word table (003) and an Excel clipboard (004) -------------


def seed_003_rows(seeds: Path) -> list[list[str]]:
    """«4. План мероприятий» of seed 003: tab-separated cells, <p> paragraphs inside a cell."""
    lines = seed_lines(seeds, "003")
    start = next(i for i, line in enumerate(lines) if line.startswith("Этап, мероприятия этапа"))
    rows = []
    for line in lines[start:]:
        if not line.strip():
            continue
        cells = []
        for cell in line.split("\t"):
            paragraphs = re.findall(r"<p>(.*?)</p>", cell)
            cells.append("\n".join(p.strip() for p in paragraphs) if paragraphs else cell.strip())
        rows.append(cells)
    return rows


def seed_003_docx(seeds: Path) -> bytes:
    """A real Word table: stage rows and «Задача этапа» rows merged across, paragraphs kept."""
    document = docx.Document()
    document.add_paragraph("4. План мероприятий")
    table = document.add_table(rows=0, cols=5)
    for row in seed_003_rows(seeds):
        cells = table.add_row().cells
        if len([text for text in row if text]) == 1 and row[0]:
            cells = [cells[0].merge(cells[-1])]
        for cell, text in zip(cells, row, strict=False):
            first, *rest = text.split("\n")
            cell.paragraphs[0].text = first
            for paragraph in rest:
                cell.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def seed_004_rows(seeds: Path) -> list[list[str]]:
    """Seed 004: one cell per tab-led line, continuation lines belong to the cell above."""
    cells: list[str] = []
    for line in seed_lines(seeds, "004"):
        if line.startswith("\t"):
            cells.append(line[1:])
        elif cells and line.strip():
            cells[-1] += "\n" + line
    rows: list[list[str]] = []
    for cell in (c.strip() for c in cells):
        if cell == "№ п/п" or re.fullmatch(r"\d+\.\d+\.?", cell) or re.match(r"\d+\.\s+\S", cell):
            rows.append([])
        rows[-1].append(cell)
    return rows


def excel_clipboard(rows: list[list[str]], width: int = 5) -> str:
    """What Excel puts on the clipboard: tabs, CRLF, cells with line breaks quoted."""

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in '\n\t"') else text

    return "".join("\t".join(cell(c) for c in row + [""] * (width - len(row))) + "\r\n" for row in rows)


# -- helpers -----------------------------------------------------------------------------------------------


def adopt(client, code: str, org_id: int, years: int = 1, action: str = "save"):
    return client.post(
        "/roadmaps/adopt",
        data={
            "template": code,
            "org_id": org_id,
            "academic_year": 2025,
            "year_count": years,
            "shift_dates": "y",
            "action": action,
        },
    )


def newest_roadmap() -> Roadmap:
    return _db.session.scalars(
        select(Roadmap).where(Roadmap.parent_roadmap_id.is_(None)).order_by(Roadmap.id.desc())
    ).first()


def verbatim(items) -> list[tuple[str, ...]]:
    """The document's words of each item; the dated repeats of one item («1 раз в полугодие» gives a
    row per half-year) are one item of the document."""
    seen: list[tuple[str, ...]] = []
    for i in items:
        words = (i.number, i.name, i.content, i.deadline_text, i.responsible_text, i.result_text)
        if not seen or seen[-1] != words:
            seen.append(words)
    return seen


def import_table(client, world, step2_page: str, title: str, **extra):
    """Step 2 of the import with the columns the page guessed, saved for the curator's school."""
    data = {
        "step": "map",
        "action": "save",
        "rows_json": html.unescape(
            re.search(r'name="rows_json" type="hidden" value="([^"]*)"', step2_page)[1]
        ),
        "header_row": re.search(r'<option value="(-?\d+)" selected', step2_page)[1],
        "org_id": world.school.id,
        "academic_year": 2025,
        "year_count": 1,
        "title": title,
        "level": "school",
    }
    for column, chosen in re.findall(
        r'<select id="col_(\d+)" name="col_\d+">.*?<option value="(\w+)" selected', step2_page
    ):
        data[f"col_{column}"] = chosen
    data.update(extra)
    return client.post("/roadmaps/import", data=data)


def close_with_evidence(client, item: RoadmapItem, title: str) -> None:
    upload = client.post(
        f"/roadmaps/items/{item.id}/evidence",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(PDF), "prikaz.pdf"), "title": title},
    )
    assert upload.status_code == 303
    done = client.post(
        f"/roadmaps/items/{item.id}/status",
        data={"status": "done", "done_on": "01.10.2025", "version": item.version},
    )
    assert done.status_code == 303


def merged_across(row) -> bool:
    return len({cell._tc for cell in row.cells}) == 1


# -- the scenario ------------------------------------------------------------------------------------------


def test_curator_adopts_seed_000_for_two_years(client, world):
    login(client, "curator")
    preview = adopt(client, "penza_school30_2022", world.school.id, years=2, action="preview")
    assert preview.status_code == 200 and "сентябрь 2025" in preview.text and "сентябрь 2026" in preview.text
    assert newest_roadmap() is None  # a preview saves nothing
    assert adopt(client, "penza_school30_2022", world.school.id, years=2).status_code == 303
    roadmap = newest_roadmap()
    assert roadmap.year_label == "2025/2026 – 2026/2027"

    yearly = [i for i in roadmap.items() if i.deadline_text == "Ежегодно, сентябрь"]
    template_yearly = [
        i for i in load_builtin("penza_school30_2022").items() if i.deadline_text == "Ежегодно, сентябрь"
    ]
    assert len(yearly) == 2 * len(template_yearly) > 0  # every yearly item repeated, once a year
    assert sorted({(i.due_start, i.due_end) for i in yearly}) == [
        (date(2025, 9, 1), date(2025, 9, 30)),
        (date(2026, 9, 1), date(2026, 9, 30)),
    ]
    october = next(i for i in roadmap.items() if i.deadline_text == "Октябрь 2025")
    assert (october.due_start, october.due_end) == (date(2025, 10, 1), date(2025, 10, 31))
    assert not any(
        "повторяется" in flag for i in roadmap.items() for flag in i.flags
    )  # repeats are no duplicates

    page = client.get(f"/roadmaps/{roadmap.id}").text
    assert "сентябрь 2025" in page and "сентябрь 2026" in page and "Ежегодно, сентябрь" in page
    timeline = client.get(f"/roadmaps/{roadmap.id}/timeline").text
    assert "Сентябрь 2025" in timeline and "Сентябрь 2026" in timeline
    assert timeline.index("Сентябрь 2025") < timeline.index("Октябрь 2025") < timeline.index("Сентябрь 2026")
    mine = client.get("/roadmaps/mine").text
    assert "Сбор информации о профессиональных запросах педагогов." in mine  # «Куратор внедрения …»
    assert (
        "Подготовка и принятие локальных нормативных правовых актов образовательной организации: приказ «Об"
        not in mine
    )  # the director's

    dashboard = client.get("/").text
    assert "Дорожные карты" in dashboard and "просрочено" in dashboard
    assert (
        "2.1. Сбор информации о профессиональных запросах педагогов." in dashboard
    )  # overdue since 30.09.2025


def test_municipal_roadmap_schools_close_items_and_rollup_counts(client, world):
    school3 = make_org(name="СОШ № 5", parent=world.authority)
    make_user("curator2", "curator", world.school2)
    _db.session.commit()
    login(client, "municipal")
    form = client.get("/roadmaps/adopt?template=kezhma_municipal_2022").text
    assert re.search(
        rf'<option selected value="{world.authority.id}"|<option value="{world.authority.id}" selected', form
    )
    saved = adopt(client, "kezhma_municipal_2022", world.authority.id)
    assert saved.status_code == 303
    roadmap = newest_roadmap()
    assert "переданы в планы 3 организаций" in client.get(saved.location).text
    schools_items = [i for i in roadmap.items() if i.child_items]
    assert len(roadmap.children) == 3 and schools_items
    client.post("/auth/logout")

    # each school sees its own share, not the others'
    shares = {child.org_id: child for child in roadmap.children}
    for username, school, other in (
        ("curator", world.school, world.school2),
        ("curator2", world.school2, world.school),
    ):
        login(client, username)
        listing = client.get("/roadmaps/").text
        assert f'href="/roadmaps/{shares[school.id].id}"' in listing
        assert f'href="/roadmaps/{shares[other.id].id}"' not in listing
        assert client.get(f"/roadmaps/{shares[other.id].id}").status_code == 404
        mine = client.get("/roadmaps/mine").text
        assert shares[school.id].title[:60] in mine  # the share's «ОО» items are the school's own
        assert len(shares[school.id].items()) == len(schools_items)
        item = next(i for i in shares[school.id].items() if i.number == "1.6")
        close_with_evidence(client, item, f"Приказ {school.title}")
        client.post("/auth/logout")

    login(client, "municipal")
    page = client.get(f"/roadmaps/{roadmap.id}/rollup").text
    row = page[page.index('id="rollup-' + str(next(i.id for i in roadmap.items() if i.number == "1.6"))) :]
    row = row[: row.index("</tr>")]
    assert "выполнено в <b>2 из 3</b>, просрочено в <b>1</b>" in row  # СОШ № 5 has not closed it
    assert "Приказ СОШ № 3" in row and "Приказ СОШ № 4" in row  # evidence opens from the roll-up
    summary = page[page.index("rollup-schools") : page.index("По мероприятиям")]
    assert summary.count("1 из 19") == 2 and summary.count("0 из 19") == 1
    assert school3.title in summary
    dashboard = client.get("/").text
    # Each item counts once (issue 7): the coordinator sees the municipal row, late in one school,
    # not also every school's copy of it.
    card = dashboard[dashboard.index("roadmaps-card-h") :]
    _db.session.expire_all()
    overdue = [i for i in newest_roadmap().items() if i.display_status(DAY) == "overdue"]
    assert f"<b>{len(overdue)}</b> {plural_word(len(overdue), 'мероприятие просрочено', 'мероприятия просрочены', 'мероприятий просрочено')}" in card
    assert "(не выполнено в 3 из 3 ОО)" in card  # 1.5, late in every school
    assert shares[world.school.id].title[:60] not in card


def test_imported_docx_003_and_paste_004_equal_the_builtin_templates(client, world, seeds):
    login(client, "curator")
    step2 = client.post(
        "/roadmaps/import",
        data={"step": "upload", "file": (io.BytesIO(seed_003_docx(seeds)), "zakharvan.docx")},
        content_type="multipart/form-data",
    )
    assert step2.status_code == 200 and "Октябрь 2023- Апрель 2024г." in step2.text
    assert import_table(client, world, step2.text, "Захарвань").status_code == 303
    imported, builtin = newest_roadmap(), load_builtin("zakharvan_2023")
    assert verbatim(imported.items()) == verbatim(builtin.items())
    assert [(s.number, s.title, s.task) for s in imported.sections] == [
        (s.number, s.title, s.task) for s in builtin.sections
    ]

    paste = excel_clipboard(seed_004_rows(seeds))
    assert '"заместитель директора\nА.В. Матасова"' in paste  # really a clipboard with multi-line cells
    step2 = client.post("/roadmaps/import", data={"step": "upload", "text": paste})
    assert step2.status_code == 200 and "с 1 по 15 сентября" in step2.text
    assert import_table(client, world, step2.text, "Школа № 128").status_code == 303
    imported, builtin = newest_roadmap(), load_builtin("nn_school128_2020")
    assert len(imported.items()) == len(builtin.items()) == 24
    assert verbatim(imported.items()) == verbatim(builtin.items())
    # a heading cell «1. Нормативное …» reads as section «1»; the template keeps the document's «1.»
    assert [(s.number.rstrip("."), s.title) for s in imported.sections] == [
        (s.number.rstrip("."), s.title) for s in builtin.sections
    ]


def test_exports_open_with_the_seed_columns_statuses_and_merged_bold_sections(client, world):
    login(client, "curator")
    adopt(client, "nn_school128_2020", world.school.id)
    roadmap = newest_roadmap()
    item = roadmap.items()[1]
    close_with_evidence(client, item, "Приказ № 328")

    document = docx.Document(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.docx").data))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    table = document.tables[0]
    header = [cell.text for cell in table.rows[0].cells]
    assert header == [*NN_COLUMNS, "Статус", "Отметка о выполнении"]  # the document's own headings
    assert table.columns[5].width >= Mm(30)  # «запланировано» fits on one line
    section_rows = [row for row in table.rows[1:] if merged_across(row)]
    assert len(section_rows) == 7
    assert section_rows[0].cells[0].text.startswith("1. Нормативное")  # not «1.. Нормативное»
    assert all(run.bold for run in section_rows[0].cells[0].paragraphs[0].runs)
    done_row = next(row for row in table.rows if row.cells[0].text == item.number)
    assert "выполнено" in done_row.cells[5].text and "Приказ № 328" in done_row.cells[6].text

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.xlsx").data))
    sheet = book.active
    assert sheet.page_setup.orientation == "landscape"
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header_index = next(i for i, row in enumerate(values) if row[0] == "№ п/п")
    assert list(values[header_index][:7]) == [*NN_COLUMNS, "Статус", "Отметка о выполнении"]
    assert len(sheet.merged_cells.ranges) >= 7
    assert any(row[0] == item.number and "выполнено" in (row[5] or "") for row in values)

    printed = client.get(f"/roadmaps/{roadmap.id}/print").text
    assert "Результат. Вид документа" in printed and "Приказ № 328" in printed and "выполнено" in printed
