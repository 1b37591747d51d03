"""Flask extensions, created unbound and attached to each app in create_app."""

from functools import cached_property

import flask_babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect


class RequestDomain(flask_babel.Domain):
    """Flask-Babel's message domain, with a request's catalogue found once.

    Flask-Babel finds the request's locale and catalogue again for every string it
    translates, and a list page translates about a hundred. The catalogue is kept on the
    request's Babel context with the locale it was found for, so a string translated inside
    force_locale() (which sets another locale) still gets the catalogue of that locale.
    """

    def get_translations(self):
        context = flask_babel._get_current_context()
        if context is None:
            return super().get_translations()
        kept = getattr(context, "ducha_translations", None)
        if kept is not None and kept[0] is getattr(context, "babel_locale", None):
            return kept[1]
        translations = super().get_translations()  # finds (and sets) babel_locale
        context.ducha_translations = (context.babel_locale, translations)
        return translations


class Babel(flask_babel.Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
