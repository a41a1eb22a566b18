"""The region-scale data set: 1 region, 40 municipalities, 2,000 organisations, 200,000 people, 60,000 pairs.

    python bench/region.py [--url URL] [--scale 1.0] [--seed 1] [--fresh]

Without ``--url`` the set goes to a SQLite file cached under ``/tmp/nastavnik-bench/`` (named by
scale, seed and a hash of the schema, so a changed model makes a new file); with a PostgreSQL URL
(``postgresql+psycopg://user:pass@host/db``) the database is emptied and filled, unless it already
holds the same set. ``--fresh`` rebuilds even a cached set.

What is in it, at ``scale=1`` (counts scale linearly; a municipality always looks the same):

- the organisation tree: 1 region → 40 municipalities → one МКУ УО each → 48 education
  organisations each (mostly schools, some kindergartens, colleges and УДО): 2,001 organisations;
- 200,000 people: ~13 teachers, ~46 students and a legal representative («законный
  представитель») per student in every organisation; consents to processing in every state
  (valid, expiring, expired, withdrawn, missing), mentors' consents to the additional duties;
- banks: teachers and senior students as mentors (with competences), young teachers and students
  as mentees (with requests), of both forms «учитель – учитель» and «ученик – ученик»;
- 60,000 pairs in every status with their members, orders «о закреплении», personalised
  programmes with plans, and meetings;
- roadmaps: a regional one, a municipal one per municipality and each school's share;
- an audit log, and users: a curator and a director in every school, a municipal coordinator
  per МКУ УО, a regional coordinator («municipal» role at the region) and an administrator.

API (importable: ``from bench.region import build_region``):

``build_region(engine_or_url=None, scale=1.0, seed=1, fresh=False) -> Region``
    Build the set (or find it already built) and describe it. ``engine_or_url``: a SQLAlchemy
    URL string or Engine; None for the cached SQLite file.

``Region``
    ``url``; ``scale``, ``seed``; ``region_id``, ``municipality_ids``, ``authority_ids``,
    ``school_ids`` (all education organisations); the bench's own school and authority
    (``school_id``, ``authority_id``: the first municipality's); ``logins`` — role → username for
    ``curator``, ``director``, ``observer``, ``mentor``, ``mentee`` (of ``school_id``), ``municipal``
    (of ``authority_id``), ``region`` and ``admin``; ``password`` (the same for all); ``counts``
    (rows per table).

``bench_app(url, **config) -> Flask``
    The app on that database, configured like production (not TESTING), CSRF off so that a
    benchmark can post forms.

``log_in(client, username)``
    Log a Flask test client in.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

CACHE = Path("/tmp/nastavnik-bench")
GENERATOR = 2  # bump when the generator changes what it writes
PASSWORD = "region-bench-1"  # noqa: S105 - benchmark data only
SCHOOLS_PER_MUNICIPALITY = 48
MUNICIPALITIES = 40
PAIRS = 60_000
CHUNK = 10_000

SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
            "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов"]
MALE = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил",
        "Никита", "Иван", "Егор", "Роман", "Павел", "Матвей", "Тимофей", "Владимир"]
FEMALE = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Екатерина", "Светлана", "Юлия",
          "Дарья", "Алина", "Ксения", "Полина", "Виктория", "Софья", "Вера"]
PATRONYMS_M = ["Александрович", "Сергеевич", "Иванович", "Петрович", "Андреевич", "Викторович", "Олегович"]
PATRONYMS_F = ["Александровна", "Сергеевна", "Ивановна", "Петровна", "Андреевна", "Викторовна", "Олеговна"]
SUBJECTS = ["математика", "русский язык", "литература", "физика", "химия", "биология", "история",
            "обществознание", "английский язык", "информатика", "география", "начальные классы"]
TAGS = ["планирование урока", "дисциплина на уроке", "работа с родителями", "классное руководство",
        "оценивание результатов", "ФГОС и рабочие программы", "цифровые инструменты", "подготовка к ОГЭ/ЕГЭ",
        "одарённые дети", "инклюзивное обучение (ОВЗ)", "самообразование", "эмоциональное выгорание",
        "проектная деятельность", "олимпиады", "функциональная грамотность", "профориентация",
        "успеваемость по математике", "успеваемость по русскому языку", "адаптация в классе", "волонтёрство",
        "робототехника", "спорт", "театр", "школьный музей", "конфликты", "мотивация к учёбе",
        "публичные выступления", "тайм-менеджмент", "читательская грамотность", "финансовая грамотность"]
DISTRICTS = ["Кежемский", "Богучанский", "Мотыгинский", "Северо-Енисейский", "Туруханский", "Эвенкийский",
             "Енисейский", "Казачинский", "Пировский", "Бирилюсский", "Тюхтетский", "Большеулуйский",
             "Ачинский", "Назаровский", "Шарыповский", "Ужурский", "Балахтинский", "Новоселовский",
             "Краснотуранский", "Идринский", "Курагинский", "Минусинский", "Шушенский", "Ермаковский",
             "Каратузский", "Партизанский", "Манский", "Уярский", "Рыбинский", "Саянский", "Ирбейский",
             "Иланский", "Канский", "Абанский", "Дзержинский", "Тасеевский", "Сухобузимский", "Емельяновский",
             "Берёзовский", "Козульский"]
STATES = (["valid", "expiring", "expired", "withdrawn", "missing"], [78, 6, 5, 4, 7])
PAIR_STATES = (["active", "forming", "finished", "interrupted"], [70, 10, 15, 5])
MEETING_KINDS = ["intro", "trial", "planning", "joint", "final"]
ROADMAP_STAGES = ["Подготовка условий", "Формирование банка наставляемых", "Формирование банка наставников",
                  "Отбор и обучение наставников", "Формирование пар и групп", "Организация работы пар",
                  "Завершение программ и информационная поддержка"]


@dataclass
class Region:
    url: str
    scale: float
    seed: int
    region_id: int
    municipality_ids: list[int]
    authority_ids: list[int]
    school_ids: list[int]
    school_id: int
    authority_id: int
    logins: dict[str, str]
    password: str = PASSWORD
    counts: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- the app on a bench database


def bench_app(url: str, **config):
    """The app on ``url`` as production runs it (not TESTING: no test-only shortcuts), CSRF off."""
    from nastavnik.app import create_app
    from nastavnik.config import Config

    values = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False} | config
    app = create_app(type("BenchConfig", (Config,), values))
    gc.freeze()  # as wsgi.py does
    return app


def log_in(client, username: str, password: str = PASSWORD):
    response = client.post("/auth/login", data={"username": username, "password": password})
    if response.status_code != 303:
        raise RuntimeError(f"cannot log in as {username}: {response.status_code}")
    return client


# ---------------------------------------------------------------- building


def schema_key(metadata) -> str:
    """A short hash of the tables, columns and indexes: a changed model invalidates a cached set."""
    parts = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        parts.append(table.name + ":" + ",".join(f"{c.name}/{c.type}" for c in table.columns))
        parts += sorted(f"{table.name}.{ix.name}" for ix in table.indexes)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:10]


def build_region(engine_or_url=None, scale: float = 1.0, seed: int = 1, fresh: bool = False) -> Region:
    """Build the region-scale set on ``engine_or_url`` (or find it built) and describe it."""
    from nastavnik.extensions import db

    if isinstance(engine_or_url, Engine):
        url = engine_or_url.url.render_as_string(hide_password=False)
    else:
        url = engine_or_url
    with bench_app(url or "sqlite://").app_context():  # loads the plugins, whose models join the schema
        schema = schema_key(db.metadata)
    key = f"g{GENERATOR}-s{scale:g}-r{seed}-{schema}"
    if url is None:  # the schema hash is in the file's name: a stale cache is simply not found
        CACHE.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{CACHE}/region-{key}.sqlite"
    app = bench_app(url)
    with app.app_context():
        engine = db.engine
        if fresh or _stored_key(engine) != key:
            started = time.perf_counter()
            _reset(engine)
            db.metadata.create_all(engine)
            _Generator(engine, scale, seed).run()
            with engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE bench_region_key (key VARCHAR(100))")
                conn.execute(text("INSERT INTO bench_region_key (key) VALUES (:key)"), {"key": key})
            _analyse(engine)
            print(f"region: built in {time.perf_counter() - started:.0f} s → {_safe(url)}", file=sys.stderr)
        return describe(engine, url, scale, seed)


def _safe(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def _stored_key(engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT key FROM bench_region_key")).scalar()
        except Exception:  # no such table: not built yet
            return None


def _reset(engine) -> None:
    from nastavnik.extensions import db

    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_region_key")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # whatever is there, including tables of models not loaded now
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        db.metadata.drop_all(engine)


def _analyse(engine) -> None:
    """Statistics as a running server has them (PostgreSQL's autovacuum analyses by itself)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def describe(engine, url: str, scale: float, seed: int) -> Region:
    from nastavnik.auth.models import RoleAssignment, User
    from nastavnik.extensions import db
    from nastavnik.orgs.models import EDUCATION_KINDS, Organisation

    with engine.connect() as conn:
        orgs = conn.execute(select(Organisation.id, Organisation.kind).order_by(Organisation.id)).all()
        roles = conn.execute(
            select(User.username, RoleAssignment.role, RoleAssignment.org_id)
            .join(RoleAssignment)
            .where(User.username.like("bench-%"))
        ).all()
        counts = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar()
            for table in db.metadata.sorted_tables
        }
    by_kind: dict[str, list[int]] = {}
    for org_id, kind in orgs:
        by_kind.setdefault(kind, []).append(org_id)
    logins = {username.removeprefix("bench-"): username for username, _, _ in roles}
    org_of = {username.removeprefix("bench-"): org_id for username, _, org_id in roles}
    return Region(
        url=url, scale=scale, seed=seed, region_id=by_kind["region"][0],
        municipality_ids=by_kind["municipality"], authority_ids=by_kind["authority"],
        school_ids=[org_id for org_id, kind in orgs if kind in EDUCATION_KINDS],
        school_id=org_of["curator"], authority_id=org_of["municipal"], logins=logins, counts=counts,
    )


