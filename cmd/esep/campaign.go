package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"esep/internal/campaign"
	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/report"
	"esep/internal/store"
)

// cmdCampaign opens, lists, shows, closes and verifies telephone-survey
// campaigns (Annex 4); the calls themselves are worked on the web page
// /calls or through the API.
func cmdCampaign(e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "open":
			return campaignOpen(e, args[1:])
		case "list":
			return campaignList(e, args[1:])
		case "show":
			return campaignShow(e, args[1:])
		case "close":
			return campaignClose(e, args[1:])
		case "verify":
			return campaignVerify(e, args[1:])
		}
	}
	return campaignUsage(e)
}

func campaignUsage(e *env) int {
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "campaign.cli.usage"))
	return exitUsage
}

// withCampaigns opens the database and the survey's service over it, on
// the configured working-day calendar (the signals that mark risky
// services use it), and runs fn; a failure of either is printed.
func withCampaigns(e *env, fn func(db *store.DB, svc *campaign.Service) error) int {
	cal, err := e.calendar()
	if err != nil {
		return e.fail(err)
	}
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	if err := fn(db, &campaign.Service{Store: db, Frame: &monitor.Cycle{DB: db, Calendar: cal}, Calendar: cal}); err != nil {
		return e.fail(err)
	}
	return exitOK
}

func campaignOpen(e *env, args []string) int {
	fs := flag.NewFlagSet("campaign open", flag.ContinueOnError)
	var o campaign.Options
	fs.StringVar(&o.Name, "name", "", "the campaign's name (default: its period)")
	fs.StringVar(&o.From, "from", "", "first end date of the services to sample, YYYY-MM-DD")
	fs.StringVar(&o.To, "to", "", "last end date, YYYY-MM-DD")
	fs.Float64Var(&o.Margin, "margin", 0.05, "margin of error in each stratum, a fraction (0.05 is ±5 percentage points)")
	fs.Float64Var(&o.Confidence, "confidence", 0.95, "confidence level")
	fs.BoolVar(&o.ByService, "by-service", false, "stratify by region and service")
	fs.IntVar(&o.ExcludeMonths, "exclude-months", 6, "leave out clients with a call in a campaign of the last so many months (0: none)")
	fs.Float64Var(&o.Oversample, "oversample", 0, "extra share of services with a signal, 0 to 1")
	fs.StringVar(&o.CallingFrom, "calling-from", campaign.DefaultFrom, "calling hours from, HH:MM in Kazakhstan")
	fs.StringVar(&o.CallingTo, "calling-to", campaign.DefaultTo, "calling hours until, HH:MM")
	fs.IntVar(&o.MaxAttempts, "max-attempts", campaign.DefaultMaxAttempts, "most attempts per call")
	seed := fs.String("seed", "", "seed of the draw, 0 to 18446744073709551615 (default: a random one, recorded)")
	format := fs.String("format", "text", "output: text or json")
	pos, ok := e.parse(fs, args)
	if !ok || len(pos) > 0 || o.From == "" || o.To == "" || *format != "text" && *format != "json" {
		return campaignUsage(e)
	}
	if *seed != "" {
		n, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil {
			return e.fail(&campaign.Error{Code: campaign.CodeInvalid, Field: "seed", Value: *seed})
		}
		o.Seed = &n
	}
	return withCampaigns(e, func(_ *store.DB, svc *campaign.Service) error {
		c, err := svc.Open(e.ctx, o, whoami())
		if err != nil {
			return err
		}
		sum, err := svc.Summary(e.ctx, c.ID)
		if err != nil {
			return err
		}
		if *format == "json" {
			return campaignJSON(e, sum, nil)
		}
		_, err = fmt.Fprintln(e.stdout, i18n.T(e.lang, "campaign.cli.opened", "id", c.ID, "name", c.Name, "calls", sum.Progress.Calls,
			"frame", c.FrameSize, "seed", strconv.FormatUint(c.Seed, 10)))
		return err
	})
}

