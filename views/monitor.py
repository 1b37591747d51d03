"""Monitoring for administrators: the job queue, the cron scheduler, the last scan, the outbox."""

from flask import current_app
from flask_admin import expose

from jobs import queue_status
from models import clock
from models.notices import NOTICE_STATES, last_scan, outbox_counts
from views.secure import SecureView


class MonitorView(SecureView):
    """Is the machinery of notices working? Queue length, failed jobs, last scan, outbox."""

    @expose("/")
    def index(self):
        return self.render(
            "admin/monitor.html",
            queue=queue_status(),
            outbox=outbox_counts(),
            states=NOTICE_STATES,
            last_scan=last_scan(),
            scan_at=current_app.config["NOTICE_SCAN_AT"],
            local=clock.local,
        )
