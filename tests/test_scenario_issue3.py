"""Issue 3, «Done when», walked through the test client as a school would: import a staff list with two
bad rows, fix it, import; suggestions for one young teacher with reasons; cohort matching with a pin
that survives a re-run; publish; the order as .docx; a «совместная работа» meeting with feedback from
both sides; an early end that returns the mentee to the bank and frees the mentor's place.
"""

from __future__ import annotations

import io
import re

from docx import Document
from openpyxl import Workbook
from sqlalchemy import func, select

from nastavnik.banks.models import MatchProposal, MatchRun, MenteeProfile, MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import Order, Pair
from nastavnik.participants.models import Person
from nastavnik.programmes.models import Meeting
from nastavnik.timeutil import today
from tests.banks.test_matching_web import KIND, make_mentee, make_mentor
from tests.conftest import login
from tests.factories import make_consent

HEADER = ["ФИО", "Дата рождения", "Должность", "Предметы", "Педагогический стаж", "Дата приёма"]
STAFF = [
    ["Иванова Мария Петровна", "12.03.1999", "учитель математики", "математика", "1", "01.09.2024"],
    ["Петров Сергей Андреевич", "05.07.1975", "учитель физики", "физика, математика", "25", "15.08.2001"],
    ["Смирнова Ольга Викторовна", "30.11.1998", "учитель русского языка", "русский язык", "2", "01.09.2023"],
    ["Кузнецов Алексей Игоревич", "17.02.1970", "учитель истории", "история", "30", "01.09.1995"],
    ["Волкова Анна Сергеевна", "31.02.2000", "учитель начальных классов", "начальные классы", "0,5", "01.09.2025"],
    ["Соколова Елена Дмитриевна", "22.06.1980", "учитель английского языка", "английский язык", "пятнадцать", "01.09.2010"],
    ["Морозов Дмитрий Олегович", "09.09.1985", "учитель информатики", "информатика", "12", "01.09.2012"],
    ["Лебедева Татьяна Ивановна", "14.04.1972", "учитель химии", "химия, биология", "28", "01.09.1996"],
    ["Новикова Ирина Павловна", "03.01.2000", "учитель биологии", "биология", "1", "01.09.2024"],
    ["Егоров Павел Николаевич", "25.12.1978", "учитель физкультуры", "физическая культура", "20", "01.09.2004"],
]  # fmt: skip
ROW_ERRORS = [
    "Строка 6, «Дата рождения»: такой даты нет: «31.02.2000» — проверьте день и месяц",
    "Строка 7, «Пед. стаж»: не удалось распознать стаж «пятнадцать» — ожидается число лет, "
    "например «3», «3,5» или «3 г. 2 мес.»",
]


def staff_xlsx(fixed: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in STAFF:
        row = list(row)
        if fixed and row[1] == "31.02.2000":
            row[1] = "28.02.2000"
        if fixed and row[4] == "пятнадцать":
            row[4] = "15"
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, world, data: bytes):
    return client.post(
        "/banks/import",
        data={"file": (io.BytesIO(data), "kadry.xlsx"), "kind": "staff", "org_id": world.school.id},
        content_type="multipart/form-data",
    )


def staff_count(world) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Person)
        .where(Person.org_id == world.school.id, Person.kind == "staff")
    )


def bank(world):
    """The demo-like banks: the world's mentor account is a strong match for the world's young teacher."""
    mentor_person = db.session.get(Person, world.users["mentor"].person_id)
    mentor_person.subjects, mentor_person.experience_years = "математика", 22.0
    mentor_person.qualification_category = "highest"
    world.teacher.subjects = "математика"
    strong = make_mentor(
        world.school, "", ["дисциплина на уроке", "планирование урока"], capacity=2, person=mentor_person
    )
    weak = make_mentor(world.school, "Историкова", ["работа с родителями"], "история", 15, 1)
    for mentor in (strong, weak):
        make_consent(mentor.person, kind="mentor_duties")
    young = make_mentee(world.school, "", ["дисциплина на уроке", "планирование урока"], person=world.teacher)
    other = make_mentee(world.school, "Юнова", ["работа с родителями"], "история")
    db.session.commit()
    return strong, weak, young, other


