"""Routes of information support: news with photos and «sent to the site / social networks» marks;
the school's page for its site — documents, preview and the .zip export."""

from __future__ import annotations

import io

from flask import abort, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nastavnik import access
from nastavnik.events import bp, site
from nastavnik.events.forms import NewsForm, PhotoForm, PostForm, SiteDocumentForm
from nastavnik.events.models import (
    DOCUMENT_KINDS,
    POST_CHANNELS,
    Event,
    NewsItem,
    NewsPost,
    Photo,
    PhotoTag,
    SiteDocument,
)
from nastavnik.events.routes import CONTENT_TYPES, _version, read_photo
from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation
from nastavnik.participants.models import Person
from nastavnik.periods import ru_date
from nastavnik.roadmaps.services import EvidenceError, check_upload
from nastavnik.timeutil import today, utcnow
from nastavnik.versioning import Conflict, check_version, commit_or_conflict
from nastavnik.web.htmx import redirect_to
from nastavnik.web.words import plural

NEWS_CONFLICT = "Новость изменил другой пользователь, пока вы её редактировали. Ниже — текущие данные; внесите изменение ещё раз."


def _orgs(permission: str) -> list[Organisation]:
    """Schools (and municipal bodies) where the user keeps news and a site page."""
    ids = access.scope(current_user, permission)
    if not ids:
        return []
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(ids), ~Organisation.archived,
               Organisation.kind.in_((*EDUCATION_KINDS, "authority", "methodical")))
        .order_by(Organisation.kind != "authority", Organisation.name)
    ).all()


def _news_or_404(news_id: int, permission: str = "events.view") -> NewsItem:
    news = db.session.get(NewsItem, news_id)
    if news is None:
        abort(404)
    access.require(permission, news.org_id)
    return news


# -- news -------------------------------------------------------------------------------------------


@bp.route("/news")
@access.rule("events.view")
def news_index():
    ids = access.scope(current_user, "events.view")
    items = db.session.scalars(
        select(NewsItem).where(NewsItem.org_id.in_(ids))
        .options(selectinload(NewsItem.posts), selectinload(NewsItem.photos))
        .order_by(NewsItem.published_on.desc(), NewsItem.id.desc()).limit(200)
    ).all()
    return render_template("events/news_index.html", items=items, can_edit=access.can(current_user, "events.edit"))


def _prepare(form: NewsForm, news: NewsItem | None) -> int | None:
    orgs = _orgs("events.edit")
    form.org_id.choices = [(o.id, o.title) for o in orgs]
    org_id = news.org_id if news else (form.org_id.data if form.org_id.data in {o.id for o in orgs} else (orgs[0].id if orgs else None))
    if news is not None:
        form.org_id.choices = [(news.org_id, news.org.title)]
        form.org_id.data = news.org_id
    events = db.session.scalars(
        select(Event).where(Event.org_id == org_id).order_by(Event.starts_at.desc()).limit(100)
    ).all() if org_id else []
    form.event_id.choices = [("", "— не о мероприятии —")] + [(e.id, f"{e.title}, {ru_date(e.day)}") for e in events]
    photos = db.session.scalars(
        select(Photo).where(Photo.org_id == org_id).order_by(Photo.id.desc()).limit(200)
    ).all() if org_id else []
    form.photos.choices = [(p.id, p.caption or p.filename) for p in photos]
    return org_id


def _apply(form: NewsForm, news: NewsItem) -> None:
    news.title, news.text, news.published_on = form.title.data, form.text.data, form.published_on.data
    allowed = {value for value, _ in form.event_id.choices if value != ""}
    news.event_id = form.event_id.data if form.event_id.data in allowed else None
    news.on_site = bool(form.on_site.data)
    chosen = set(form.photos.data or []) & {value for value, _ in form.photos.choices}
    news.photos = list(db.session.scalars(select(Photo).where(Photo.id.in_(chosen)))) if chosen else []


@bp.route("/news/new", methods=["GET", "POST"])
@access.rule("events.edit")
def news_create():
    form = NewsForm()
    if request.method == "GET":
        form.on_site.data = True
        form.published_on.data = today()
        event_id = request.args.get("event", type=int)
        event = db.session.get(Event, event_id) if event_id else None
        if event is not None and access.can(current_user, "events.edit", event.org_id):
            form.org_id.data, form.title.data = event.org_id, event.title
            form.event_id.data = event.id
            form.text.data = event.report
    org_id = _prepare(form, None)
    if org_id is None:
        abort(403)
    refresh = bool(request.form.get("refresh"))
    if not refresh and form.validate_on_submit():
        access.require("events.edit", org_id)
        news = NewsItem(org_id=org_id, created_by_id=current_user.id)
        _apply(form, news)
        db.session.add(news)
        db.session.commit()
        flash("Новость сохранена. Когда разместите её на сайте или в соцсетях, отметьте это со ссылкой.", "success")
        return redirect_to(url_for("events.news_detail", news_id=news.id))
    return render_template("events/news_form.html", form=form, news=None, conflict=""), \
        422 if form.is_submitted() and not refresh else 200


