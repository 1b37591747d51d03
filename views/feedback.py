"""Progress reports and result reports, with their files; downloads for those who may see."""

import logging

import sqlalchemy as sa
import wtforms
from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import MultipleFileField

from models import DUTIES, Assignment, Attachment, Directive, Feedback, Staff, Unit, bounds
from models.accounts import EVERYONE, OFFICE_AND_UNITS
from models.feedback import (
    filing_problem,
    max_attachment_bytes,
    possible_signers,
    read_upload,
    remove_files,
    signer_problem,
    signer_rule,
    signers_for,
    store_attachment,
)
from views.base.access import scoped
from views.bounds import arg_id
from views.secure import SecureModelView

log = logging.getLogger(__name__)


def upload_too_large(error):
    """An upload beyond MAX_CONTENT_LENGTH: back to the form with a message, not an error page."""
    limit = bounds.megabytes(current_app.config["MAX_CONTENT_LENGTH"])
    flash(_("The upload is larger than %(mb)s MB in all: nothing was saved.", mb=limit), "error")
    return redirect(request.url)


class UploadField(MultipleFileField):
    """Files to attach: read by the view, never set on the model by the form."""

    def populate_obj(self, obj, name):
        pass


class FileField(wtforms.FileField):
    """One file to attach: read by the view, never set on the model by the form."""

    def populate_obj(self, obj, name):
        pass


def file_link(attachment):
    """A link that downloads the file (through the one download, which checks who may
    read it), with its size; nothing without a file."""
    if attachment is None:
        return ""
    return Markup('<a class="ducha-file" href="{}">{}</a> ({} KB)').format(
        url_for("feedback.download", attachment_id=attachment.id),
        attachment.original_name,
        f"{attachment.size / 1024:.1f}",
    )


def _attachment_links(view, context, model, name):
    links = [
        f'<a href="{escape(view.get_url(".download", attachment_id=a.id))}">'
        f"{escape(a.original_name)}</a> ({a.size / 1024:.1f} KB)"
        for a in model.attachments
    ]
    return Markup("<br>".join(links))


def signer_label(staff):
    """ "王五（主要领导）": the name with the duty, as the signer dropdown shows it."""
    return _("%(name)s (%(duty)s)", name=staff.name, duty=DUTIES.label(staff.duty))


class SignerField(QuerySelectField):
    """The leaders who may sign, set per form by the view (`query`).

    A posted id that is not offered is refused by FeedbackView.form_problems with the
    rule it breaks (the base forms' generic "not a valid choice" takes only the plain
    QuerySelectField).
    """

    def not_offered(self):
        """The posted value, when it is something and not one of the choices."""
        posted = self._formdata
        return posted if self.data is None and posted not in (None, "") else None


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
    form_overrides = {"signer": SignerField}
    form_args = {"signer": {"get_label": signer_label, "allow_blank": True, "blank_text": "—"}}
    form_ajax_refs = {
        "assignment": {
            "fields": (Directive.number, Directive.title, Unit.name),
            "joins": (Assignment.directive, Assignment.unit),
            "placeholder": _l("Directive number, title or unit"),
            "minimum_input_length": 0,
        },
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
            mb=bounds.megabytes(max_attachment_bytes()),
        )
        if request.method == "GET":
            self._prefill(form)
        self._offer_signers(form, form.assignment.data)
        return form

    def _offer_signers(self, form, assignment):
        """Only those who may sign the assignment's result, or say there is no one."""
        field = form.signer
        if assignment is not None:
            field.query = scoped(Staff, signers_for(assignment))
            field.description = signer_rule(assignment.directive.leader_level)
            if form.kind.data == "result" and not field.query.count():
                field.description = self._nobody_signs(assignment)
        elif current_user.is_unit_officer:
            field.query = possible_signers(current_user.unit_id)
            field.description = _l("The unit's principal leader or leader in charge.")
        else:
            field.query = Staff.query.filter(sa.false())
            field.description = _l(
                "Open this form from the assignment's page to choose among those who may sign."
            )

    @staticmethod
    def _nobody_signs(assignment):
        message = _(
            "%(unit)s has no active leader who may sign this result. %(rule)s "
            "Add the leader under Staff, then open this form again.",
            unit=assignment.unit.name,
            rule=signer_rule(assignment.directive.leader_level),
        )
        link = url_for("staff.create_view")
        return Markup(
            f'<span class="text-danger ducha-no-signer">{escape(message)}</span> '
            f'<a href="{escape(link)}">{escape(_("Add a leader"))}</a>'
        )

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
        refused = self._refused_signer(form, assignment)
        if refused:
            problems.append((form.signer, refused))
        elif assignment is not None:
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

    @staticmethod
    def _refused_signer(form, assignment):
        """Why a posted signer who was not offered may not sign (a forged form), or None."""
        posted = form.signer.not_offered()
        if posted is None:
            return None
        pk = bounds.record_id(posted)
        staff = None
        if pk is not None:
            staff = scoped(Staff, Staff.query).filter(Staff.id == pk).one_or_none()
        if staff is not None and assignment is not None:
            problem = signer_problem(assignment, staff)
            if problem:
                return problem
        return _l("Not a valid choice.")

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
