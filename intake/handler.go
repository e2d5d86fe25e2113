package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	tables "github.com/jiedao/jiedao/internal/table"
	"github.com/jiedao/jiedao/org"
)

// Handler is the HTTP side of the machine channels: thin handlers that
// read a request, call the Service with the actor, and write the answer.
// The route table in package server names them.
type Handler struct {
	Service *Service
	Log     *slog.Logger
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var refused *ImportRefused
	if errors.As(err, &refused) {
		// The error as every error is written, with the row-by-row report
		// that says which rows to fix.
		zh, en := jiedao.ErrorMessages(refused.Err)
		api.WriteJSON(w, api.Status(refused.Err.Code), struct {
			Error  api.ErrorDetail `json:"error"`
			Result *ImportResult   `json:"result"`
		}{api.ErrorDetail{Code: refused.Err.Code, Message: zh, MessageEn: en}, refused.Result})
		return
	}
	api.WriteError(w, r, h.Log, err)
}

// maxJSON bounds a JSON body.
const maxJSON = 1 << 20

// decode reads a JSON body strictly: an unknown field is an error, not
// silently dropped.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if err := jsonType(r); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSON))
	if err != nil {
		return readError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	return api.PlainCoordinates(body)
}

// jsonType refuses a body declared as anything but JSON (no declaration
// is read as JSON, as the API does).
func jsonType(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return jiedao.Errorf(jiedao.EUNSUPPORTED, "请求内容应为 JSON", "the request body must be JSON")
	}
	return nil
}

func readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return jiedao.Errorf(jiedao.ETOOLARGE, "请求内容过大", "request body too large")
	}
	return jiedao.Errorf(jiedao.EINVALID, "读取请求内容失败", "could not read the request body")
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, jiedao.Invalid(name, "编号无效", "invalid id")
	}
	return id, nil
}

func queryBool(q url.Values, name string) (bool, error) {
	switch strings.ToLower(q.Get(name)) {
	case "", "0", "false", "no":
		return false, nil
	case "1", "true", "yes":
		return true, nil
	}
	return false, jiedao.Invalid(name, "参数应为 1 或 0："+name, name+" must be 1 or 0")
}

func period(r *http.Request) (from, to time.Time, err error) {
	q := r.URL.Query()
	if from, err = api.ParseDate(q.Get("from"), "from"); err != nil {
		return
	}
	to, err = api.ParseDate(q.Get("to"), "to")
	return
}

// Alarm is the IoT alarm webhook. Its credential is the signature, so the
// route is public; see docs/intake.md.
//
// The checks come in one order, which docs/intake.md and api/openapi.yaml
// state: the declared type (JSON or none, else 415), the body's size (at
// most 64 KiB, else 413), the signature (401/403), then the body (400).
func (h *Handler) Alarm(w http.ResponseWriter, r *http.Request) {
	if err := jsonType(r); err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAlarmBody))
	if err != nil {
		h.fail(w, r, readError(err))
		return
	}
	res, err := h.Service.ReceiveAlarm(r.Context(), SignedRequest{Client: r.Header.Get(HeaderClient),
		Timestamp: r.Header.Get(HeaderTimestamp), Signature: r.Header.Get(HeaderSignature), Body: body})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Outcome == OutcomeOpened && !res.Duplicate {
		status = http.StatusCreated
	}
	api.WriteJSON(w, status, res)
}

// Kinds lists the device kinds' settings.
func (h *Handler) Kinds(w http.ResponseWriter, r *http.Request) {
	ks, err := h.Service.Kinds(r.Context(), api.ActorFrom(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"kinds": ks})
}

// PutKind sets a device kind's category, urgency and storm window.
func (h *Handler) PutKind(w http.ResponseWriter, r *http.Request) {
	var in KindConfig
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	in.Kind = DeviceKind(r.PathValue("kind"))
	k, err := h.Service.PutKind(r.Context(), api.ActorFrom(r.Context()), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, k)
}

// Devices lists the registry: ?client_id=&kind=&q=&limit=&offset=.
func (h *Handler) Devices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := DeviceFilter{Kind: DeviceKind(q.Get("kind")), Query: q.Get("q")}
	var err error
	var limit, offset int64
	if err = api.FilterText(q, "q"); err != nil {
		h.fail(w, r, err)
		return
	}
	if f.ClientID, err = api.NonNegative(q, "client_id"); err == nil {
		if limit, err = api.NonNegative(q, "limit"); err == nil {
			offset, err = api.NonNegative(q, "offset")
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Limit, f.Offset = int(limit), int(offset)
	ds, total, err := h.Service.ListDevices(r.Context(), api.ActorFrom(r.Context()), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "devices": ds})
}

