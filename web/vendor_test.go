package web

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVendoredAssets checks that the vendored browser libraries are exactly
// those package-lock.json installs: when web/node_modules exists (scripts/test
// runs npm ci first), every file listed in vendor.txt must be byte for byte
// its copy under static/vendor. Run scripts/vendor-assets after an upgrade.
func TestVendoredAssets(t *testing.T) {
	list, err := os.ReadFile("vendor.txt")
	if err != nil {
		t.Fatal(err)
	}
	haveModules := true
	if _, err := os.Stat("node_modules"); err != nil {
		haveModules = false
	}
	sc := bufio.NewScanner(bytes.NewReader(list))
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		src, dst, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("vendor.txt: bad line %q", line)
		}
		n++
		vendored, err := staticFiles.ReadFile("static/vendor/" + strings.TrimSpace(dst))
		if err != nil {
			t.Errorf("%s is not vendored (run scripts/vendor-assets): %v", dst, err)
			continue
		}
		if !haveModules {
			continue
		}
		orig, err := os.ReadFile(filepath.Join("node_modules", src))
		if err != nil {
			t.Errorf("node_modules/%s: %v (is package-lock.json in step with vendor.txt?)", src, err)
			continue
		}
		if !bytes.Equal(orig, vendored) {
			t.Errorf("static/vendor/%s differs from node_modules/%s: run scripts/vendor-assets", dst, src)
		}
	}
	if n == 0 {
		t.Fatal("vendor.txt lists nothing")
	}
	if !haveModules {
		t.Log("web/node_modules absent (run `npm ci` in web/): checked only that the files are vendored")
	}
}
