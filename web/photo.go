package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // residents' phones send what they have
	"image/jpeg"
	_ "image/png"
	"io"
	"math"
	"mime/multipart"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
)

// Photos are made safe and small before they are stored: decoded,
// turned upright by their EXIF orientation, shrunk to at most maxSide
// pixels on the long side and encoded again as JPEG. Encoding anew drops
// every EXIF tag (camera serials, times, the owner's name); the GPS
// position alone is read first and returned, so that a report without a
// location can be placed where the photo was taken.
const (
	maxSide     = 1600
	thumbSide   = 320
	maxUpload   = 12 << 20 // one file as the phone sends it
	maxPixels   = 50e6     // refuse decompression bombs before decoding
	jpegQuality = 82
)

// processedPhoto is a photo ready to store.
type processedPhoto struct {
	photo    casework.Photo
	lat, lon *float64 // from EXIF GPS, WGS-84 as cameras record it
}

var errNotImage = jiedao.Invalid("photos", "无法识别的图片格式，请上传 JPEG 或 PNG 照片", "unrecognised image: upload JPEG or PNG photos")

// processUpload reads one uploaded file and returns it ready to store,
// decoding it within the request's pixel budget and the process's gate.
func (h *Handler) processUpload(ctx context.Context, fh *multipart.FileHeader, field string, budget *pixelBudget) (*processedPhoto, error) {
	if fh.Size > maxUpload {
		return nil, jiedao.Invalid("photos", "单张照片不能超过12MB", "a photo may be at most 12 MB")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil {
		return nil, err
	}
	return processPhoto(ctx, h.gate, budget, field, data)
}

// processPhoto turns the bytes of an image into a stored photo. The header
// is read first (image.DecodeConfig): too many pixels, for the photo or for
// the request (budget), is refused before decoding; the decode then waits
// for its pixels at the gate (photogate.go). A nil gate or budget bounds
// nothing.
func processPhoto(ctx context.Context, gate *photoGate, budget *pixelBudget, field string, data []byte) (*processedPhoto, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errNotImage
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > maxPixels {
		return nil, jiedao.Invalid(field, "照片像素过多", "the photo has too many pixels")
	}
	if err := budget.take(field, pixels); err != nil {
		return nil, err
	}
	release, err := gate.acquire(ctx, pixels)
	if err != nil {
		return nil, err
	}
	defer release()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errNotImage
	}
	meta := readEXIF(data)
	img = orient(img, meta.orientation)
	full := fit(img, maxSide)
	thumb := fit(full, thumbSide)
	var fb, tb bytes.Buffer
	if err := jpeg.Encode(&fb, full, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, err
	}
	if err := jpeg.Encode(&tb, thumb, &jpeg.Options{Quality: 70}); err != nil {
		return nil, err
	}
	b := full.Bounds()
	out := &processedPhoto{photo: casework.Photo{ContentType: "image/jpeg", Width: b.Dx(), Height: b.Dy(), Data: fb.Bytes(), Thumb: tb.Bytes()}}
	if meta.hasGPS {
		lat, lon := meta.lat, meta.lon
		out.lat, out.lon = &lat, &lon
		out.photo.Lat, out.photo.Lon = &lat, &lon
	}
	return out, nil
}

// fit shrinks img to at most side pixels on its long side by averaging
// the source pixels under each target pixel (a box filter: sharp enough for
// photos of a street, and no dependency).
func fit(img image.Image, side int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := toRGBA(img)
	if w <= side && h <= side {
		return src
	}
	scale := float64(side) / float64(max(w, h))
	dw, dh := max(1, int(math.Round(float64(w)*scale))), max(1, int(math.Round(float64(h)*scale)))
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		y0, y1 := y*h/dh, max((y+1)*h/dh, y*h/dh+1)
		for x := 0; x < dw; x++ {
			x0, x1 := x*w/dw, max((x+1)*w/dw, x*w/dw+1)
			var r, g, bl, a, n uint32
			for sy := y0; sy < y1; sy++ {
				i := src.PixOffset(x0, sy)
				for sx := x0; sx < x1; sx++ {
					r += uint32(src.Pix[i])
					g += uint32(src.Pix[i+1])
					bl += uint32(src.Pix[i+2])
					a += uint32(src.Pix[i+3])
					i += 4
					n++
				}
			}
			j := dst.PixOffset(x, y)
			dst.Pix[j], dst.Pix[j+1], dst.Pix[j+2], dst.Pix[j+3] = uint8(r/n), uint8(g/n), uint8(bl/n), uint8(a/n)
		}
	}
	return dst
}

