package enterprise

import (
	"fmt"

	"github.com/jiedao/jiedao"
)

// Building is an office building whose tenants' tax makes its tier.
type Building struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Address   string  `json:"address,omitempty"`
	Lat       float64 `json:"lat,omitempty"`
	Lon       float64 `json:"lon,omitempty"`
	FloorArea float64 `json:"floor_area"` // m², for the tax per m² (坪效)
	Floors    int     `json:"floors"`
	GridID    int64   `json:"grid_id,omitempty"`
	Operator  string  `json:"operator,omitempty"` // 运营方
	// JurisdictionID is the subdistrict the building is in: its rooms,
	// tenancies and tier are that subdistrict's.
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Validate checks a building.
func (b *Building) Validate() error {
	if err := textField("name", "楼宇名称", "building name", b.Name, 100, true); err != nil {
		return err
	}
	for _, f := range []struct{ field, zh, en, v string }{
		{"address", "地址", "address", b.Address}, {"operator", "运营方", "operator", b.Operator}} {
		if err := textField(f.field, f.zh, f.en, f.v, 200, false); err != nil {
			return err
		}
	}
	if b.FloorArea < 0 {
		return jiedao.Invalid("floor_area", "建筑面积不能为负数", "the floor area cannot be negative")
	}
	if b.Floors < 0 || b.Floors > 200 {
		return jiedao.Invalid("floors", "楼层数应在0到200之间", "floors must be between 0 and 200")
	}
	if b.Lat < -90 || b.Lat > 90 || b.Lon < -180 || b.Lon > 180 {
		return jiedao.Invalid("lat", "经纬度无效", "invalid coordinates")
	}
	return nil
}

// Room is a rentable unit on a floor of a building.
type Room struct {
	ID         int64   `json:"id"`
	BuildingID int64   `json:"building_id"`
	Floor      int     `json:"floor"` // negative: basement
	Number     string  `json:"number"`
	Area       float64 `json:"area"` // m²
}

// Validate checks a room.
func (r *Room) Validate() error {
	if err := textField("room", "房间号", "room number", r.Number, 40, true); err != nil {
		return err
	}
	if r.Area < 0 {
		return jiedao.Invalid("area", "房间面积不能为负数", "the room's area cannot be negative")
	}
	if r.Floor < -10 || r.Floor > 200 {
		return jiedao.Invalid("floor", "楼层应在-10到200之间", "floor must be between -10 and 200")
	}
	return nil
}

// Tenancy is one enterprise's occupation of one room from Start to End
// (exclusive; empty while it lasts). A move ends one tenancy and starts
// another on the same day; tenancies are never overwritten, so the history
// stays.
type Tenancy struct {
	ID           int64 `json:"id"`
	EnterpriseID int64 `json:"enterprise_id"`
	RoomID       int64 `json:"room_id"`
	Start        Date  `json:"start"`
	End          Date  `json:"end,omitempty"`
	// Read with the tenancy, for lists.
	BuildingID int64  `json:"building_id,omitempty"`
	Enterprise string `json:"enterprise,omitempty"`
	Building   string `json:"building,omitempty"`
	Floor      int    `json:"floor,omitempty"`
	Room       string `json:"room,omitempty"`
	// JurisdictionID is the building's subdistrict.
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// Validate checks a tenancy's dates.
func (t *Tenancy) Validate() error {
	if _, err := ParseDate(string(t.Start)); err != nil {
		return jiedao.Invalid("start", "请填写入驻日期（如 2023-05-01）", "the start date is required (2023-05-01)")
	}
	if t.End != "" {
		if _, err := ParseDate(string(t.End)); err != nil {
			return jiedao.Invalid("end", "退租日期格式应为 2023-05-01", "the end date is written 2023-05-01")
		}
		if t.End <= t.Start {
			return jiedao.Invalid("end", "退租日期应晚于入驻日期", "the end must be after the start")
		}
	}
	return nil
}

// Covers reports whether the tenancy lasts on day d.
func (t Tenancy) Covers(d Date) bool {
	return t.Start <= d && (t.End == "" || d < t.End)
}

// Overlaps reports whether two tenancies share a day.
func (t Tenancy) Overlaps(o Tenancy) bool {
	endT, endO := t.End, o.End
	return (endO == "" || t.Start < endO) && (endT == "" || o.Start < endT)
}

// ErrOverlap is the error of a tenancy that overlaps another in the same
// room.
func ErrOverlap(t, other Tenancy) error {
	end := string(other.End)
	if end == "" {
		end = "至今"
	}
	return &jiedao.Error{Code: jiedao.ECONFLICT, Field: "start",
		Zh: fmt.Sprintf("该房间在 %s 至 %s 已有租户（租约 %d），租期不能重叠", other.Start, end, other.ID),
		En: fmt.Sprintf("the room has a tenant from %s to %s (tenancy %d): tenancies cannot overlap", other.Start, end, other.ID)}
}
