"""A well-behaved extra plugin: one kind, one partner."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import Choice, MentoringKind, PartnerOrganisation

KIND = MentoringKind(
    code="employer_student",
    title="работодатель – ученик",
    variations=(
        Choice("active_professional_indifferent", "активный профессионал – равнодушный потребитель"),
    ),
    mentor_person_kinds=("partner_employee",),
    mentee_person_kinds=("student",),
    mentee_categories=(Choice("career", "профориентация"),),
)


@hookimpl
def nastavnik_mentoring_kinds():
    return [KIND]


@hookimpl
def nastavnik_partner_organisations():
    return [PartnerOrganisation("ges", "АО «Богучанская ГЭС»")]
