"""Demo data: a municipality with two schools, ~40 teachers, ~200 students, a user for every role."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from nastavnik.auth.services import create_user
from nastavnik.consents.models import SELF, Consent
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Guardianship, Person
from nastavnik.timeutil import today

DEMO_PASSWORD = "nastavnik-demo"  # noqa: S105 - printed on purpose: demo data only
MALE = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил",
        "Никита", "Иван", "Егор", "Роман", "Павел"]
FEMALE = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Екатерина", "Светлана", "Юлия",
          "Дарья", "Алина", "Ксения", "Полина", "Виктория"]
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров"]
PATRONYMS_M = ["Александрович", "Сергеевич", "Иванович", "Петрович", "Андреевич", "Викторович"]
PATRONYMS_F = ["Александровна", "Сергеевна", "Ивановна", "Петровна", "Андреевна", "Викторовна"]
SUBJECTS = ["математика", "русский язык", "литература", "физика", "химия", "биология", "история",
            "обществознание", "английский язык", "информатика", "география", "физическая культура",
            "начальные классы"]


DEMO_LOGINS = [
    ("admin", "администратор"), ("municipal", "муниципальный координатор (МКУ УО)"),
    ("director", "директор СОШ № 3"), ("curator", "куратор СОШ № 3"), ("curator2", "куратор СОШ № 4"),
    ("mentor", "наставник (педагог СОШ № 3, есть пара, программа и встреча)"),
    ("mentee", "наставляемый (молодой специалист СОШ № 3)"), ("observer", "наблюдатель СОШ № 3"),
]
TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                     "t", "u", "f", "kh", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"], strict=True))
TAGS = ["планирование урока", "дисциплина на уроке", "работа с родителями", "классное руководство",
        "оценивание результатов", "ФГОС и рабочие программы", "цифровые инструменты", "подготовка к ОГЭ/ЕГЭ",
        "работа с одарёнными детьми", "инклюзивное обучение (ОВЗ)", "самообразование", "эмоциональное выгорание"]


@dataclass
class DemoWorld:
    """What the core's demo built, handed to every plugin's ``nastavnik_demo_data``."""

    rng: random.Random
    day: date
    region: Organisation
    municipality: Organisation
    authority: Organisation
    schools: list[Organisation]
    partner: Organisation
    teachers: dict[int, list[Person]]  # school id -> teachers
    students: dict[int, list[Person]]  # school id -> students
    users: dict[str, object] = field(default_factory=dict)  # demo login -> User


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in text.lower())


def has_data() -> bool:
    return db.session.scalar(select(Organisation.id).limit(1)) is not None


def _name(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.5:
        return rng.choice(SURNAMES), rng.choice(MALE), rng.choice(PATRONYMS_M)
    return rng.choice(SURNAMES) + "а", rng.choice(FEMALE), rng.choice(PATRONYMS_F)


def _consent(rng: random.Random, person: Person, signer: str, relation: str, state: str, day: date) -> None:
    signed = day - timedelta(days=rng.randint(40, 600))
    consent = Consent(person=person, kind="pd_processing", signatory_name=signer, signatory_relation=relation,
                      signed_on=signed, purposes="участие в программе наставничества", document_ref="папка «Согласия»")
    if state == "expiring":
        consent.valid_until = day + timedelta(days=rng.randint(3, 25))
    elif state == "expired":
        consent.valid_until = day - timedelta(days=rng.randint(5, 60))
    elif state == "withdrawn":
        consent.withdrawn_on = day - timedelta(days=rng.randint(1, 20))
        consent.withdrawal_reason = "заявление об отзыве"
    db.session.add(consent)


def _state(rng: random.Random) -> str:
    return rng.choices(["valid", "expiring", "expired", "withdrawn", "missing"], [78, 6, 5, 4, 7])[0]


def _teachers(rng, school, count, day) -> list[Person]:
    people = []
    for index in range(count):
        last, first, middle = _name(rng)
        young = index < count // 4  # a quarter are young specialists, the mentee pool of «учитель – учитель»
        age = rng.randint(22, 28) if young else rng.randint(30, 62)
        experience = rng.randint(0, 3) if young else rng.randint(max(age - 45, 5), age - 22)
        person = Person(
            org=school, kind="staff", last_name=last, first_name=first, middle_name=middle,
            birth_date=day - timedelta(days=age * 365 + rng.randint(0, 300)),
            position="учитель", subjects=", ".join(rng.sample(SUBJECTS, rng.choice([1, 1, 2]))),
            experience_years=float(experience), experience_on=day,
            hired_on=day - timedelta(days=rng.randint(30, 365 * max(experience, 1))),
            qualification_category="" if young else rng.choice(["first", "highest", "conformity"]),
            email=f"{translit(last)}.{index}@{school.short_name[-1]}.school.example", phone=f"+7 391 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        )
        db.session.add(person)
        state = "valid" if index < 3 else _state(rng)
        if state != "missing":
            _consent(rng, person, person.full_name, SELF, state, day)
        people.append(person)
    return people


def _students(rng, school, count, day) -> list[Person]:
    people = []
    for _ in range(count):
        last, first, middle = _name(rng)
        grade = rng.randint(5, 11)
        student = Person(
            org=school, kind="student", last_name=last, first_name=first, middle_name=middle,
            birth_date=date(day.year - grade - 7, rng.randint(1, 12), rng.randint(1, 28)),
            class_name=f"{grade}{rng.choice('АБВ')}",
        )
        parent_first, parent_middle = (rng.choice(FEMALE), rng.choice(PATRONYMS_F))
        parent = Person(org=school, kind="parent", last_name=last.rstrip("а") + "а", first_name=parent_first,
                        middle_name=parent_middle, phone=f"+7 913 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}")
        db.session.add_all([student, parent, Guardianship(student=student, guardian=parent, relation="мать")])
        state = _state(rng)
        if state != "missing":
            _consent(rng, student, parent.full_name, "мать", state, day)
        people.append(student)
    return people


def build_demo(seed: int = 42) -> list[tuple[str, str]]:
    rng, day = random.Random(seed), today()
    region = Organisation(kind="region", name="Красноярский край")
    municipality = Organisation(kind="municipality", name="Кежемский район", parent=region)
    authority = Organisation(kind="authority", name="МКУ «Управление образования Кежемского района»",
                             short_name="МКУ УО Кежемского района", parent=municipality)
    imo = Organisation(kind="methodical", name="Информационно-методический отдел", short_name="ИМО", parent=authority)
    schools = [
        Organisation(kind="school", name="Муниципальное бюджетное общеобразовательное учреждение «Кодинская средняя "
                     "общеобразовательная школа № 3»", short_name="МБОУ Кодинская СОШ № 3", parent=authority),
        Organisation(kind="school", name="Муниципальное бюджетное общеобразовательное учреждение «Кодинская средняя "
                     "общеобразовательная школа № 4»", short_name="МБОУ Кодинская СОШ № 4", parent=authority),
    ]
    partner = Organisation(kind="partner", name="АО «Богучанская ГЭС»", short_name="Богучанская ГЭС", parent=municipality)
    db.session.add_all([region, municipality, authority, imo, partner, *schools])
    teachers = {s.short_name: _teachers(rng, s, 20, day) for s in schools}
    students = {s.short_name: _students(rng, s, 100, day) for s in schools}
    db.session.flush()

    banks = _banks(rng, teachers, day)
    mentor_profile, mentee_profile = banks[schools[0].short_name]
    mentor_person, mentee_person = mentor_profile.person, mentee_profile.person
    accounts = [
        ("admin", "Администратор системы", [("admin", region.id)], None),
        ("municipal", "Муниципальный координатор", [("municipal", authority.id)], None),
        ("director", "Директор СОШ № 3", [("director", schools[0].id)], None),
        ("curator", "Куратор СОШ № 3", [("curator", schools[0].id)], None),
        ("curator2", "Куратор СОШ № 4", [("curator", schools[1].id)], None),
        ("mentor", mentor_person.full_name, [("mentor", schools[0].id)], mentor_person.id),
        ("mentee", mentee_person.full_name, [("mentee", schools[0].id)], mentee_person.id),
        ("observer", "Наблюдатель (совет наставников)", [("observer", schools[0].id)], None),
    ]
    users = {username: create_user(username, DEMO_PASSWORD, name, roles=roles, person_id=person_id)
             for username, name, roles, person_id in accounts}
    db.session.flush()
    _pair(schools[0], mentor_profile, mentee_profile, day)
    db.session.commit()
    world = DemoWorld(rng=rng, day=day, region=region, municipality=municipality, authority=authority,
                      schools=schools, partner=partner,
                      teachers={s.id: teachers[s.short_name] for s in schools},
                      students={s.id: students[s.short_name] for s in schools}, users=users)
    _plugins_demo(world)
    return DEMO_LOGINS


def _plugins_demo(world: DemoWorld) -> None:
    """Each capability and plugin adds its own demo records (``nastavnik_demo_data``), committed one by one."""
    from nastavnik.plugins.manager import hook

    for impl in reversed(hook().nastavnik_demo_data.get_hookimpls()):
        impl.function(demo=world)
        db.session.commit()


def _banks(rng: random.Random, teachers: dict[str, list[Person]], day: date) -> dict[str, tuple]:
    """Банки «учитель – учитель»: young specialists with a valid consent as mentees, experienced ones as mentors.

    Returns, per school, its first mentor and first mentee profile (the demo accounts «mentor» and «mentee»).
    """
    from nastavnik.banks.models import MenteeProfile, MentorProfile, Tag
    from nastavnik.consents.services import has_valid_consent
    from nastavnik.periods import AcademicYear

    tags = [Tag(title=title) for title in TAGS]
    db.session.add_all(tags)
    year = AcademicYear.of(day).start_year
    firsts: dict[str, tuple] = {}
    for school, people in teachers.items():
        mentors, mentees = [], []
        for index, person in enumerate(people):
            if not has_valid_consent(person, day):
                continue  # no one enters a bank without a valid consent
            if index < len(people) // 4:
                mentees.append(MenteeProfile(
                    person=person, org_id=person.org_id, kind_code="teacher_teacher", category="young_specialist",
                    academic_year=year, request_text="Затруднения в первый год работы", tags=rng.sample(tags, 3),
                ))
            elif index < len(people) // 4 + 6:
                db.session.add(Consent(person=person, kind="mentor_duties", signatory_name=person.full_name,
                                       signatory_relation=SELF, signed_on=day - timedelta(days=30)))
                mentors.append(MentorProfile(
                    person=person, org_id=person.org_id, kind_codes="teacher_teacher", capacity=2,
                    origin="teacher", time_place="после уроков, кабинет наставника", tags=rng.sample(tags, 4),
                ))
        db.session.add_all(mentors + mentees)
        firsts[school] = (mentors[0], mentees[0])
    db.session.flush()
    return firsts


def _pair(school: Organisation, mentor: object, mentee: object, day: date) -> None:
    """One pair fixed by order, with its programme and a first meeting, so that the demo mentor and mentee
    see their pair, programme and meetings at once (the rest of the bank is left for the curator to match)."""
    from nastavnik.pairs.services import create_pair, issue_order
    from nastavnik.periods import AcademicYear
    from nastavnik.programmes.models import Meeting
    from nastavnik.programmes.services import create_programme, find_template, template_plan

    year = AcademicYear.of(day)
    ordered_on = max(year.starts, day - timedelta(days=45))
    pair = create_pair(org_id=school.id, kind_code="teacher_teacher", variation_code="experienced_young",
                       mentors=[mentor], mentees=[mentee], academic_year=year.start_year)
    issue_order(school.id, "112-од", ordered_on, [pair], day)
    db.session.add(Meeting(pair=pair, kind="intro", held_on=ordered_on + timedelta(days=3), format="offline",
                           notes="Знакомство, обсудили запросы и удобное время встреч."))
    db.session.commit()
    template = find_template("teacher_teacher", "teacher_young_specialist_adaptation")
    if template is not None:
        values = {"goal": template.goal, "tasks": template.tasks, "planned_results": template.planned_results,
                  "duration_months": template.duration_months, "difficulties": mentee.request_text}
        create_programme(pair, values, template.code, template_plan(template, ordered_on))
