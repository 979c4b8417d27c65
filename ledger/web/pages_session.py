"""Sign-in for the pages: a token in a server-signed session, CSRF and CSP.

- The secret that signs sessions and CSRF tokens is ``$LEDGER_SECRET_KEY``, or
  the app's ``SECRET_KEY`` if set, or 32 random bytes made when the app starts
  (then every restart signs everyone out; ``ledger serve`` is one process, so
  its threads share it). docs/operations.md says when to set it.
- The session cookie is HttpOnly, SameSite=Strict, and Secure when the request
  came over https (or always, with ``LEDGER_SECURE_COOKIES=1``, for a
  server behind a proxy that terminates TLS).
- The token is checked again on every request, so a revoked token signs out.
- Every POST of the pages carries a CSRF token (Flask-WTF's ``validate_csrf``);
  the JSON API, which takes bearer tokens and no cookies, is not affected.
- Every text a page prints has its control and bidi characters made
  visible (``shown``), then is escaped by Jinja.
- Every page answers with a Content-Security-Policy that allows no inline script.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask, abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from markupsafe import Markup
from wtforms.validators import ValidationError

from ledger.application.accounts import Principal
from ledger.domain.accounts import allows
from ledger.domain.text import visible

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure exactly when the request is https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or bool(app.config.get("SESSION_COOKIE_SECURE"))


def configure(app: Flask) -> None:
    """Give the app a secret, the session's cookie flags and CSRF settings."""
    secret = os.environ.get("LEDGER_SECRET_KEY") or app.config.get("SECRET_KEY")
    app.config.update(
        SECRET_KEY=secret or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        # Behind a proxy that terminates TLS the request looks like http: say so.
        SESSION_COOKIE_SECURE=os.environ.get("LEDGER_SECURE_COOKIES") == "1",
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="ledger_session",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = SessionCookies()
    app.jinja_env.finalize = shown


def shown(value: Any) -> Any:
    """What a template prints: text with controls and bidi characters made
    visible (``\\x1b``, ``\\u202e``), as the command line shows them; Jinja
    then escapes it. Markup (already escaped by a template) is left alone."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value, paragraph=True)
    return value


def principal() -> Principal | None:
    """The signed-in account of this request (None: nobody, or a revoked token)."""
    if "principal" in g:
        return g.principal
    token = session.get("token")
    found = None
    if token:
        found = current_app.extensions["ledger.accounts"].authenticate(token)
        if found is None:
            session.clear()
    g.principal = found
    return found


def sign_in(token: str) -> Principal | None:
    """Start a session for the token's account; None if the token is not valid."""
    found = current_app.extensions["ledger.accounts"].authenticate(token.strip())
    if found is not None:
        session.clear()
        session["token"] = token.strip()
        g.principal = found
    return found


def may(role: str) -> bool:
    """Whether the signed-in account has ``role`` (or above)."""
    who = principal()
    return who is not None and allows(who.role, role)


def require(role: str) -> Principal:
    """The signed-in account, which must have ``role``: else 403."""
    who = principal()
    if who is None or not allows(who.role, role):
        abort(403, f"this needs the {role} role")
    return who


def check_csrf() -> None:
    """Refuse (400) a POST whose form has no valid CSRF token."""
    if request.method != "POST":
        return
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as error:
        raise CSRFError(str(error)) from None


def secure_headers(response: Any) -> Any:
    """The pages' security headers."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def template_globals() -> dict[str, Any]:
    """What every page template may use."""
    return {"csrf_token": generate_csrf, "me": principal, "may": may}
