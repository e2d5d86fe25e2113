package casework

import (
	"context"
	"strconv"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// CountKey is what CountBy groups cases by.
type CountKey string

const (
	CountByChannel   CountKey = "channel"
	CountByCommunity CountKey = "community" // the community id, "0" for none
	CountByMajor     CountKey = "major"     // the major class: the first two characters of the category
)

// GroupCounter is a store that counts cases per key in one query; the
// dashboards use it instead of one count per channel, class and community.
type GroupCounter interface {
	CountCasesBy(ctx context.Context, f Filter, by CountKey) (map[string]int, error)
}

// CountBy counts the cases the actor may see that match the filter, per
// key. Package store implements GroupCounter for both engines.
func (s *Service) CountBy(ctx context.Context, a org.Actor, f Filter, by CountKey) (map[string]int, error) {
	gc, ok := s.Store.(GroupCounter)
	if !ok {
		return nil, jiedao.Errorf(jiedao.EUNSUPPORTED, "存储不支持分组计数", "the store cannot count by group")
	}
	switch by {
	case CountByChannel, CountByCommunity, CountByMajor:
	default:
		return nil, jiedao.Invalid("by", "未知的分组："+string(by), "unknown grouping: "+string(by))
	}
	f = scoped(a, f)
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	return gc.CountCasesBy(ctx, f, by)
}

// CountKeyOf is the key CountBy gives a community id.
func CountKeyOf(id int64) string { return strconv.FormatInt(id, 10) }
