package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// batchResult is the outcome of a batch step on one case.
type batchResult struct {
	ID     int64
	Number string
	OK     bool
	Msg    string
}

// maxBatch is the most cases one batch step takes: a page of the table.
const maxBatch = 200

// CaseBatch takes one step on the cases ticked in the case table:
// dispatch (to the unit chosen, or each case's routing suggestion; a case
// still waiting for acceptance is accepted first, as 一键派单 does) or
// supervise (督办, with the reason). Each case goes through the service on
// its own, so one refused case does not stop the others; the table comes
// back with a line per case saying what happened.
func (h *Handler) CaseBatch(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, maxForm) {
		return
	}
	f := r.PostForm
	p := h.newPage(w, r, "案件|Case")
	// back is the table's address (its filters, sort and page) to show
	// again under the results.
	back := url.Values{}
	if u, err := url.Parse(localPath(f.Get("back"), "/cases")); err == nil && u.Path == "/cases" {
		back = u.Query()
	}
	action := casework.Action(f.Get("action"))
	var unitID int64
	if v := f.Get("unit_id"); v != "" {
		unitID, _ = strconv.ParseInt(v, 10, 64)
	}
	reason := strings.TrimSpace(f.Get("reason"))
	var ids []int64
	for _, v := range f["id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	var err error
	switch {
	case len(ids) == 0:
		err = jiedao.Invalid("id", "请先勾选案件", "tick the cases first")
	case len(ids) > maxBatch:
		err = jiedao.Invalid("id", "一次最多处理 "+strconv.Itoa(maxBatch)+" 件", "at most "+strconv.Itoa(maxBatch)+" cases at once")
	case action != casework.ActDispatch && action != casework.ActSupervise:
		err = jiedao.Invalid("action", "请选择批量操作", "choose a batch step")
	case action == casework.ActSupervise && reason == "":
		err = jiedao.Invalid("reason", "督办须填写督办意见", "supervising needs a note")
	}
	if err != nil {
		p.setError(err)
		h.caseList(w, r, p, a, back, nil, url.Values{"action": {string(action)}, "reason": {reason}})
		return
	}
	var results []batchResult
	okN := 0
	for _, id := range ids {
		res := batchResult{ID: id}
		c, err := h.Cases.Get(r.Context(), a, id)
		if err == nil {
			res.Number = c.Number
			if action == casework.ActDispatch {
				_, err = h.dispatchNow(r.Context(), a, c, unitID)
			} else {
				_, err = h.Cases.Step(r.Context(), a, id, casework.StepInput{Action: casework.ActSupervise, Reason: reason})
			}
		}
		if err != nil {
			res.Msg = p.Msg(err)
		} else {
			res.OK, res.Msg = true, p.ActionName(action)
			okN++
		}
		if res.Number == "" {
			res.Number = "#" + strconv.FormatInt(id, 10)
		}
		results = append(results, res)
	}
	p.Notice = p.T("批量", "Batch ") + p.ActionName(action) + p.T("：成功 ", ": ") + strconv.Itoa(okN) +
		p.T(" 件，未成功 ", " done, ") + strconv.Itoa(len(ids)-okN) + p.T(" 件", " not done")
	h.caseList(w, r, p, a, back, results, nil)
}

// dispatchNow sends a case to a unit in one step (一键派单): a case still
// waiting for acceptance is accepted first, and unitID 0 takes the unit
// routing suggested. Without a unit nothing is done.
func (h *Handler) dispatchNow(ctx context.Context, a org.Actor, c *casework.Case, unitID int64) (*casework.Case, error) {
	if unitID == 0 {
		unitID = c.SuggestedUnit
	}
	if unitID == 0 {
		return nil, jiedao.Invalid("unit_id", "没有派遣建议，请选择承办单位", "no routing suggestion: choose a unit")
	}
	if err := casework.CheckStep(a, casework.ActDispatch, nil); err != nil {
		return nil, err
	}
	if c.Status == casework.StatusReported {
		if _, err := h.Cases.Step(ctx, a, c.ID, casework.StepInput{Action: casework.ActAccept}); err != nil {
			return nil, err
		}
	}
	return h.Cases.Step(ctx, a, c.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: unitID})
}
