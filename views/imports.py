"""Importing the office's spreadsheets: templates, upload, preview row by row, import."""

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from redis.exceptions import RedisError
from wtforms import SelectField

from jobs.imports import Progress, start_check, start_import
from models import bounds, clock, db
from models.accounts import OFFICE
from models.imports import (
    IMPORT_KINDS,
    ROW_ACTIONS,
    RUN_STATES,
    TEMPLATE_NAMES,
    ImportRow,
    ImportRun,
    claim_for_import,
    max_bytes,
    size_problem,
    start_run,
    template_cells,
    template_header,
    template_notes,
)
from views.base.access import scoped
from views.base.export import export_response, query_rows
from views.bounds import arg_number
from views.forms import Form
from views.secure import SecureView

PAGE_ROWS = 100
FORMATS = ("xlsx", "csv")
ACTION_CSS = {"create": "success", "update": "info", "unchanged": "light", "refused": "danger"}


class UploadForm(Form):
    kind = SelectField(_l("What"), choices=IMPORT_KINDS.pairs())
    file = FileField(_l("File"))


class ImportView(SecureView):
    """The office brings its spreadsheets in: check first, then import all or nothing."""

    read_roles = OFFICE

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = UploadForm()
        if form.validate_on_submit():
            run = self._upload(form)
            if run is not None:
                return redirect(url_for(".run_view", run_id=run.id))
        return self.render(
            "admin/imports/index.html",
            form=form,
            kinds=IMPORT_KINDS,
            notes={kind: template_notes(kind) for kind in IMPORT_KINDS},
            runs=self._runs().order_by(ImportRun.id.desc()).limit(20).all(),
            states=RUN_STATES,
            max_mb=bounds.megabytes(max_bytes()),
            local=clock.local,
        )

    def _upload(self, form):
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            flash(_("Choose the file to import."), "error")
            return None
        content = upload.stream.read(max_bytes() + 1)
        problem = size_problem(len(content))
        if problem:
            flash(str(problem), "error")
            return None
        run = start_run(form.kind.data, upload.filename, content, current_user)
        db.session.commit()
        if not self._start(start_check, run.id):
            return None
        return run

    @staticmethod
    def _start(start, *args):
        try:
            start(*args)
        except RedisError:
            ImportRun.query.filter_by(id=args[0]).update(
                {"state": "failed", "error": _("The job queue is unreachable: try again later.")}
            )
            db.session.commit()
            flash(_("The job queue is unreachable: try again later."), "error")
            return False
        return True

    def _runs(self):
        return scoped(ImportRun, ImportRun.query)

    def _run(self, run_id):
        run = self._runs().filter(ImportRun.id == run_id).one_or_none()
        if run is None:
            abort(404)
        return run

    @expose("/run/<int:run_id>/")
    def run_view(self, run_id):
        """A run: its progress while a job works, then the preview or the result."""
        run = self._run(run_id)
        show = request.args.get("show") or ("refused" if run.refused else "all")
        page = arg_number("page", 1, low=1, high=bounds.INT_MAX // PAGE_ROWS)
        rows = ImportRow.query.filter_by(run_id=run.id)
        if show in ROW_ACTIONS:
            rows = rows.filter_by(action=show)
        rows = rows.order_by(ImportRow.row, ImportRow.id)
        return self.render(
            "admin/imports/run.html",
            run=run,
            progress=Progress(run.id, "").read() if run.busy else None,
            rows=rows.offset((page - 1) * PAGE_ROWS).limit(PAGE_ROWS + 1).all(),
            page=page,
            page_rows=PAGE_ROWS,
            show=show,
            actions=ROW_ACTIONS,
            action_css=ACTION_CSS,
            kinds=IMPORT_KINDS,
            states=RUN_STATES,
            local=clock.local,
        )

    @expose("/run/<int:run_id>/status/")
    def status(self, run_id):
        """The run's state and progress, for a script that polls."""
        run = self._run(run_id)
        return jsonify(
            {
                "state": run.state,
                "progress": Progress(run.id, "").read() if run.busy else None,
                "rows": run.rows,
                "created": run.created,
                "updated": run.updated,
                "unchanged": run.unchanged,
                "refused": run.refused,
                "error": run.error,
            }
        )

    @expose("/run/<int:run_id>/commit/", methods=("POST",))
    def commit(self, run_id):
        """Import a checked file; only once, and only with no row refused."""
        run = self._run(run_id)
        if not claim_for_import(run.id):
            db.session.rollback()
            flash(_("This file cannot be imported now: see its preview."), "error")
            return redirect(url_for(".run_view", run_id=run.id))
        db.session.commit()
        if self._start(start_import, run.id, current_user.id):
            flash(_("The import has started."), "success")
        return redirect(url_for(".run_view", run_id=run.id))

    @expose("/run/<int:run_id>/rows/<fmt>/")
    def rows_export(self, run_id, fmt):
        """Every row's outcome as a spreadsheet, to correct the file by."""
        run = self._run(run_id)
        if fmt not in FORMATS:
            abort(404)
        query = (
            db.session.query(ImportRow.row, ImportRow.action, ImportRow.key, ImportRow.detail)
            .filter(ImportRow.run_id == run.id)
            .order_by(ImportRow.row, ImportRow.id)
        )
        header = [_("Row"), _("Result"), _("Record"), _("Detail")]
        rows = query_rows(
            query, lambda r: [r.row, str(ROW_ACTIONS.label(r.action)), r.key, r.detail]
        )
        name = f"{run.filename.rsplit('.', 1)[0]}-{_('Check results')}"
        return export_response(fmt, name, header, rows)

    @expose("/template/<kind>/<fmt>/")
    def template(self, kind, fmt):
        """The template to fill in; with ?filled=1, filled with the records there are."""
        if kind not in IMPORT_KINDS or fmt not in FORMATS:
            abort(404)
        name = TEMPLATE_NAMES[kind]
        rows = []
        if request.args.get("filled"):
            name += _("(current records)")
            rows = template_cells(kind)
        return export_response(fmt, name, template_header(kind), rows)
