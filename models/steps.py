"""What may happen to an assignment: its statuses, the steps between them, who may take
each step and in which statuses (one table, read by the rules and by the screens)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from models.base import Choices, RuleError

ASSIGNMENT_STATUSES = Choices(
    assigned=_l("Assigned"),
    acknowledged=_l("Acknowledged"),
    objected=_l("Objection raised"),
    in_progress=_l("In progress"),
    submitted=_l("Result submitted"),
    accepted=_l("Accepted"),
    returned=_l("Returned to redo"),
    cancelled=_l("Cancelled"),
)
OPEN_STATUSES = ("assigned", "acknowledged", "objected", "in_progress", "submitted", "returned")
# The unit's move: the deadline runs. A submitted result waits on the office instead.
WAITING_ON_UNIT = ("assigned", "acknowledged", "objected", "in_progress", "returned")
WORKING = ("acknowledged", "in_progress", "returned")
DONE_STATUSES = ("accepted",)
# The office's move: a result to accept or return, an objection to decide. A pending
# extension request is the office's move too, in whatever working status it was asked.
OFFICE_DECIDES = ("submitted", "objected")
CLOSED_STATUSES = ("accepted", "cancelled")

TRANSITIONS = frozenset(
    {
        ("assigned", "acknowledged"),
        ("assigned", "objected"),
        ("acknowledged", "objected"),
        ("objected", "acknowledged"),
        ("acknowledged", "in_progress"),
        ("returned", "in_progress"),
        ("acknowledged", "submitted"),
        ("in_progress", "submitted"),
        ("submitted", "accepted"),
        ("submitted", "returned"),
    }
    | {(status, "cancelled") for status in OPEN_STATUSES}
)

ACTIONS = Choices(
    assign=_l("Assigned"),
    acknowledge=_l("Acknowledged (signed for)"),
    object=_l("Objection raised"),
    uphold_objection=_l("Objection upheld"),
    reject_objection=_l("Objection rejected"),
    progress=_l("Progress reported"),
    resume=_l("Work resumed"),
    submit_result=_l("Result submitted"),
    accept=_l("Result accepted"),
    return_result=_l("Returned to redo"),
    request_extension=_l("Extension requested"),
    grant_extension=_l("Extension granted"),
    refuse_extension=_l("Extension refused"),
    change_due_date=_l("Due date changed"),
    cancel=_l("Cancelled"),
    chase=_l("Chased by the office"),
)
# The unit's move with nothing waiting on the office: the office may chase it now (催办).
CHASEABLE = ("assigned", "acknowledged", "in_progress", "returned")


@dataclass(frozen=True)
class Step:
    """A step of the assignment's life: the statuses it is taken in, whether the
    assignment's own unit may take it (the office may take every step), and the status it
    leads to when that is always the same (None: it stays, or depends on the decision)."""

    statuses: tuple
    by_unit: bool = False
    leads_to: str | None = None


STEPS = {
    "acknowledge": Step(("assigned",), by_unit=True, leads_to="acknowledged"),
    "object": Step(("assigned", "acknowledged"), by_unit=True, leads_to="objected"),
    "decide_objection": Step(("objected",)),
    "progress": Step(WORKING, by_unit=True, leads_to="in_progress"),
    "submit_result": Step(WORKING, by_unit=True, leads_to="submitted"),
    "accept": Step(("submitted",), leads_to="accepted"),
    "return_result": Step(("submitted",), leads_to="returned"),
    "request_extension": Step(WORKING, by_unit=True),
    "decide_extension": Step(OPEN_STATUSES),
    "change_due_date": Step(OPEN_STATUSES),
    "cancel": Step(OPEN_STATUSES, leads_to="cancelled"),
    "chase": Step(CHASEABLE),
}

OBJECTION_SUBJECTS = Choices(
    assignment=_l("The assignment: not our unit's work"),
    deadline=_l("The deadline"),
)
OBJECTION_STATES = Choices(
    pending=_l("Waiting for a decision"),
    upheld=_l("Upheld"),
    rejected=_l("Rejected"),
    lapsed=_l("Lapsed"),
)
EXTENSION_STATES = Choices(
    requested=_l("Requested"),
    granted=_l("Granted"),
    refused=_l("Refused"),
    lapsed=_l("Lapsed"),
)


class IllegalTransition(RuleError):
    pass


def office_decides(status, extension_pending):
    """Whether the next move on an open assignment is the office's (a result, objection or
    extension request waiting for its decision): no unit is chased meanwhile."""
    return status in OFFICE_DECIDES or (extension_pending and status in OPEN_STATUSES)
