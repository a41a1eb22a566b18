"""A plugin that claims a kind code another plugin already provides."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import MentoringKind, PartnerOrganisation


@hookimpl
def nastavnik_mentoring_kinds():
    return [MentoringKind("teacher_teacher", "учитель – учитель (копия)", (), ("staff",), ("staff",), ())]


@hookimpl
def nastavnik_partner_organisations():
    # valid on its own: must not be registered either, since the plugin as a whole is broken
    return [PartnerOrganisation("dup_partner", "ООО «Дубль»")]
