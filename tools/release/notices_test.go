package main

import (
	"os"
	"testing"
)

func TestClassify(t *testing.T) {
	own, err := os.ReadFile("../../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ text, want string }{
		{string(own), "MulanPSL-2.0"},
		{"Apache License\n Version 2.0, January 2004", "Apache-2.0"},
		{"Permission is hereby granted, free of charge, to any person", "MIT"},
		{"Redistribution and use in source and binary forms ... Neither the name of Google", "BSD-3-Clause"},
		{"Redistribution and use in source and binary forms, with or without\nmodification, are permitted", "BSD-2-Clause"},
		{"Permission to use, copy, modify, and/or distribute this software for any\npurpose with or without fee is hereby granted.", "0BSD"},
		{"Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted, provided that the above copyright notice", "ISC"},
		{"GNU GENERAL PUBLIC LICENSE Version 3", "GPL-family"},
		{"GNU AFFERO GENERAL PUBLIC LICENSE", "GPL-family"},
		{"Mozilla Public License Version 2.0", "MPL-2.0"},
		{"All rights reserved. Do not copy.", "UNKNOWN"},
	}
	for _, c := range cases {
		if got := classify(c.text); got != c.want {
			t.Errorf("classify(%.40q) = %s, want %s", c.text, got, c.want)
		}
	}
	for _, refused := range []string{"GPL-family", "MPL-2.0", "UNKNOWN"} {
		if allowed[refused] {
			t.Errorf("%s is on the allow-list", refused)
		}
	}
}

func TestIsLicenseFile(t *testing.T) {
	for name, want := range map[string]bool{
		"LICENSE": true, "LICENSE.txt": true, "MIT-LICENCE.txt": true, "NOTICE": true, "PATENTS": true,
		"CopyrightNotice.txt": true, "COPYING": true, "README.md": false, "go.mod": false, "AUTHORS": false,
	} {
		if got := isLicenseFile(name); got != want {
			t.Errorf("isLicenseFile(%q) = %v, want %v", name, got, want)
		}
	}
}
