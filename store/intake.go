package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/intake"
	"github.com/jiedao/jiedao/org"
)

// Intake is the store of the machine channels: devices, alarms, senders'
// secrets, and the ledger of transfers and work orders.
type Intake struct {
	db    *DB
	cases *Cases
}

// Intake returns the intake store of db.
func (db *DB) Intake() *Intake { return &Intake{db: db, cases: db.Cases()} }

var _ intake.Store = (*Intake)(nil)

func (s *Intake) Client(ctx context.Context, id int64) (*org.APIClient, error) {
	c, err := scanClient(s.db.reader().queryRow(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE id = ?`, id))
	return c, notFound(err, "API 客户端", "API client")
}

func (s *Intake) Secret(ctx context.Context, clientID int64) (string, error) {
	var secret string
	err := s.db.reader().queryRow(ctx, `SELECT secret FROM intake_secrets WHERE client_id = ?`, clientID).Scan(&secret)
	if err != nil {
		return "", notFound(mapError(err), "签名密钥", "signing secret")
	}
	return s.db.open(secret, secretAD(clientID)) // sealed with SM4 when a key is configured (crypto.go)
}

func (s *Intake) PutSecret(ctx context.Context, clientID int64, secret string, at time.Time) error {
	_, err := s.db.writer().exec(ctx, `INSERT INTO intake_secrets (client_id, secret, created_at) VALUES (?, ?, ?)
		ON CONFLICT (client_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`, clientID, s.db.seal(secret, secretAD(clientID)), at)
	return err
}

// Device kinds

func (s *Intake) ListKinds(ctx context.Context) ([]*intake.KindConfig, error) {
	rows, err := s.db.reader().query(ctx, `SELECT kind, category, urgency, storm_minutes FROM iot_kinds ORDER BY kind`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*intake.KindConfig{}
	for rows.Next() {
		k, err := scanKind(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func scanKind(sc interface{ Scan(...any) error }) (*intake.KindConfig, error) {
	k := &intake.KindConfig{}
	var kind, urg string
	if err := sc.Scan(&kind, &k.Category, &urg, &k.StormMinutes); err != nil {
		return nil, mapError(err)
	}
	k.Kind, k.Urgency = intake.DeviceKind(kind), casework.Urgency(urg)
	return k, nil
}

func (s *Intake) GetKind(ctx context.Context, kind intake.DeviceKind) (*intake.KindConfig, error) {
	k, err := scanKind(s.db.reader().queryRow(ctx, `SELECT kind, category, urgency, storm_minutes FROM iot_kinds WHERE kind = ?`, string(kind)))
	return k, notFound(err, "设备类型配置", "device kind setting")
}

func (s *Intake) PutKind(ctx context.Context, k *intake.KindConfig) error {
	_, err := s.db.writer().exec(ctx, `INSERT INTO iot_kinds (kind, category, urgency, storm_minutes) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind) DO UPDATE SET category = excluded.category, urgency = excluded.urgency, storm_minutes = excluded.storm_minutes`,
		string(k.Kind), k.Category, string(k.Urgency), k.StormMinutes)
	return err
}

// Devices

const deviceColumns = `id, client_id, code, kind, name, lat, lon, COALESCE(grid_id, 0), COALESCE(community_id, 0), address,
	owner_name, owner_phone, active, created_at, updated_at, COALESCE(storm_case_id, 0), last_alarm_at`

func scanDevice(sc interface{ Scan(...any) error }) (*intake.Device, error) {
	d := &intake.Device{}
	var kind string
	var created, updated, last nullTime
	if err := sc.Scan(&d.ID, &d.ClientID, &d.Code, &kind, &d.Name, &d.Lat, &d.Lon, &d.GridID, &d.CommunityID, &d.Address,
		&d.OwnerName, &d.OwnerPhone, &d.Active, &created, &updated, &d.StormCaseID, &last); err != nil {
		return nil, mapError(err)
	}
	d.Kind, d.CreatedAt, d.UpdatedAt, d.LastAlarmAt = intake.DeviceKind(kind), created.Time, updated.Time, last.ptr()
	return d, nil
}

func (s *Intake) CreateDevice(ctx context.Context, d *intake.Device) error {
	id, err := s.db.writer().insert(ctx, `INSERT INTO iot_devices (client_id, code, kind, name, lat, lon, grid_id, community_id, address,
		owner_name, owner_phone, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ClientID, d.Code, string(d.Kind), d.Name, d.Lat, d.Lon, nullID(d.GridID), nullID(d.CommunityID), d.Address,
		d.OwnerName, d.OwnerPhone, d.Active, d.CreatedAt, d.UpdatedAt)
	d.ID = id
	return err
}

func (s *Intake) UpdateDevice(ctx context.Context, d *intake.Device) error {
	res, err := s.db.writer().exec(ctx, `UPDATE iot_devices SET client_id = ?, code = ?, kind = ?, name = ?, lat = ?, lon = ?, grid_id = ?,
		community_id = ?, address = ?, owner_name = ?, owner_phone = ?, active = ?, updated_at = ? WHERE id = ?`,
		d.ClientID, d.Code, string(d.Kind), d.Name, d.Lat, d.Lon, nullID(d.GridID), nullID(d.CommunityID), d.Address,
		d.OwnerName, d.OwnerPhone, d.Active, d.UpdatedAt, d.ID)
	return affectedOne(res, err, "设备", "device")
}

func (s *Intake) GetDevice(ctx context.Context, id int64) (*intake.Device, error) {
	d, err := scanDevice(s.db.reader().queryRow(ctx, `SELECT `+deviceColumns+` FROM iot_devices WHERE id = ?`, id))
	return d, notFound(err, "设备", "device")
}

func (s *Intake) FindDevice(ctx context.Context, clientID int64, code string) (*intake.Device, error) {
	d, err := scanDevice(s.db.reader().queryRow(ctx, `SELECT `+deviceColumns+` FROM iot_devices WHERE client_id = ? AND code = ?`, clientID, code))
	return d, notFound(err, "设备", "device")
}

func (s *Intake) ListDevices(ctx context.Context, f intake.DeviceFilter) ([]*intake.Device, int, error) {
	var conds []string
	var args []any
	if f.ClientID != 0 {
		conds, args = append(conds, "client_id = ?"), append(args, f.ClientID)
	}
	if f.Kind != "" {
		conds, args = append(conds, "kind = ?"), append(args, string(f.Kind))
	}
	if f.Jurisdiction != 0 {
		conds, args = append(conds, "community_id IN (SELECT id FROM communities WHERE jurisdiction_id = ?)"), append(args, f.Jurisdiction)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pat := "%" + likeEscape(strings.ToLower(q)) + "%"
		conds = append(conds, `(LOWER(code) LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\' OR LOWER(address) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat, pat)
	}
	w := ""
	if len(conds) > 0 {
		w = " WHERE " + strings.Join(conds, " AND ")
	}
	r := s.db.reader()
	var total int
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM iot_devices`+w, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err)
	}
	rows, err := r.query(ctx, `SELECT `+deviceColumns+` FROM iot_devices`+w+` ORDER BY id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*intake.Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

func (s *Intake) DeleteDevice(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx conn) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM iot_alarms WHERE device_id = ?`, id).Scan(&n); err != nil {
			return mapError(err)
		}
		if n > 0 {
			return jiedao.Errorf(jiedao.ECONFLICT, "设备已有%d条告警记录，不能删除，请改为停用", "the device has %d alarms on record: deactivate it instead of deleting it", n)
		}
		res, err := tx.exec(ctx, `DELETE FROM iot_devices WHERE id = ?`, id)
		return affectedOne(res, err, "设备", "device")
	})
}

