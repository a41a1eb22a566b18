"""The access policy: every permission is decided here, from role and scope.

Scope is the subtree of the organisation where the user holds a role that grants the permission
(an admin's scope is everything). Mentors and mentees hold no list permission: they see their own
record and, through the ``nastavnik_person_visible_to`` hook, the people of their own pairs.

Every view is declared with :func:`rule` or :func:`public`; a view declared with neither is refused
(default deny), so a route added without thinking about access cannot leak.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, has_app_context, has_request_context, request
from flask_login import current_user

from nastavnik.orgs.services import Scope

ALL = "*"
# One line per capability, so that capabilities added side by side do not touch each other's lines.
_VIEW = {
    "participants.view", "consents.view", "orgs.view", "audit.view",
    "banks.view", "pairs.view", "roadmaps.view",
    "monitoring.view",
    "reports.view",
    "events.view",
    "recognition.view",
}
_MANAGE = _VIEW | {
    "participants.edit", "consents.edit", "participants.export", "accounts.edit",
    "banks.edit", "banks.export", "pairs.edit", "matching.run", "agreements.edit",
    "roadmaps.edit",
    "monitoring.edit",
    "reports.run",
    "events.edit",
    "recognition.edit",
    "orgs.requisites",
}

PERMISSIONS: dict[str, set[str]] = {
    "admin": {ALL},
    # A municipal coordinator reads the schools below, runs the municipal roadmap, municipal campaigns
    # and events, and reviews the reports its schools submit.
    "municipal": _VIEW | {
        "participants.export", "banks.export",
        "roadmaps.edit",
        "monitoring.edit",
        "reports.run", "reports.review", "reports.indicators",
        "events.edit",
        "recognition.edit",
        "banks.vocabulary",
    },
    "director": _MANAGE,
    "curator": _MANAGE,
    "observer": _VIEW - {"audit.view"},
    "mentor": set(),
    "mentee": set(),
}
# Only these grant administration of the installation (plugins, users, organisations).
ADMIN_ONLY = {"admin.plugins", "admin.users", "orgs.edit"}


def granted_permissions(role: str) -> set[str]:
    """The core's table joined with what plugins add for ``role`` (``nastavnik_permissions``)."""
    granted = PERMISSIONS.get(role, set())
    if has_app_context():
        from nastavnik.plugins.manager import plugin_state

        extra = plugin_state().permissions.get(role)
        if extra:
            granted = granted | extra
    return granted


def grants(role: str, permission: str) -> bool:
    granted = granted_permissions(role)
    return ALL in granted or (permission in granted and permission not in ADMIN_ONLY)


def scope(user, permission: str) -> Scope:
    """The organisations where ``user`` has ``permission`` (see :class:`Scope`); cached per request."""
    if not getattr(user, "is_authenticated", False):
        return Scope()
    cache = g.setdefault("access_scopes", {}) if has_request_context() else {}
    key = (user.id, permission)
    if key not in cache:
        if any(r.role == "admin" for r in user.roles):
            cache[key] = Scope(everything=True)
        else:
            cache[key] = Scope(r.org_id for r in user.roles if grants(r.role, permission))
    return cache[key]


def can(user, permission: str, org_id: int | None = None) -> bool:
    found = scope(user, permission)
    return bool(found) if org_id is None else org_id in found


def require(permission: str, org_id: int | None = None) -> None:
    """403 when the user lacks the permission anywhere; 404 for a record outside their scope,
    so guessing ids does not even reveal that another school's record exists."""
    if not can(current_user, permission):
        abort(403)
    if org_id is not None and not can(current_user, permission, org_id):
        abort(404)


def get_or_404(model, object_id: int, permission: str):
    """Load a record that carries ``org_id``; 404 when it is missing or outside the user's scope."""
    from nastavnik.extensions import db
    from nastavnik.web.converters import MAX_ID

    if not isinstance(object_id, int) or not 0 < object_id <= MAX_ID:  # past the column: a 500 in the database
        abort(404)
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    require(permission, obj.org_id)
    return obj


def can_view_person(user, person) -> bool:
    if can(user, "participants.view", person.org_id):
        return True
    if user.person_id is not None and user.person_id == person.id:
        return True
    from nastavnik.plugins.manager import hook

    return any(hook().nastavnik_person_visible_to(user=user, person=person))


def require_person(person, permission: str = "participants.view") -> None:
    if permission == "participants.view":
        if not can_view_person(current_user, person):
            abort(404)
    else:
        require(permission, person.org_id)


def rule(*permissions: str):
    """Declare a view's permission: login is required and the user must hold the permission(s)
    somewhere; object-level scope is checked inside the view with :func:`require`."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not all(can(current_user, p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = permissions or ("login",)
        return wrapper

    return decorate


def login_only(view):
    """Any logged-in user (their own dashboard, their own record)."""
    return rule()(view)


def public(view):
    """No login needed (the login page, static files)."""
    view.access = ("public",)
    return view


def enforce_declared() -> None:
    """before_request: refuse any endpoint that declares no access rule."""
    if request.endpoint is None:
        return
    if request.endpoint == "static" or request.endpoint.endswith(".static"):
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "access", None) is None:
        current_app.logger.error("Маршрут %s без правила доступа — отказано", request.endpoint)
        abort(403)
