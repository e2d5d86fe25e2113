package casework

import (
	"context"
	"strconv"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Photo is a picture taken with a report or a step. The pages make it a
// JPEG of at most 1600 px without EXIF (and a small thumbnail) before it is
// stored; the location its EXIF carried, if any, is kept apart in Lat/Lon.
type Photo struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id,omitempty"` // 0 until claimed
	ContentType string    `json:"content_type"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	Lat, Lon    *float64  `json:"-"`
	UploadedBy  string    `json:"uploaded_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Data        []byte    `json:"-"` // empty in lists
	Thumb       []byte    `json:"-"`
	// ClaimHash is org.HashToken of the claim the uploader holds.
	ClaimHash string `json:"-"`
	// Stage is when in the loop it was taken (LabelPhotos): derived from
	// the case's events, not stored.
	Stage PhotoStage `json:"stage,omitempty"`
}

// PhotoStore keeps photos. Implemented by package store for both engines.
type PhotoStore interface {
	CreatePhoto(ctx context.Context, p *Photo) error
	// GetPhoto returns a photo with its data.
	GetPhoto(ctx context.Context, id int64) (*Photo, error)
	// ListPhotos returns a case's photos with their thumbnails but not
	// their data, oldest first.
	ListPhotos(ctx context.Context, caseID int64) ([]*Photo, error)
	// FirstPhotoIDs returns each case's first photo (its oldest) by case
	// id, for the cases that have one.
	FirstPhotoIDs(ctx context.Context, caseIDs []int64) (map[int64]int64, error)
	// ClaimPhotos attaches to the case the photos whose claim hashes are
	// given and that are unclaimed or the case's already, and returns
	// their ids in the order given.
	ClaimPhotos(ctx context.Context, caseID int64, claimHashes []string) ([]int64, error)
	// DeleteUnclaimed removes photos never claimed that were uploaded
	// before the time.
	DeleteUnclaimed(ctx context.Context, before time.Time) (int, error)
}

// Photo limits: what one upload and one case may hold.
const (
	MaxPhotoBytes   = 4 << 20 // a stored (already resized) photo
	MaxPhotosPerAdd = 6
	// unclaimedFor is how long an uploaded photo waits for the form it came
	// with to be sent again (after an error) before it is removed.
	unclaimedFor = 24 * time.Hour
)

// Photos stores photos and serves them to those who may see their case.
type Photos struct {
	Store PhotoStore
	Cases *Service
}

// Upload stores a photo not yet attached to any case and returns the claim
// that attaches it: the form it came with carries the claim, so that a
// form sent again after an error keeps its photos without a new upload.
// Anyone may upload (residents report with photos); an unclaimed photo is
// seen by nobody and removed after a day.
func (p *Photos) Upload(ctx context.Context, a org.Actor, ph *Photo) (claim string, err error) {
	if len(ph.Data) == 0 || len(ph.Data) > MaxPhotoBytes {
		return "", jiedao.Invalid("photos", "照片为空或过大", "the photo is empty or too large")
	}
	if ph.ContentType == "" {
		ph.ContentType = "image/jpeg"
	}
	now := p.Cases.now()
	if _, err := p.Store.DeleteUnclaimed(ctx, now.Add(-unclaimedFor)); err != nil {
		return "", err
	}
	claim, hash := org.NewToken("p_")
	ph.ID, ph.CaseID, ph.ClaimHash, ph.CreatedAt, ph.UploadedBy = 0, 0, hash, now, a.Name
	if err := p.Store.CreatePhoto(ctx, ph); err != nil {
		return "", err
	}
	return claim, nil
}

// Attach attaches uploaded photos to a case the actor may see and returns
// their ids, for the step that refers to them. The caller of a resident's
// report attaches to the case just made.
func (p *Photos) Attach(ctx context.Context, a org.Actor, caseID int64, claims []string) ([]int64, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	if len(claims) > MaxPhotosPerAdd {
		return nil, jiedao.Invalid("photos", "每次最多上传6张照片", "at most 6 photos at a time")
	}
	if _, err := p.Cases.Get(ctx, a, caseID); err != nil {
		return nil, err
	}
	hashes := make([]string, len(claims))
	for i, c := range claims {
		hashes[i] = org.HashToken(c)
	}
	return p.Store.ClaimPhotos(ctx, caseID, hashes)
}