// CreateDevice registers a device.
func (h *Handler) CreateDevice(w http.ResponseWriter, r *http.Request) {
	var in DeviceInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.Service.CreateDevice(r.Context(), api.ActorFrom(r.Context()), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, d)
}

// Device returns one device.
func (h *Handler) Device(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.Service.GetDevice(r.Context(), api.ActorFrom(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, d)
}

// UpdateDevice replaces a device's registry fields.
func (h *Handler) UpdateDevice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in DeviceInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.Service.UpdateDevice(r.Context(), api.ActorFrom(r.Context()), id, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, d)
}

// DeleteDevice removes a device that never alarmed.
func (h *Handler) DeleteDevice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Service.DeleteDevice(r.Context(), api.ActorFrom(r.Context()), id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// RotateSecret gives a machine client a new signing secret, shown once.
func (h *Handler) RotateSecret(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.Service.RotateSecret(r.Context(), api.ActorFrom(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, out)
}

// PoliceEvent takes in one police transfer: 201 with a new case, 200 with
// the case the event number made before.
func (h *Handler) PoliceEvent(w http.ResponseWriter, r *http.Request) {
	var in PoliceEventInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.Service.PoliceEvent(r.Context(), api.ActorFrom(r.Context()), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	api.WriteJSON(w, status, res)
}

// PoliceImport imports a file of police transfers.
func (h *Handler) PoliceImport(w http.ResponseWriter, r *http.Request) {
	h.importFile(w, r, h.Service.ImportPolice)
}

// HotlineImport imports a 12345 work-order file.
func (h *Handler) HotlineImport(w http.ResponseWriter, r *http.Request) {
	h.importFile(w, r, h.Service.ImportHotline)
}

// importFile reads the upload (a multipart form's "file" field, or the
// whole body with ?file_name=) and the options in the query string:
// dry_run, skip_invalid, default_category, client_id, gcj02.
func (h *Handler) importFile(w http.ResponseWriter, r *http.Request, run func(ctx context.Context, a org.Actor, f File, o ImportOptions) (*ImportResult, error)) {
	q := r.URL.Query()
	var o ImportOptions
	var err error
	if o.DryRun, err = queryBool(q, "dry_run"); err == nil {
		if o.SkipInvalid, err = queryBool(q, "skip_invalid"); err == nil {
			if o.GCJ02, err = queryBool(q, "gcj02"); err == nil {
				o.ClientID, err = api.NonNegative(q, "client_id")
			}
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o.DefaultCategory = q.Get("default_category")
	f, err := readUpload(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := run(r.Context(), api.ActorFrom(r.Context()), f, o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Created > 0 {
		status = http.StatusCreated
	}
	api.WriteJSON(w, status, res)
}

// readUpload reads an uploaded file without keeping a copy on disk.
func readUpload(w http.ResponseWriter, r *http.Request) (File, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileBytes+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return File{}, uploadError(err)
		}
		return File{Name: r.URL.Query().Get("file_name"), Data: data}, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return File{}, jiedao.Errorf(jiedao.EINVALID, "无法解析上传的表单", "cannot parse the uploaded form")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return File{}, jiedao.Invalid("file", "请上传文件（表单字段 file）", "upload a file (form field \"file\")")
		} else if err != nil {
			return File{}, uploadError(err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		data, err := io.ReadAll(part)
		part.Close()
		if err != nil {
			return File{}, uploadError(err)
		}
		return File{Name: part.FileName(), Data: data}, nil
	}
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return jiedao.Errorf(jiedao.ETOOLARGE, "文件超过%d MB", "the file is larger than %d MB", MaxFileBytes>>20)
	}
	return jiedao.Errorf(jiedao.EINVALID, "读取上传文件失败", "could not read the uploaded file")
}

// PoliceArrival gives the police-transfer arrival figure: ?from=&to=,
// dates in China time, to exclusive.
func (h *Handler) PoliceArrival(w http.ResponseWriter, r *http.Request) {
	from, to, err := period(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := h.Service.PoliceArrival(r.Context(), api.ActorFrom(r.Context()), from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, f)
}

// HotlineExport streams the 12345 export of ?from=&to= as XLSX;
// contacts=full&reason=… asks for the callers' contacts unmasked.
func (h *Handler) HotlineExport(w http.ResponseWriter, r *http.Request) {
	from, to, err := period(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	req := casework.ExportRequest{Format: string(tables.XLSX), FullContacts: q.Get("contacts") == "full", Reason: q.Get("reason"),
		Query: url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}}.Encode()}
	x, err := h.Service.HotlineExport(r.Context(), api.ActorFrom(r.Context()), from, to, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := api.StartDownload(w, tables.XLSX, x.FileName())
	if err := x.WriteTo(r.Context(), d); err != nil {
		d.Abort(h.Log, r, err)
	}
}
