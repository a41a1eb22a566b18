"""Demo events: a school of mentors held with attendance and certificates, an upcoming seminar with
invitations for the demo mentor and mentee, a municipal seminar for both schools, a news item with a
photo and its «размещено» mark, the Положение for the site, and consents to distribution for a few mentors."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime, time, timedelta

from docx import Document
from sqlalchemy import select

from nastavnik.banks.models import MentorProfile
from nastavnik.consents.models import SELF, Consent
from nastavnik.consents.services import processing_allowed
from nastavnik.events import certificates
from nastavnik.events.models import (
    Event,
    EventInvitedOrg,
    NewsItem,
    NewsPost,
    Participant,
    Photo,
    PhotoTag,
    SiteDocument,
)
from nastavnik.extensions import db
from nastavnik.periods import AcademicYear


def png(width: int = 480, height: int = 300, colour=(31, 95, 168)) -> bytes:
    """A plain picture made without any imaging library (the demo's «photo»)."""
    row = b"\x00" + bytes(colour) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _regulation(school) -> bytes:
    document = Document()
    document.add_heading("Положение о системе наставничества педагогических работников", level=1)
    document.add_paragraph(school.name)
    document.add_paragraph("1. Общие положения. Настоящее Положение определяет цели, задачи и порядок "
                           "организации наставничества педагогических работников.")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _mentors(school_id: int) -> list:
    return list(db.session.scalars(
        select(MentorProfile).where(MentorProfile.org_id == school_id).order_by(MentorProfile.id)
    ))


def add_demo(demo) -> None:
    day = demo.day
    year = AcademicYear.of(day)
    held_on = day - timedelta(days=20) if day - timedelta(days=20) >= year.starts else day
    school, school2 = demo.schools[:2]  # the demo has two; a bigger world (tests of scale) more
    curator = demo.users.get("curator")
    mentors = _mentors(school.id)
    teachers = demo.teachers[school.id]

    # A school of mentors, held: six teachers invited (the bank's mentors first), five came.
    people = [m.person for m in mentors if processing_allowed(m.person, day)][:6]
    people += [t for t in teachers if t not in people and processing_allowed(t, day)][: 6 - len(people)]
    training = Event(
        org_id=school.id, kind_code="training", level="school",
        title="Школа наставника: установочная сессия",
        starts_at=datetime.combine(held_on, time(14, 30)), ends_at=datetime.combine(held_on, time(17, 30)),
        place="кабинет 21 (методический)", organisers="Куратор внедрения ЦМН, совет наставников",
        audience_roles="mentors,candidates", audience_kinds="teacher_teacher", hours=4,
        programme="1. Роль наставника и персонализированная программа.\n2. Первая встреча пары.\n3. Обратная связь.",
        created_by_id=curator.id if curator else None,
    )
    db.session.add(training)
    for index, person in enumerate(people):
        training.participants.append(Participant(
            person=person, org_id=person.org_id, status="registered",
            attendance="absent" if index == len(people) - 1 else "present",
        ))
    training.status = "held"
    training.report = (
        "Проведена установочная сессия для наставников: роль наставника, персонализированная программа, "
        "первая встреча пары. Участники получили сертификаты."
    )
    db.session.flush()
    certificates.issue(training, curator, held_on)

    # Consents to distribution for the first three mentors: the site's register and the photo show them.
    published = [m.person for m in mentors[:3]]
    for person in published:
        db.session.add(Consent(person=person, kind="pd_distribution", signatory_name=person.full_name,
                               signatory_relation=SELF, signed_on=held_on - timedelta(days=5),
                               purposes="размещение на сайте школы", document_ref="папка «Согласия»"))

    # An upcoming seminar with invitations for the demo mentor and mentee.
    seminar = Event(
        org_id=school.id, kind_code="seminar", level="school",
        title="Как составить персонализированную программу",
        starts_at=datetime.combine(day + timedelta(days=9), time(15, 0)),
        ends_at=datetime.combine(day + timedelta(days=9), time(16, 30)), place="актовый зал",
        organisers="Куратор внедрения ЦМН", audience_roles="mentors,mentees", audience_kinds="teacher_teacher",
        created_by_id=curator.id if curator else None,
    )
    db.session.add(seminar)
    for login in ("mentor", "mentee"):
        user = demo.users.get(login)
        if user is not None and user.person is not None:
            seminar.participants.append(Participant(person=user.person, org_id=user.person.org_id))

    # A municipal seminar for both schools, held, with attendance counted per school.
    municipal = Event(
        org_id=demo.authority.id, kind_code="seminar", level="municipality",
        title="Муниципальный семинар «Наставничество: путь от цели к результату»",
        starts_at=datetime.combine(held_on + timedelta(days=1), time(10, 0)),
        place="МКУ УО, конференц-зал", organisers="ИМО", audience_roles="mentors,curators",
        invited_orgs=[EventInvitedOrg(org_id=school.id), EventInvitedOrg(org_id=school2.id)],
        status="held",
    )
    db.session.add(municipal)
    for person in teachers[5:8] + demo.teachers[school2.id][5:7]:
        municipal.participants.append(
            Participant(person=person, org_id=person.org_id, status="registered", attendance="present")
        )
    municipal.participants.append(Participant(
        outsider_name="Соколова Ирина Викторовна", outsider_org="КК ИПК", outsider_position="методист",
        status="registered", attendance="present",
    ))

    # A news item about the school of mentors, with a photo of two consented mentors, sent to the site.
    photo = Photo(org_id=school.id, event=training, caption="Наставники на установочной сессии",
                  filename="ustanovochnaya-sessiya.png", content=png(), content_type="image/png", size=0,
                  people_confirmed=True, tags=[PhotoTag(person_id=p.id) for p in published[:2]])
    photo.size = len(photo.content)
    news = NewsItem(
        org_id=school.id, event=training, published_on=held_on, title="В школе прошла «Школа наставника»",
        text=training.report, on_site=True, photos=[photo], created_by_id=curator.id if curator else None,
    )
    db.session.add(news)
    db.session.flush()
    db.session.add(NewsPost(news=news, channel="site", url="https://school3.example.ru/news/shkola-nastavnika",
                            posted_on=held_on + timedelta(days=1)))

    regulation = _regulation(school)
    db.session.add(SiteDocument(
        org_id=school.id, doc_kind="regulation", title="Положение о системе наставничества", number="45-од",
        dated=year.starts, filename="polozhenie-o-nastavnichestve.docx", content=regulation, size=len(regulation),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document", public=True,
    ))
    db.session.commit()
