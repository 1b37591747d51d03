"""Progress reports and result reports, with their files; downloads for those who may see."""

import logging

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, send_file
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import MultipleFileField

from models import Assignment, Attachment, Directive, Feedback, Unit
from models.accounts import EVERYONE, OFFICE_AND_UNITS
from models.feedback import (
    filing_problem,
    max_attachment_bytes,
    read_upload,
    remove_files,
    store_attachment,
)
from views.bounds import arg_id
from views.secure import SecureModelView

log = logging.getLogger(__name__)


def upload_too_large(error):
    """An upload beyond MAX_CONTENT_LENGTH: back to the form with a message, not an error page."""
    limit = round(current_app.config["MAX_CONTENT_LENGTH"] / 1024 / 1024, 1)
    flash(_("The upload is larger than %(mb)s MB in all: nothing was saved.", mb=limit), "error")
    return redirect(request.url)


class UploadField(MultipleFileField):
    """Files to attach: read by the view, never set on the model by the form."""

    def populate_obj(self, obj, name):
        pass


def _attachment_links(view, context, model, name):
    links = [
        f'<a href="{escape(view.get_url(".download", attachment_id=a.id))}">'
        f"{escape(a.original_name)}</a> ({a.size / 1024:.1f} KB)"
        for a in model.attachments
    ]
    return Markup("<br>".join(links))


class FeedbackView(SecureModelView):
    """A unit files progress and its result on its own assignments; the office reads them."""

    read_roles = EVERYONE
    write_roles = OFFICE_AND_UNITS
    delete_roles = frozenset()
    column_list = ["submitted_at", "assignment", "kind", "author_name", "signer"]
    column_filters = ["kind", "submitted_at"]
    column_default_sort = ("submitted_at", True)
    column_details_list = [
        "assignment",
        "kind",
        "submitted_at",
        "author_name",
        "signer",
        "signer_duty",
        "text",
        "attachments",
    ]
    column_formatters = {"attachments": _attachment_links}
    column_export_list = ["submitted_at", "assignment", "kind", "author_name", "signer", "text"]
    form_columns = ["assignment", "kind", "text", "signer", "files"]
    form_extra_fields = {"files": UploadField(_l("Attachments"))}
    form_widget_args = {"text": {"rows": 10}}
    form_args = {
        "signer": {
            "description": _l(
                "Needed for a result: the unit's principal leader for a central or "
                "provincial directive, otherwise the leader in charge."
            )
        }
    }
    form_ajax_refs = {
        "assignment": {
            "fields": (Directive.number, Directive.title, Unit.name),
            "joins": (Assignment.directive, Assignment.unit),
            "placeholder": _l("Directive number, title or unit"),
            "minimum_input_length": 0,
        },
        "signer": {"fields": ("name",), "minimum_input_length": 0},
    }

    @property
    def can_edit(self):
        return False  # a report filed is a record: a correction is a new report

    def get_query(self):
        # The assignment column shows "number → unit": load both with the page.
        assignment = sa.orm.joinedload(Feedback.assignment)
        return (
            super()
            .get_query()
            .options(
                assignment.joinedload(Assignment.directive),
                assignment.joinedload(Assignment.unit),
            )
        )

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.files.description = _(
            "PDF, OFD, Word, WPS, Excel, JPEG, PNG or text; at most %(mb)s MB each.",
            mb=round(max_attachment_bytes() / 1024 / 1024, 1),
        )
        if request.method == "GET":
            self._prefill(form)
        return form

    def _prefill(self, form):
        """`?assignment=<id>&kind=result` from an assignment's page."""
        if request.args.get("kind") in ("progress", "result"):
            form.kind.data = request.args["kind"]
        wanted = arg_id("assignment")
        if wanted:
            form.assignment.data = Assignment.query.filter(
                Assignment.id == wanted, Assignment.visible_to(current_user)
            ).one_or_none()

    def form_problems(self, form):
        problems = []
        assignment = form.assignment.data
        if assignment is not None:
            problem = filing_problem(assignment, form.kind.data, form.signer.data, current_user)
            if problem:
                problems.append((getattr(form, problem[0]), problem[1]))
        form._uploads = []
        for upload in form.files.data or []:
            if not getattr(upload, "filename", None):
                continue
            try:
                form._uploads.append(read_upload(upload))
            except ValueError as error:
                problems.append((form.files, error.args[0]))
        return problems

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.file(current_user)
        for name, content in getattr(form, "_uploads", []):
            form._written.append(store_attachment(model, name, content))

    def create_model(self, form):
        form._written = []
        created = super().create_model(form)
        if not created:
            remove_files(form._written)  # nothing half-saved: no file without its record
        return created

    @expose("/attachment/<int:attachment_id>/")
    def download(self, attachment_id):
        """Send a file under its original name, to those who may see its report."""
        attachment = Attachment.query.filter(
            Attachment.id == attachment_id, Attachment.visible_to(current_user)
        ).one_or_none()
        if attachment is None:
            abort(404)
        if not attachment.path.is_file():
            log.error("attachment %s is missing its file %s", attachment.id, attachment.path)
            abort(404)
        response = send_file(
            attachment.path,
            mimetype=attachment.content_type,
            as_attachment=True,
            download_name=attachment.original_name,
            max_age=0,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