// staffOrClient refuses residents: they see their photos only through
// Tracked, with their phone number as proof.
func staffOrClient(a org.Actor) error {
	if a.Kind != org.ActorStaff && a.Kind != org.ActorClient && a.Kind != org.ActorSystem {
		return jiedao.NotFound("照片", "photo")
	}
	return nil
}

// Get returns a photo with its data if the actor may see its case.
func (p *Photos) Get(ctx context.Context, a org.Actor, id int64) (*Photo, error) {
	if err := staffOrClient(a); err != nil {
		return nil, err
	}
	ph, err := p.Store.GetPhoto(ctx, id)
	if err != nil {
		return nil, err
	}
	if ph.CaseID == 0 {
		return nil, jiedao.NotFound("照片", "photo")
	}
	if _, err := p.Cases.Get(ctx, a, ph.CaseID); err != nil {
		if jiedao.ErrorCode(err) == jiedao.ENOTFOUND {
			return nil, jiedao.NotFound("照片", "photo")
		}
		return nil, err
	}
	return ph, nil
}

// List returns the photos of a case the actor may see, with thumbnails.
func (p *Photos) List(ctx context.Context, a org.Actor, caseID int64) ([]*Photo, error) {
	if err := staffOrClient(a); err != nil {
		return nil, err
	}
	if _, err := p.Cases.Get(ctx, a, caseID); err != nil {
		return nil, err
	}
	return p.labelled(ctx, caseID)
}

// FirstOf returns the first photo of each of the cases, by case id, in
// one query: the board's stream shows one thumbnail a case. The cases are
// ones the actor was given by a list, so each is checked against the
// actor's scope without reading it again.
func (p *Photos) FirstOf(ctx context.Context, a org.Actor, cases []*Case) (map[int64]int64, error) {
	if err := staffOrClient(a); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(cases))
	for _, c := range cases {
		ids = append(ids, c.ID)
	}
	return p.Store.FirstPhotoIDs(ctx, ids)
}

// labelled lists a case's photos with their stages.
func (p *Photos) labelled(ctx context.Context, caseID int64) ([]*Photo, error) {
	photos, err := p.Store.ListPhotos(ctx, caseID)
	if err != nil {
		return nil, err
	}
	events, err := p.Cases.Store.ListEvents(ctx, caseID)
	if err != nil {
		return nil, err
	}
	LabelPhotos(photos, events)
	return photos, nil
}

// Tracked returns the photos of the case a resident follows, proven by the
// phone number he reported with (see Service.Track).
func (p *Photos) Tracked(ctx context.Context, number, phone string) ([]*Photo, error) {
	c, _, err := p.Cases.Track(ctx, number, phone)
	if err != nil {
		return nil, err
	}
	return p.labelled(ctx, c.ID)
}

// PhotoStage says when a photo was taken in the loop, for its label.
type PhotoStage string

const (
	PhotoBefore PhotoStage = "before" // 处置前: with the report or a note, before handling
	PhotoAfter  PhotoStage = "after"  // 处置后: with the handling report (or 自行处置)
	PhotoCheck  PhotoStage = "check"  // 核查: taken by whoever verified the handling
)

// Zh is the stage's Chinese label.
func (s PhotoStage) Zh() string {
	switch s {
	case PhotoAfter:
		return "处置后"
	case PhotoCheck:
		return "核查"
	}
	return "处置前"
}

// PhotoStageOf is the stage of the photos a step carries.
func PhotoStageOf(a Action) PhotoStage {
	switch a {
	case ActHandle, ActSelfHandle:
		return PhotoAfter
	case ActVerify, ActRework:
		return PhotoCheck
	}
	return PhotoBefore
}

// LabelPhotos sets each photo's Stage from the case's events: a photo
// named by a handling step is 处置后, by a verification 核查, any other
// (sent with the report, or with a note) 处置前.
func LabelPhotos(photos []*Photo, events []*Event) {
	stage := map[string]PhotoStage{}
	for _, e := range events {
		for _, ref := range e.Payload.Photos {
			stage[ref] = PhotoStageOf(e.Action)
		}
	}
	for _, p := range photos {
		p.Stage = PhotoBefore
		if s, ok := stage[strconv.FormatInt(p.ID, 10)]; ok {
			p.Stage = s
		}
	}
}
