"""All HTMX conventions of the app live here, so the library (htmx-flask) can be swapped.

- One URL serves the full page or its fragment, depending on ``HX-Request``; pages include the
  same partials. Responses vary on ``HX-Request``.
- Invalid forms answer 422 and conflicts 409; the base layout configures htmx to swap both, so the
  same template shows the errors with JavaScript on or off.
"""

from __future__ import annotations

import json

from flask import make_response, redirect, render_template, request


def is_htmx() -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


def render_page_or_partial(page_template: str, partial_template: str, status: int = 200, **context):
    template = partial_template if is_htmx() else page_template
    response = make_response(render_template(template, **context), status)
    response.headers["Vary"] = "HX-Request"
    return response


def render_partial(partial_template: str, status: int = 200, **context):
    response = make_response(render_template(partial_template, **context), status)
    response.headers["Vary"] = "HX-Request"
    return response


def hx_trigger(response, event: str, detail=None):
    """Tell the page that something changed, e.g. to refresh a counter elsewhere."""
    response.headers["HX-Trigger"] = json.dumps({event: detail}) if detail is not None else event
    return response


def redirect_to(url: str):
    """After a successful POST: a 303 for plain forms, ``HX-Redirect`` for htmx ones."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
