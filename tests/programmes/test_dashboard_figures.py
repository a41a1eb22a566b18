"""The curator's card «пары без программы»: its count and first ids in SQL against the list it names."""

from nastavnik.extensions import db
from nastavnik.orgs.services import subtree
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.programmes.models import Programme
from nastavnik.programmes.services import CARD_PAIRS, live_pairs_without_programme, without_programme_figures
from tests.factories import make_person


def _pair(org, status="active", programme=False) -> Pair:
    pair = Pair(org_id=org.id, kind_code="teacher_teacher", academic_year=2025, status=status)
    pair.members = [PairMember(person_id=make_person(org).id, role="mentor"),
                    PairMember(person_id=make_person(org).id, role="mentee")]
    db.session.add(pair)
    db.session.flush()
    if programme:
        db.session.add(Programme(pair_id=pair.id))
    return pair


def test_the_card_counts_and_names_the_live_pairs_without_a_programme(app, world):
    for n in range(CARD_PAIRS + 5):
        _pair(world.school, programme=n % 4 == 0)
    _pair(world.school, status="finished")  # not live: never on the card
    _pair(world.other_school)  # another school's
    db.session.commit()
    expected = [p.id for p in live_pairs_without_programme([world.school.id])]
    assert len(expected) > CARD_PAIRS
    wanted = {"total": len(expected), "ids": expected[:CARD_PAIRS]}
    assert without_programme_figures([world.school.id]) == wanted
    # a scope runs the statement built once per process, with its roots bound each time
    assert without_programme_figures(subtree([world.school.id])) == wanted
    assert without_programme_figures(subtree([world.other_school.id]))["total"] == 1