class _Generator:
    """Rows as plain dicts, written with executemany in chunks; ids are assigned here."""

    def __init__(self, engine, scale: float, seed: int) -> None:
        self.engine, self.rng = engine, random.Random(seed)
        self.municipalities = max(1, round(MUNICIPALITIES * scale))
        self.day = date.today()
        self.now = datetime.now(UTC)
        self.year = self.day.year if self.day.month >= 9 else self.day.year - 1  # academic year start
        self.ids: dict[str, int] = {}
        self.rows: dict[str, list[dict]] = {}
        self.mentor_load: dict[int, int] = {}  # mentor profile → live pairs
        self.mentee_status: dict[int, str] = {}

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def add(self, table: str, **row) -> int:
        row.setdefault("id", self.next_id(table))
        self.rows.setdefault(table, []).append(row)
        return row["id"]

    def run(self) -> None:
        self.organisations()
        self.tags()
        for school in self.schools:
            self.school(school)
        self.roadmaps()
        self.users()
        self.audit()
        self.write()

    # -- organisations

    def organisations(self) -> None:
        self.region = self.add("organisation", parent_id=None, kind="region", name="Красноярский край",
                               short_name="Красноярский край")
        self.schools: list[tuple[int, int]] = []  # (school id, municipality index)
        self.authorities: list[int] = []
        for m in range(self.municipalities):
            district = DISTRICTS[m % len(DISTRICTS)] + ("" if m < len(DISTRICTS) else f" {m // len(DISTRICTS) + 1}")
            municipality = self.add("organisation", parent_id=self.region, kind="municipality",
                                    name=f"{district} район", short_name=f"{district} район")
            authority = self.add("organisation", parent_id=municipality, kind="authority",
                                 name=f"МКУ «Управление образования администрации {district[:-2]}ого района»",
                                 short_name=f"МКУ УО {district[:-2]}ого района")
            self.authorities.append(authority)
            for s in range(SCHOOLS_PER_MUNICIPALITY):
                kind = self.rng.choices(["school", "preschool", "additional", "college"], [85, 8, 5, 2])[0]
                number = s + 1
                name = {"school": f"МБОУ «СОШ № {number}»", "preschool": f"МБДОУ «Детский сад № {number}»",
                        "additional": f"МБУ ДО «ЦДТ № {number}»", "college": f"КГБПОУ «Техникум № {number}»"}[kind]
                school = self.add("organisation", parent_id=authority, kind=kind,
                                  name=f"{name} {district[:-2]}ого района", short_name=f"{name} ({district[:3]}.)")
                self.schools.append((school, m))

    def tags(self) -> None:
        self.tag_ids = [self.add("tag", title=title, group="") for title in TAGS]

    # -- people, consents, banks, pairs, programmes of one school

    def _name(self) -> tuple[str, str, str, bool]:
        rng = self.rng
        if rng.random() < 0.5:
            return rng.choice(SURNAMES), rng.choice(MALE), rng.choice(PATRONYMS_M), True
        return rng.choice(SURNAMES) + "а", rng.choice(FEMALE), rng.choice(PATRONYMS_F), False

    def person(self, org_id: int, kind: str, **values) -> int:
        last, first, middle, _ = self._name()
        row = dict(
            org_id=org_id, kind=kind, last_name=values.pop("last_name", last), first_name=first,
            middle_name=middle, birth_date=None, email="", phone="", snils="", personnel_number="",
            position="", subjects="", experience_years=None, experience_on=None, hired_on=None,
            qualification_category="", class_name="", notes="", archived_at=None, anonymised_at=None,
            created_at=self.now, updated_at=self.now, version=1,
        )
        row.update(values)
        return self.add("person", **row)

    def consent(self, person_id: int, signer: str, relation: str, state: str, kind: str = "pd_processing") -> None:
        rng, day = self.rng, self.day
        self.add("consent", person_id=person_id, kind=kind, signatory_name=signer, signatory_relation=relation,
                 signatory_person_id=None, purposes="участие в программе наставничества",
                 document_ref="папка «Согласия»", signed_on=day - timedelta(days=rng.randint(40, 700)),
                 valid_until={"expiring": day + timedelta(days=rng.randint(3, 25)),
                              "expired": day - timedelta(days=rng.randint(5, 90))}.get(state),
                 withdrawn_on=day - timedelta(days=rng.randint(1, 20)) if state == "withdrawn" else None,
                 withdrawal_reason="заявление об отзыве" if state == "withdrawn" else "",
                 created_at=self.now, version=1)

    def school(self, school: tuple[int, int]) -> None:
        org_id, _ = school
        rng, day = self.rng, self.day
        teachers, students = [], []  # (person id, consent state, extra)
        for index in range(rng.randint(8, 18)):
            last, first, middle, _ = self._name()
            young = index < 3
            age = rng.randint(22, 30) if young else rng.randint(31, 63)
            experience = rng.randint(0, 3) if young else rng.randint(max(age - 45, 5), age - 22)
            person_id = self.person(
                org_id, "staff", last_name=last, birth_date=day - timedelta(days=age * 365 + rng.randint(0, 300)),
                position="учитель", subjects=", ".join(rng.sample(SUBJECTS, rng.choice([1, 1, 2]))),
                experience_years=float(experience), experience_on=day,
                hired_on=day - timedelta(days=rng.randint(30, 365 * max(experience, 1))),
                qualification_category="" if young else rng.choice(["first", "highest", "conformity"]),
                email=f"teacher{self.ids.get('person', 0) + 1}@school{org_id}.example",
                phone=f"+7 391 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                personnel_number=f"{org_id}-{index + 1}",
                archived_at=self.now if rng.random() < 0.02 else None,
            )
            state = rng.choices(*STATES)[0]
            if state != "missing":
                self.consent(person_id, f"{last} {first} {middle}", "сам(а)", state)
            teachers.append((person_id, state, young))
        for _ in range(rng.randint(31, 62)):
            last, first, middle, _ = self._name()
            grade = rng.randint(1, 11)
            student = self.person(
                org_id, "student", last_name=last,
                birth_date=date(day.year - grade - 7, rng.randint(1, 12), rng.randint(1, 28)),
                class_name=f"{grade}{rng.choice('АБВ')}", archived_at=self.now if rng.random() < 0.02 else None,
            )
            parent_last = last if last.endswith("а") else last + "а"
            parent_first, parent_middle = rng.choice(FEMALE), rng.choice(PATRONYMS_F)
            parent = self.person(
                org_id, "parent", last_name=parent_last, first_name=parent_first, middle_name=parent_middle,
                phone=f"+7 913 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            )
            self.add("guardianship", student_id=student, guardian_id=parent, relation="мать")
            state = rng.choices(*STATES)[0]
            if state != "missing":
                self.consent(student, f"{parent_last} {parent_first} {parent_middle}", "мать", state)
            students.append((student, state, grade))
        self.banks_and_pairs(org_id, teachers, students)

    def banks_and_pairs(self, org_id: int, teachers: list, students: list) -> None:
        rng, day = self.rng, self.day
        usable = ("valid", "expiring")
        mentors: dict[str, list[list]] = {"teacher_teacher": [], "student_student": []}  # [profile, person, capacity, load]
        mentees: dict[str, list[tuple[int, int]]] = {"teacher_teacher": [], "student_student": []}
        for person_id, state, young in teachers:
            if state not in usable:
                continue
            if young:
                profile = self.add("mentee_profile", person_id=person_id, org_id=org_id, kind_code="teacher_teacher",
                                   category="young_specialist", academic_year=self.year,
                                   request_text="Затруднения в первый год работы", status="in_bank",
                                   entered_on=day - timedelta(days=rng.randint(10, 200)), version=1)
                mentees["teacher_teacher"].append((profile, person_id))
                for tag in rng.sample(self.tag_ids, 2):
                    self.add("mentee_tag", id=None, mentee_id=profile, tag_id=tag)
            elif rng.random() < 0.6:
                capacity = rng.randint(1, 3)
                profile = self._mentor(org_id, person_id, "teacher", "teacher_teacher", capacity)
                mentors["teacher_teacher"].append([profile, person_id, capacity, 0])
                self.consent(person_id, "—", "сам(а)", "valid", kind="mentor_duties")
        for person_id, state, grade in students:
            if state not in usable:
                continue
            if grade >= 8 and rng.random() < 0.6:
                capacity = rng.randint(4, 7)
                profile = self._mentor(org_id, person_id, "student_15_18", "student_student", capacity)
                mentors["student_student"].append([profile, person_id, capacity, 0])
            else:
                profile = self.add("mentee_profile", person_id=person_id, org_id=org_id, kind_code="student_student",
                                   category=rng.choice(["low_performance", "passive", "gifted", "career"]),
                                   academic_year=self.year, request_text="Помощь с учёбой", status="in_bank",
                                   entered_on=day - timedelta(days=rng.randint(10, 200)), version=1)
                mentees["student_student"].append((profile, person_id))
                for tag in rng.sample(self.tag_ids, 2):
                    self.add("mentee_tag", id=None, mentee_id=profile, tag_id=tag)
        orders: list[int] = []
        for kind, waiting in mentees.items():
            pool = mentors[kind]
            for mentee_profile, mentee_person in waiting:
                free = [m for m in pool if m[3] < m[2]]
                if not free or rng.random() < 0.02:
                    continue  # stays in the bank, some «не подобран»
                mentor = rng.choice(free)
                self._pair(org_id, kind, mentor, mentee_profile, mentee_person, orders)
        for profile, _, _, load in (m for pool in mentors.values() for m in pool):
            self.mentor_load[profile] = load

    def _mentor(self, org_id: int, person_id: int, origin: str, kind: str, capacity: int) -> int:
        profile = self.add(
            "mentor_profile", person_id=person_id, org_id=org_id, status="in_bank", origin=origin,
            achievements="", interests="", preferred_age_min=None, preferred_age_max=None,
            time_place="после уроков", kind_codes=kind, variation_codes="", capacity=capacity, load=0,
            training="", case_url="", entered_on=self.day - timedelta(days=self.rng.randint(10, 400)), version=1,
        )
        for tag in self.rng.sample(self.tag_ids, 3):
            self.add("mentor_tag", id=None, mentor_id=profile, tag_id=tag)
        return profile

    def _pair(self, org_id, kind, mentor, mentee_profile, mentee_person, orders) -> None:
        rng, day = self.rng, self.day
        status = rng.choices(*PAIR_STATES)[0]
        if status in ("active", "forming") and mentor[3] >= mentor[2]:
            status = "finished"
        starts = day - timedelta(days=rng.randint(40, 300)) if status != "forming" else None
        order_id = None
        if status != "forming":
            if not orders or rng.random() < 0.1:
                orders.append(self.add("order_document", org_id=org_id, kind="pairs",
                                       number=f"{len(orders) + 100}-од", issued_on=starts or day,
                                       title="О закреплении наставнических пар/групп", created_at=self.now))
            order_id = orders[-1]
        ended = None
        if status in ("finished", "interrupted"):
            ended = min(day, starts + timedelta(days=rng.randint(30, 200)))
        pair = self.add(
            "pair", org_id=org_id, kind_code=kind,
            variation_code="experienced_young" if kind == "teacher_teacher" else "peer_to_peer",
            is_group=False, status=status, academic_year=self.year, starts_on=starts,
            ends_on=(starts or day) + timedelta(days=270), ended_on=ended,
            end_reason="по инициативе наставляемого" if status == "interrupted" else "",
            ended_by_id=None, end_initiator="mentee" if status == "interrupted" else "",
            order_id=order_id, match_run_id=None, created_at=self.now, version=1,
        )
        self.add("pair_member", pair_id=pair, person_id=mentor[1], role="mentor", mentor_profile_id=mentor[0],
                 mentee_profile_id=None)
        self.add("pair_member", pair_id=pair, person_id=mentee_person, role="mentee", mentor_profile_id=None,
                 mentee_profile_id=mentee_profile)
        if status in ("active", "forming"):
            mentor[3] += 1
        self.mentee_status[mentee_profile] = {"active": "in_pair", "forming": "in_pair", "finished": "finished",
                                              "interrupted": "in_bank"}[status]
        if status in ("active", "finished"):
            self._programme(pair, starts, status)

    def _programme(self, pair: int, starts: date, status: str) -> None:
        rng = self.rng
        completed = status == "finished"
        programme = self.add(
            "programme", pair_id=pair, template_code="", goal="Адаптация и профессиональный рост наставляемого",
            tasks="1. Выявить затруднения.\n2. Составить план.\n3. Провести занятия.", difficulties="",
            strengths="", duration_months=9, planned_results="Рост результатов", actual_results="",
            reflection="", effective_practice=completed and rng.random() < 0.1,
            status="completed" if completed else "active", completed_on=self.day if completed else None, version=1,
        )
        for position in range(3):
            due = starts + timedelta(days=30 * (position + 1))
            self.add("plan_item", programme_id=programme, position=position, due_on=due,
                     content=["Встреча-знакомство", "Совместная работа по плану", "Итоговая встреча"][position],
                     responsible="наставник", result="",
                     status="done" if due < self.day and rng.random() < 0.8 else "planned")
        for number in range(rng.randint(1, 4)):
            held = min(self.day, starts + timedelta(days=7 + number * rng.randint(10, 40)))
            self.add("meeting", pair_id=pair, kind=MEETING_KINDS[min(number, 4)], held_on=held, format="offline",
                     notes="Обсудили план", mentor_feedback="", mentee_feedback="", created_by_id=None,
                     created_at=self.now)

    # -- roadmaps, users, audit

    def roadmaps(self) -> None:
        by_municipality: dict[int, list[int]] = {}
        for school, m in self.schools:
            by_municipality.setdefault(m, []).append(school)
        self._roadmap(self.region, "region", None, [(None, number) for number in range(20)])
        for m, authority in enumerate(self.authorities):
            plan = [(None, number) for number in range(30)]
            municipal, items = self._roadmap(authority, "municipality", None, plan)
            shared = [(item, number) for item, number in items if self.rng.random() < 0.5]  # «ОО» items
            for school in by_municipality.get(m, []):
                self._roadmap(school, "school", municipal, shared)

    def _roadmap(self, org_id: int, level: str, parent: int | None, plan: list[tuple[int | None, int]]):
        """A roadmap of ``plan`` items (parent item, number); returns its id and (item id, number) pairs."""
        rng, year = self.rng, self.year
        roadmap = self.add(
            "roadmap", org_id=org_id, level=level, title=f"Дорожная карта внедрения целевой модели наставничества "
            f"на {year}/{year + 1} учебный год", period_text=f"{year}/{year + 1}", academic_year=year, year_count=1,
            approval_text="", goal="", tasks="", expected_results="", forms_text="", template_code=None,
            template_version=None, parent_roadmap_id=parent, flags=[], created_at=self.now, version=1,
        )
        items, sections = [], {}
        for position, (parent_item, number) in enumerate(plan):
            stage = min(number * len(ROADMAP_STAGES) // 30, len(ROADMAP_STAGES) - 1)
            if stage not in sections:
                sections[stage] = self.add("roadmap_section", roadmap_id=roadmap, number=f"{stage + 1}.",
                                           title=ROADMAP_STAGES[stage], task="", position=stage)
            due = date(year, 9, 1) + timedelta(days=rng.randint(0, 300))
            status = "done" if due < self.day and rng.random() < 0.7 else rng.choice(["planned", "in_progress"])
            school = level == "school"
            item = self.add(
                "roadmap_item", section_id=sections[stage], roadmap_id=roadmap, position=position,
                number=f"{stage + 1}.{number + 1}", name=f"Мероприятие {number + 1}: {ROADMAP_STAGES[stage]}",
                content="", deadline_text=f"до {due:%d.%m.%Y}", responsible_text="ОО" if school else "МКУ УО",
                result_text="Приказ", deadline_kind="date", deadline_label=f"до {due:%d.%m.%Y}", due_start=None,
                due_end=due, occurrence_label="", responsible_kind="org", responsible_role="school" if school else "",
                responsible_org_id=org_id, responsible_person_id=None, document_type="order", status=status,
                done_on=due if status == "done" else None, flags=[], checked_flags=[], parent_item_id=parent_item,
                version=1,
            )
            items.append((item, number))
        return roadmap, items

    def users(self) -> None:
        password_hash = generate_password_hash(PASSWORD)  # one scrypt for every account: the same password
        first_school = self.schools[0][0]

        def user(username, display, roles, person_id=None):
            user_id = self.add("user_account", username=username, display_name=display, password_hash=password_hash,
                               person_id=person_id, is_active_account=True, created_at=self.now, last_login_at=None)
            for role, org_id in roles:
                self.add("role_assignment", user_id=user_id, org_id=org_id, role=role)

        user("bench-admin", "Администратор системы", [("admin", self.region)])
        user("bench-region", "Региональный координатор", [("municipal", self.region)])
        for index, authority in enumerate(self.authorities):
            name = "bench-municipal" if index == 0 else f"municipal-{authority}"
            user(name, "Муниципальный координатор", [("municipal", authority)])
        for school, _ in self.schools:
            prefix = "bench-" if school == first_school else f"s{school}-"
            user(f"{prefix}curator", "Куратор", [("curator", school)])
            user(f"{prefix}director", "Директор", [("director", school)])
        user("bench-observer", "Наблюдатель", [("observer", first_school)])
        live = self._live_pairs_of(first_school)
        members = [m for m in self.rows["pair_member"] if m["pair_id"] in live]
        mentor = next(m["person_id"] for m in members if m["role"] == "mentor")
        mentee = next(m["person_id"] for m in members if m["role"] == "mentee")
        user("bench-mentor", "Наставник", [("mentor", first_school)], mentor)
        user("bench-mentee", "Наставляемый", [("mentee", first_school)], mentee)

    def _live_pairs_of(self, org_id: int) -> set[int]:
        return {p["id"] for p in self.rows["pair"] if p["org_id"] == org_id and p["status"] in ("active", "forming")}

    def audit(self) -> None:
        rng = self.rng
        people = self.rows["person"]
        for _ in range(len(people) // 4):
            person = people[rng.randrange(len(people))]
            self.add("audit_entry", at=self.now - timedelta(minutes=rng.randint(0, 500_000)), user_id=None,
                     actor="Куратор", action=rng.choice(["create", "update"]), entity="person",
                     entity_id=person["id"], person_id=person["id"], org_id=person["org_id"],
                     changes={"phone": [None, "+7 900 000-00-00"]})

    # -- writing

    def write(self) -> None:
        from nastavnik.extensions import db
        from nastavnik.orgs.services import rebuild_tree

        for profile, load in self.mentor_load.items():
            row = self.rows["mentor_profile"][profile - 1]
            row["load"], row["status"] = load, "assigned" if load else "in_bank"
        for profile, status in self.mentee_status.items():
            self.rows["mentee_profile"][profile - 1]["status"] = status
        for name in ("mentee_tag", "mentor_tag"):
            for row in self.rows[name]:
                row.pop("id")
        tables = db.metadata.tables
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in db.metadata.sorted_tables:
                rows = self.rows.get(table.name)
                for start in range(0, len(rows or ()), CHUNK):
                    conn.execute(tables[table.name].insert(), rows[start:start + CHUNK])
            rebuild_tree(conn)  # the closure of the tree: the bulk insert bypassed the ORM that keeps it
            if self.engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
                for table in db.metadata.sorted_tables:
                    if "id" in table.c and self.rows.get(table.name) and table.c.id.autoincrement:
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
        self.rows.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="SQLAlchemy URL; default: a cached SQLite file under /tmp/nastavnik-bench")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 40 municipalities, 200,000 people")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="rebuild even when the set is already there")
    args = parser.parse_args(argv)
    region = build_region(args.url, args.scale, args.seed, args.fresh)
    print(json.dumps({"url": _safe(region.url), "counts": region.counts, "logins": region.logins},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
