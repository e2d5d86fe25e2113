package api

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/org"
)

// The enterprise registry's JSON API: thin handlers over
// enterprise.Service, which decides who may read and write.

func (h *Handler) ent(fn func(a org.Actor, s *enterprise.Service) (any, error)) func(org.Actor) (any, error) {
	return func(a org.Actor) (any, error) {
		if h.Enterprises == nil {
			return nil, jiedao.Errorf(jiedao.EUNSUPPORTED, "企业服务未启用", "the enterprise registry is not enabled")
		}
		return fn(a, h.Enterprises)
	}
}

// EnterpriseFilter reads an enterprise filter from query parameters: q,
// tag, status, onboarded_to, registered_from, registered_to, building_id,
// limit, offset; the drill-down of the registry's figures uses them.
func EnterpriseFilter(q url.Values) (enterprise.Filter, error) {
	if err := ValidUTF8(q); err != nil {
		return enterprise.Filter{}, err
	}
	for _, name := range []string{"q", "tag"} {
		if err := FilterText(q, name); err != nil {
			return enterprise.Filter{}, err
		}
	}
	f := enterprise.Filter{Query: q.Get("q"), Tag: enterprise.Tag(q.Get("tag")), Status: enterprise.Status(q.Get("status"))}
	if f.Tag != "" {
		if _, ok := enterprise.ParseTag(string(f.Tag)); !ok {
			return f, jiedao.Invalid("tag", "未知标签", "unknown tag")
		}
	}
	if f.Status != "" && !f.Status.Valid() {
		return f, jiedao.Invalid("status", "状态应为存续、迁出或注销", "status must be 存续, 迁出 or 注销")
	}
	for _, d := range []struct {
		name string
		dst  *enterprise.Date
	}{{"onboarded_to", &f.OnboardedTo}, {"registered_from", &f.RegisteredFrom}, {"registered_to", &f.RegisteredTo}} {
		if v := q.Get(d.name); v != "" {
			day, err := enterprise.ParseDate(v)
			if err != nil {
				return f, jiedao.Invalid(d.name, "日期格式应为 2023-05-01", "dates are written 2023-05-01")
			}
			*d.dst = day
		}
	}
	var err error
	if f.BuildingID, err = NonNegative(q, "building_id"); err != nil {
		return f, err
	}
	limit, err := NonNegative(q, "limit")
	if err != nil {
		return f, err
	}
	off, err := NonNegative(q, "offset")
	if err != nil {
		return f, err
	}
	f.Limit, f.Offset = int(min(max(limit, 1), 1000)), int(off)
	if limit == 0 {
		f.Limit = 100
	}
	return f, nil
}

// EnterprisePeriod reads from and to (days, to exclusive) with a year's default.
func EnterprisePeriod(q url.Values) (from, to enterprise.Date, err error) {
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return "", "", jiedao.Invalid("year", "年份无效", "invalid year")
		}
		from, to = enterprise.YearBounds(n)
	}
	for _, d := range []struct {
		name string
		dst  *enterprise.Date
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(d.name); v != "" {
			day, err := enterprise.ParseDate(v)
			if err != nil {
				return "", "", jiedao.Invalid(d.name, "日期格式应为 2023-05-01", "dates are written 2023-05-01")
			}
			*d.dst = day
		}
	}
	if from == "" {
		from = "0001-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	return from, to, nil
}

// ListEnterprises lists enterprises: GET /api/v1/enterprises.
func (h *Handler) ListEnterprises(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, h.ent(func(a org.Actor, s *enterprise.Service) (any, error) {
		f, err := EnterpriseFilter(r.URL.Query())
		if err != nil {
			return nil, err
		}
		list, err := s.List(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		total, err := s.Count(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []enterprise.Enterprise{}
		}
		return map[string]any{"total": total, "enterprises": list}, nil
	}))
}

// EnterpriseProfile is an enterprise with its history.
type EnterpriseProfile struct {
	*enterprise.Enterprise
	Tenancies      []enterprise.Tenancy `json:"tenancies"`
	TaxByYear      map[int]string       `json:"tax_by_year"` // yuan, two decimals
	Visits         []enterprise.Visit   `json:"visits"`
	Demands        []enterprise.Demand  `json:"demands"`
	Certifications []enterprise.CertRow `json:"certifications"`
	Moves          []enterprise.Move    `json:"moves"`
}

// Profile gathers an enterprise's profile as the actor may see it.
func Profile(r *http.Request, s *enterprise.Service, a org.Actor, id int64) (*EnterpriseProfile, error) {
	ctx := r.Context()
	e, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p := &EnterpriseProfile{Enterprise: e, TaxByYear: map[int]string{}}
	if p.Tenancies, err = s.Tenancies(ctx, a, id, 0); err != nil {
		return nil, err
	}
	tax, err := s.TaxByYear(ctx, a, id)
	if err != nil {
		return nil, err
	}
	for y, m := range tax {
		p.TaxByYear[y] = m.String()
	}
	if p.Visits, err = s.Visits(ctx, a, id, "0001-01-01", "9999-12-31", 0, 0); err != nil {
		return nil, err
	}
	if p.Demands, err = s.Demands(ctx, a, id); err != nil {
		return nil, err
	}
	if p.Certifications, err = s.Certifications(ctx, a, enterprise.CertFilter{EnterpriseID: id}); err != nil {
		return nil, err
	}
	if p.Moves, err = s.EnterpriseMoves(ctx, a, id); err != nil {
		return nil, err
	}
	// Empty lists as [], not null.
	p.Tenancies = append(make([]enterprise.Tenancy, 0, len(p.Tenancies)), p.Tenancies...)
	p.Visits = append(make([]enterprise.Visit, 0, len(p.Visits)), p.Visits...)
	p.Demands = append(make([]enterprise.Demand, 0, len(p.Demands)), p.Demands...)
	p.Certifications = append(make([]enterprise.CertRow, 0, len(p.Certifications)), p.Certifications...)
	p.Moves = append(make([]enterprise.Move, 0, len(p.Moves)), p.Moves...)
	return p, nil
}

