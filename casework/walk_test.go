package casework_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestRandomWalk takes a few hundred random steps by random actors on
// twenty cases, the clock moving forward by random amounts, and checks
// after every step that the stored case is the replay of its stored
// events, that a refused step changed nothing and said why with a user's
// error (never an internal one), and that the deadline job raises each
// mark once.
func TestRandomWalk(t *testing.T) {
	const (
		nCases = 20
		nSteps = 600
	)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := w.o
		rng := rand.New(rand.NewPCG(20240612, 7426001))
		pick := func(n int) int { return rng.IntN(n) }
		chance := func(percent int) bool { return rng.IntN(100) < percent }

		disp, admin, leader := o.Actor(org.RoleDispatcher), o.Actor(org.RoleAdmin), o.Actor(org.RoleLeader)
		lead, handler, market := o.Actor(org.RoleUnitLead), o.Actor(org.RoleUnitHandler), o.MarketActor()
		gw, comm := o.Actor(org.RoleGridWorker), o.Actor(org.RoleCommunityStaff)
		resident, system := org.ResidentActor("张三丰"), org.SystemActor()
		_, client, err := (&org.Auth{Store: db.Org(), Now: w.clock.Now}).CreateAPIClient(bg, "12345热线", string(casework.ChannelHotline))
		if err != nil {
			t.Fatal(err)
		}
		hotline := org.ClientActor(client)
		everyone := []org.Actor{disp, admin, leader, lead, handler, market, gw, comm, resident, system, hotline}

		// The cases, reported on the morning of Monday 2024-09-02; the walk
		// runs through 中秋节 and into 国庆节.
		w.clock.Set(cst(2024, 9, 2, 8, 0))
		grids := []int64{o.GridW1.ID, o.GridW2.ID, o.GridY1.ID, o.GridY2.ID, o.GridB1.ID, 0}
		cats := []string{fixture.CatExposedTrash, fixture.CatPiledMaterial, fixture.CatStreetVendor}
		reporters := []org.Actor{resident, gw, disp, comm, hotline}
		var ids []int64
		for i := range nCases {
			w.clock.Advance(time.Duration(pick(30)) * time.Minute)
			in := w.input(grids[pick(len(grids))], cats[pick(len(cats))])
			if chance(25) {
				in.Urgency = casework.UrgencyUrgent
			}
			if i%7 == 3 {
				in.Reporter.Phone = "" // a resident without a phone cannot rate
			}
			c, err := w.svc.Report(bg, reporters[pick(len(reporters))], in)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}

		// The device alarms' actions are left out of the walk: Step refuses
		// them (package intake writes them), and leaving them out keeps
		// the walk the seed has always given.
		var walkActions, stepActions []casework.Action
		for _, a := range casework.Actions() {
			// The case kinds' steps are refused on the walk's ordinary
			// cases (kinds_test in package kinds walks them).
			// 转办 comes by Service.Transfer, between subdistricts
			// (TestTransferMovesFigures), not through Step.
			if a != casework.ActAlarmRepeat && a != casework.ActAlarmClear && a != casework.ActTransfer && !a.ForKinds() {
				walkActions = append(walkActions, a)
			}
		}
		for _, a := range walkActions {
			if a != casework.ActReport && a != casework.ActWarn && a != casework.ActOverdue {
				stepActions = append(stepActions, a)
			}
		}
		weight := func(a casework.Action, c *casework.Case) int {
			switch a {
			case casework.ActDispatch:
				if c.Status == casework.StatusDispatched {
					return 4 // dispatching again before the unit signs
				}
			case casework.ActVoid, casework.ActMerge:
				return 1
			case casework.ActSelfHandle:
				return 4 // now and then, on a case its reporter may handle
			case casework.ActReject:
				return 6
			case casework.ActHang, casework.ActEscalate, casework.ActComment, casework.ActSupervise:
				return 5
			case casework.ActRequestExtension, casework.ActApproveExtension:
				return 60
			}
			return 40
		}
		chooseAction := func(c *casework.Case) casework.Action {
			if chance(10) {
				all := append(walkActions[:len(walkActions):len(walkActions)], "teleport")
				return all[pick(len(all))]
			}
			var cands []casework.Action
			total := 0
			for _, a := range stepActions {
				if jiedao.ErrorCode(casework.CheckStep(disp, a, c)) != jiedao.ECONFLICT {
					cands = append(cands, a)
					total += weight(a, c)
				}
			}
			if len(cands) == 0 {
				return stepActions[pick(len(stepActions))]
			}
			n := pick(total)
			for _, a := range cands {
				if n -= weight(a, c); n < 0 {
					return a
				}
			}
			return cands[len(cands)-1]
		}
		chooseActor := func(a casework.Action, c *casework.Case) org.Actor {
			if chance(20) {
				return everyone[pick(len(everyone))]
			}
			switch a {
			case casework.ActSign, casework.ActReturn, casework.ActStart, casework.ActHandle, casework.ActRequestExtension:
				switch c.UnitID {
				case o.Chengguan.ID:
					return []org.Actor{lead, handler}[pick(2)]
				case o.Market.ID:
					return market
				}
				return handler
			case casework.ActVerify, casework.ActRework:
				return []org.Actor{disp, disp, gw, comm}[pick(4)]
			case casework.ActSelfHandle:
				return []org.Actor{gw, comm, disp}[pick(3)]
			case casework.ActRate:
				return []org.Actor{resident, resident, disp, hotline}[pick(4)]
			case casework.ActSupervise:
				return []org.Actor{leader, disp, system}[pick(3)]
			case casework.ActComment:
				return everyone[pick(len(everyone))]
			}
			return disp
		}
		// Mostly to the units with staff in the fixture; now and then to
		// the police or the command center, where nobody signs.
		units := []int64{o.Chengguan.ID, o.Chengguan.ID, o.Chengguan.ID, o.Market.ID, o.Market.ID, o.Chengguan.ID, o.Market.ID, o.Police.ID, o.Command.ID}
		chooseInput := func(a casework.Action, c *casework.Case) casework.StepInput {
			in := casework.StepInput{Action: a}
			if chance(90) {
				in.Reason = fmt.Sprintf("第%d次操作的原因", pick(1000))
			}
			switch a {
			case casework.ActDispatch:
				in.UnitID = units[pick(len(units))]
				if chance(5) {
					in.UnitID = []int64{0, 9999}[pick(2)]
				}
			case casework.ActAccept:
				if chance(25) {
					in.Category = []string{fixture.CatExposedTrash, fixture.CatStreetVendor, fixture.CatCityAppearance, "9999"}[pick(4)]
				}
				if chance(25) {
					in.Urgency = []casework.Urgency{casework.UrgencyNormal, casework.UrgencyUrgent, casework.UrgencyCritical, "asap"}[pick(4)]
				}
			case casework.ActRequestExtension, casework.ActApproveExtension:
				in.Days = pick(4)
				if a == casework.ActRequestExtension && chance(90) {
					in.Days = 1 + pick(3)
				}
			case casework.ActRate:
				in.Rating = []casework.Rating{casework.RatingSatisfied, casework.RatingBasic, casework.RatingUnsatisfied, casework.RatingUnsatisfied, "meh"}[pick(5)]
				in.Comment = "回访意见"
				if chance(80) {
					in.Phone = residentPhone
				}
			case casework.ActMerge:
				in.MergeInto = ids[pick(len(ids))]
			}
			return in
		}

		// The walk mostly picks cases still in the loop, so that it goes deep.
		current := map[int64]*casework.Case{}
		for _, id := range ids {
			current[id] = w.checkReplay(t, id)
		}
		inLoop := func(c *casework.Case) bool {
			return c.Status.Open() || c.Status == casework.StatusClosed && c.Rating != casework.RatingSatisfied && c.Rating != casework.RatingBasic
		}
		chooseCase := func() int64 {
			var live []int64
			for _, id := range ids {
				if inLoop(current[id]) {
					live = append(live, id)
				}
			}
			if len(live) == 0 || chance(10) {
				return ids[pick(len(ids))]
			}
			return live[pick(len(live))]
		}

		succeeded := map[casework.Action]int{}
		refused := map[string]int{}
		marks := 0
		for i := range nSteps {
			switch r := pick(100); {
			case r < 70:
				w.clock.Advance(time.Duration(pick(90)) * time.Minute)
			case r < 95:
				w.clock.Advance(time.Duration(1+pick(8)) * time.Hour)
			default:
				w.clock.Advance(time.Duration(1+pick(3)) * 24 * time.Hour)
			}
			id := chooseCase()
			c := current[id]
			action := chooseAction(c)
			a := chooseActor(action, c)
			in := chooseInput(action, c)
			before, n := w.stored(t, id)
			got, err := w.svc.Step(bg, a, id, in)
			after, m := w.stored(t, id)
			if err != nil {
				code := jiedao.ErrorCode(err)
				if code == jiedao.EINTERNAL {
					t.Fatalf("step %d: %s on case %d (%s) by %s: internal error %v", i, action, id, c.Status, a.Name, err)
				}
				if after != before || m != n {
					t.Fatalf("step %d: refused %s (%v) changed case %d", i, action, err, id)
				}
				refused[code]++
			} else {
				if m != n+1 {
					t.Fatalf("step %d: %s wrote %d events", i, action, m-n)
				}
				succeeded[action]++
				if a.SeesContacts() {
					b, _ := json.Marshal(got)
					if string(b) != after {
						t.Fatalf("step %d: %s answered\n%s\nbut stored\n%s", i, action, b, after)
					}
				}
			}
			current[id] = w.checkReplay(t, id)
			checkCase(t, current[id])

			if chance(15) {
				warned, overdue, err := w.svc.RunDeadlines(bg)
				if err != nil {
					t.Fatalf("step %d: RunDeadlines: %v", i, err)
				}
				marks += warned + overdue
				if w2, o2, err := w.svc.RunDeadlines(bg); err != nil || w2+o2 != 0 {
					t.Fatalf("step %d: RunDeadlines run again at once raised %d warnings and %d overdue marks (%v)", i, w2, o2, err)
				}
				for _, id := range ids {
					checkCase(t, w.checkReplay(t, id))
				}
			}
		}
		t.Logf("%d steps taken %v; refused %v; %d deadline marks", nSteps-sum(refused), succeeded, refused, marks)

		// The walk went everywhere: every step succeeded at least once, and
		// the refusals came in every kind.
		for _, a := range stepActions {
			if succeeded[a] == 0 {
				t.Errorf("the walk never took a %s step: %v", a, succeeded)
			}
		}
		for _, code := range []string{jiedao.ECONFLICT, jiedao.EFORBIDDEN, jiedao.EINVALID, jiedao.ENOTFOUND} {
			if refused[code] == 0 {
				t.Errorf("no step was refused with %s: %v", code, refused)
			}
		}
		if marks < 10 {
			t.Errorf("only %d deadline marks were raised", marks)
		}
		for _, id := range ids {
			evs, err := db.Cases().ListEvents(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			checkMarksOnce(t, evs)
		}
	})
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// checkCase asserts what must hold of any stored case.
func checkCase(t *testing.T, c *casework.Case) {
	t.Helper()
	for name, d := range map[string]*casework.Deadline{"sign": c.Deadlines.Sign, "start": c.Deadlines.Start, "finish": c.Deadlines.Finish, "close": c.Deadlines.Close} {
		if d != nil && d.Warn.After(d.Due) {
			t.Fatalf("case %d: %s warning %v after due %v", c.ID, name, d.Warn, d.Due)
		}
	}
	// A hung case knows where it resumes; a case voided or merged while
	// hung keeps that as history; no other case has it.
	hungHistory := c.Status == casework.StatusVoided || c.Status == casework.StatusMerged
	if (c.Status == casework.StatusHung && c.HungFrom == "") || (c.HungFrom != "" && c.Status != casework.StatusHung && !hungHistory) ||
		(c.HungAt == nil) != (c.HungFrom == "") {
		t.Fatalf("case %d: status %s, hung from %q at %v", c.ID, c.Status, c.HungFrom, c.HungAt)
	}
	if (c.Status == casework.StatusMerged) != (c.MergedInto != 0) {
		t.Fatalf("case %d: status %s merged into %d", c.ID, c.Status, c.MergedInto)
	}
	if c.Status == casework.StatusClosed && (c.ClosedAt == nil || c.ClosedOnTime == nil) {
		t.Fatalf("case %d: closed without time or verdict", c.ID)
	}
	if c.Rating != "" && c.Status != casework.StatusClosed {
		t.Fatalf("case %d: rated %s while %s", c.ID, c.Rating, c.Status)
	}
	if c.Extension != nil && c.Status != casework.StatusSigned && c.Status != casework.StatusHandling && c.Status != casework.StatusRework && c.Status != casework.StatusHung {
		t.Fatalf("case %d: an extension pending while %s", c.ID, c.Status)
	}
	if c.DispatchedAt != nil && c.UnitID == 0 || c.Assignments > 0 && c.DispatchedAt == nil {
		t.Fatalf("case %d: dispatched at %v to unit %d, %d assignments", c.ID, c.DispatchedAt, c.UnitID, c.Assignments)
	}
}

