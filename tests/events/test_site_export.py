"""The school's page for its site holds nothing personal without a consent to distribution (ст. 10.1
152-ФЗ): a world with and without consents is exported and every file of the .zip is searched."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from defusedxml import ElementTree

from nastavnik.banks.models import MentorProfile
from nastavnik.events.demo import png
from nastavnik.events.models import NewsItem, NewsPost, Participant, Photo, PhotoTag, SiteDocument
from nastavnik.extensions import db
from nastavnik.timeutil import today
from tests.events.conftest import add_people, make_event
from tests.factories import make_consent, make_person

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _files(client, org_id) -> dict[str, bytes]:
    response = client.get(f"/events/site/{org_id}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name) for name in archive.namelist()}


def _photo(org, event=None, people=(), confirmed=True, colour=(10, 20, 30)) -> Photo:
    data = png(40, 30, colour)
    photo = Photo(org_id=org.id, event=event, caption="Фото", filename="f.png", content=data, size=len(data),
                  content_type="image/png", people_confirmed=confirmed,
                  tags=[PhotoTag(person_id=p.id) for p in people])
    db.session.add(photo)
    return photo


@pytest.fixture
def site_world(world):
    """Two mentors with consent to processing; only «Согласнова» consented to distribution too."""
    school = world.school
    yes = make_person(school, last_name="Согласнова", first_name="Алла", middle_name="Петровна",
                      email="soglasnova@school.example", phone="+7 391 111-11-11")
    no = make_person(school, last_name="Скрытова", first_name="Белла", middle_name="Игоревна",
                     email="skrytova@school.example", phone="+7 391 222-22-22")
    withdrawn = make_person(school, last_name="Отозванова", first_name="Вера", email="otozvanova@school.example")
    pupil = make_person(school, kind="student", last_name="Учеников", first_name="Гоша")
    for person in (yes, no, withdrawn, pupil):
        make_consent(person)
    make_consent(yes, kind="pd_distribution")
    make_consent(withdrawn, kind="pd_distribution", withdrawn_on=today() - timedelta(days=1))
    for person in (yes, no, withdrawn):
        db.session.add(MentorProfile(person_id=person.id, org_id=school.id, kind_codes="teacher_teacher"))

    event = make_event(school, days=-3, title="Школа наставника",
                       report="Выступили Согласнова и Скрытовой помогала Отозванова; гость Гостев.")
    add_people(event, [yes, no, withdrawn], attendance="present")
    guest = Participant(event_id=event.id, outsider_name="Гостев Дмитрий", outsider_org="КК ИПК",
                        status="registered", attendance="present")
    db.session.add(guest)
    ok_photo = _photo(school, event, [yes], colour=(1, 2, 3))
    mixed_photo = _photo(school, event, [yes, no], colour=(4, 5, 6))
    unconfirmed = _photo(school, event, [yes], confirmed=False, colour=(7, 8, 9))
    withdrawn_photo = _photo(school, event, [withdrawn], colour=(10, 11, 12))
    pupil_photo = _photo(school, event, [pupil], colour=(13, 14, 15))
    news = NewsItem(org_id=school.id, event=event, published_on=today() - timedelta(days=2),
                    title="Прошла школа наставника",
                    text="Своим опытом поделились Согласнова А. П. и Скрытова Б. И., помогал ученик Учеников.",
                    photos=[ok_photo, mixed_photo, unconfirmed, withdrawn_photo, pupil_photo])
    hidden_news = NewsItem(org_id=school.id, published_on=today() - timedelta(days=1), title="Внутренняя",
                           text="Не для сайта", on_site=False)
    db.session.add_all([news, hidden_news])
    db.session.add(SiteDocument(org_id=school.id, doc_kind="regulation", title="Положение о наставничестве",
                                filename="polozhenie.docx", content=b"PK-public", content_type=DOCX, public=True))
    db.session.add(SiteDocument(org_id=school.id, doc_kind="order", title="Приказ о закреплении пар",
                                filename="prikaz.docx", content=b"PK-private", content_type=DOCX, public=False))
    db.session.commit()
    return dict(yes=yes, no=no, withdrawn=withdrawn, pupil=pupil, guest=guest, news=news, event=event,
                photos=dict(ok=ok_photo, mixed=mixed_photo, unconfirmed=unconfirmed, withdrawn=withdrawn_photo,
                            pupil=pupil_photo))


def test_the_exported_page_holds_nothing_personal_without_consent(world, curator, site_world):
    files = _files(curator, world.school.id)
    text = "\n".join(data.decode("utf-8", "replace") for name, data in files.items() if not name.endswith(".png"))
    for person in (site_world["no"], site_world["withdrawn"], site_world["pupil"]):
        for value in (person.last_name, person.first_name, person.email, person.phone, person.full_name):
            if value:
                assert value not in text, value
        # declined forms too («Скрытовой»)
        stem = person.last_name[:-1]
        assert not re.search(rf"{stem}\w*", text), stem
    assert "Гостев" not in text  # a guest without a recorded consent
    # the consented mentor is on the page: the register, the texts
    yes = site_world["yes"]
    assert yes.full_name in text and "Согласнова А. П." in text
    assert yes.email not in text and yes.phone not in text  # contacts are never published
    assert "[участник]" in text
    assert "Внутренняя" not in text  # a news item kept off the site


def test_only_photos_whose_every_person_consented_are_exported(world, curator, site_world):
    files = _files(curator, world.school.id)
    photos = {name for name in files if "/photos/" in name}
    assert photos == {f"nastavnichestvo/photos/{site_world['photos']['ok'].id}.png"}
    assert files[f"nastavnichestvo/photos/{site_world['photos']['ok'].id}.png"] == site_world["photos"]["ok"].content
    for key in ("mixed", "unconfirmed", "withdrawn", "pupil"):
        assert site_world["photos"][key].content not in files.values(), key
    # the preview inside the app serves the same files, and refuses the withheld ones
    assert curator.get(f"/events/site/{world.school.id}/page/photos/{site_world['photos']['ok'].id}.png").status_code == 200
    assert curator.get(f"/events/site/{world.school.id}/page/photos/{site_world['photos']['mixed'].id}.png").status_code == 404


def test_a_consent_given_later_lets_the_photo_out(world, curator, site_world):
    make_consent(site_world["no"], kind="pd_distribution")
    db.session.commit()
    files = _files(curator, world.school.id)
    assert f"nastavnichestvo/photos/{site_world['photos']['mixed'].id}.png" in files
    assert site_world["no"].full_name in files["nastavnichestvo/index.html"].decode()


def test_a_guest_with_a_recorded_paper_consent_may_be_on_a_photo(world, curator, site_world):
    guest = site_world["guest"]
    photo = _photo(world.school, site_world["event"], [], colour=(20, 21, 22))
    photo.tags = [PhotoTag(participant=guest)]
    site_world["news"].photos.append(photo)
    db.session.commit()
    assert f"nastavnichestvo/photos/{photo.id}.png" not in _files(curator, world.school.id)
    guest.publication_consent_ref = "согласие № 7, папка «Согласия»"
    db.session.commit()
    assert f"nastavnichestvo/photos/{photo.id}.png" in _files(curator, world.school.id)


def test_the_page_carries_public_documents_news_feed_and_registers(world, curator, site_world):
    files = _files(curator, world.school.id)
    names = set(files)
    assert {"nastavnichestvo/index.html", "nastavnichestvo/feed.xml", "nastavnichestvo/style.css",
            "nastavnichestvo/README.txt"} <= names
    documents = [name for name in names if "/files/" in name]
    assert len(documents) == 1 and files[documents[0]] == b"PK-public"
    index = files["nastavnichestvo/index.html"].decode()
    assert "Положение о наставничестве" in index and "Приказ о закреплении пар" not in index
    assert "Прошла школа наставника" in index and "Реестр наставников" in index
    assert "<script" not in index and "http" not in index.replace("http://www.w3.org", "")  # no external assets
    feed = ElementTree.fromstring(files["nastavnichestvo/feed.xml"])
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == ["Прошла школа наставника"]
    assert entries[0].find(f"{atom}id").text.startswith("urn:uuid:")
    assert "Скрытова" not in files["nastavnichestvo/feed.xml"].decode()


def test_another_school_s_page_answers_404(world, curator, as_user, site_world):
    assert curator.get(f"/events/site/{world.school2.id}").status_code == 404
    assert curator.get(f"/events/site/{world.school2.id}.zip").status_code == 404
    other = as_user("curator_other")
    assert other.get(f"/events/site/{world.school.id}.zip").status_code == 404
    assert other.get(f"/events/site/{world.school.id}/page/index.html").status_code == 404


def test_news_sent_marks_and_document_publication_are_kept(world, curator, site_world):
    news = site_world["news"]
    response = curator.post(f"/events/news/{news.id}/posts", data={
        "channel": "social", "url": "https://vk.com/wall-1_2", "posted_on": today().strftime("%d.%m.%Y"),
    })
    assert response.status_code == 303
    assert [(p.channel, p.url) for p in db.session.query(NewsPost).all()] == [("social", "https://vk.com/wall-1_2")]
    response = curator.post(f"/events/news/{news.id}/posts", data={"channel": "", "url": "vk.com", "posted_on": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Выберите, куда отправлена новость." in html and "http:// или https://" in html
    private = db.session.query(SiteDocument).filter_by(public=False).one()
    curator.post(f"/events/site/documents/{private.id}", data={"public": "1"})
    db.session.refresh(private)
    assert private.public is True


def test_a_consent_withdrawn_after_the_export_asks_for_a_new_one(world, curator, site_world):
    page = curator.get(f"/events/site/{world.school.id}").get_data(as_text=True)
    assert "Последняя выгрузка" not in page
    _files(curator, world.school.id)
    page = curator.get(f"/events/site/{world.school.id}").get_data(as_text=True)
    assert "Последняя выгрузка" in page and "больше нет" not in page
    consent = next(c for c in site_world["yes"].consents if c.kind == "pd_distribution")
    consent.withdrawn_on = today()
    db.session.commit()
    page = curator.get(f"/events/site/{world.school.id}").get_data(as_text=True)
    assert "согласия на распространение больше нет у" in page and site_world["yes"].short_name in page
    assert site_world["yes"].full_name not in _files(curator, world.school.id)["nastavnichestvo/index.html"].decode()
    assert "больше нет" not in curator.get(f"/events/site/{world.school.id}").get_data(as_text=True)  # the new copy


def test_titles_and_roadmap_lines_are_scrubbed_like_the_texts(world, curator, site_world):
    """A surname typed into a title, a caption or a roadmap line is no less personal than one in a report."""
    from nastavnik.roadmaps.models import Roadmap, RoadmapItem, RoadmapSection

    school = world.school
    site_world["event"].title = "Открытый урок Скрытовой"
    site_world["news"].title = "Скрытова Б. И. о наставничестве"
    site_world["photos"]["ok"].caption = "Согласнова и Скрытова"
    roadmap = Roadmap(org_id=school.id, title="Дорожная карта Скрытовой", academic_year=today().year - 1, year_count=3)
    line = RoadmapItem(number="1.1.", name="Наставник Скрытова Б. И. проводит семинар", position=1, roadmap=roadmap)
    roadmap.sections = [RoadmapSection(number="1.", title="Обучение (отв. Отозванова)", position=1, items=[line])]
    db.session.add(roadmap)
    db.session.commit()
    files = _files(curator, world.school.id)
    text = "\n".join(data.decode("utf-8", "replace") for name, data in files.items() if not name.endswith(".png"))
    assert "Наставник [участник] Б. И. проводит семинар" in text  # the line itself stays
    for stem in ("Скрыт", "Отозван"):
        assert not re.search(rf"{stem}\w*", text), stem
    assert "Согласнова" in text
