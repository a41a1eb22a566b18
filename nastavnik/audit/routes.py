from flask import request
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.audit import bp
from nastavnik.audit.models import AuditEntry
from nastavnik.audit.services import entry_context
from nastavnik.extensions import db
from nastavnik.web.htmx import render_page_or_partial

PAGE = 50


@bp.route("/")
@access.rule("audit.view")
def index():
    org_ids = access.scope(current_user, "audit.view")
    page = max(request.args.get("page", 1, type=int), 1)
    query = select(AuditEntry)
    if not access.can(current_user, "admin.users"):  # entries without an organisation are the admin's
        query = query.where(AuditEntry.org_id.in_(org_ids))
    entries = db.session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(PAGE + 1).offset((page - 1) * PAGE)
    ).all()
    return render_page_or_partial(
        "audit/index.html",
        "audit/_entries.html",
        entries=entries[:PAGE],
        page=page,
        more=len(entries) > PAGE,
        **entry_context(entries[:PAGE]),
    )