// checkMarksOnce replays the events and asserts that no deadline got two
// warnings or two overdue marks: a deadline is known by its stage and its
// times, so a deadline moved (extension, resumption) or started afresh
// (a new dispatch, a rework) is another one.
func checkMarksOnce(t *testing.T, evs []*casework.Event) {
	t.Helper()
	seen := map[string]int{}
	var c *casework.Case
	for i, e := range evs {
		if i > 0 && e.At.Before(evs[i-1].At) {
			t.Errorf("case %d: event %d goes back in time", e.CaseID, e.Seq)
		}
		if e.Action == casework.ActWarn || e.Action == casework.ActOverdue {
			st, d := c.Running()
			if d == nil || st != e.Payload.Stage {
				t.Errorf("case %d: %s event %d for stage %s, running %s", e.CaseID, e.Action, e.Seq, e.Payload.Stage, st)
			} else {
				key := fmt.Sprintf("%s %s %s %s", e.Action, st, d.Due.Format(time.RFC3339), d.Warn.Format(time.RFC3339))
				if prev, ok := seen[key]; ok {
					t.Errorf("case %d: %s raised twice for the same %s deadline (due %s): events %d and %d",
						e.CaseID, e.Action, st, d.Due.Format(time.DateTime), prev, e.Seq)
				}
				seen[key] = e.Seq
			}
		}
		var err error
		if c, err = casework.Apply(c, e); err != nil {
			t.Fatalf("case %d: %v", e.CaseID, err)
		}
	}
}
