"""The outbox of notices: what was sent to whom and when, what failed and why."""

from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from jobs.notices import dispatch_notices
from models import Notice, clock
from models.accounts import OFFICE, OFFICE_AND_UNITS
from models.notices import NOTICE_STATES, send_again
from views.secure import SecureModelView

STATE_BADGES = {
    "sent": "success",
    "failed": "danger",
    "unknown": "warning",
    "retry": "info",
    "sending": "primary",
    "queued": "secondary",
}


def _state_badge(view, context, model, name):
    badge = STATE_BADGES.get(model.state, "secondary")
    return Markup('<span class="badge badge-{}">{}</span>').format(
        badge, NOTICE_STATES.label(model.state)
    )


class NoticeView(SecureModelView):
    """Every notice sent or waiting to be sent; the office may send one again."""

    read_roles = OFFICE_AND_UNITS
    write_roles = frozenset()
    delete_roles = frozenset()
    send_roles = OFFICE
    column_list = [
        "created_at",
        "kind",
        "unit",
        "recipient_name",
        "recipient_email",
        "subject",
        "state",
        "attempts",
        "sent_at",
    ]
    column_details_list = [
        "kind",
        "unit",
        "assignment",
        "recipient_name",
        "recipient_email",
        "subject",
        "body",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "message_id",
    ]
    # The dedupe key ("criticism:4:staff:76") and the job's id are the machinery's codes:
    # searched by, not read. The Message-ID is named in the reader's words.
    column_labels = {"message_id": _l("Mail identifier")}
    column_filters = ["kind", "state", "unit", "created_at", "sent_at"]
    column_searchable_list = ["subject", "recipient_name", "recipient_email", "dedupe_key"]
    column_default_sort = ("created_at", True)
    column_formatters = {"state": _state_badge}

    def is_action_allowed(self, name):
        if name == "send_again":
            return self._role() in self.send_roles
        return super().is_action_allowed(name)

    @action(
        "send_again",
        _l("Send again"),
        _l("Send the selected notices again? The same message goes to the same recipient."),
    )
    def action_send_again(self, ids):
        """Queue the chosen notices (those this person may see) to be sent once more."""
        wanted = [int(i) for i in ids]  # ids the database holds (SecureModelView.init_actions)
        visible = [
            row.id
            for row in self.get_query().filter(Notice.id.in_(wanted)).with_entities(Notice.id)
        ]
        again = send_again(visible, clock.now())
        if not again:
            flash(_("None of the selected notices can be sent again now."), "warning")
            return
        result = dispatch_notices(again)
        flash(_("%(count)s notices will be sent again.", count=len(again)), "success")
        if result["queue_down"]:
            flash(
                _(
                    "The job queue is unreachable: they wait in the outbox and go out when it is back."
                ),
                "warning",
            )
