package web

import (
	"context"
	"fmt"

	"github.com/jiedao/jiedao"
)

// Decoding a photo costs memory by its pixels, not its bytes: a 160 KB PNG
// of 7000×7000 pixels decodes to 196 MB, and making it upright and small
// copies it once or twice more. Eight reports of six such photos at once
// took the server from 311 MB to about 3 GB. Two bounds keep any burst
// under a stated peak (docs/benchmarks.md, "Photo decoding"):
//
//   - photoGate: the pixels being decoded at once, in the whole process,
//     are at most maxDecodePixels (one photo at the largest size allowed,
//     or several smaller ones); a decode waits for its share, or gives up
//     when its request ends;
//   - pixelBudget: the pixels of one request's photos together are at most
//     maxRequestPixels, checked from each file's header (image.DecodeConfig)
//     before anything is decoded.
//
// With both, what decoding holds is about maxDecodePixels × 12 bytes (the
// decoded image, its white-backed RGBA copy, its upright copy), whatever
// the number of requests.
const (
	maxDecodePixels  = maxPixels     // pixels decoded at once, process-wide
	maxRequestPixels = 3 * maxPixels // pixels of the photos of one request
	gateSlotPixels   = 1 << 20       // the gate counts in slots of 1 MiP
)

// photoGate is a weighted semaphore over pixels being decoded. Slots are
// taken under one lock, so that two decodes never each hold half of what
// both need.
type photoGate struct {
	lock  chan struct{} // held while taking slots
	slots chan struct{}
}

func newPhotoGate(pixels int64) *photoGate {
	n := max(int(pixels/gateSlotPixels), 1)
	g := &photoGate{lock: make(chan struct{}, 1), slots: make(chan struct{}, n)}
	return g
}

// acquire takes the slots for a decode of pixels, waiting while others
// decode; it returns the release, or an error when ctx ends first. A nil
// gate bounds nothing.
func (g *photoGate) acquire(ctx context.Context, pixels int64) (func(), error) {
	if g == nil {
		return func() {}, nil
	}
	n := min(max(int((pixels+gateSlotPixels-1)/gateSlotPixels), 1), cap(g.slots))
	busy := jiedao.Errorf(jiedao.EUNAVAILABLE, "照片处理繁忙，请稍后重试", "photo processing is busy, try again shortly")
	select {
	case g.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, busy
	}
	for i := range n {
		select {
		case g.slots <- struct{}{}:
		case <-ctx.Done():
			for range i {
				<-g.slots
			}
			<-g.lock
			return nil, busy
		}
	}
	<-g.lock
	return func() {
		for range n {
			<-g.slots
		}
	}, nil
}

// pixelBudget is what is left of one request's pixels.
type pixelBudget struct{ left int64 }

func newPixelBudget() *pixelBudget { return &pixelBudget{left: maxRequestPixels} }

// take spends pixels, or refuses the photo when the request's photos
// together have more than maxRequestPixels.
func (b *pixelBudget) take(field string, pixels int64) error {
	if b == nil {
		return nil
	}
	if pixels > b.left {
		return jiedao.Invalid(field, fmt.Sprintf("照片总像素过多：一次提交的照片合计不能超过%d万像素", int64(maxRequestPixels/10000)),
			fmt.Sprintf("the photos together have too many pixels: at most %d million in one submission", int64(maxRequestPixels/1000000)))
	}
	b.left -= pixels
	return nil
}
