package main

import (
	"flag"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/web"
)

// pageOptions are the flags of the pages, shared by serve and demo.
type pageOptions struct {
	tileURL    string
	demoLogins bool
}

func (o *pageOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.tileURL, "tile-url", "", "map tiles URL template, e.g. http://tiles.intranet/{z}/{x}/{y}.png (empty: grids on a blank background)")
	fs.BoolVar(&o.demoLogins, "demo-logins", false, "list the demo accounts and their password on the login page (demo databases only)")
}

// web wires the pages over the app's services.
func (a *app) web() *web.Handler {
	h := web.Handler{Auth: a.auth, Cases: a.cases, Directory: a.dir, Log: a.log, TileURL: a.pages.tileURL,
		Photos: &casework.Photos{Store: a.db.Photos(), Cases: a.cases}}
	if a.pages.demoLogins {
		for _, l := range demo.Logins() {
			h.DemoLogins = append(h.DemoLogins, web.DemoLogin{Username: l.Username, Role: l.Role})
		}
		h.DemoPassword = demo.Password
	}
	return web.New(h)
}
