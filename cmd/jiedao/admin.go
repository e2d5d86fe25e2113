package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/org"
)

// adminFlags are the flags every database command shares.
func adminFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, fs.String("db", "jiedao.db", "database: an SQLite file path, or postgres://…")
}

func openQuiet(ctx context.Context, dsn string, stderr io.Writer) (*app, error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return openApp(ctx, dsn, calendar.DefaultWorkingHours().String(), log)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := adminFlags("migrate", stderr)
	dryRun := fs.Bool("dry-run", false, "list the migrations that would run and change nothing")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	return migrate(ctx, *dsn, *dryRun, stdout, stderr) // migrate.go
}

// runAggregates repairs the aggregate tables (store/aggregates.go) and
// the ledgers' kept sums (store/ledger.go): they
// are kept by every write of the store, so a rebuild is only needed after
// cases were changed by hand or by another tool.
func runAggregates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return jiedao.Invalid("", "用法：jiedao aggregates rebuild --db DSN", "usage: jiedao aggregates rebuild --db DSN")
	}
	fs, dsn := adminFlags("aggregates rebuild", stderr)
	if err := parseFlags(fs, args[1:], "db"); err != nil {
		return err
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	start := time.Now()
	if err := a.db.RebuildAggregates(ctx); err != nil {
		return err
	}
	// The ledgers' kept sums are aggregates too (store/ledger.go).
	if err := a.db.RebuildLedgerSums(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "汇总表和台账合计已重建 / aggregates and ledger sums rebuilt (%s, %s)\n", a.db.Engine(), time.Since(start).Round(time.Millisecond))
	return nil
}

// system is the actor of the command line: whoever can run it owns the
// database already.
func system() org.Actor {
	return org.Actor{Kind: org.ActorStaff, Role: org.RoleAdmin, Name: "命令行"}
}

// accountsActor is the command line acting on accounts, which are the
// security administrator's (issue 18): an actor of the system, so that
// the first accounts of a database (the three administrators) can be
// made, and so that a password set here is not forced to change.
func accountsActor() org.Actor {
	return org.Actor{Kind: org.ActorSystem, Name: "命令行"}
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return jiedao.Invalid("", "用法：jiedao user create|list|passwd", "usage: jiedao user create|list|passwd")
	}
	sub, args := args[0], args[1:]
	fs, dsn := adminFlags("user "+sub, stderr)
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "role: "+rolesList())
	unit := fs.String("unit", "", "unit code (unit roles; dispatchers: the command center)")
	community := fs.String("community", "", "community code (community staff)")
	grids := fs.String("grids", "", "grid codes, comma-separated (grid workers)")
	phone := fs.String("phone", "", "phone number")
	password := fs.String("password", "", "password (better: JIEDAO_PASSWORD_FILE)")
	if err := parseFlags(fs, args, "db", "password"); err != nil {
		return err
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	switch sub {
	case "list":
		staff, err := a.dir.Staff(ctx, accountsActor())
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\t用户名 username\t姓名 name\t角色 role\t启用 active")
		for _, s := range staff {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\n", s.ID, s.Username, s.Name, s.Role, s.Active)
		}
		return tw.Flush()
	case "create":
		in := org.StaffInput{Staff: org.Staff{Username: *username, Name: *name, Phone: *phone, Role: org.Role(*role), Active: true}, Password: *password}
		if err := resolveScope(ctx, a, &in.Staff, *unit, *community, *grids); err != nil {
			return err
		}
		s, err := a.dir.SaveStaff(ctx, accountsActor(), in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已创建用户 / created user %s (id %d, %s)\n", s.Username, s.ID, s.Role)
		return nil
	case "passwd":
		old, err := a.db.Org().GetStaffByUsername(ctx, strings.ToLower(*username))
		if err != nil {
			return err
		}
		if _, err := a.dir.SaveStaff(ctx, accountsActor(), org.StaffInput{Staff: *old, Password: *password}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已修改密码 / password changed for %s\n", old.Username)
		return nil
	}
	return jiedao.Invalid("", "未知子命令："+sub, "unknown subcommand: "+sub)
}

func rolesList() string {
	var rs []string
	for _, r := range org.Roles() {
		rs = append(rs, string(r))
	}
	return strings.Join(rs, ", ")
}

// resolveScope turns the codes given on the command line into ids.
func resolveScope(ctx context.Context, a *app, s *org.Staff, unit, community, grids string) error {
	if unit != "" {
		units, err := a.dir.Units(ctx, system())
		if err != nil {
			return err
		}
		for _, u := range units {
			if u.Code == unit {
				s.UnitID = u.ID
			}
		}
		if s.UnitID == 0 {
			return jiedao.Invalid("unit", "单位编码不存在："+unit, "no unit with code "+unit)
		}
	}
	if community != "" {
		cs, err := a.dir.Communities(ctx, system())
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.Code == community {
				s.CommunityID = c.ID
			}
		}
		if s.CommunityID == 0 {
			return jiedao.Invalid("community", "社区编码不存在："+community, "no community with code "+community)
		}
	}
	if grids != "" {
		gs, err := a.dir.Grids(ctx, system())
		if err != nil {
			return err
		}
		byCode := map[string]int64{}
		for _, g := range gs {
			byCode[g.Code] = g.ID
		}
		for _, code := range strings.Split(grids, ",") {
			id := byCode[strings.TrimSpace(code)]
			if id == 0 {
				return jiedao.Invalid("grids", "网格编码不存在："+code, "no grid with code "+code)
			}
			s.GridIDs = append(s.GridIDs, id)
		}
	}
	return nil
}

func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return jiedao.Invalid("", "用法：jiedao apikey create|list|revoke|rate", "usage: jiedao apikey create|list|revoke|rate")
	}
	sub, args := args[0], args[1:]
	fs, dsn := adminFlags("apikey "+sub, stderr)
	name := fs.String("name", "", "the client's name, e.g. 西湖码小程序")
	channel := fs.String("channel", "", "the channel its cases come by: xihu_code, pingan, grid, iot, police, hotline, enterprise, other")
	id := fs.Int64("id", 0, "client id (revoke, rate)")
	rate := fs.String("rate", "", "the client's own rate limit, N/DURATION such as 6000/1m, counted per key on every node; empty: the default (rate)")
	if err := parseFlags(fs, args, "db"); err != nil {
		return err
	}
	a, err := openQuiet(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	switch sub {
	case "create":
		if *channel != "" && !casework.Channel(*channel).Valid() {
			return jiedao.Invalid("channel", "渠道无效："+*channel, "unknown channel: "+*channel)
		}
		key, _, err := a.dir.CreateAPIClient(ctx, system(), a.auth, *name, *channel)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, key)
		return nil
	case "list":
		cs, err := a.dir.APIClients(ctx, system())
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\t名称 name\t渠道 channel\t密钥前缀 key\t吊销 revoked\t限流 rate")
		for _, c := range cs {
			r := c.RateLimit
			if r == "" {
				r = "-"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%v\t%s\n", c.ID, c.Name, c.Channel, c.KeyPrefix, c.RevokedAt != nil, r)
		}
		return tw.Flush()
	case "rate":
		if err := a.dir.SetAPIClientRate(ctx, system(), *id, *rate); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已设置限流 / rate limit of client %d: %q\n", *id, *rate)
		return nil
	case "revoke":
		if err := a.dir.RevokeAPIClient(ctx, system(), *id, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已吊销 / revoked client %d\n", *id)
		return nil
	}
	return jiedao.Invalid("", "未知子命令："+sub, "unknown subcommand: "+sub)
}
