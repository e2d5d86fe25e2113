package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
)

// catGroup is a major class with its minor classes, for a <select>.
type catGroup struct {
	Major  *casework.Category
	Minors []*casework.Category
}

// groupCategories arranges the active categories for choosing.
func groupCategories(cats []*casework.Category) []catGroup {
	var out []catGroup
	idx := map[string]int{}
	for _, c := range cats {
		if c.Active && c.ParentCode == "" {
			idx[c.Code] = len(out)
			out = append(out, catGroup{Major: c})
		}
	}
	for _, c := range cats {
		if i, ok := idx[c.ParentCode]; ok && c.Active {
			out[i].Minors = append(out[i].Minors, c)
		}
	}
	return out
}

// CatName names a category in the page's language.
func (p *page) CatName(cats map[string]*casework.Category, code string) string {
	c := cats[code]
	if c == nil {
		// A kind's cases (dispute, petition, …) are filed under the kind's
		// code rather than a category of the catalogue.
		if k := casework.Kind(code); k != casework.KindOrdinary && k.Valid() {
			return p.T(k.Zh(), string(k))
		}
		return code
	}
	if p.Lang == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

// CatName1 names a category in the page's language.
func (p *page) CatName1(c *casework.Category) string {
	if p.Lang == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

func categoryMap(cats []*casework.Category) map[string]*casework.Category {
	m := make(map[string]*casework.Category, len(cats))
	for _, c := range cats {
		m[c.Code] = c
	}
	return m
}

// maxReportForm bounds a form with photos: six photos as phones send them.
const maxReportForm = 6*maxUpload + maxForm

// photoField is the file input of every form with photos, and claimField
// the hidden field that keeps photos uploaded by an earlier try.
const (
	photoField = "photos"
	claimField = "photo_claim"
)

// uploadPhotos stores the photos of a form (new files, and those an
// earlier try of the same form stored already) and returns their claims
// and the first GPS position found in them. Claims are put back into the
// form values, so that a re-rendered form keeps them.
func (h *Handler) uploadPhotos(ctx context.Context, a org.Actor, r *http.Request) (claims []string, lat, lon *float64, err error) {
	return h.uploadPhotosAs(ctx, a, r, photoField, claimField)
}

// uploadPhotosAs is uploadPhotos for a form's other photo field (the
// after-photos of 自行处置) and its claims.
func (h *Handler) uploadPhotosAs(ctx context.Context, a org.Actor, r *http.Request, photoField, claimField string) (claims []string, lat, lon *float64, err error) {
	for _, c := range r.PostForm[claimField] {
		if c = strings.TrimSpace(c); strings.HasPrefix(c, "p_") && len(c) < 100 {
			claims = append(claims, c)
		}
	}
	if r.MultipartForm != nil {
		files := r.MultipartForm.File[photoField]
		if len(files)+len(claims) > casework.MaxPhotosPerAdd {
			return claims, nil, nil, jiedao.Invalid(photoField, "每次最多上传6张照片", "at most 6 photos at a time")
		}
		budget := newPixelBudget()
		for _, fh := range files {
			if fh.Size == 0 && fh.Filename == "" {
				continue // the empty part a form sends with no file chosen
			}
			pp, err := h.processUpload(ctx, fh, photoField, budget)
			if err != nil {
				return claims, lat, lon, err
			}
			claim, err := h.Photos.Upload(ctx, a, &pp.photo)
			if err != nil {
				return claims, lat, lon, err
			}
			claims = append(claims, claim)
			if lat == nil && pp.lat != nil {
				lat, lon = pp.lat, pp.lon
			}
		}
	}
	r.PostForm[claimField] = claims
	return claims, lat, lon, nil
}

// readReport reads the common fields of a report form.
func readReport(r *http.Request) (casework.ReportInput, error) {
	f := r.PostForm
	in := casework.ReportInput{
		Category: strings.TrimSpace(f.Get("category")),
		Title:    f.Get("title"),
		Details:  f.Get("details"),
		Address:  f.Get("address"),
		Urgency:  casework.Urgency(f.Get("urgency")),
		Reporter: casework.Contact{Name: f.Get("name"), Phone: f.Get("phone")},
	}
	if in.Category == "" {
		return in, jiedao.Invalid("category", "请选择问题类型", "choose what kind of problem it is")
	}
	if g := f.Get("grid_id"); g != "" {
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return in, jiedao.Invalid("grid_id", "网格无效", "invalid grid")
		}
		in.GridID = id
	}
	latS, lonS := strings.TrimSpace(f.Get("lat")), strings.TrimSpace(f.Get("lon"))
	if latS != "" || lonS != "" {
		lat, ok1 := geo.ParseDegrees(latS)
		lon, ok2 := geo.ParseDegrees(lonS)
		if !ok1 || !ok2 {
			return in, jiedao.Invalid("lat", "经纬度应为数字", "latitude and longitude must be numbers")
		}
		// Browsers' geolocation gives WGS-84 (not the GCJ-02 of Chinese
		// phone map apps): stored as it is, GCJ02 stays false.
		in.Lat, in.Lon = &lat, &lon
	}
	for k, vs := range f {
		if strings.HasPrefix(k, "attribute[") && strings.HasSuffix(k, "]") {
			if in.Attributes == nil {
				in.Attributes = map[string][]string{}
			}
			in.Attributes[k[len("attribute["):len(k)-1]] = vs
		}
	}
	if p := strings.TrimSpace(in.Reporter.Phone); p != "" && len(normalizeDigits(p)) < 7 {
		return in, jiedao.Invalid("phone", "请填写正确的手机号或电话号码", "give a valid phone number")
	}
	return in, nil
}

func normalizeDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
