"""Access: another school's events and everything under them answer 404; observers read but do not
edit; a municipality sees its schools' events; mentors and mentees reach only their own invitations."""

from __future__ import annotations

import pytest

from nastavnik.events import certificates
from nastavnik.events.demo import png
from nastavnik.events.models import EventMaterial, NewsItem, Photo
from nastavnik.extensions import db
from nastavnik.timeutil import today
from tests.events.conftest import add_people, make_event, make_teachers


@pytest.fixture
def foreign(world):
    """An event of the other municipality's school, with a participant, a certificate, a photo, a material."""
    (teacher,) = make_teachers(world.other_school, 1, prefix="Чужая")
    event = make_event(world.other_school, days=-1)
    (participant,) = add_people(event, [teacher], attendance="present")
    data = png(10, 10)
    photo = Photo(org_id=world.other_school.id, event_id=event.id, filename="p.png", content=data,
                  content_type="image/png", size=len(data))
    material = EventMaterial(event_id=event.id, kind="link", link_url="https://example.org/slides")
    news = NewsItem(org_id=world.other_school.id, published_on=today(), title="Чужая новость", text="…")
    db.session.add_all([photo, material, news])
    db.session.commit()
    (certificate,) = certificates.issue(event, world.users["curator_other"], today())
    return dict(event=event, participant=participant, photo=photo, material=material, news=news,
                certificate=certificate)


def _urls(f) -> list[tuple[str, str]]:
    e, p = f["event"].id, f["participant"].id
    return [
        ("GET", f"/events/{e}"), ("GET", f"/events/{e}/edit"), ("GET", f"/events/{e}/invite"),
        ("GET", f"/events/{e}/attendance"), ("GET", f"/events/{e}/sheet"), ("GET", f"/events/{e}/certificates.zip"),
        ("GET", f"/events/certificates/{f['certificate'].id}.docx"), ("GET", f"/events/photos/{f['photo'].id}"),
        ("GET", f"/events/photos/{f['photo'].id}/edit"), ("GET", f"/events/materials/{f['material'].id}"),
        ("GET", f"/events/news/{f['news'].id}"), ("GET", f"/events/news/{f['news'].id}/edit"),
        ("POST", f"/events/participants/{p}/attendance"), ("POST", f"/events/participants/{p}/status"),
        ("POST", f"/events/participants/{p}/remove"), ("POST", f"/events/{e}/certificates"),
        ("POST", f"/events/{e}/cancel"), ("POST", f"/events/{e}/report"), ("POST", f"/events/{e}/materials"),
        ("POST", f"/events/{e}/photos"), ("POST", f"/events/news/{f['news'].id}/posts"),
        ("POST", f"/events/materials/{f['material'].id}/delete"),
    ]


@pytest.mark.parametrize("username", ["curator", "director", "municipal", "observer"])
def test_another_school_s_event_answers_404(world, as_user, foreign, username):
    client = as_user(username)
    for method, url in _urls(foreign):
        response = client.get(url) if method == "GET" else client.post(url, data={"attendance": "present"})
        # an observer holds no edit permission anywhere: edit routes refuse them with 403 before any lookup
        expected = {403, 404} if username == "observer" else {404}
        assert response.status_code in expected, (username, method, url, response.status_code)
    db.session.refresh(foreign["participant"])
    assert foreign["participant"].attendance == "present"


@pytest.mark.parametrize("username", ["mentor", "mentee"])
def test_a_mentor_or_mentee_not_on_the_list_gets_404(world, as_user, foreign, username):
    client = as_user(username)
    for method, url in _urls(foreign):
        if method == "GET" and "/edit" not in url and "/invite" not in url and "/attendance" not in url \
                and "/news/" not in url and "/sheet" not in url and "certificates.zip" not in url:
            assert client.get(url).status_code == 404, url


def test_the_municipality_sees_its_schools_events_as_the_access_table_says(world, as_user, teachers):
    """events.edit is granted on the coordinator's subtree, like every permission: the schools' events too."""
    school_event = make_event(world.school, days=2)
    own = make_event(world.authority, days=3, invited=[world.school])
    db.session.commit()
    client = as_user("municipal")
    listing = client.get("/events/").get_data(as_text=True)
    assert f"/events/{school_event.id}" in listing and f"/events/{own.id}" in listing
    assert client.get(f"/events/{school_event.id}").status_code == 200
    assert client.get(f"/events/{school_event.id}/edit").status_code == 200
    assert client.get(f"/events/{own.id}/edit").status_code == 200
    assert as_user("curator").get(f"/events/{own.id}/edit").status_code == 403  # the school only nominates


def test_an_invited_school_sees_the_municipal_event_another_school_does_not(world, as_user):
    event = make_event(world.authority, days=3, invited=[world.school])
    db.session.commit()
    assert as_user("curator").get(f"/events/{event.id}").status_code == 200
    assert f"/events/{event.id}" in as_user("curator").get("/events/").get_data(as_text=True)
    assert as_user("curator_other").get(f"/events/{event.id}").status_code == 404


def test_the_observer_reads_but_does_not_edit(world, as_user, teachers):
    event = make_event(world.school)
    (participant,) = add_people(event, teachers[:1])
    db.session.commit()
    client = as_user("observer")
    assert client.get(f"/events/{event.id}").status_code == 200
    assert client.get(f"/events/{event.id}/sheet").status_code == 200
    assert client.get(f"/events/{event.id}/attendance").status_code == 403
    assert client.get("/events/new").status_code == 403
    assert client.post(f"/events/participants/{participant.id}/attendance", data={"attendance": "present"}).status_code == 403
    db.session.refresh(participant)
    assert participant.attendance == ""


def test_people_of_another_school_cannot_be_invited_through_a_forged_form(world, as_user):
    event = make_event(world.school, days=1)
    (stranger,) = make_teachers(world.other_school, 1, prefix="Посторонняя")
    db.session.commit()
    as_user("curator").post(f"/events/{event.id}/invite", data={"person_id": [stranger.id]})
    db.session.refresh(event)
    assert event.participants == []


def test_mentor_menu_leads_to_own_events_only(world, as_user):
    client = as_user("mentor")
    assert client.get("/events/").status_code == 403
    assert client.get("/events/mine").status_code == 200
    home = client.get("/").get_data(as_text=True)
    # «Мои мероприятия» are the roadmap lines a teacher is responsible for (roadmaps); events say what they are
    assert ">Приглашения и сертификаты</a>" in home and ">Мои мероприятия</a>" not in home
