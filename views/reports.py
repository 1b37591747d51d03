"""Information reports, their answers and adoptions, and the scoring table."""

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField, validators

from models import Adoption, Instruction, Publication, Report, bounds, clock, db
from models.accounts import ADMINS, EVERYONE, OFFICE, OFFICE_AND_LEADERS, OFFICE_AND_UNITS
from models.feedback import (
    REPORT_FILE_TYPES,
    max_attachment_bytes,
    read_upload,
    remove_files,
    store_report_file,
)
from models.reports import REPORT_STATUSES, adopt, answer_reports
from models.scoring import RULE_KEYS, instruction_problem
from views.base.access import scoped
from views.base.forms import inline_form
from views.feedback import FileField, file_link
from views.fields import DateField, IntegerField
from views.forms import Form
from views.report_answers import BUTTONS, AnswerForm, AnswerRowAction, form_errors
from views.secure import SecureModelView


class AdoptForm(Form):
    publication = SelectField(_l("Publication"), coerce=int)
    issue_no = IntegerField(
        _l("Issue number"), [validators.InputRequired(), validators.NumberRange(min=1)]
    )
    adopted_on = DateField(_l("Adopted on"), [validators.InputRequired()], default=clock.today)


class ReportView(SecureModelView):
    """Reports: units submit their own; the office answers and records adoptions."""

    read_roles = EVERYONE
    write_roles = OFFICE_AND_UNITS
    row_delete = False  # a million rows: delete by ticking them (the batch action)
    details_template = "admin/reports_details.html"  # with the office's quick answers
    list_defer = ("body",)
    unit_field = "unit"
    # A unit officer writes the report; the office alone answers and scores it.
    office_only_fields = (
        "submitted_at",
        "status",
        "answer_comment",
        "adoptions",
        "instructions",
    )
    column_list = [
        "title",
        "unit",
        "category",
        "author",
        "submitted_at",
        "status",
        "answer_comment",
    ]
    column_searchable_list = ["title"]
    column_filters = ["unit", "category", "status", "late", "submitted_at"]
    column_sortable_list = ["title", ("unit", "unit.name"), "category", "submitted_at", "status"]
    column_default_sort = ("submitted_at", True)
    column_details_list = [
        "title",
        "unit",
        "category",
        "author",
        "submitted_at",
        "event_at",
        "late",
        "solicitation",
        "status",
        "answer_comment",
        "answered_by",
        "answered_at",
        "body",
        "attachment",
        "adoptions",
        "instructions",
    ]
    form_columns = [
        "title",
        "unit",
        "category",
        "author",
        "submitted_at",
        "event_at",
        "solicitation",
        "body",
        "file",
        "status",
        "answer_comment",
        "adoptions",
        "instructions",
    ]
    # 撰稿人 is the person who wrote the report (awards are paid per author), not the
    # account that sends it: a unit's account is named for the unit ("清河县信息员") and no
    # account is tied to a person (Staff), so the field starts empty and must be filled.
    form_widget_args = {
        "body": {"rows": 12},
        "answer_comment": {"rows": 3},
        "author": {"placeholder": _l("Name of the person who wrote it")},
    }
    column_descriptions = {
        "event_at": _l("Emergency reports: when the event happened."),
        "answer_comment": _l("Required when the report is returned."),
    }
    column_formatters_detail = {
        "body": lambda v, c, report, n: Markup('<div class="ducha-text">{}</div>').format(
            report.body or ""
        ),
        "attachment": lambda v, c, report, n: file_link(report.attachment),
    }
    form_extra_fields = {"file": FileField(_l("Report file"))}
    inline_models = [
        inline_form(Adoption, ["publication", "issue_no", "adopted_on"], _l("Adoption")),
        inline_form(
            Instruction,
            ["leader_name", "leader_level", "instructed_on"],
            _l("Leader's instruction"),
        ),
    ]

    def create_form(self, obj=None):
        return self._describe_file(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._describe_file(super().edit_form(obj))

    @staticmethod
    def _describe_file(form):
        form.file.description = _(
            "The report's Word, WPS or PDF file, at most %(mb)s MB; a new one replaces the old.",
            mb=bounds.megabytes(max_attachment_bytes()),
        )
        return form

    def get_list_row_actions(self):
        actions = super().get_list_row_actions()
        if self._role() in OFFICE:
            actions.append(AnswerRowAction(self))
        return actions

    def row_allows(self, model, action):
        # A unit officer may change a report until the office has answered it,
        # and send a returned one again.
        if self._role() == "unit":
            return action == "edit" and model.status in ("received", "returned")
        return True

    def form_problems(self, form):
        problems = []
        report = form._obj
        form._upload = None
        if getattr(form.file.data, "filename", None):
            try:
                form._upload = read_upload(form.file.data, REPORT_FILE_TYPES)
            except ValueError as error:
                problems.append((form.file, error.args[0]))
        if form.category.data == "emergency":
            problems += self._emergency_problems(form)
        if "status" in form:
            problems += self._answer_problems(form, report)
        if "adoptions" in form:
            problems += self._adoption_problems(form)
        if "instructions" in form:
            status = form.status.data if "status" in form else None
            problems += self._instruction_problems(form, status)
        return problems

    def _emergency_problems(self, form):
        event_at = form.event_at.data
        if event_at is None:
            return [(form.event_at, _l("An emergency report needs the time of the event."))]
        reported_at = form.submitted_at.data if "submitted_at" in form else None
        if event_at > (reported_at or clock.now()):
            return [(form.event_at, _l("The event cannot come after the report."))]
        return []

    def _answer_problems(self, form, report):
        adopting = any(not _deleted(e) for e in form.adoptions.entries)
        draft = Report(status=report.status if report else "received")
        problem = draft.answer_problem(form.status.data, form.answer_comment.data, adopting)
        return [(form.status, problem)] if problem else []

    def _adoption_problems(self, form):
        problems, seen = [], set()
        for entry in form.adoptions.entries:
            sub = entry.form
            if _deleted(entry) or sub.publication.data is None:
                continue
            if sub.adopted_on.data and sub.adopted_on.data > clock.today():
                problems.append((sub.adopted_on, _l("The adoption date is in the future.")))
            if sub.publication.data.id in seen:
                problems.append((sub.publication, _l("Already adopted by this publication.")))
            seen.add(sub.publication.data.id)
        return problems

    def _instruction_problems(self, form, status):
        problems = []
        for entry in form.instructions.entries:
            if _deleted(entry):
                continue
            sub = entry.form
            problem = instruction_problem(status or "adopted", sub.instructed_on.data)
            if problem:
                problems.append((sub.instructed_on, problem))
        return problems

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if getattr(form, "_upload", None):
            store_report_file(model, *form._upload)
            form._written.append(model.attachment)
        if current_user.is_unit_officer:
            if is_created:
                model.submitted_at = clock.now()
            model.resubmit()
        if is_created:
            model.submitted_by_id = current_user.id
        if model.adoptions and model.status != "adopted":
            model.status = "adopted"
        if sa.inspect(model).attrs.status.history.has_changes() and model.status != "received":
            model.answered_by_id = current_user.id
            model.answered_at = clock.now()

    def create_model(self, form):
        return self._keeping_files(form, super().create_model)

    def update_model(self, form, model):
        return self._keeping_files(form, lambda f: super(ReportView, self).update_model(f, model))

    @staticmethod
    def _keeping_files(form, save):
        """Save; a file written for a report that was not saved is removed again. (The
        file a saved one replaced goes with its row, once committed: models/feedback.py.)"""
        form._written = []
        saved = save(form)
        if not saved:
            remove_files(form._written)
        return saved

    # ---- batch answers and fast adoption ----
    @action("adopt", _l("Adopt in a publication..."))
    def action_adopt(self, ids):
        return redirect(url_for(".adopt_view", ids=",".join(map(str, ids))))

    @action("editing", _l("Answer: being edited"))
    def action_editing(self, ids):
        self._answer_many(ids, "editing")

    @action("not_adopted", _l("Answer: not adopted"))
    def action_not_adopted(self, ids):
        self._answer_many(ids, "not_adopted")

    def is_action_allowed(self, name):
        if name in ("adopt", "editing", "not_adopted"):
            return self._role() in OFFICE
        return super().is_action_allowed(name)

    def _selected(self, ids):
        """The selected reports the person may see, re-checked server-side."""
        wanted = set(map(bounds.record_id, ids))
        if None in wanted:  # not an id at all: choose again
            wanted = set()
        query = self.get_query().filter(Report.id.in_(wanted)).order_by(Report.id)
        # the adoption's checks read each report's adoptions, its page each report's unit
        query = query.options(sa.orm.selectinload(Report.adoptions), sa.orm.joinedload(Report.unit))
        return query.all(), wanted

    def _answer_many(self, ids, status):
        reports, wanted = self._selected(ids)
        answered, problems = answer_reports(reports, status, current_user._get_current_object())
        refused = [(r.title, problems[r.id]) for r in reports if r.id in problems]  # before commit
        db.session.commit()
        _flash_answers(status, len(answered), refused, missing=len(wanted) - len(reports))

    # ---- one report's quick answer (its page, its list row) ----
    def answer_desk(self, report):
        """What the report's page offers the person: the quick answers and whether it may be
        adopted, or None (not the office)."""
        if self._role() not in OFFICE:
            return None
        answers = {status: BUTTONS[status] for status in report.quick_answers()}
        return {"answers": answers, "adopt": report.adoption_warning() is None}

    @expose("/answer/", methods=("POST",))
    def answer_view(self):
        """Give a report one of the office's quick answers; a refusal shows on its page."""
        report = self.get_one(request.args.get("id"))
        if self._role() not in OFFICE:
            abort(403)
        form = AnswerForm(request.form)
        errors = form_errors(form) if not form.validate() else []
        if not errors:
            status, by = form.status.data, current_user._get_current_object()
            _answered, problems = answer_reports([report], status, by, form.comment.data)
            errors = [str(p) for p in problems.values()]
        if errors:
            db.session.rollback()
            return self._details_page(report, form, errors)
        db.session.commit()
        flash(_("Answered: %(answer)s.", answer=REPORT_STATUSES.label(status)), "success")
        return redirect(get_redirect_target() or self.get_url(".details_view", id=report.id))

    def _details_page(self, report, form, errors):
        return self.render(
            self.details_template,
            model=report,
            details_columns=self._details_columns,
            get_value=self.get_detail_value,
            return_url=self.get_url(".index_view"),
            answer_form=form,
            answer_errors=errors,
        )

    @expose("/adopt/", methods=("GET", "POST"))
    def adopt_view(self):
        """Adopt the selected reports in one publication, issue and date: those that can be
        adopted are, in one transaction; the rest stay on the page with the reason."""
        if self._role() not in OFFICE:
            return redirect(url_for(".index_view"))
        ids = (request.values.get("ids") or "").split(",")
        reports, wanted = self._selected(ids)
        if not reports or len(reports) != len(wanted):
            flash(_("Choose the reports to adopt in the list first."), "error")
            return redirect(url_for(".index_view"))
        form = AdoptForm()
        publications = scoped(Publication, Publication.query).filter_by(active=True)
        form.publication.choices = [(p.id, p.name) for p in publications.order_by(Publication.id)]
        warnings = {r.id: w for r in reports if (w := r.adoption_warning())}
        problems = warnings
        if form.validate_on_submit():
            publication = db.session.get(Publication, form.publication.data)
            adopted, problems = adopt(
                reports, publication, form.issue_no.data, form.adopted_on.data
            )
            if not adopted:
                db.session.rollback()
                flash(_("Nothing was adopted: see the reasons below."), "error")
            else:
                reports = [r for r in reports if r.id in problems]  # read before commit
                db.session.commit()
                self._flash_adopted(adopted, problems, publication)
                if not problems:
                    return redirect(url_for(".index_view"))
        warned = sum(r.id in warnings for r in reports)
        return self.render(
            "admin/reports_adopt.html",
            form=form,
            reports=reports,
            problems=problems,
            warned=warned,  # refused whatever is chosen; the others can be adopted
            adoptable=len(reports) - warned,
            ids=",".join(str(r.id) for r in reports),
        )

    @staticmethod
    def _flash_adopted(adopted, problems, publication):
        if not problems:
            message = _(
                "%(count)s reports adopted in %(publication)s.",
                count=len(adopted),
                publication=publication.name,
            )
            return flash(message, "success")
        message = _(
            "%(count)s reports adopted in %(publication)s; %(left)s not adopted: see the "
            "reasons below.",
            count=len(adopted),
            publication=publication.name,
            left=len(problems),
        )
        return flash(message, "warning")


def _flash_answers(status, answered, refused, missing):
    """Say how many reports the batch answered, which it did not and why, and how many of
    the chosen were not found (another unit's, or deleted meanwhile)."""
    label = REPORT_STATUSES.label(status)
    flash(
        _("%(count)s reports answered: %(answer)s.", count=answered, answer=label),
        "success" if answered else "warning",
    )
    for problem, titles in _by_problem(refused).items():
        message = _(
            "%(count)s not answered: %(problem)s %(titles)s",
            count=len(titles),
            problem=problem,
            titles=_listed(titles),
        )
        flash(message, "warning")
    if missing:
        flash(_("%(count)s of the chosen reports were not found.", count=missing), "warning")


def _by_problem(refused):
    """{problem: [titles]} of the (title, problem) pairs, in their order."""
    grouped = {}
    for title, problem in refused:
        grouped.setdefault(str(problem), []).append(title)
    return grouped


def _listed(titles, most=5):
    """The first few titles, quoted, and an ellipsis for the rest."""
    shown = _(", ").join(f"“{t}”" for t in titles[:most])
    return shown + ("…" if len(titles) > most else "")


def _deleted(entry):
    """Whether an inline row was ticked for deletion (Flask-Admin's own flag)."""
    return getattr(entry, "_should_delete", False)


class PublicationView(SecureModelView):
    """Publications and their points per adopted item: the office's scoring table."""

    read_roles = OFFICE_AND_LEADERS
    write_roles = ADMINS
    delete_roles = ADMINS
    column_list = ["name", "level", "edition", "points", "active"]
    column_filters = ["level", "edition", "active"]
    column_searchable_list = ["name"]
    column_default_sort = "name"
    form_columns = ["name", "level", "edition", "points", "active"]
    form_args = {"points": {"validators": [validators.NumberRange(min=0, max=1000)]}}
    column_descriptions = {
        "points": _l(
            "Points a report earns when adopted. Changing them applies to later adoptions only."
        ),
    }


class ScoreRuleView(SecureModelView):
    """The rest of the scoring table: bonuses, category factors, deductions, limits and
    the ranking rules."""

    read_roles = OFFICE_AND_LEADERS
    write_roles = ADMINS
    delete_roles = ADMINS
    column_list = ["kind", "key", "value", "valid_from"]
    column_filters = ["kind", "valid_from"]
    column_default_sort = [("kind", False), ("key", False), ("valid_from", True)]
    form_columns = ["kind", "key", "value", "valid_from"]
    form_choices = {
        # Lazy labels, translated when the form is drawn.
        "key": sorted({k: v for keys in RULE_KEYS.values() for k, v in keys.pairs()}.items())
    }
    form_args = {
        "value": {"validators": [validators.NumberRange(min=0, max=10000)]},
        "valid_from": {"default": clock.today},
    }
    column_formatters = {"key": lambda v, c, m, n: m.key_label}
    column_descriptions = {
        "value": _l(
            "Bonus and deduction points; factors in percent (200 counts double); "
            "limits as counts; ranking rules as their names say. A change of points "
            "applies to later records only; a ranking rule to every ranking shown from now."
        ),
        "valid_from": _l(
            "The value holds from this day until a later line of the same rule: a new rate "
            "is a new line. A deduction is scored at the rate of the day it happened on."
        ),
    }

    def form_problems(self, form):
        from models.scoring import ScoreRule

        kind, key = form.kind.data, form.key.data
        problems = []
        if problem := ScoreRule.key_problem(kind, key):
            problems.append((form.key, problem))
        if problem := ScoreRule.value_problem(kind, key, form.value.data):
            problems.append((form.value, problem))
        same = ScoreRule.query.filter_by(kind=kind, key=key, valid_from=form.valid_from.data)
        if form._obj is not None:
            same = same.filter(ScoreRule.id != form._obj.id)
        if form.valid_from.data and same.first() is not None:
            problems.append((form.valid_from, _l("This rule already has a line from that day.")))
        return problems
