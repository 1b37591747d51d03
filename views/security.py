"""HTTP hardening: security headers, a Content-Security-Policy the pages work under."""

import base64
import hashlib
import os
import secrets

import sqlalchemy as sa
from babel.support import Translations
from flask import g
from werkzeug.middleware.proxy_fix import ProxyFix

# Flask-Admin's own templates carry a few inline handlers (row delete confirm, filter
# links, batch actions, "add" under inline forms). Each is allowed by its hash, so no
# other inline script can run.
INLINE_HANDLERS = ["javascript:void(0)", "return false;"]
CONFIRMS = ["Are you sure you want to delete this record?"]
LOCALES = ("en", "zh_Hans_CN")


def csp_nonce():
    """One nonce per response, for the <script> tags Flask-Admin renders."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _sha256(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def admin_handlers(admin):
    """The batch-action and inline-form handlers of every view of this admin."""
    handlers = []
    for view in admin._views:
        for name, _text in getattr(view, "_actions", None) or []:
            handlers.append(f"return modelActions.execute('{name}');")
        for inline in getattr(view, "inline_models", None) or []:
            for rel in sa.inspect(view.model).relationships:
                if rel.mapper.class_ is getattr(inline, "model", inline):
                    handlers.append(f"faForm.addInlineField(this, '{rel.key}');")
    return handlers


def handler_hashes(translations_dir, admin):
    """Hashes of every inline handler Flask-Admin renders, in every language we speak."""
    handlers = list(INLINE_HANDLERS) + admin_handlers(admin)
    for locale in LOCALES:
        catalogue = Translations.load(translations_dir, [locale], domain="admin")
        for message in CONFIRMS:
            handlers.append(f"return faHelpers.safeConfirm('{catalogue.gettext(message)}');")
    return " ".join(sorted({_sha256(h) for h in handlers}))


def init_security(app):
    """Headers on every response; trust a reverse proxy's forwarded headers if told to."""
    proxies = int(app.config.get("PROXY_COUNT", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    hashes = []

    @app.after_request
    def add_headers(response):
        if not hashes:  # the admin and its views exist once the app is built
            admin = app.extensions["admin"][0]
            hashes.append(handler_hashes(os.path.join(app.root_path, "translations"), admin))
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{csp_nonce()}' 'unsafe-hashes' {hashes[0]}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
