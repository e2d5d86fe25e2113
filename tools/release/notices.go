package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// allowed is the allow-list of licenses a dependency compiled into jiedao or
// embedded in its pages may carry: permissive licenses compatible with the
// Mulan PSL v2 that jiedao itself is under. A copyleft or unrecognised
// license fails `notices -check` until a person has read it and added it
// here on purpose.
var allowed = map[string]bool{
	"Apache-2.0":   true,
	"MIT":          true,
	"BSD-2-Clause": true,
	"BSD-3-Clause": true,
	"ISC":          true,
	"0BSD":         true,
	"MulanPSL-2.0": true,
}

// targets are the platforms releases are built for; the notice covers the
// union of the modules linked into each.
var targets = []string{"linux/amd64", "linux/arm64", "linux/loong64"}

// component is one third-party piece shipped in the binary.
type component struct {
	Kind    string // "go" or "npm"
	Name    string
	Version string
	License string   // SPDX identifier
	Texts   []string // license and notice files, in name order
	Files   []string // their names
}

// classify names the SPDX license of a license text by its wording.
func classify(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	has := func(s string) bool { return strings.Contains(t, s) }
	switch {
	case has("GNU AFFERO GENERAL PUBLIC"), has("GNU GENERAL PUBLIC"), has("GNU LESSER GENERAL PUBLIC"), has("GNU Lesser General Public"):
		return "GPL-family"
	case has("Mozilla Public License Version 2.0"), has("Mozilla Public License, version 2.0"):
		return "MPL-2.0"
	case has("Mulan Permissive Software License") && has("Version 2"):
		return "MulanPSL-2.0"
	case has("Apache License") && has("Version 2.0"):
		return "Apache-2.0"
	case has("Permission is hereby granted, free of charge"):
		return "MIT"
	case has("Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted"),
		has("Permission to use, copy, modify, and distribute this software for any purpose with or without fee is hereby granted"):
		if has("provided that the above copyright notice") {
			return "ISC"
		}
		return "0BSD"
	case has("Redistribution and use in source and binary forms"):
		if has("Neither the name") || has("names of its contributors") || has("name of the copyright holder") {
			return "BSD-3-Clause"
		}
		return "BSD-2-Clause"
	}
	return "UNKNOWN"
}

// isLicenseFile reports whether a file at a module's root carries license,
// copyright or patent terms that the notice must reproduce.
func isLicenseFile(name string) bool {
	n := strings.ToLower(name)
	for _, p := range []string{"licen", "copying", "notice", "patents", "copyright"} {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// readTexts reads the license files at the root of dir; primary is the
// license that classifies the component (LICENSE, LICENSE.txt, COPYING…).
func readTexts(dir string) (files, texts []string, primary string, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, "", err
	}
	for _, e := range ents {
		if e.IsDir() || !isLicenseFile(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, "", err
		}
		files = append(files, e.Name())
		texts = append(texts, strings.ReplaceAll(string(b), "\r\n", "\n"))
		base := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".txt"), ".md"))
		if primary == "" && (base == "license" || base == "licence" || base == "copying" || strings.HasSuffix(base, "-licence") || strings.HasSuffix(base, "-license")) {
			primary = texts[len(texts)-1]
		}
	}
	if primary == "" && len(texts) > 0 {
		primary = texts[0]
	}
	return files, texts, primary, nil
}

type listedModule struct {
	Path, Version, Dir string
	Main               bool
	Replace            *listedModule
}

// goModules lists the modules linked into cmd/jiedao for every target,
// read from the module cache (`go mod download` puts them there).
func goModules(root string) ([]component, error) {
	seen := map[string]listedModule{}
	for _, t := range targets {
		goos, goarch, _ := strings.Cut(t, "/")
		cmd := exec.Command("go", "list", "-deps", "-json=Module", "./cmd/jiedao")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go list for %s: %w", t, err)
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		for dec.More() {
			var p struct{ Module *listedModule }
			if err := dec.Decode(&p); err != nil {
				return nil, err
			}
			if p.Module == nil || p.Module.Main {
				continue
			}
			m := *p.Module
			if false {
				continue
			}
			if m.Replace != nil {
				m.Version, m.Dir = m.Replace.Version, m.Replace.Dir
			}
			seen[m.Path] = m
		}
	}
	var out []component
	for _, m := range seen {
		files, texts, primary, err := readTexts(m.Dir)
		if err != nil {
			return nil, fmt.Errorf("%s@%s: %w", m.Path, m.Version, err)
		}
		out = append(out, component{Kind: "go", Name: m.Path, Version: m.Version, License: classify(primary), Files: files, Texts: texts})
	}
	// The Go standard library and runtime are linked into every binary.
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %w", err)
	}
	files, texts, primary, err := readTexts(strings.TrimSpace(string(goroot)))
	if err != nil {
		return nil, err
	}
	out = append(out, component{Kind: "go", Name: "Go standard library (std)", Version: "", License: classify(primary), Files: files, Texts: texts})
	return out, nil
}