// toRGBA copies img onto white (a PNG's transparency becomes white, as
// JPEG has none), with its origin at 0,0.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	if r, ok := img.(*image.RGBA); ok && b.Min == (image.Point{}) {
		return r
	}
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}

// orient turns an image upright by its EXIF orientation (1–8).
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	src := toRGBA(img)
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):dst.PixOffset(dx, dy)+4], src.Pix[src.PixOffset(x, y):src.PixOffset(x, y)+4])
		}
	}
	return dst
}

// exifMeta is what jiedao reads from EXIF before dropping it.
type exifMeta struct {
	orientation int
	hasGPS      bool
	lat, lon    float64
}

// readEXIF finds the EXIF block of a JPEG (APP1 "Exif\0\0") and reads the
// orientation and the GPS position from its TIFF structure. Anything
// malformed is ignored: the photo is still stored, without the metadata.
func readEXIF(data []byte) (m exifMeta) {
	defer func() {
		if recover() != nil { // a malformed block with offsets out of range
			m = exifMeta{}
		}
	}()
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return m
	}
	i := 2
	for i+4 <= len(data) && data[i] == 0xFF {
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan: no more metadata
			break
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return parseTIFF(seg[6:])
		}
		i += 2 + n
	}
	return m
}

func parseTIFF(t []byte) (m exifMeta) {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return m
	}
	type entry struct {
		tag, typ uint16
		count    uint32
		value    []byte // the 4 bytes of the value or offset
	}
	readIFD := func(off uint32) []entry {
		n := int(bo.Uint16(t[off:]))
		out := make([]entry, 0, n)
		for k := 0; k < n; k++ {
			e := t[int(off)+2+12*k:]
			out = append(out, entry{tag: bo.Uint16(e), typ: bo.Uint16(e[2:]), count: bo.Uint32(e[4:]), value: e[8:12]})
		}
		return out
	}
	rational := func(off uint32, k int) float64 {
		num, den := bo.Uint32(t[int(off)+8*k:]), bo.Uint32(t[int(off)+8*k+4:])
		if den == 0 {
			return 0
		}
		return float64(num) / float64(den)
	}
	dms := func(e entry) float64 {
		off := bo.Uint32(e.value)
		return rational(off, 0) + rational(off, 1)/60 + rational(off, 2)/3600
	}
	var gpsOff uint32
	for _, e := range readIFD(bo.Uint32(t[4:])) {
		switch e.tag {
		case 0x0112:
			m.orientation = int(bo.Uint16(e.value))
		case 0x8825:
			gpsOff = bo.Uint32(e.value)
		}
	}
	if gpsOff == 0 {
		return m
	}
	var latRef, lonRef byte
	var lat, lon float64
	var haveLat, haveLon bool
	for _, e := range readIFD(gpsOff) {
		switch e.tag {
		case 1:
			latRef = e.value[0]
		case 2:
			if e.typ == 5 && e.count == 3 {
				lat, haveLat = dms(e), true
			}
		case 3:
			lonRef = e.value[0]
		case 4:
			if e.typ == 5 && e.count == 3 {
				lon, haveLon = dms(e), true
			}
		}
	}
	if !haveLat || !haveLon || (lat == 0 && lon == 0) || lat > 90 || lon > 180 {
		return m
	}
	if latRef == 'S' {
		lat = -lat
	}
	if lonRef == 'W' {
		lon = -lon
	}
	m.hasGPS, m.lat, m.lon = true, lat, lon
	return m
}
