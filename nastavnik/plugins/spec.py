"""Every hook of nastavnik, in one place.

A plugin is a module (registered through the ``nastavnik.plugins`` entry-point group) whose
functions are decorated with ``nastavnik.plugins.hookimpl`` and named after a hook below. The core
registers its own capabilities through these same hooks.

Hooks return data (value objects from ``nastavnik.plugins.registry``, blueprints, Markup); the core
collects it, rejects duplicate codes at start-up and stores only codes in the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nastavnik.plugins import hookspec

if TYPE_CHECKING:
    import click
    from flask import Flask
    from markupsafe import Markup

    from nastavnik.monitoring.structs import GrowthCharacteristic, QuestionnaireSpec
    from nastavnik.plugins.registry import (
        Counter,
        EventKind,
        FulfilmentRule,
        MentoringKind,
        MentorNote,
        PartnerOrganisation,
        ProgrammeTemplate,
        ReportFormat,
    )
    from nastavnik.roadmaps.structs import RoadmapDraft


# --- Set-up ------------------------------------------------------------------------------------


@hookspec
def nastavnik_load_blueprints(app: Flask) -> None:
    """Register the plugin's blueprints on ``app``.

    Called once from ``create_app`` after the extensions are bound. A plugin mounts its blueprint
    at ``/p/<plugin name>`` with ``template_folder="templates"`` and keeps its templates under
    ``templates/<plugin name>/``.

    :param app: the application being built.
    :return: nothing.
    """


@hookspec
def nastavnik_load_migrations() -> str | None:
    """Return the path of the plugin's Alembic ``versions`` folder, or None.

    Called when Flask-Migrate configures Alembic; the paths are added to ``version_locations``.
    A plugin's first revision has ``branch_labels=("<plugin name>",)`` and ``depends_on`` the core
    revision it needs; its tables are prefixed ``<plugin name>_``.

    :return: an absolute directory path, or None when the plugin has no tables.
    """


@hookspec
def nastavnik_cli(cli: click.Group) -> None:
    """Add commands to ``flask nastavnik``.

    Called once while the command group is built.

    :param cli: the ``flask nastavnik`` click group.
    :return: nothing.
    """


@hookspec
def nastavnik_demo_data(demo) -> None:
    """Add the capability's own demo records to the demo world.

    Called by ``flask nastavnik demo`` (and so by ``make run`` on an empty database) once the core's
    demo world is built and committed, in registration order; the core commits after each plugin.

    :param demo: a :class:`nastavnik.demo.DemoWorld` (its organisations, people, users and the
        random generator to use, so that the demo is the same on every run).
    :return: nothing.
    """


# --- Access ------------------------------------------------------------------------------------


@hookspec
def nastavnik_permissions() -> dict[str, set[str]]:
    """Return the permissions the plugin adds, by role code («curator»: {"partners.edit"}).

    Called once at start-up; the access policy (``nastavnik.access``) joins them to the core's own
    table. A permission is granted on the subtree of the organisation where the user holds the
    role, like every other. The core's capabilities keep theirs in ``access.PERMISSIONS``.

    :return: a dict of role code → set of permission names; an empty dict for none.
    """


@hookspec
def nastavnik_person_visible_to(user, person) -> bool:
    """Say whether ``user`` may see ``person`` although no role of theirs covers the person's school.

    Called by the access policy (``nastavnik.access.can_view_person``) for every page and fragment
    showing a participant, after the role and scope checks have said no. Any implementation
    answering True grants the view (e.g. a mentor and the mentee of their own live pair); it never
    takes a permission away.

    :param user: the current ``User``.
    :param person: the ``Person`` being shown.
    :return: True to grant; False or None otherwise.
    """


# --- Registries --------------------------------------------------------------------------------


@hookspec
def nastavnik_mentoring_kinds() -> list[MentoringKind]:
    """Return the forms of mentoring («формы наставничества») the plugin provides.

    Called once at start-up. The core names no form itself: «учитель – учитель», «ученик –
    ученик» and the rest all come from plugins. A code that another plugin already provides makes
    this plugin broken (reported on the admin page, skipped).

    :return: a list of :class:`MentoringKind`.
    """


@hookspec
def nastavnik_report_formats() -> list[ReportFormat]:
    """Return the report formats (federal «ФСН»-style or regional) the plugin provides.

    Called once at start-up; same duplicate rule as :func:`nastavnik_mentoring_kinds`. A format is
    data (:class:`ReportFormat`: level, edition with ``valid_from``, rows, columns, cells computed by
    a counter, a formula of cells, a manual entry or an indicator, renderers, an official blank and
    its cell map); ``nastavnik.reports`` computes, stores, renders and collects it. Editions of one
    form share the code before «@» (``krsk_monitoring@2025``); a run takes the newest edition in force
    on its as-of date. A format that fails while computing fails alone: the error is logged and
    shown on that report, the other reports keep working. See ``plugins/report_krsk`` for an example.

    :return: a list of :class:`ReportFormat`.
    """


@hookspec
def nastavnik_partner_organisations() -> list[PartnerOrganisation]:
    """Return partner organisations (enterprises, colleges, НКО) a region supplies as reference data.

    Called once at start-up; same duplicate rule as :func:`nastavnik_mentoring_kinds`.

    :return: a list of :class:`PartnerOrganisation`.
    """


@hookspec
def nastavnik_counters() -> list[Counter]:
    """Return the counters («счётчики») the capability owns: the bricks of indicators and reports.

    Called once at start-up; codes are unique across plugins (same duplicate rule as
    :func:`nastavnik_mentoring_kinds`). Reports compute indicators and the cells of report formats
    from counters only, so a capability or a plugin makes its data reportable by contributing one.

    :return: a list of :class:`Counter`.
    """


@hookspec
def nastavnik_fulfilment_rules() -> list[FulfilmentRule]:
    """Return the ways the capability fulfils roadmap items by itself («формирование базы
    наставников» → the bank, «приказ о закреплении» → orders, «обучение наставников» → a training
    event, «мониторинг» → a campaign, «отчёт» → a report run).

    Called once at start-up; codes are unique across plugins. A roadmap item linked to a rule's
    record is offered as done when the rule's ``check`` says so; the curator confirms.

    :return: a list of :class:`FulfilmentRule`.
    """


# --- Matching ----------------------------------------------------------------------------------


@hookspec
def nastavnik_matching_criteria(kind_code: str) -> list:
    """Return the form's own matching criteria.

    Called when matching (suggestions, settings preview, cohort run) is computed for the form
    ``kind_code``; a plugin returns criteria only for the forms it provides. Weights come from the
    curator's settings by the criterion's ``code`` (1 by default).

    :param kind_code: the code of the form of mentoring being matched.
    :return: a list of :class:`nastavnik.matching.Criterion` objects (``code``, ``title``,
        ``score(mentee, mentor) -> (value 0..1 or NaN, Russian reason)``); an empty list for none.
    """


@hookspec
def nastavnik_pairing_refusals(kind_code: str, mentors: list, mentees: list) -> dict[tuple[int, int], str]:
    """Say which mentor–mentee pairs may not be formed, and why (a rule of law, not a preference).

    Called once per operation by every path that proposes or creates a pair — cohort matching (the
    refused pairs become a hard constraint), suggestions, manual pairing, swapping a mentor in a
    draft and issuing an order — with all the people concerned, so that an implementation can
    answer for a whole cohort in one query. Example: a partner's employee without a valid
    «справка об отсутствии судимости» may not mentor a minor (ст. 351.1 ТК РФ).

    :param kind_code: the form of mentoring of the pair(s).
    :param mentors: the candidate mentors, ``Person`` records.
    :param mentees: the candidate mentees, ``Person`` records.
    :return: ``{(mentor person id, mentee person id): Russian reason}`` for the refused pairs only;
        an empty dict when nothing is refused.
    """


# --- Events ------------------------------------------------------------------------------------


@hookspec
def nastavnik_event_participant_saved(person, is_new: bool) -> None:
    """Called after a participant (a ``Person``) was created or edited and the change committed.

    :param person: the saved ``nastavnik.participants.models.Person``.
    :param is_new: True when the record was just created.
    :return: nothing.
    """


@hookspec
def nastavnik_event_consent_withdrawn(consent) -> None:
    """Called after a consent was withdrawn and the change committed.

    :param consent: the ``nastavnik.consents.models.Consent`` now withdrawn.
    :return: nothing.
    """


# --- Template slots ----------------------------------------------------------------------------


@hookspec
def nastavnik_tpl_nav(user) -> list[tuple[str, str]]:
    """Return navigation links for ``user`` as ``(title, url)`` pairs.

    Called while the base layout renders, for a logged-in user; results of all plugins are joined
    in registration order. Return only links the user may open.

    :param user: the current ``User``.
    :return: a list of ``(title, url)``; an empty list for none.
    """


@hookspec
def nastavnik_tpl_dashboard_cards(user) -> Markup | None:
    """Return HTML of extra cards for the dashboard of ``user``.

    Called while the dashboard renders; the results are joined in registration order.

    :param user: the current ``User``.
    :return: Markup, or None for nothing.
    """


# --- Accounts (issue 7) ---------------------------------------------------------------------------


@hookspec
def nastavnik_tpl_person_sections(person, user) -> Markup | None:
    """Return HTML of extra sections for the page of participant ``person``.

    Called while the person page renders (after consents, before the history), for anyone who may
    see the page; the results are joined in registration order. Show only what ``user`` may see and
    do: the core's accounts capability adds «Учётная запись» for holders of ``accounts.edit``.

    :param person: the ``Person`` shown.
    :param user: the current ``User``.
    :return: Markup (escaped by the implementation, e.g. a rendered template), or None for nothing.
    """


# --- Pairs: documents and labour agreements ---------------------------------------------------


@hookspec
def nastavnik_tpl_pair_sections(user, pair) -> Markup | None:
    """Return HTML of extra sections of a pair's page (after its members).

    Called while ``/pairs/<id>`` renders for a user who may see the pair; the results are joined in
    registration order. The core's mentors' agreements (ст. 351.8 ТК РФ) show there which agreement
    the pair needs, and a partners' plugin may show the partner's side.

    :param user: the current ``User``.
    :param pair: the ``nastavnik.pairs.models.Pair`` shown.
    :return: Markup (escaped by the plugin), or None for nothing.
    """


# --- Programmes --------------------------------------------------------------------------------


@hookspec
def nastavnik_programme_templates(kind_code: str) -> list[ProgrammeTemplate]:
    """Return templates of a personalised programme («персонализированная программа») for a form.

    Called when a programme is created for a pair of the form ``kind_code``; a plugin answers only
    for the forms it provides (an empty list otherwise). The results of all plugins are joined.

    :param kind_code: the code of the pair's form of mentoring.
    :return: a list of :class:`ProgrammeTemplate`; an empty list for none.
    """


# --- Roadmaps ----------------------------------------------------------------------------------


@hookspec
def nastavnik_roadmap_templates() -> list[tuple[str, RoadmapDraft]]:
    """Return roadmap templates («дорожные карты») the plugin provides.

    Called when the list of templates is shown and when a template is adopted for an organisation
    and an academic year; the results of all plugins are joined (the core registers the five seed
    roadmaps through this hook). Codes must be unique; a later duplicate is ignored.

    :return: a list of ``(code, RoadmapDraft)``; an empty list for none.
    """


# --- Partners (plugins/partners) ---------------------------------------------------------------


@hookspec
def nastavnik_mentor_pool_orgs(org_id: int, kind_code: str) -> list[int]:
    """Name organisations outside the school's tree whose mentors join the school's matching pool.

    Called once per operation by the matching service (suggestions, settings preview, every
    computation of a cohort draft and the manual pairing form) for the school whose mentees are
    being matched. Example: the partners plugin answers with the partner organisations that have an
    agreement in force with the school covering the form, so their employees who are in the bank of
    mentors are proposed to that school (and to no other). Mentors still pass every rule and
    refusal (``nastavnik_pairing_refusals``); this hook only widens who is considered.

    :param org_id: the education organisation whose mentees are matched.
    :param kind_code: the form of mentoring being matched.
    :return: a list of organisation ids (the mentors' ``MentorProfile.org_id``); an empty list for none.
    """


# --- Recognition (nastavnik/recognition) -------------------------------------------------------


@hookspec
def nastavnik_tpl_portfolio(person, public: bool) -> Markup | None:
    """Return HTML of extra sections for a mentor's portfolio (``/recognition/portfolio/<id>``).

    Called while the portfolio renders, after the pairs, programmes and feedback and before the
    awards; the results are joined in registration order. The recognition capability imports no
    other capability for this: e.g. monitoring shows the mentor's questionnaire results here.
    When ``public`` is True the page is the version for the school's site (the mentor gave a
    consent to distribution): return only aggregates, never a mentee's name or answers.

    :param person: the mentor, a ``Person``.
    :param public: True for the site version.
    :return: Markup, or None for nothing.
    """


# --- Monitoring --------------------------------------------------------------------------------


@hookspec
def nastavnik_questionnaires(kind_code: str) -> list[QuestionnaireSpec]:
    """Return sample questionnaires («образцы анкет») for the form of mentoring ``kind_code``.

    Called when the list of samples is shown (the questionnaires page, the campaign form) and when a
    school or a municipality takes a sample into use: once with every registered form's code, and
    once with ``""`` for questionnaires that belong to no form (the core answers ``""`` with the
    curator's questionnaire). An implementation answers only for the codes it provides and returns
    an empty list otherwise; the results of all plugins are joined. Codes must be unique; a later
    duplicate is ignored. Using a sample makes an editable, versioned copy in the database, so a
    plugin may change its samples without touching questionnaires already in use.

    Satisfaction questionnaires («уникальная для каждой формы», Приложение 2 к Р-145) come from the
    form's plugin: one for mentors and one for mentees, ``purpose="satisfaction"``.

    :param kind_code: the code of a form of mentoring, or ``""``.
    :return: a list of :class:`nastavnik.monitoring.structs.QuestionnaireSpec`; an empty list for none.
    """


@hookspec
def nastavnik_growth_characteristics(kind_code: str) -> list[GrowthCharacteristic]:
    """Return the characteristics of participants' growth measured for the form ``kind_code``.

    Stage 2 of monitoring (Р-145): each characteristic is recorded for a participant of a pair at
    entry and at the end, and the results show the change and how many improved, stayed the same
    or got worse. Called when a pair's growth page or a growth summary is shown, with the pair's
    form (or the form filtered on); an implementation answers only for the forms it provides. The
    results of all plugins are joined, and a school adds its own characteristics beside them.
    Codes must be unique across plugins, since the records store only the code.

    :param kind_code: the code of a form of mentoring.
    :return: a list of :class:`nastavnik.monitoring.structs.GrowthCharacteristic` (``role`` «mentee»
        or «mentor»); an empty list for none.
    """


# --- Events, training and information support (nastavnik.events) -------------------------------


@hookspec
def nastavnik_event_kinds() -> list[EventKind]:
    """Return the kinds of events («виды мероприятий») the plugin provides.

    Called once at start-up; same duplicate rule as :func:`nastavnik_mentoring_kinds`. The events
    capability itself provides the nine common kinds (обучение наставников, семинар, вебинар,
    круглый стол, конференция, фестиваль / форум, мастер-класс, итоговое мероприятие, информационная
    встреча) through this hook; users add their own kinds in the app (stored, per organisation).
    An event whose kind's plugin is gone shows «плагин не установлен».

    :return: a list of :class:`EventKind`; ``group`` decides which roadmap lines an event of the kind
        fulfils, ``certificates`` whether attendees get numbered certificates and count as trained.
    """


@hookspec
def nastavnik_mentor_notes(org_id: int | None, person_ids: list[int], day) -> dict[int, MentorNote]:
    """Say what to show beside each mentor in the banks and in matching, and whom to keep out of it.

    Called once per page or matching computation with every mentor concerned (an implementation
    answers in a constant number of queries): by the mentor list and card of the banks, by the
    suggestions for a mentee and by the cohort draft. The events capability answers with the
    training status («обучение пройдено 14.10.2025, 16 ч.» or «обучение наставников не пройдено»).

    :param org_id: the organisation whose matching is computed (its settings decide ``exclude``);
        None for lists and cards, where nobody is excluded.
    :param person_ids: the mentors' ``Person`` ids.
    :param day: the date the status is taken on.
    :return: ``{person id: MentorNote}`` for the mentors the plugin has something to say about.
    """
