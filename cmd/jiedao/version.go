package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// commit and date are set at release with -ldflags "-X main.commit=…
// -X main.date=…" (scripts/release); otherwise they come from the build
// info Go records (vcs.revision, vcs.time) when built with -buildvcs.
var commit, date string

// buildVersion is what `jiedao version` prints.
type buildVersion struct {
	Version, Commit, Date, Go, Platform string
	Modified                            bool
}

func readVersion() buildVersion {
	v := buildVersion{Version: version, Commit: commit, Date: date, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if v.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if v.Commit == "" {
				v.Commit = s.Value
			}
		case "vcs.time":
			if v.Date == "" {
				v.Date = s.Value
			}
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func runVersion(_ context.Context, _ []string, out, _ io.Writer) error {
	v := readVersion()
	orUnknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	c := orUnknown(v.Commit)
	if v.Modified {
		c += " (modified)"
	}
	fmt.Fprintln(out, "jiedao", v.Version)
	fmt.Fprintln(out, "commit:", c)
	fmt.Fprintln(out, "built: ", orUnknown(v.Date))
	fmt.Fprintln(out, "go:    ", v.Go, v.Platform)
	return nil
}
