"""A plugin that refuses pairs by law: a mentor whose notes say «нет справки» may not mentor a minor."""

from datetime import date

from nastavnik.plugins import hookimpl

REASON = "нет справки об отсутствии судимости (ст. 351.1 ТК РФ)"
CALLS: list[tuple[str, int, int]] = []


@hookimpl
def nastavnik_pairing_refusals(kind_code, mentors, mentees):
    CALLS.append((kind_code, len(mentors), len(mentees)))
    day = date.today()
    return {
        (mentor.id, mentee.id): REASON
        for mentor in mentors
        if "нет справки" in mentor.notes
        for mentee in mentees
        if mentee.is_minor_on(day)
    }
