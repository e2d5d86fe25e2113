package open311

import "github.com/jiedao/jiedao/casework"

// Open311 has two statuses, open and closed; FixMyStreet's extension adds
// finer ones, which jiedao shows in servicerequestupdates and, for
// requests, in extended_attributes.status. Each casework.Status maps to
// one as follows (the table is also in doc.go):
//
//	reported    上报       OPEN                         open
//	accepted    受理/立案  INVESTIGATING                open
//	returned    退回       INVESTIGATING                open   back at the command center, to be dispatched again
//	dispatched  派遣       ACTION_SCHEDULED             open
//	signed      签收       ACTION_SCHEDULED             open   the unit has taken it on
//	handling    处置       IN_PROGRESS                  open
//	handled     反馈       IN_PROGRESS                  open   the unit says done; not yet verified
//	rework      返工       IN_PROGRESS                  open
//	verified    核查通过   FIXED                        open   verified fixed on the spot; only the formal close remains
//	closed      结案       FIXED                        closed when it was verified before closing
//	                       CLOSED                       closed when closed without verification (from escalated: the district dealt with it)
//	escalated   上报上级   INTERNAL_REFERRAL            open   passed to the district
//	hung        挂账       UNABLE_TO_FIX                open   booked as unsolvable for now, clock stopped
//	rejected    不予受理   NOT_COUNCILS_RESPONSIBILITY  closed
//	voided      作废       NO_FURTHER_ACTION            closed shown only to the client that sent it
//	merged      合并       DUPLICATE                    closed
//
// The open/closed column is casework.Status.Open, so that Open311 and the
// rest of jiedao agree on which cases are still open.

// Extended statuses (FixMyStreet's names).
const (
	StatusOpen             = "OPEN"
	StatusInvestigating    = "INVESTIGATING"
	StatusActionScheduled  = "ACTION_SCHEDULED"
	StatusInProgress       = "IN_PROGRESS"
	StatusFixed            = "FIXED"
	StatusClosed           = "CLOSED"
	StatusInternalReferral = "INTERNAL_REFERRAL"
	StatusUnableToFix      = "UNABLE_TO_FIX"
	StatusNotResponsible   = "NOT_COUNCILS_RESPONSIBILITY"
	StatusNoFurtherAction  = "NO_FURTHER_ACTION"
	StatusDuplicate        = "DUPLICATE"
)

// ExtendedStatuses lists the extended statuses jiedao uses.
func ExtendedStatuses() []string {
	return []string{StatusOpen, StatusInvestigating, StatusActionScheduled, StatusInProgress, StatusFixed, StatusClosed,
		StatusInternalReferral, StatusUnableToFix, StatusNotResponsible, StatusNoFurtherAction, StatusDuplicate}
}

// Extended maps a case status to the extended status. verified says, for
// a closed case, whether it was verified before it was closed.
func Extended(s casework.Status, verified bool) string {
	switch s {
	case casework.StatusReported:
		return StatusOpen
	case casework.StatusAccepted, casework.StatusReturned:
		return StatusInvestigating
	case casework.StatusDispatched, casework.StatusSigned:
		return StatusActionScheduled
	case casework.StatusHandling, casework.StatusHandled, casework.StatusRework:
		return StatusInProgress
	case casework.StatusVerified:
		return StatusFixed
	case casework.StatusClosed:
		if verified {
			return StatusFixed
		}
		return StatusClosed
	case casework.StatusEscalated:
		return StatusInternalReferral
	case casework.StatusHung:
		return StatusUnableToFix
	case casework.StatusRejected:
		return StatusNotResponsible
	case casework.StatusVoided:
		return StatusNoFurtherAction
	case casework.StatusMerged:
		return StatusDuplicate
	}
	return StatusOpen
}

// caseExtended is the extended status of a case now. A closed case keeps
// VerifiedAt only when it was verified in its last round (rework and
// reopening clear it).
func caseExtended(c *casework.Case) string {
	return Extended(c.Status, c.VerifiedAt != nil)
}

// basic is the spec's status: open or closed.
func basic(s casework.Status) string {
	if s.Open() {
		return "open"
	}
	return "closed"
}
