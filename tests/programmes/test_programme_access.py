"""Who sees and edits a pair's programme and meetings — every page and every HTMX fragment.

mentor of the pair: edit · mentee: read + own feedback · curator/director of the school: edit ·
municipal/observer: read · another mentor of the same school, another school's curator: 404.
"""

from __future__ import annotations

import pytest

from nastavnik.extensions import db
from nastavnik.programmes.models import Meeting, PlanItem, Programme
from nastavnik.programmes.services import pair_access
from nastavnik.timeutil import today

HX = {"HX-Request": "true"}
EXPECTED = {  # role -> (read pages, edit pages)
    "mentor": (200, 200),
    "curator": (200, 200),
    "director": (200, 200),
    "mentee": (200, 403),
    "municipal": (200, 403),
    "observer": (200, 403),
    "mentor2": (404, 404),
    "curator_other": (404, 404),
}


@pytest.fixture
def setting(programme, other_mentor):
    meeting = Meeting(
        pair_id=programme.pair_id, kind="joint", held_on=today(), mentor_feedback="Разобрали урок"
    )
    db.session.add(meeting)
    db.session.commit()
    return programme, programme.items[0], meeting


def _read_urls(programme, item, meeting) -> list[tuple[str, dict]]:
    pair_id = programme.pair_id
    return [
        (f"/programmes/{programme.id}", {}),
        (f"/programmes/{programme.id}", HX),  # the plan fragment
        (f"/programmes/items/{item.id}", HX),  # one plan row
        (f"/programmes/pair/{pair_id}/meetings", {}),
        (f"/programmes/pair/{pair_id}/meetings", HX),
    ]


def _edit_urls(programme, item, meeting) -> list[tuple[str, dict]]:
    return [
        (f"/programmes/{programme.id}/edit", {}),
        (f"/programmes/items/{item.id}/edit", HX),
        (f"/programmes/pair/{programme.pair_id}/meetings/new", {}),
        (f"/programmes/meetings/{meeting.id}/edit", {}),
        (f"/programmes/{programme.id}/complete", {}),
    ]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_pages_and_fragments(setting, as_user, role):
    programme, item, meeting = setting
    client = as_user(role)
    read, edit = EXPECTED[role]
    for url, headers in _read_urls(*setting):
        assert client.get(url, headers=headers).status_code == read, (role, url, headers)
    for url, headers in _edit_urls(*setting):
        assert client.get(url, headers=headers).status_code == edit, (role, url, headers)


@pytest.mark.parametrize("role", sorted(r for r, (_, edit) in EXPECTED.items() if edit != 200))
def test_changes_are_refused_without_edit_access(setting, as_user, role):
    """Editors' successful changes are tested in test_programmes and test_meetings."""
    programme, item, meeting = setting
    client = as_user(role)
    edit = EXPECTED[role][1]
    posts = [
        (f"/programmes/items/{item.id}/status", {"status": "done"}, HX),
        (f"/programmes/items/{item.id}/status", {"status": "done"}, {}),
        (f"/programmes/items/{item.id}/delete", {}, HX),
        (f"/programmes/{programme.id}/items", {"content": "Чужой пункт"}, HX),
        (
            f"/programmes/{programme.id}/edit",
            {"goal": "Чужая цель", "duration_months": "9", "version": programme.version},
            {},
        ),
        (
            f"/programmes/{programme.id}/complete",
            {"reflection": "x", "completed_on": today().strftime("%d.%m.%Y"), "version": programme.version},
            {},
        ),
        (
            f"/programmes/pair/{programme.pair_id}/meetings/new",
            {"kind": "intro", "held_on": today().strftime("%d.%m.%Y")},
            {},
        ),
    ]
    for url, data, headers in posts:
        assert client.post(url, data=data, headers=headers).status_code == edit, (role, url)
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).status == "planned"
    assert db.session.get(Programme, programme.id).goal == "Адаптация молодого специалиста"
    assert db.session.get(Programme, programme.id).status == "active"
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 1