@bp.route("/news/<int:news_id>/edit", methods=["GET", "POST"])
@access.rule("events.edit")
def news_edit(news_id):
    news = _news_or_404(news_id, "events.edit")
    form = NewsForm(obj=news) if request.method == "GET" else NewsForm()
    if request.method == "GET":
        form.photos.data = [p.id for p in news.photos]
        form.version.data = news.version
    _prepare(form, news)
    if form.validate_on_submit():
        try:
            check_version(news, _version(form.version.data))
            _apply(form, news)
            commit_or_conflict()
        except Conflict:
            db.session.rollback()
            db.session.refresh(news)
            form = NewsForm(obj=news, formdata=None)
            form.photos.data, form.version.data = [p.id for p in news.photos], news.version
            _prepare(form, news)
            return render_template("events/news_form.html", form=form, news=news, conflict=NEWS_CONFLICT), 409
        flash("Новость сохранена.", "success")
        return redirect_to(url_for("events.news_detail", news_id=news.id))
    return render_template("events/news_form.html", form=form, news=news, conflict=""), \
        422 if form.is_submitted() else 200


@bp.route("/news/<int:news_id>")
@access.rule("events.view")
def news_detail(news_id):
    news = _news_or_404(news_id)
    post_form = PostForm(formdata=None)
    post_form.posted_on.data = today()
    consented = site.consented_ids({t.person_id for p in news.photos for t in p.tags}, today())
    return render_template(
        "events/news_detail.html", news=news, post_form=post_form,
        photos=[(p, site.photo_problems(p, consented)) for p in news.photos],
        photo_form=_news_photo_form(news.org_id, None),
        can_edit=access.can(current_user, "events.edit", news.org_id),
    )


@bp.route("/news/<int:news_id>/posts", methods=["POST"])
@access.rule("events.edit")
def news_post(news_id):
    news = _news_or_404(news_id, "events.edit")
    form = PostForm()
    if form.validate_on_submit():
        db.session.add(NewsPost(news=news, channel=form.channel.data, url=form.url.data,
                                posted_on=form.posted_on.data, created_by_id=current_user.id))
        db.session.commit()
        flash(f"Отмечено: новость размещена ({POST_CHANNELS[form.channel.data]}).", "success")
        return redirect_to(url_for("events.news_detail", news_id=news.id))
    consented = site.consented_ids({t.person_id for p in news.photos for t in p.tags}, today())
    return render_template(
        "events/news_detail.html", news=news, post_form=form,
        photos=[(p, site.photo_problems(p, consented)) for p in news.photos],
        photo_form=_news_photo_form(news.org_id, None), can_edit=True,
    ), 422


@bp.route("/posts/<int:post_id>/delete", methods=["POST"])
@access.rule("events.edit")
def news_post_delete(post_id):
    post = db.session.get(NewsPost, post_id)
    if post is None:
        abort(404)
    news = _news_or_404(post.news_id, "events.edit")
    db.session.delete(post)
    db.session.commit()
    flash("Отметка о размещении удалена.", "success")
    return redirect_to(url_for("events.news_detail", news_id=news.id))


def _tag_people(org_id: int) -> list[tuple[str, str]]:
    people = db.session.scalars(
        select(Person).where(Person.org_id == org_id, Person.archived_at.is_(None), Person.anonymised_at.is_(None),
                             Person.kind.in_(("staff", "student")))
        .order_by(Person.last_name, Person.first_name).limit(500)
    ).all()
    return [(f"p{p.id}", f"{p.full_name}{', ' + p.class_name if p.class_name else ''}") for p in people]


def _news_photo_form(org_id: int, formdata):
    form = PhotoForm(formdata=formdata) if formdata is None else PhotoForm()
    form.tags.choices = _tag_people(org_id)
    return form


@bp.route("/news/<int:news_id>/photos", methods=["POST"])
@access.rule("events.edit")
def news_photo(news_id):
    """A photo uploaded straight to a news item (people of the school tagged on it)."""
    news = _news_or_404(news_id, "events.edit")
    form = _news_photo_form(news.org_id, True)
    try:
        filename, data, content_type = read_photo()
    except EvidenceError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("events.news_detail", news_id=news.id) + "#photos")
    allowed = {value for value, _ in form.tags.choices}
    photo = Photo(
        org_id=news.org_id, event_id=news.event_id, caption=(form.caption.data or "")[:500],
        filename=filename, content=data, size=len(data), content_type=content_type,
        people_confirmed=bool(form.people_confirmed.data), uploaded_by_id=current_user.id,
        tags=[PhotoTag(person_id=int(v[1:])) for v in request.form.getlist("tags") if v in allowed],
    )
    news.photos.append(photo)
    db.session.commit()
    flash("Фотография добавлена к новости.", "success")
    return redirect_to(url_for("events.news_detail", news_id=news.id) + "#photos")