func campaignList(e *env, args []string) int {
	fs := flag.NewFlagSet("campaign list", flag.ContinueOnError)
	format := fs.String("format", "text", "output: text or json")
	pos, ok := e.parse(fs, args)
	if !ok || len(pos) > 0 || *format != "text" && *format != "json" {
		return campaignUsage(e)
	}
	return withCampaigns(e, func(db *store.DB, svc *campaign.Service) error {
		cs, err := db.Campaigns(e.ctx)
		if err != nil {
			return err
		}
		sums := make([]*campaign.Summary, 0, len(cs))
		for _, c := range cs {
			s, err := svc.Summary(e.ctx, c.ID)
			if err != nil {
				return err
			}
			s.Strata = nil // the list is of campaigns; show gives the strata
			sums = append(sums, s)
		}
		var buf bytes.Buffer
		switch {
		case *format == "json":
			writeJSON(&buf, map[string]any{"items": sums})
		case len(sums) == 0:
			fmt.Fprintln(&buf, i18n.T(e.lang, "campaign.cli.none"))
		default:
			tw := tabwriter.NewWriter(&buf, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, i18n.T(e.lang, "campaign.cli.list_header"))
			for _, s := range sums {
				c, p := s.Campaign, s.Progress
				fmt.Fprintf(tw, "%d\t%s\t%s – %s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", c.ID, i18n.T(e.lang, "campaign.state."+c.Status), c.From, c.To,
					p.Calls, p.Done, campaign.RateText(p.Rates.RR1), campaign.RateText(p.Rates.COOP1), campaign.RateText(p.Rates.REF1),
					campaign.RateText(p.Rates.CON1), c.Name)
			}
			tw.Flush()
		}
		_, err = e.stdout.Write(buf.Bytes())
		return err
	})
}

