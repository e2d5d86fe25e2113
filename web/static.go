package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/jiedao/jiedao"
)

//go:embed static
var staticFiles embed.FS

// asset is one embedded file with what serving it fast needs: a content
// hash for its URL (so that it can be cached for a year and still change
// with a new binary) and, for text, a gzipped copy made once.
type asset struct {
	body  []byte
	hash  string
	ctype string

	gzOnce sync.Once
	gz     []byte
}

var (
	assetsOnce sync.Once
	assets     map[string]*asset // by name under static/
)

func loadAssets() map[string]*asset {
	assetsOnce.Do(func() {
		assets = map[string]*asset{}
		_ = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := staticFiles.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			ct := mime.TypeByExtension(path.Ext(p))
			if ct == "" {
				ct = "application/octet-stream"
			}
			assets[strings.TrimPrefix(p, "static/")] = &asset{body: b, hash: hex.EncodeToString(sum[:6]), ctype: ct}
			return nil
		})
	})
	return assets
}

// assetURL is the URL of an embedded file, versioned by its content.
func assetURL(name string) string {
	a := loadAssets()[name]
	if a == nil {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + a.hash
}

func (a *asset) gzipped() []byte {
	a.gzOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		if b.Len() < len(a.body) {
			a.gz = b.Bytes()
		}
	})
	return a.gz
}

// Static serves the embedded files under /static/.
func (h *Handler) Static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	a := loadAssets()[name]
	if a == nil {
		h.fail(w, r, jiedao.Errorf(jiedao.ENOTFOUND, "文件不存在", "no such file"))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.ctype)
	etag := `"` + a.hash + `"`
	hd.Set("ETag", etag)
	if r.URL.Query().Get("v") == a.hash {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "public, max-age=300")
	}
	hd.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && compressible(a.ctype) {
		if gz := a.gzipped(); gz != nil {
			hd.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	hd.Set("Content-Length", itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "json") || strings.Contains(ct, "svg")
}
