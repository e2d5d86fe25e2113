package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestMapTooltipsAreText: Leaflet reads a string given to bindTooltip or
// bindPopup as HTML, so a grid, community, unit or case name an admin or a
// resident typed would run as markup. Every call in the shipped scripts
// passes a DOM node whose text was set with textContent: plainText(…) or a
// div built with createElement and text nodes.
func TestMapTooltipsAreText(t *testing.T) {
	call := regexp.MustCompile(`\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent)\(\s*([^,)]*)`)
	n := 0
	err := fs.WalkDir(staticFiles, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") || strings.Contains(p, "vendor/") {
			return err
		}
		b, err := fs.ReadFile(staticFiles, p)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			n++
			arg := strings.TrimSpace(m[2])
			if !strings.HasPrefix(arg, "plainText(") && arg != "div" {
				t.Errorf("%s: %s(%s…) passes a string, which Leaflet reads as HTML", p, m[1], arg)
			}
		}
		if strings.Contains(string(b), "div") && strings.Contains(string(b), ".innerHTML =") {
			t.Errorf("%s sets innerHTML", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no tooltip or popup found: the pattern is stale")
	}
}
