package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

type spdxChecksum struct {
	Algorithm     string `json:"algorithm"`
	ChecksumValue string `json:"checksumValue"`
}

type spdxRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxPackage struct {
	SPDXID           string         `json:"SPDXID"`
	Name             string         `json:"name"`
	VersionInfo      string         `json:"versionInfo,omitempty"`
	DownloadLocation string         `json:"downloadLocation"`
	FilesAnalyzed    bool           `json:"filesAnalyzed"`
	LicenseConcluded string         `json:"licenseConcluded"`
	LicenseDeclared  string         `json:"licenseDeclared"`
	CopyrightText    string         `json:"copyrightText"`
	PackageFileName  string         `json:"packageFileName,omitempty"`
	Checksums        []spdxChecksum `json:"checksums,omitempty"`
	ExternalRefs     []spdxRef      `json:"externalRefs,omitempty"`
	Comment          string         `json:"comment,omitempty"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      map[string]any     `json:"creationInfo"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

var spdxIDClean = strings.NewReplacer("/", "-", "@", "-", "_", "-", "+", "-", " ", "-", "(", "", ")", "")

// runSBOM writes an SPDX 2.3 JSON document describing the release binaries:
// each binary (with its SHA-256), the Go modules its build info records, the
// Go toolchain, and the browser libraries embedded in it, with the licenses
// the notices tool read. Its timestamp is SOURCE_DATE_EPOCH so a release
// of the same commit writes the same document.
func runSBOM(args []string) error {
	fs := flag.NewFlagSet("sbom", flag.ContinueOnError)
	version := fs.String("version", "", "the release version")
	out := fs.String("out", "", "the SBOM file to write")
	root := fs.String("root", ".", "the repository root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version == "" || *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("sbom needs -version, -out and at least one binary")
	}
	created := time.Unix(0, 0).UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
		}
		created = time.Unix(n, 0).UTC()
	}
	all, _, err := collect(*root, false)
	if err != nil {
		return err
	}
	licenseOf := map[string]string{}
	for _, c := range all {
		licenseOf[c.Kind+" "+c.Name] = c.License
	}
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3",
		DataLicense: "CC0-1.0",
		SPDXID:      "SPDXRef-DOCUMENT",
		Name:        "jiedao-" + *version,
		CreationInfo: map[string]any{
			"created":  created.Format(time.RFC3339),
			"creators": []string{"Tool: jiedao tools/release sbom"},
		},
	}
	pkgs := map[string]spdxPackage{}
	var rels []spdxRelationship
	commit := ""
	for _, bin := range fs.Args() {
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			return fmt.Errorf("%s: %w", bin, err)
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		var goos, goarch string
		for _, s := range info.Settings {
			switch s.Key {
			case "GOOS":
				goos = s.Value
			case "GOARCH":
				goarch = s.Value
			case "vcs.revision":
				commit = s.Value
			}
		}
		id := "SPDXRef-Binary-" + spdxIDClean.Replace(filepath.Base(bin))
		pkgs[id] = spdxPackage{
			SPDXID: id, Name: "jiedao", VersionInfo: *version,
			DownloadLocation: "NOASSERTION", LicenseConcluded: "MulanPSL-2.0", LicenseDeclared: "MulanPSL-2.0",
			CopyrightText: "NOASSERTION", PackageFileName: filepath.Base(bin),
			Checksums:    []spdxChecksum{{"SHA256", hex.EncodeToString(sum[:])}},
			ExternalRefs: []spdxRef{{"PACKAGE-MANAGER", "purl", "pkg:golang/" + info.Main.Path + "@" + *version + "?goos=" + goos + "&goarch=" + goarch}},
			Comment:      "built with " + info.GoVersion + " for " + goos + "/" + goarch,
		}
		rels = append(rels, spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", id})
		std := "SPDXRef-Go-std-" + spdxIDClean.Replace(info.GoVersion)
		pkgs[std] = spdxPackage{
			SPDXID: std, Name: "Go standard library", VersionInfo: info.GoVersion,
			DownloadLocation: "NOASSERTION", LicenseConcluded: orNoAssertion(licenseOf["go Go standard library (std)"]), LicenseDeclared: "NOASSERTION",
			CopyrightText: "NOASSERTION",
			ExternalRefs:  []spdxRef{{"PACKAGE-MANAGER", "purl", "pkg:golang/stdlib@" + strings.TrimPrefix(info.GoVersion, "go")}},
		}
		rels = append(rels, spdxRelationship{id, "CONTAINS", std})
		for _, d := range info.Deps {
			path, ver := d.Path, d.Version
			if d.Replace != nil {
				path, ver = d.Replace.Path, d.Replace.Version
			}
			mid := "SPDXRef-Go-" + spdxIDClean.Replace(path+"-"+ver)
			pkgs[mid] = spdxPackage{
				SPDXID: mid, Name: path, VersionInfo: ver,
				DownloadLocation: "NOASSERTION", LicenseConcluded: orNoAssertion(licenseOf["go "+d.Path]), LicenseDeclared: "NOASSERTION",
				CopyrightText: "NOASSERTION",
				ExternalRefs:  []spdxRef{{"PACKAGE-MANAGER", "purl", "pkg:golang/" + path + "@" + ver}},
			}
			rels = append(rels, spdxRelationship{id, "CONTAINS", mid})
		}
		for _, c := range all {
			if c.Kind != "npm" {
				continue
			}
			nid := "SPDXRef-npm-" + spdxIDClean.Replace(c.Name+"-"+c.Version)
			pkgs[nid] = spdxPackage{
				SPDXID: nid, Name: c.Name, VersionInfo: c.Version,
				DownloadLocation: "NOASSERTION", LicenseConcluded: c.License, LicenseDeclared: c.License,
				CopyrightText: "NOASSERTION",
				ExternalRefs:  []spdxRef{{"PACKAGE-MANAGER", "purl", "pkg:npm/" + c.Name + "@" + c.Version}},
				Comment:       "vendored into web/static/vendor and embedded in the binary",
			}
			rels = append(rels, spdxRelationship{id, "CONTAINS", nid})
		}
	}
	doc.DocumentNamespace = "https://jiedao.invalid/spdx/jiedao-" + *version + "-" + commit
	ids := make([]string, 0, len(pkgs))
	for id := range pkgs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		doc.Packages = append(doc.Packages, pkgs[id])
	}
	doc.Relationships = rels
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*out, append(b, '\n'), 0o644)
}

func orNoAssertion(s string) string {
	if s == "" || s == "UNKNOWN" {
		return "NOASSERTION"
	}
	return s
}