// GetEnterprise returns one enterprise's profile: GET /api/v1/enterprises/{id}.
func (h *Handler) GetEnterprise(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, h.ent(func(a org.Actor, s *enterprise.Service) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return Profile(r, s, a, id)
	}))
}

// maxEnterpriseImport bounds an uploaded file.
const maxEnterpriseImport = enterprise.MaxFileBytes

// ImportEnterprises imports a file: POST /api/v1/enterprises/import?kind=…&dry_run=1,
// the file as the body. A refused file answers 400 with every bad row.
func (h *Handler) ImportEnterprises(w http.ResponseWriter, r *http.Request) {
	if h.Enterprises == nil {
		h.fail(w, r, jiedao.Errorf(jiedao.EUNSUPPORTED, "企业服务未启用", "the enterprise registry is not enabled"))
		return
	}
	a := ActorFrom(r.Context())
	if !enterprise.CanWrite(a) || a.Kind != org.ActorStaff {
		h.fail(w, r, jiedao.Forbidden("您无权导入企业数据", "you may not import the enterprise registry"))
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEnterpriseImport))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.fail(w, r, jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "file larger than %d MB", maxEnterpriseImport>>20))
		return
	} else if err != nil {
		h.fail(w, r, jiedao.Invalid("file", "无法读取上传的文件", "cannot read the uploaded file"))
		return
	}
	q := r.URL.Query()
	dry := q.Get("dry_run") == "1" || q.Get("dry_run") == "true"
	var into int64
	if v := q.Get("jurisdiction_id"); v != "" {
		if into, err = strconv.ParseInt(v, 10, 64); err != nil || into <= 0 {
			h.fail(w, r, jiedao.Invalid("jurisdiction_id", "所属街道应为街道编号", "jurisdiction_id must be a subdistrict's id"))
			return
		}
	}
	res, err := h.Enterprises.ImportInto(r.Context(), a, into, enterprise.ImportKind(q.Get("kind")), data, dry)
	if err != nil {
		if res != nil && len(res.Errors) > 0 {
			zh, en := jiedao.ErrorMessages(err)
			WriteJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": jiedao.ErrorCode(err), "message_zh": zh, "message_en": en,
				"field": "file", "rows": res.Errors}})
			return
		}
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

// RecordVisit records a visit to an enterprise, with a demand raised on it
// when one is given: POST /api/v1/enterprises/{id}/visits.
func (h *Handler) RecordVisit(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusCreated, h.ent(func(a org.Actor, s *enterprise.Service) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		var in struct {
			On       enterprise.Date `json:"on"`
			Findings string          `json:"findings"`
			Demand   *struct {
				Category string `json:"category"`
				Title    string `json:"title"`
				Details  string `json:"details"`
			} `json:"demand,omitempty"`
		}
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		v := &enterprise.Visit{EnterpriseID: id, On: in.On, Findings: in.Findings}
		if err := s.RecordVisit(r.Context(), a, v); err != nil {
			return nil, err
		}
		out := map[string]any{"visit": v}
		if in.Demand != nil {
			c, err := s.RaiseDemand(r.Context(), a, id, v.ID, casework.ReportInput{Category: in.Demand.Category, Title: in.Demand.Title, Details: in.Demand.Details})
			if err != nil {
				return nil, err
			}
			out["case"] = map[string]any{"id": c.ID, "number": c.Number}
		}
		return out, nil
	}))
}

// ListBuildings lists the buildings with their tax and tier in a year:
// GET /api/v1/buildings?year=.
func (h *Handler) ListBuildings(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, h.ent(func(a org.Actor, s *enterprise.Service) (any, error) {
		if !enterprise.CanRead(a) {
			return nil, jiedao.Forbidden("您无权查看企业服务数据", "you may not read the enterprise registry")
		}
		year, err := enterpriseYear(r.URL.Query(), s)
		if err != nil {
			return nil, err
		}
		return s.Tiers(r.Context(), a, year)
	}))
}

// enterpriseYear reads the year; last year by default.
func enterpriseYear(q url.Values, s *enterprise.Service) (int, error) {
	y := q.Get("year")
	if y == "" {
		return s.LastYear(), nil
	}
	n, err := strconv.Atoi(y)
	if err != nil || n < 2000 || n > 2100 {
		return 0, jiedao.Invalid("year", "年份无效", "invalid year")
	}
	return n, nil
}

// GetBuilding returns a building with its rooms, tenancies and tax by
// year: GET /api/v1/buildings/{id}?year=.
func (h *Handler) GetBuilding(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, h.ent(func(a org.Actor, s *enterprise.Service) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		b, err := s.Building(r.Context(), a, id)
		if err != nil {
			return nil, err
		}
		rooms, err := s.Rooms(r.Context(), a, id)
		if err != nil {
			return nil, err
		}
		ts, err := s.Tenancies(r.Context(), a, 0, id)
		if err != nil {
			return nil, err
		}
		return map[string]any{"building": b, "rooms": rooms, "tenancies": ts}, nil
	}))
}
