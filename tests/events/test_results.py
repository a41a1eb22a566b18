"""Results of an event: the report, materials (files within bounds, links), photos with the people on
them; news written from the event; a mentor on the list downloads the materials."""

from __future__ import annotations

import io

from sqlalchemy import select

from nastavnik.events.demo import png
from nastavnik.events.models import EventMaterial, NewsItem, Photo
from nastavnik.extensions import db
from nastavnik.timeutil import today
from tests.events.conftest import add_people, make_event


def _upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def test_report_and_materials(world, curator, as_user):
    event = make_event(world.school, days=-1)
    mentor = db.session.get(type(world.teacher), world.users["mentor"].person_id)
    add_people(event, [mentor], attendance="present")
    db.session.commit()
    response = curator.post(f"/events/{event.id}/report", data={"report": "Прошло хорошо.", "version": event.version})
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.report == "Прошло хорошо."

    pdf = b"%PDF-1.4 slides"
    curator.post(f"/events/{event.id}/materials", data={"file": _upload(pdf, "slaydy.pdf"), "title": "Слайды"},
                 content_type="multipart/form-data")
    curator.post(f"/events/{event.id}/materials", data={"link_url": "https://example.org/video", "title": "Запись"})
    refused = curator.post(f"/events/{event.id}/materials", data={"file": _upload(b"MZ...", "virus.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "не похоже на PDF" in refused.get_data(as_text=True)
    materials = db.session.scalars(select(EventMaterial).order_by(EventMaterial.id)).all()
    assert [(m.kind, m.title) for m in materials] == [("file", "Слайды"), ("link", "Запись")]
    # a mentor on the list takes the slides home; someone not on it gets 404
    assert as_user("mentor").get(f"/events/materials/{materials[0].id}").data == pdf
    assert as_user("mentee").get(f"/events/materials/{materials[0].id}").status_code == 404


def test_photos_are_uploaded_with_the_people_on_them(world, curator):
    event = make_event(world.school, days=-1)
    (participant,) = add_people(event, [world.teacher], attendance="present")
    db.session.commit()
    response = curator.post(f"/events/{event.id}/photos", data={
        "file": _upload(png(20, 10), "foto.png"), "caption": "Участники", "tags": [f"p{world.teacher.id}", "p999999"],
        "people_confirmed": "y",
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    photo = db.session.scalars(select(Photo)).one()
    assert photo.people_confirmed and [t.person_id for t in photo.tags] == [world.teacher.id]  # a forged tag dropped
    assert curator.get(f"/events/photos/{photo.id}").mimetype == "image/png"
    page = curator.get(f"/events/{event.id}").get_data(as_text=True)
    assert "нет согласия на распространение: Петрова А." in page  # the teacher has no consent to distribution
    refused = curator.post(f"/events/{event.id}/photos", data={"file": _upload(b"%PDF-1.4", "not-a-photo.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "JPG или PNG" in refused.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Photo.id))) == 1


def test_news_from_an_event_with_its_photo(world, curator):
    event = make_event(world.school, days=-1, title="Школа наставника", report="Отчёт о школе")
    db.session.commit()
    form = curator.get(f"/events/news/new?event={event.id}").get_data(as_text=True)
    assert "Школа наставника" in form and "Отчёт о школе" in form
    response = curator.post("/events/news/new", data={
        "org_id": world.school.id, "title": "Школа наставника", "published_on": today().strftime("%d.%m.%Y"),
        "event_id": event.id, "text": "Отчёт о школе", "on_site": "y",
    })
    assert response.status_code == 303
    news = db.session.scalars(select(NewsItem)).one()
    assert (news.event_id, news.on_site) == (event.id, True)
    curator.post(f"/events/news/{news.id}/photos", data={"file": _upload(png(5, 5), "a.png"), "people_confirmed": "y"},
                 content_type="multipart/form-data")
    db.session.refresh(news)
    assert len(news.photos) == 1 and news.photos[0].people_confirmed
