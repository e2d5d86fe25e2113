package casework

import (
	"context"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Track returns a case to the resident who reported it, who proves it is
// his with the phone number he gave: the case as the public sees it (see
// public.go) and its history. A wrong phone number gets the same answer as
// a wrong case number, so that numbers cannot be probed.
func (s *Service) Track(ctx context.Context, number, phone string) (*Case, []*Event, error) {
	notFound := jiedao.Errorf(jiedao.ENOTFOUND, "案件编号或手机号不正确", "wrong case number or phone number")
	number = strings.TrimSpace(number)
	p := normalizePhone(phone)
	if number == "" || p == "" {
		return nil, nil, notFound
	}
	c, err := s.Store.GetCaseByNumber(ctx, number)
	if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	if c.Reporter.Phone == "" || normalizePhone(c.Reporter.Phone) != p || c.Status == StatusVoided {
		return nil, nil, notFound
	}
	pub := publicCopy(c) // the reporter's own: nothing withheld
	events, err := s.PublicEvents(ctx, pub)
	if err != nil {
		return nil, nil, err
	}
	return pub, events, nil
}

// TrackStep takes a step a resident may take on the case he follows: rate
// it once closed, or add a note (补充说明). The phone number is the proof,
// as for Track.
func (s *Service) TrackStep(ctx context.Context, number, phone string, in StepInput) (*Case, error) {
	if in.Action != ActRate && in.Action != ActComment {
		return nil, jiedao.Forbidden("居民只能评价或补充说明", "residents may only rate or add a note")
	}
	c, _, err := s.Track(ctx, number, phone)
	if err != nil {
		return nil, err
	}
	in.Phone = phone
	stored, err := s.Store.GetCase(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	a := org.ResidentActor(org.MaskName(stored.Reporter.Name))
	if a.Name == "" {
		a.Name = "居民"
	}
	if _, err := s.Step(ctx, a, c.ID, in); err != nil {
		return nil, err
	}
	pub, _, err := s.Track(ctx, number, phone)
	return pub, err
}