def text_of(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_done_when_scenario(app, client, world):
    curator = login(client, "curator")

    # 1. A staff list with two bad rows: the preview names both, in Russian, and writes nothing.
    before = staff_count(world)
    bad = upload(curator, world, staff_xlsx(fixed=False))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in ROW_ERRORS:
        assert message in html
    assert "Ничего не записано" in html and staff_count(world) == before

    # The fixed file previews clean and is imported all at once; a re-import updates, never duplicates.
    for expected in ("добавлено 10, обновлено 0", "добавлено 0, обновлено 10"):
        good = upload(curator, world, staff_xlsx(fixed=True))
        assert good.status_code == 200 and "Ошибок нет" in good.get_data(as_text=True)
        token = re.search(r'name="token" value="([^"]+)"', good.get_data(as_text=True)).group(1)
        done = curator.post("/banks/import/confirm", data={"token": token}, follow_redirects=True)
        assert f"Импорт выполнен: {expected}." in done.get_data(as_text=True)
    assert staff_count(world) == before + 10

    # 2. Suggestions for one young teacher: ranked, with a score and reasons, gaps included.
    strong, weak, young, other = bank(world)
    page = curator.get(f"/banks/mentees/{young.id}/suggest").get_data(as_text=True)
    eligible = page.split('id="eligible"')[1].split("</table>")[0]
    assert eligible.index(strong.person.full_name) < eligible.index("Историкова")
    assert "закрывает все запросы: дисциплина на уроке, планирование урока" in eligible
    assert "ни один запрос не закрыт" in eligible
    assert "общий предмет: математика" in eligible
    assert "нет общего предмета" in eligible  # Историкова's gap, said in words
    assert "Составить пару" in eligible

    # 3. Whole-cohort matching: a draft; one pair pinned survives a re-run; publish creates pairs.
    created = curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    run = db.session.scalar(select(MatchRun))
    assert created.status_code == 303 and created.headers["Location"].endswith(f"/pairs/match/{run.id}")
    proposal = db.session.scalar(select(MatchProposal).where(MatchProposal.mentee_id == young.id))
    assert proposal.mentor_id == strong.id
    pin = f"/pairs/match/{run.id}/proposals/{proposal.id}/pin"
    assert curator.post(pin).status_code == 303
    assert curator.post(f"/pairs/match/{run.id}/rerun").status_code == 303
    db.session.expire_all()
    pinned = db.session.get(MatchProposal, proposal.id)
    assert pinned is not None and pinned.state == "pinned" and pinned.mentor_id == strong.id
    assert "закреплена" in curator.get(f"/pairs/match/{run.id}").get_data(as_text=True)
    published = curator.post(f"/pairs/match/{run.id}/publish", follow_redirects=True)
    assert "Опубликовано пар: 2" in published.get_data(as_text=True)
    assert "Издать приказ о закреплении" in published.get_data(as_text=True)
    db.session.expire_all()
    pairs = db.session.scalars(select(Pair).order_by(Pair.id)).all()
    assert len(pairs) == 2 and {p.status for p in pairs} == {"forming"}
    assert db.session.get(MentorProfile, strong.id).load == 1
    assert db.session.get(MentorProfile, strong.id).status == "assigned"
    pair = next(p for p in pairs if p.mentees[0].mentee_profile_id == young.id)

    # 4. The order: number and date stored, pairs active, the .docx reads like a school order.
    issued = today().strftime("%d.%m.%Y")
    data = {"org": world.school.id, "number": "45-о", "issued_on": issued, "pair_ids": [p.id for p in pairs]}
    assert curator.post("/pairs/orders/new", data=data).status_code == 303
    order = db.session.scalar(select(Order))
    assert (order.number, order.issued_on) == ("45-о", today())
    docx = curator.get(f"/pairs/orders/{order.id}.docx")
    assert docx.status_code == 200 and docx.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(docx.data))
    text = text_of(doc)
    for words in ("ПРИКАЗ", f"{issued}\t№ 45-о", "В соответствии с", "ПРИКАЗЫВАЮ:",
                  "Контроль за исполнением приказа оставляю за собой.", "Директор", "С приказом ознакомлены:"):  # fmt: skip
        assert words in text, words
    listed = [[cell.text for cell in row.cells] for row in doc.tables[0].rows[1:]]
    assert [row[2] for row in listed] == [p.mentees[0].person.full_name for p in pairs]
    assert all(row[3] == "учитель – учитель" and row[4] == f"с {issued}" for row in listed)
    assert round(doc.sections[0].left_margin.mm) == 30 and doc.styles["Normal"].font.name == "Times New Roman"

    # 5. The mentor logs a «совместная работа» meeting with feedback, then the mentee adds theirs.
    mentor = login(app.test_client(), "mentor")
    dashboard = mentor.get("/").get_data(as_text=True)
    assert f"/pairs/{pair.id}" in dashboard  # the mentor reaches the pair from the dashboard
    pair_page = mentor.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert (
        f"/programmes/pair/{pair.id}/new" in pair_page and f"/programmes/pair/{pair.id}/meetings" in pair_page
    )
    meeting = {"kind": "joint", "held_on": issued, "format": "offline", "notes": "Разобрали урок по дробям."}
    refused = mentor.post(f"/programmes/pair/{pair.id}/meetings/new", data=meeting)
    assert refused.status_code == 422
    assert "обратная связь наставника обязательна" in refused.get_data(as_text=True)
    meeting["mentor_feedback"] = "Этапы урока выстроены; поработать над дисциплиной."
    assert mentor.post(f"/programmes/pair/{pair.id}/meetings/new", data=meeting).status_code == 303
    held = db.session.scalar(select(Meeting))
    mentee = login(app.test_client(), "mentee")
    feedback = {"feedback": "Стало понятнее, как удерживать внимание класса."}
    assert mentee.post(f"/programmes/meetings/{held.id}/feedback", data=feedback).status_code == 303
    db.session.expire_all()
    held = db.session.get(Meeting, held.id)
    assert held.mentor_feedback.startswith("Этапы") and held.mentee_feedback.startswith("Стало")
    assert "проведена" in mentee.get(f"/programmes/pair/{pair.id}/meetings").get_data(as_text=True)

    # 6. The pair ends early: the mentee is back in the bank, the mentor's place is free again.
    end = {"mode": "early", "initiator": "mentee", "ended_on": issued, "reason": "Перевод в другую школу."}
    assert curator.post(f"/pairs/{pair.id}/end", data=end).status_code == 303
    db.session.expire_all()
    assert db.session.get(Pair, pair.id).status == "interrupted"
    assert db.session.get(MenteeProfile, young.id).status == "in_bank"
    freed = db.session.get(MentorProfile, strong.id)
    assert freed.load == 0 and freed.status == "in_bank"  # no longer «закреплён»
    listing = curator.get("/banks/mentees?status=in_bank").get_data(as_text=True)
    assert world.teacher.full_name in listing and f"/banks/mentees/{young.id}/suggest" in listing
    again = curator.get(f"/banks/mentees/{young.id}/suggest").get_data(as_text=True)
    assert strong.person.full_name in again.split('id="eligible"')[1] and "2 из 2" in again
