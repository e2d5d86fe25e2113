package api

import (
	"net/http"
	"strconv"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/campaign"
	"github.com/jiedao/jiedao/indicator"
	"github.com/jiedao/jiedao/ledger"
	"github.com/jiedao/jiedao/org"
)

// Books are the services of the office's books (issue 13): ledgers,
// indicators and targets, campaigns. The pages use the same.
type Books struct {
	Ledgers    *ledger.Service
	Indicators *indicator.Service
	Campaigns  *campaign.Service
}

// books returns the services, or an error when they are not wired.
func (h *Handler) books() (*Books, error) {
	if h.Books == nil {
		return nil, jiedao.Errorf(jiedao.EUNAVAILABLE, "台账服务未启用", "the books are not enabled")
	}
	return h.Books, nil
}

// LedgerQuery reads a ledger query from the URL: year or from/to,
// community_id, field, op, group, where_field and where_value.
func LedgerQuery(r *http.Request) (ledger.Query, error) {
	q := r.URL.Query()
	var lq ledger.Query
	if y := q.Get("year"); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil || year < 2000 || year > 2100 {
			return lq, jiedao.Invalid("year", "年份无效", "invalid year")
		}
		lq = ledger.YearQuery(lq, year)
	}
	for _, k := range []string{"from", "to"} {
		if v := q.Get(k); v != "" {
			d, ok := ledger.ParseDay(v)
			if !ok {
				return lq, jiedao.Invalid(k, "日期无效", "invalid day")
			}
			if k == "from" {
				lq.From = d
			} else {
				lq.To = d
			}
		}
	}
	if c := q.Get("community_id"); c != "" {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return lq, jiedao.Invalid("community_id", "社区编号无效", "invalid community id")
		}
		lq.CommunityID = id
	}
	lq.Field, lq.Op, lq.Group = q.Get("field"), ledger.Op(q.Get("op")), ledger.Group(q.Get("group"))
	lq.WhereField, lq.WhereValue = q.Get("where_field"), q.Get("where_value")
	return lq, nil
}

// LedgerEntries lists a ledger's entries: GET /api/v1/ledgers/{code}/entries.
func (h *Handler) LedgerEntries(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		q, err := LedgerQuery(r)
		if err != nil {
			return nil, err
		}
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		es, n, t, err := b.Ledgers.List(r.Context(), a, r.PathValue("code"), q, limit, max(offset, 0))
		if err != nil {
			return nil, err
		}
		if es == nil {
			es = []*ledger.Entry{}
		}
		return map[string]any{"type": t, "total": n, "entries": es}, nil
	})
}

// AddLedgerEntry adds an entry: POST /api/v1/ledgers/{code}/entries.
func (h *Handler) AddLedgerEntry(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusCreated, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		var in ledger.EntryInput
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		return b.Ledgers.Add(r.Context(), a, r.PathValue("code"), in)
	})
}

// LedgerSums aggregates a ledger: GET /api/v1/ledgers/{code}/sums.
func (h *Handler) LedgerSums(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		q, err := LedgerQuery(r)
		if err != nil {
			return nil, err
		}
		if q.Op == "" {
			q.Op = ledger.OpCount
		}
		rows, _, err := b.Ledgers.Aggregate(r.Context(), a, r.PathValue("code"), q)
		if rows == nil {
			rows = []ledger.Row{}
		}
		return map[string]any{"rows": rows}, err
	})
}

// LedgerEntry returns an entry with its history: GET /api/v1/ledger-entries/{id}.
func (h *Handler) LedgerEntry(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		e, t, hist, err := b.Ledgers.Entry(r.Context(), a, id)
		if err != nil {
			return nil, err
		}
		return map[string]any{"entry": e, "type": t.Code, "history": hist}, nil
	})
}

// EditLedgerEntry changes an entry: PUT /api/v1/ledger-entries/{id}.
func (h *Handler) EditLedgerEntry(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		var in ledger.EntryInput
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		return b.Ledgers.Edit(r.Context(), a, id, in)
	})
}

// yearParam reads ?year=, defaulting to def.
func yearParam(r *http.Request, def int) (int, error) {
	y := r.URL.Query().Get("year")
	if y == "" {
		return def, nil
	}
	year, err := strconv.Atoi(y)
	if err != nil || year < 2000 || year > 2100 {
		return 0, jiedao.Invalid("year", "年份无效", "invalid year")
	}
	return year, nil
}

// Indicator returns an indicator's figure for a year with its periods:
// GET /api/v1/indicators/{key}?year=.
func (h *Handler) Indicator(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		year, err := yearParam(r, b.Indicators.Time().Year())
		if err != nil {
			return nil, err
		}
		return b.Indicators.YearOf(r.Context(), a, r.PathValue("key"), year)
	})
}

// EnterIndicators stores values, all or none: POST /api/v1/indicators/values.
func (h *Handler) EnterIndicators(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		var in struct {
			Values []indicator.Input `json:"values"`
		}
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		if err := b.Indicators.Enter(r.Context(), a, in.Values); err != nil {
			return nil, err
		}
		return map[string]any{"stored": len(in.Values)}, nil
	})
}

// Targets lists a year's targets with their progress: GET /api/v1/targets?year=.
func (h *Handler) Targets(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		year, err := yearParam(r, b.Indicators.Time().Year())
		if err != nil {
			return nil, err
		}
		ps, err := b.Indicators.Targets(r.Context(), a, year)
		if ps == nil {
			ps = []indicator.Progress{}
		}
		return map[string]any{"year": year, "targets": ps}, err
	})
}

// CampaignProgress is a campaign's progress:
// GET /api/v1/campaigns/{code}/progress?by=community|assignee.
func (h *Handler) CampaignProgress(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		by := r.URL.Query().Get("by")
		if by == "" {
			by = "community"
		}
		rows, err := b.Campaigns.Progress(r.Context(), a, r.PathValue("code"), by)
		if rows == nil {
			rows = []campaign.ProgressRow{}
		}
		return map[string]any{"by": by, "rows": rows}, err
	})
}

// CheckCampaignUnit records a unit's check:
// POST /api/v1/campaign-units/{id}/check.
func (h *Handler) CheckCampaignUnit(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		var in campaign.CheckInput
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		u, fs, err := b.Campaigns.Check(r.Context(), a, id, in)
		if err != nil {
			return nil, err
		}
		if fs == nil {
			fs = []*campaign.Finding{}
		}
		return map[string]any{"unit": u, "findings": fs}, nil
	})
}

// RecheckCampaignFinding records a finding's 复查 after rectification:
// POST /api/v1/campaign-findings/{id}/recheck {"pass": bool, "note": "…"}.
// A failed re-check opens a new case (its id in the finding's case_id).
func (h *Handler) RecheckCampaignFinding(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		b, err := h.books()
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		var in struct {
			Pass *bool  `json:"pass"`
			Note string `json:"note"`
		}
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		if in.Pass == nil {
			return nil, jiedao.Invalid("pass", "请给出复查结果（pass: true 或 false）", "give the re-check's result (pass: true or false)")
		}
		return b.Campaigns.Recheck(r.Context(), a, id, *in.Pass, in.Note)
	})
}