@pytest.mark.parametrize(
    "role, status",
    [("mentee", 303), ("mentor2", 404), ("curator_other", 404), ("municipal", 403), ("observer", 403)],
)
def test_feedback_only_by_a_side_of_the_pair(setting, as_user, role, status):
    _, _, meeting = setting
    client = as_user(role)
    response = client.post(f"/programmes/meetings/{meeting.id}/feedback", data={"feedback": "Отзыв"})
    assert response.status_code == status
    db.session.expire_all()
    assert (db.session.get(Meeting, meeting.id).mentee_feedback == "Отзыв") == (role == "mentee")


def test_pair_access_levels(world, pair, other_mentor):
    users = dict(world.users, mentor2=other_mentor[0])
    levels = {role: pair_access(user, pair) for role, user in users.items()}
    assert levels == {
        "admin": "edit",
        "curator": "edit",
        "director": "edit",
        "mentor": "edit",
        "mentee": "feedback",
        "municipal": "view",
        "observer": "view",
        "mentor2": None,
        "curator_other": None,
    }
    # the other mentor edits their own pair, and our mentor does not see it
    own_pair = other_mentor[1]
    assert pair_access(other_mentor[0], own_pair) == "edit"
    assert pair_access(world.users["mentor"], own_pair) is None


def test_creating_a_programme_is_for_editors_only(world, pair, other_mentor, client, as_user):
    for role, status in (("mentee", 403), ("municipal", 403), ("mentor2", 404), ("curator_other", 404)):
        c = as_user(role)
        assert c.get(f"/programmes/pair/{pair.id}/new").status_code == status
        assert (
            c.post(f"/programmes/pair/{pair.id}/new", data={"goal": "x", "duration_months": "9"}).status_code
            == status
        )
        c.post("/auth/logout")
    mentor = as_user("mentor")
    assert (
        mentor.post(
            f"/programmes/pair/{pair.id}/new", data={"goal": "Цель", "duration_months": "6"}
        ).status_code
        == 303
    )
    assert db.session.scalar(db.select(Programme).where(Programme.pair_id == pair.id)).duration_months == 6


def test_lists_show_only_own_pairs(world, programme, other_mentor, client, as_user):
    _, own_pair = other_mentor
    mentor_list = as_user("mentor").get("/programmes/").get_data(as_text=True)
    assert f"/programmes/{programme.id}" in mentor_list
    assert f"/programmes/pair/{own_pair.id}/" not in mentor_list
    client.post("/auth/logout")

    curator_list = as_user("curator").get("/programmes/").get_data(as_text=True)
    assert (
        f"/programmes/{programme.id}" in curator_list
        and f"/programmes/pair/{own_pair.id}/new" in curator_list
    )
    client.post("/auth/logout")

    other = as_user("curator_other").get("/programmes/").get_data(as_text=True)
    assert f"/programmes/{programme.id}" not in other and "Наставникова" not in other


def test_unknown_records_are_404(world, as_user):
    client = as_user("curator")
    for url in (
        "/programmes/999",
        "/programmes/items/999/edit",
        "/programmes/pair/999/meetings",
        "/programmes/pair/999/new",
        "/programmes/practices/999",
    ):
        assert client.get(url).status_code == 404, url


def test_practice_bank_is_empty_without_a_scope(world, programme, client, as_user):
    from tests.programmes.test_programmes import _complete

    _complete(as_user("curator"), programme)
    client.post("/auth/logout")
    mentor = as_user("mentor")  # even the mentor of this very programme: the bank is the schools' tool
    assert "Адаптация молодого специалиста" not in mentor.get("/programmes/practices").get_data(as_text=True)
    assert mentor.get(f"/programmes/practices/{programme.id}").status_code == 404


def test_anonymous_goes_to_login(world, programme, client):
    response = client.get(f"/programmes/{programme.id}")
    assert response.status_code in (302, 303) and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "municipal", "director", "curator", "observer", "mentor", "mentee",
                                  "curator_other"])
def test_the_list_links_the_practice_bank_for_whoever_may_reuse_practices(app, world, role):
    """``may_reuse_practices`` (the list's link, read without a query) says what ``practice_org_ids`` says."""
    from nastavnik.programmes.services import may_reuse_practices, practice_org_ids

    user = world.users[role]
    assert may_reuse_practices(user) is bool(practice_org_ids(user))