// npmPackages lists the browser libraries vendored into web/static/vendor
// from web/package-lock.json, with their texts from web/node_modules
// (`npm ci` puts them there).
func npmPackages(root string, texts bool) ([]component, error) {
	b, err := os.ReadFile(filepath.Join(root, "web", "package-lock.json"))
	if err != nil {
		return nil, err
	}
	var lock struct {
		Packages map[string]struct {
			Version string
			License string
			Dev     bool
		}
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return nil, err
	}
	var out []component
	for key, p := range lock.Packages {
		if key == "" || p.Dev {
			continue
		}
		name := strings.TrimPrefix(key[strings.LastIndex(key, "node_modules/"):], "node_modules/")
		if !texts {
			out = append(out, component{Kind: "npm", Name: name, Version: p.Version, License: p.License})
			continue
		}
		dir := filepath.Join(root, "web", key)
		files, texts, primary, err := readTexts(dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (run `npm ci` in web/ first)", name, err)
		}
		lic := p.License
		if got := classify(primary); got != lic {
			return nil, fmt.Errorf("%s@%s: package-lock.json says %s but its license file reads as %s", name, p.Version, lic, got)
		}
		out = append(out, component{Kind: "npm", Name: name, Version: p.Version, License: lic, Files: files, Texts: texts})
	}
	return out, nil
}

// collect gathers every component, sorted, and the ones whose license is
// not on the allow-list. Without texts, the browser libraries' licenses are
// the lock file's alone (the SBOM: web/node_modules need not exist).
func collect(root string, texts bool) (all, refused []component, err error) {
	gm, err := goModules(root)
	if err != nil {
		return nil, nil, err
	}
	nm, err := npmPackages(root, texts)
	if err != nil {
		return nil, nil, err
	}
	all = append(gm, nm...)
	sort.Slice(all, func(i, j int) bool {
		if all[i].Kind != all[j].Kind {
			return all[i].Kind < all[j].Kind
		}
		return all[i].Name < all[j].Name
	})
	for _, c := range all {
		if !allowed[c.License] {
			refused = append(refused, c)
		}
	}
	return all, refused, nil
}

// renderNotices writes the notice: a table of every component, then each
// distinct license text once, naming the components it covers.
func renderNotices(all []component) []byte {
	var b bytes.Buffer
	b.WriteString("THIRD-PARTY NOTICES / 第三方组件声明\n\n")
	b.WriteString("jiedao is licensed under the Mulan PSL v2 (see LICENSE). Its release binaries\n")
	b.WriteString("contain the Go modules below (linked for linux/amd64, linux/arm64 and\n")
	b.WriteString("linux/loong64) and embed the browser libraries below (web/static/vendor/,\n")
	b.WriteString("from web/package-lock.json). Their licenses follow.\n\n")
	b.WriteString("This file is generated by `go run ./tools/release notices`; do not edit it.\n")
	b.WriteString("scripts/test regenerates it and fails if it differs or if a license is not\n")
	b.WriteString("on the allow-list in tools/release/notices.go.\n\n")
	b.WriteString("本文件由 `go run ./tools/release notices` 生成，请勿手工修改。\n\n")
	fmt.Fprintf(&b, "%-5s %-58s %-40s %s\n", "kind", "component", "version", "license")
	for _, c := range all {
		v := c.Version
		if v == "" {
			v = "(toolchain)"
		}
		fmt.Fprintf(&b, "%-5s %-58s %-40s %s\n", c.Kind, c.Name, v, c.License)
	}
	type group struct {
		file, text string
		users      []string
	}
	var groups []*group
	byHash := map[[32]byte]*group{}
	for _, c := range all {
		for i, t := range c.Texts {
			h := sha256.Sum256([]byte(strings.TrimSpace(t)))
			g := byHash[h]
			if g == nil {
				g = &group{file: c.Files[i], text: strings.TrimSpace(t)}
				byHash[h] = g
				groups = append(groups, g)
			}
			id := c.Name
			if c.Version != "" {
				id += "@" + c.Version
			}
			g.users = append(g.users, id+" ("+c.Files[i]+")")
		}
	}
	for _, g := range groups {
		b.WriteString("\n" + strings.Repeat("=", 78) + "\n")
		for _, u := range g.users {
			b.WriteString(u + "\n")
		}
		b.WriteString(strings.Repeat("-", 78) + "\n\n")
		b.WriteString(g.text + "\n")
	}
	return b.Bytes()
}
