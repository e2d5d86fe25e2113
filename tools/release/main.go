// Command release is the release engineering tool scripts/test and
// scripts/release call (it is not shipped):
//
//	go run ./tools/release notices [-check]   THIRD_PARTY_NOTICES from the module cache and web/node_modules
//	go run ./tools/release sbom -version V -out F BINARY...   an SPDX 2.3 JSON SBOM from the binaries' build info
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: release notices [-check] | sbom -version V -out F BINARY...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "notices":
		err = runNotices(os.Args[2:])
	case "sbom":
		err = runSBOM(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func runNotices(args []string) error {
	fs := flag.NewFlagSet("notices", flag.ContinueOnError)
	check := fs.Bool("check", false, "fail if the file differs from a fresh generation instead of writing it")
	out := fs.String("out", "THIRD_PARTY_NOTICES", "the notice file")
	root := fs.String("root", ".", "the repository root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	all, refused, err := collect(*root, true)
	if err != nil {
		return err
	}
	if len(refused) > 0 {
		var names []string
		for _, c := range refused {
			names = append(names, fmt.Sprintf("%s@%s (%s)", c.Name, c.Version, c.License))
		}
		return fmt.Errorf("license not on the allow-list (tools/release/notices.go): %s", strings.Join(names, ", "))
	}
	text := renderNotices(all)
	if *check {
		old, err := os.ReadFile(*out)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, text) {
			return fmt.Errorf("%s is out of date: run `go run ./tools/release notices` and commit it", *out)
		}
		fmt.Printf("%s: %d components, all licenses allowed, file up to date\n", *out, len(all))
		return nil
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d components written\n", *out, len(all))
	return nil
}