// Alarms

const alarmColumns = `id, client_id, alarm_id, device_id, type, occurred_at, received_at, message, outcome, COALESCE(case_id, 0)`

func scanAlarm(sc interface{ Scan(...any) error }) (*intake.Alarm, error) {
	a := &intake.Alarm{}
	var typ, outcome string
	var occurred, received nullTime
	if err := sc.Scan(&a.ID, &a.ClientID, &a.AlarmID, &a.DeviceID, &typ, &occurred, &received, &a.Message, &outcome, &a.CaseID); err != nil {
		return nil, mapError(err)
	}
	a.Type, a.Outcome, a.OccurredAt, a.ReceivedAt = intake.AlarmType(typ), intake.Outcome(outcome), occurred.ptr(), received.Time
	return a, nil
}

// IngestAlarm: see intake.Store. The order of locks (the alarm's ledger
// row, the device, the case) is the same for every alarm, and a step on a
// case by a person locks only the case, so no two transactions wait for
// each other in a circle.
func (s *Intake) IngestAlarm(ctx context.Context, a *intake.Alarm, decide intake.AlarmDecider) (*intake.Alarm, error) {
	var out *intake.Alarm
	err := s.db.inTx(ctx, func(tx conn) error {
		// The claim: on PostgreSQL a second delivery of the same alarm
		// waits here until the first commits, then finds its row.
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO iot_alarms (client_id, alarm_id, device_id, type, occurred_at, received_at, message, outcome)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT (client_id, alarm_id) DO NOTHING RETURNING id`,
			a.ClientID, a.AlarmID, a.DeviceID, string(a.Type), a.OccurredAt, a.ReceivedAt, a.Message).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			prev, err := scanAlarm(tx.queryRow(ctx, `SELECT `+alarmColumns+` FROM iot_alarms WHERE client_id = ? AND alarm_id = ?`, a.ClientID, a.AlarmID))
			if err != nil {
				return err
			}
			prev.Duplicate = true
			out = prev
			return nil
		} else if err != nil {
			return mapError(err)
		}
		dev, err := scanDevice(tx.queryRow(ctx, `SELECT `+deviceColumns+` FROM iot_devices WHERE id = ?`+s.db.forUpdate(), a.DeviceID))
		if err != nil {
			return notFound(err, "设备", "device")
		}
		var storm *casework.Case
		if dev.StormCaseID != 0 {
			if storm, err = s.db.scanCase(tx.queryRow(ctx, caseSelect+` WHERE c.id = ?`+s.db.forUpdateOf("c"), dev.StormCaseID)); err != nil {
				return err
			}
		}
		d, err := decide(dev, storm)
		if err != nil {
			return err
		}
		rec := *a
		rec.ID, rec.Outcome = id, d.Outcome
		switch {
		case d.NewCase != nil:
			if err := s.cases.createCase(ctx, tx, d.NewCase, d.Report); err != nil {
				return err
			}
			rec.CaseID, dev.StormCaseID = d.NewCase.ID, d.NewCase.ID
		case d.Step != nil:
			d.Step.CaseID = storm.ID
			if err := s.cases.insertEvent(ctx, tx, d.Step); err != nil {
				return err
			}
			if err := keepAggregates(ctx, tx, storm.ID, func() error { return s.cases.saveCase(ctx, tx, storm) }); err != nil {
				return err
			}
			if err := s.db.caseChanged(ctx, tx, storm.ID); err != nil {
				return err
			}
			rec.CaseID = storm.ID
		case storm != nil:
			rec.CaseID = storm.ID
		}
		if a.Type == intake.AlarmRaised {
			if _, err := tx.exec(ctx, `UPDATE iot_devices SET storm_case_id = ?, last_alarm_at = ? WHERE id = ?`,
				nullID(dev.StormCaseID), a.ReceivedAt, dev.ID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE iot_alarms SET outcome = ?, case_id = ? WHERE id = ?`, string(rec.Outcome), nullID(rec.CaseID), id); err != nil {
			return err
		}
		out = &rec
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Transfers and work orders

// inChunk bounds the ids of one IN list, well within both engines' limits
// on parameters.
const inChunk = 500

func (s *Intake) ExistingCases(ctx context.Context, ch casework.Channel, externalIDs []string) (map[string]intake.CaseRef, error) {
	out := map[string]intake.CaseRef{}
	r := s.db.reader()
	for len(externalIDs) > 0 {
		n := min(len(externalIDs), inChunk)
		args := []any{string(ch)}
		for _, id := range externalIDs[:n] {
			args = append(args, id)
		}
		externalIDs = externalIDs[n:]
		rows, err := r.query(ctx, `SELECT external_id, id, number FROM cases WHERE channel = ? AND external_id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ext string
			var ref intake.CaseRef
			if err := rows.Scan(&ext, &ref.ID, &ref.Number); err != nil {
				rows.Close()
				return nil, err
			}
			out[ext] = ref
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Intake) CreateItems(ctx context.Context, imp *intake.Import, items []*intake.Item) error {
	return s.db.inTx(ctx, func(tx conn) error {
		var importID int64
		if imp != nil {
			headers, err := json.Marshal(nonNil(imp.Headers))
			if err != nil {
				return err
			}
			if importID, err = tx.insert(ctx, `INSERT INTO intake_imports (channel, file_name, headers, created, actor_kind, actor_id, actor_name, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(imp.Channel), imp.FileName, string(headers), imp.Created,
				imp.ActorKind, nullID(imp.ActorID), imp.ActorName, imp.CreatedAt); err != nil {
				return err
			}
		}
		for _, it := range items {
			// Cases are numbered in the order given: a file's rows keep
			// their order in the day's numbers.
			if err := s.cases.createCase(ctx, tx, it.Case, it.Report); err != nil {
				return err
			}
			cells, err := json.Marshal(nonNil(it.Cells))
			if err != nil {
				return err
			}
			it.ImportID = importID
			if _, err := tx.exec(ctx, `INSERT INTO intake_items (case_id, channel, external_id, import_id, source_at, cells) VALUES (?, ?, ?, ?, ?, ?)`,
				it.Case.ID, string(it.Channel), it.ExternalID, nullID(importID), it.SourceAt, string(cells)); err != nil {
				return err
			}
		}
		if imp != nil {
			imp.ID = importID
		}
		return nil
	})
}

func (s *Intake) Arrivals(ctx context.Context, ch casework.Channel, from, to time.Time) ([]intake.Arrival, error) {
	// The sender's time where the ledger has it; a case that came by the
	// generic report API counts from its report.
	rows, err := s.db.reader().query(ctx, `SELECT c.id, COALESCE(i.source_at, c.reported_at),
		(SELECT MIN(e.at) FROM case_events e WHERE e.case_id = c.id AND e.action = 'start')
		FROM cases c LEFT JOIN intake_items i ON i.case_id = c.id
		WHERE c.channel = ? AND c.status NOT IN ('voided', 'merged')
		AND COALESCE(i.source_at, c.reported_at) >= ? AND COALESCE(i.source_at, c.reported_at) < ?
		ORDER BY c.id`, string(ch), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []intake.Arrival{}
	for rows.Next() {
		var a intake.Arrival
		var src, start nullTime
		if err := rows.Scan(&a.CaseID, &src, &start); err != nil {
			return nil, err
		}
		a.SourceAt, a.StartedAt = src.Time, start.ptr()
		out = append(out, a)
	}
	return out, rows.Err()
}

// exportWhere selects the items of an export.
func exportWhere(ch casework.Channel, clientID int64, from, to time.Time) (string, []any) {
	w := ` WHERE i.channel = ? AND i.source_at >= ? AND i.source_at < ?`
	args := []any{string(ch), from, to}
	if clientID != 0 {
		w += ` AND c.client_id = ?`
		args = append(args, clientID)
	}
	return w, args
}

func (s *Intake) ExportLayouts(ctx context.Context, ch casework.Channel, clientID int64, from, to time.Time) ([]intake.Layout, error) {
	w, args := exportWhere(ch, clientID, from, to)
	rows, err := s.db.reader().query(ctx, `SELECT id, headers FROM intake_imports WHERE id IN
		(SELECT i.import_id FROM intake_items i JOIN cases c ON c.id = i.case_id`+w+` AND i.import_id IS NOT NULL) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []intake.Layout
	for rows.Next() {
		var l intake.Layout
		var headers string
		if err := rows.Scan(&l.ImportID, &headers); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(headers), &l.Headers); err != nil {
			return nil, fmt.Errorf("store: import %d headers: %w", l.ImportID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Intake) CountExportRows(ctx context.Context, ch casework.Channel, clientID int64, from, to time.Time) (int, error) {
	w, args := exportWhere(ch, clientID, from, to)
	var n int
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*) FROM intake_items i JOIN cases c ON c.id = i.case_id`+w, args...).Scan(&n)
	return n, mapError(err)
}

func (s *Intake) EachExportRow(ctx context.Context, ch casework.Channel, clientID int64, from, to time.Time, fn func(*intake.ExportRow) error) error {
	w, args := exportWhere(ch, clientID, from, to)
	rows, err := s.db.reader().query(ctx, `SELECT COALESCE(i.import_id, 0), i.cells, i.external_id, i.source_at, c.number, c.status, c.closed_at,
		COALESCE((SELECT e.reason FROM case_events e WHERE e.case_id = c.id AND e.action = 'handle' ORDER BY e.seq DESC LIMIT 1), '')
		FROM intake_items i JOIN cases c ON c.id = i.case_id`+w+` ORDER BY i.source_at, i.case_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r := &intake.ExportRow{}
		var cells, status string
		var src, closed nullTime
		if err := rows.Scan(&r.ImportID, &cells, &r.ExternalID, &src, &r.CaseNumber, &status, &closed, &r.Result); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(cells), &r.Cells); err != nil {
			return fmt.Errorf("store: intake item %s cells: %w", r.ExternalID, err)
		}
		r.SourceAt, r.Status, r.ClosedAt = src.Time, casework.Status(status), closed.ptr()
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