# -- the school's page for its site -----------------------------------------------------------------


@bp.route("/site")
@access.rule("events.view")
def site_index():
    orgs = _orgs("events.view")
    if len(orgs) == 1:
        return redirect_to(url_for("events.site_page", org_id=orgs[0].id))
    return render_template("events/site_index.html", orgs=orgs)


def _site_org(org_id: int, permission: str = "events.view") -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    access.require(permission, org.id)
    return org


@bp.route("/site/<int:org_id>")
@access.rule("events.view")
def site_page(org_id):
    org = _site_org(org_id)
    day = today()
    page = site.build(org, day)
    documents = db.session.scalars(
        select(SiteDocument).where(SiteDocument.org_id == org.id).order_by(SiteDocument.doc_kind, SiteDocument.id)
    ).all()
    return render_template(
        "events/site.html", org=org, page=page, documents=documents, form=SiteDocumentForm(formdata=None),
        can_edit=access.can(current_user, "events.edit", org.id), kinds=DOCUMENT_KINDS, day=day,
        withdrawn=site.withdrawn_since_export(org, day), exported_at=site.settings_of(org.id).site_exported_at,
    )


@bp.route("/site/<int:org_id>/documents", methods=["POST"])
@access.rule("events.edit")
def site_document_add(org_id):
    org = _site_org(org_id, "events.edit")
    form = SiteDocumentForm()
    upload = request.files.get("file")
    if not form.validate_on_submit():
        flash("Документ не добавлен: " + "; ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect_to(url_for("events.site_page", org_id=org.id) + "#documents")
    try:
        if upload is None or not upload.filename:
            raise EvidenceError("Выберите файл документа.")
        data = upload.read()
        extension = check_upload(upload.filename, data)
    except EvidenceError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("events.site_page", org_id=org.id) + "#documents")
    db.session.add(SiteDocument(
        org_id=org.id, doc_kind=form.doc_kind.data, title=form.title.data, number=form.number.data,
        dated=form.dated.data, filename=upload.filename[-255:], content=data, size=len(data),
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"), public=bool(form.public.data),
        uploaded_by_id=current_user.id,
    ))
    db.session.commit()
    flash(f"Документ «{form.title.data}» добавлен{' и будет опубликован' if form.public.data else ''}.", "success")
    return redirect_to(url_for("events.site_page", org_id=org.id) + "#documents")


def _document_or_404(document_id: int, permission: str) -> SiteDocument:
    document = db.session.get(SiteDocument, document_id)
    if document is None:
        abort(404)
    access.require(permission, document.org_id)
    return document


@bp.route("/site/documents/<int:document_id>", methods=["GET", "POST"])
@access.rule("events.view")
def site_document(document_id):
    if request.method == "GET":
        document = _document_or_404(document_id, "events.view")
        return send_file(io.BytesIO(document.content or b""), as_attachment=True, download_name=document.filename,
                         mimetype=document.content_type or "application/octet-stream")
    document = _document_or_404(document_id, "events.edit")
    if request.form.get("delete") == "1":
        db.session.delete(document)
        flash(f"Документ «{document.title}» удалён.", "success")
    else:
        document.public = request.form.get("public") == "1"
        flash(f"«{document.title}»: {'публикуется' if document.public else 'не публикуется'} на странице для сайта.", "success")
    db.session.commit()
    return redirect_to(url_for("events.site_page", org_id=document.org_id) + "#documents")


@bp.route("/site/<int:org_id>/page/<path:path>")
@access.rule("events.view")
def site_preview(org_id, path):
    """The exported files one by one, as the school's site will serve them (same relative links)."""
    org = _site_org(org_id)
    found = site.read(site.build(org, today()), path)
    if found is None:
        abort(404)
    data, content_type = found
    return send_file(io.BytesIO(data), mimetype=content_type, download_name=path.rsplit("/", 1)[-1])


@bp.route("/site/<int:org_id>.zip")
@access.rule("events.view")
def site_zip(org_id):
    org = _site_org(org_id)
    page = site.build(org, today())
    if page.withheld_photos:
        flash(f"Не выгружено: {plural(page.withheld_photos, 'фотография', 'фотографии', 'фотографий')} без согласий всех людей на них.", "info")
    data = site.to_zip(page)
    site.mark_exported(org, utcnow(), today())
    return send_file(io.BytesIO(data), as_attachment=True, mimetype="application/zip",
                     download_name=f"nastavnichestvo_{org.id}_{today():%Y%m%d}.zip")
