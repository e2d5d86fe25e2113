package web

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// bigPNG writes a w×h RGB PNG of one colour, streaming its rows through
// zlib, so that making it costs kilobytes: the kind of file that is small
// on the wire and huge once decoded. rows < h writes a truncated image
// (enough for image.DecodeConfig).
func bigPNG(w, h, rows int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		out.Write(n[:])
		c := crc32.NewIEEE()
		c.Write([]byte(kind))
		c.Write(data)
		out.WriteString(kind)
		out.Write(data)
		binary.BigEndian.PutUint32(n[:], c.Sum32())
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	row := make([]byte, 1+3*w)
	for i := 1; i < len(row); i++ {
		row[i] = byte(40 + i%3*60)
	}
	for range rows {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// TestRequestPixelBudget: the pixels of one request's photos are counted
// from their headers before any is decoded; past maxRequestPixels the
// photo is refused with its field named.
func TestRequestPixelBudget(t *testing.T) {
	header := bigPNG(7000, 7000, 0) // 49 MP, no pixel data
	b := newPixelBudget()
	var refused error
	for i := range 4 {
		_, err := processPhoto(context.Background(), nil, b, "photos", header)
		if i < 3 && err != errNotImage { // within budget: decoded, and found truncated
			t.Fatalf("photo %d: %v, want the decode to be tried", i, err)
		}
		refused = err
	}
	if refused == nil || !strings.Contains(refused.Error(), "照片总像素过多") || !strings.Contains(refused.Error(), "[photos]") {
		t.Fatalf("the fourth 49 MP photo of a request: %v", refused)
	}
}

// TestPhotoGateBoundsPixelsInFlight: however many decodes start at once,
// the pixels held at the gate never exceed its budget; a decode whose
// request ends while it waits gives up with 503 unavailable.
func TestPhotoGateBoundsPixelsInFlight(t *testing.T) {
	g := newPhotoGate(50 << 20)
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			px := int64(7+i%4*10) << 20 // 7 to 37 MiP
			release, err := g.acquire(context.Background(), px)
			if err != nil {
				t.Error(err)
				return
			}
			n := held.Add(px)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			held.Add(-px)
			release()
		}()
	}
	wg.Wait()
	if p := peak.Load(); p > 50<<20 || p == 0 {
		t.Fatalf("peak pixels held %d, budget %d", p, 50<<20)
	}
	release, _ := g.acquire(context.Background(), 50<<20)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := g.acquire(ctx, 1); err == nil || !strings.Contains(err.Error(), "unavailable") {
		t.Fatalf("waiting past the request's end: %v", err)
	}
	release()
	if r, err := g.acquire(context.Background(), 1); err != nil {
		t.Fatalf("after release: %v", err)
	} else {
		r()
	}
}

// BenchmarkPhotoBurst is the probe's burst: 8 requests at once, each with
// six 7000×7000 PNGs (about 160 KB each on the wire), decoded as the
// report form does. It reports the process's peak resident memory
// (VmHWM) above what it held before the burst. Run each variant in its
// own process, since the high-water mark only rises:
//
//	go test ./web/ -run '^$' -bench 'PhotoBurst/^gated$' -benchtime 1x
//	go test ./web/ -run '^$' -bench 'PhotoBurst/^ungated$' -benchtime 1x
func BenchmarkPhotoBurst(b *testing.B) {
	png := bigPNG(7000, 7000, 7000)
	for _, v := range []struct {
		name string
		gate *photoGate
	}{{"gated", newPhotoGate(maxDecodePixels)}, {"ungated", nil}} {
		b.Run(v.name, func(b *testing.B) {
			runtime.GC()
			before := vmHWM(b)
			for range b.N {
				var wg sync.WaitGroup
				for range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						budget := newPixelBudget()
						for range 6 {
							if _, err := processPhoto(context.Background(), v.gate, budget, "photos", png); err != nil && !strings.Contains(err.Error(), "照片总像素过多") {
								b.Error(err)
							}
						}
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(len(png))/1024, "png-KB")
			b.ReportMetric(float64(vmHWM(b)-before)/1024, "peak-rss-MB-above-start")
			b.ReportMetric(float64(vmHWM(b))/1024, "peak-rss-MB")
		})
	}
}

// vmHWM is the process's peak resident memory in KiB.
func vmHWM(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	panic("no VmHWM")
}