// campaignArg reads the one argument of show, close and verify, a campaign
// id.
func campaignArg(e *env, name string, args []string, format *string) (int64, bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if format != nil {
		fs.StringVar(format, "format", "text", "output: text or json")
	}
	pos, ok := e.parse(fs, args)
	if !ok || len(pos) != 1 || format != nil && *format != "text" && *format != "json" {
		return 0, false
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	return id, err == nil && id > 0
}

func campaignShow(e *env, args []string) int {
	var format string
	id, ok := campaignArg(e, "campaign show", args, &format)
	if !ok {
		return campaignUsage(e)
	}
	return withCampaigns(e, func(db *store.DB, svc *campaign.Service) error {
		sum, err := svc.Summary(e.ctx, id)
		if err != nil {
			return err
		}
		notices, err := db.Notices(e.ctx, store.NoticeFilter{Campaign: id})
		if err != nil {
			return err
		}
		if format == "json" {
			return campaignJSON(e, sum, notices)
		}
		var buf bytes.Buffer
		printCampaign(e.lang, &buf, sum, notices)
		_, err = e.stdout.Write(buf.Bytes())
		return err
	})
}

func campaignJSON(e *env, sum *campaign.Summary, notices []campaign.Notice) error {
	var buf bytes.Buffer
	writeJSON(&buf, map[string]any{"campaign": sum.Campaign, "calling_from": sum.Campaign.Hours.FromText(), "calling_to": sum.Campaign.Hours.ToText(),
		"strata": sum.Strata, "progress": sum.Progress, "not_confirmed": notices})
	_, err := e.stdout.Write(buf.Bytes())
	return err
}

// printCampaign prints a campaign for a terminal: its plan, progress and
// rates, the strata, the services not confirmed, and the account of the
// draw that lets it be checked.
func printCampaign(lang i18n.Lang, w io.Writer, s *campaign.Summary, notices []campaign.Notice) {
	c, p, d := s.Campaign, s.Progress, s.Progress.Dispositions
	by := i18n.T(lang, "campaign.cli.by_region")
	if c.ByService {
		by = i18n.T(lang, "campaign.cli.by_region_service")
	}
	fmt.Fprintln(w, i18n.T(lang, "campaign.cli.show_head", "id", c.ID, "name", c.Name, "status", i18n.T(lang, "campaign.state."+c.Status), "from", c.From, "to", c.To))
	fmt.Fprintln(w, i18n.T(lang, "campaign.cli.plan", "margin", campaign.PercentText(c.Margin), "confidence", campaign.PercentText(c.Confidence), "by", by,
		"oversample", campaign.PercentText(c.Oversample),
		"months", c.ExcludeMonths, "hours", c.Hours.FromText()+"–"+c.Hours.ToText(), "attempts", c.MaxAttempts))
	fmt.Fprintln(w, i18n.T(lang, "campaign.cli.progress", "calls", p.Calls, "extra", p.Extra, "done", p.Done, "attempted", p.Attempted, "untouched", p.Untouched))
	fmt.Fprintln(w, i18n.T(lang, "campaign.cli.rates", "rr1", campaign.RateText(p.Rates.RR1), "rr2", campaign.RateText(p.Rates.RR2), "coop1", campaign.RateText(p.Rates.COOP1),
		"ref1", campaign.RateText(p.Rates.REF1), "con1", campaign.RateText(p.Rates.CON1), "i", d.I, "p", d.P, "r", d.R, "nc", d.NC, "o", d.O, "uh", d.UH, "ne", d.NE))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, i18n.T(lang, "campaign.cli.strata_header"))
	for _, st := range s.Strata {
		name := report.Name(lang, report.NameRegion, st.Region)
		if st.Service != "" {
			name += " / " + st.Service
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d/%d\n", name, st.N, st.Excluded, st.Wanted, st.Drawn, st.ExtraDrawn, st.ExtraWanted)
	}
	tw.Flush()
	if len(notices) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, i18n.T(lang, "web.campaigns.not_confirmed")+":")
		for _, n := range notices {
			fmt.Fprintf(w, "  %s  %s  %s  %s\n", n.RecordID, report.Name(lang, report.NameRegion, n.Region), n.Service, n.EndDate)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, i18n.T(lang, "campaign.cli.draw"))
	fmt.Fprint(w, c.Description)
}

func campaignClose(e *env, args []string) int {
	id, ok := campaignArg(e, "campaign close", args, nil)
	if !ok {
		return campaignUsage(e)
	}
	return withCampaigns(e, func(_ *store.DB, svc *campaign.Service) error {
		if err := svc.Close(e.ctx, id, whoami()); err != nil {
			return err
		}
		_, err := fmt.Fprintln(e.stdout, i18n.T(e.lang, "campaign.cli.closed", "id", id))
		return err
	})
}

// exitNotVerified is the exit of esep campaign verify when the draw is not
// reproduced (the register changed since, or the stored sample differs):
// a finding for the auditor's script to act on, told apart from a command
// that could not run (exitFail).
const exitNotVerified = 3

// campaignVerify draws a campaign's sample again and says whether the
// frame and the sample are the ones stored.
func campaignVerify(e *env, args []string) int {
	var format string
	id, ok := campaignArg(e, "campaign verify", args, &format)
	if !ok {
		return campaignUsage(e)
	}
	var v *campaign.Verification
	code := withCampaigns(e, func(_ *store.DB, svc *campaign.Service) error {
		var err error
		if v, err = svc.Verify(e.ctx, id); err != nil {
			return err
		}
		var buf bytes.Buffer
		if format == "json" {
			writeJSON(&buf, v)
		} else {
			for _, m := range v.Messages() {
				fmt.Fprintln(&buf, i18n.T(e.lang, m.Key, m.Params...))
			}
		}
		_, err = e.stdout.Write(buf.Bytes())
		return err
	})
	if code == exitOK && !v.Reproduced() {
		return exitNotVerified
	}
	return code
}
