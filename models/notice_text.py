"""The text of notices: the office's templates in templates/notices/, rendered as subject
and body, and the domain of their Message-IDs."""

import os
from email.utils import parseaddr

import jinja2
from flask import current_app

SUBJECT_MAX = 200


def message_id_domain():
    """The sender's domain: Message-IDs are made without asking DNS for this host's name."""
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "localhost"


def cn_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def notice_templates():
    """The Jinja environment of templates/notices/: plain text, strict, re-read when edited.

    Its own environment, not Flask's: none of the web's globals, which makes rendering a
    few hundred thousand notices twice as fast.
    """
    app = current_app._get_current_object()
    env = app.extensions.get("ducha_notice_templates")
    if env is None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(os.path.join(app.root_path, app.template_folder)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            auto_reload=True,
        )
        env.filters["cn_date"] = cn_date
        app.extensions["ducha_notice_templates"] = env
    return env


def render_notice(template, context):
    """(subject, body) of a notice: its template's first line and the rest."""
    text = template.render(**context).strip()
    subject, _newline, body = text.partition("\n")
    subject = subject.strip()
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    return subject, body.strip() + "\n"
