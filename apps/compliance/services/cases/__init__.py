"""Case work: opening from alerts, the status workflow, queues and assignment, notes and evidence.

Every function here is a service: it checks who is acting, changes state with a conditional UPDATE
(a forbidden or concurrent transition changes nothing and raises ConflictError), appends one audit
entry, and tells the live case page on commit.
"""

from apps.compliance.services.cases.notes import case_add_evidence, case_add_note
from apps.compliance.services.cases.opening import case_attach_alerts, case_open
from apps.compliance.services.cases.queue import case_assign, case_escalate_overdue
from apps.compliance.services.cases.workflow import (
    case_approve,
    case_close_no_filing,
    case_reject_approval,
    case_reopen,
    case_request_approval,
    case_start_investigation,
)

__all__ = [
    "case_add_evidence",
    "case_add_note",
    "case_approve",
    "case_assign",
    "case_attach_alerts",
    "case_close_no_filing",
    "case_escalate_overdue",
    "case_open",
    "case_reject_approval",
    "case_reopen",
    "case_request_approval",
    "case_start_investigation",
]
