package ingest

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"esep/internal/i18n"
	"esep/internal/ingest/tabular"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/store"
)

// ProblemsError refuses a reference file (acts, plans) whose rows have
// problems: such files are small and a partial load would mislead, so they
// load whole or not at all. Each problem names its row.
type ProblemsError struct {
	File     string
	Problems []Problem
}

// Localize renders the error in lang, with its first problems.
func (e *ProblemsError) Localize(lang i18n.Lang) string {
	var list []string
	for i, p := range e.Problems {
		if i == 5 {
			list = append(list, "…")
			break
		}
		list = append(list, i18n.T(lang, "ingest.ref.problem", "row", p.Row, "column", p.Column, "value", p.Value, "problem", i18n.T(lang, p.Key)))
	}
	return i18n.T(lang, "ingest.ref.problems", "file", filepath.Base(e.File), "n", len(e.Problems), "list", strings.Join(list, "; "))
}

// Problem is one bad row of a reference file.
type Problem struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Key    string `json:"key"` // message key: ingest.ref.<code>
}

func (e *ProblemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problems", e.File, len(e.Problems))
	for i, p := range e.Problems {
		if i == 5 {
			b.WriteString("; …")
			break
		}
		fmt.Fprintf(&b, "; row %d %s %q: %s", p.Row, p.Column, p.Value, p.Key)
	}
	return b.String()
}

// actColumns are the titles an act registry's columns may have.
var actColumns = map[string][]string{
	"act_number": {"номер акта", "акт нөмірі", "act number", "act"},
	"record_ids": {"record_id", "id записей", "записи", "жазбалар", "жазбалар id", "records", "services"},
	"signed_at":  {"act_signed_at", "дата подписания", "қол қойылған күні", "signed"},
	"method":     {"act_confirmation", "способ подтверждения", "растау тәсілі", "confirmation"},
	"signer":     {"signer_iin_bin", "подписант", "қол қоюшы", "иин/бин подписанта"},
}

var listSep = regexp.MustCompile(`[|;,\s]+`)

// ReadActs reads an act registry: one act a row, with the record_ids it
// covers separated by |, ; , or spaces. It returns the acts and the months
// (YYYY-MM, of the signing dates in Kazakhstan) the registry covers.
func ReadActs(path string, opts tabular.Options) (acts []register.Act, months []string, err error) {
	perr := &ProblemsError{File: path}
	seen := map[string]bool{}
	monthSet := map[string]bool{}
	err = readNamed(path, opts, actColumns, []string{"act_number", "record_ids", "signed_at", "method"}, func(num int, row map[string]string, ok bool) error {
		bad := func(col, key string) {
			perr.Problems = append(perr.Problems, Problem{num, col, row[col], "ingest.ref." + key})
		}
		if !ok {
			bad("act_number", "unreadable")
			return nil
		}
		r := register.Record{ActSignedAt: row["signed_at"], ActConfirmation: row["method"]}
		register.Normalize(&r)
		a := register.Act{Number: row["act_number"], SignedAt: r.ActSignedAt, Method: r.ActConfirmation, Signer: kz.Normalize(row["signer"])}
		for _, id := range listSep.Split(row["record_ids"], -1) {
			if id != "" {
				a.Records = append(a.Records, id)
			}
		}
		t, terr := time.Parse(time.RFC3339, a.SignedAt)
		switch {
		case a.Number == "":
			bad("act_number", "required")
		case seen[a.Number]:
			bad("act_number", "duplicate")
		case len(a.Records) == 0:
			bad("record_ids", "required")
		case terr != nil:
			bad("signed_at", "timestamp")
		case a.Method != "eds" && a.Method != "otp2" && a.Method != "otp3" && a.Method != "paper":
			bad("method", "method")
		default:
			seen[a.Number] = true
			monthSet[t.In(kz.Zone).Format("2006-01")] = true
			acts = append(acts, a)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(perr.Problems) > 0 {
		return nil, nil, perr
	}
	for m := range monthSet {
		months = append(months, m)
	}
	return acts, months, nil
}

var planPeriod = regexp.MustCompile(`^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$`)

// ReadPlans reads targets: period (2026, 2026Q3 or 2026-09), region (KATO
// code or name), service_code (empty for all services) and target. Any bad
// row — an unknown region or service, a malformed period, a target that is
// not a whole number — refuses the file.
func ReadPlans(path string, services func(string) bool, opts tabular.Options) ([]store.Plan, error) {
	cols := map[string][]string{
		"period":       {"период", "кезең"},
		"region_kato":  {"region", "регион", "өңір", "область", "облыс", "код като"},
		"service_code": {"service", "услуга", "қызмет", "код услуги"},
		"target":       {"plan", "план", "жоспар", "цель"},
	}
	perr := &ProblemsError{File: path}
	var plans []store.Plan
	seen := map[[3]string]bool{}
	err := readNamed(path, opts, cols, []string{"period", "region_kato", "target"}, func(num int, row map[string]string, ok bool) error {
		bad := func(col, key string) {
			perr.Problems = append(perr.Problems, Problem{num, col, row[col], "ingest.ref." + key})
		}
		r := register.Record{RegionKATO: row["region_kato"], ServiceCode: row["service_code"]}
		register.Normalize(&r)
		p := store.Plan{Period: strings.ToUpper(row["period"]), Region: r.RegionKATO, ServiceCode: r.ServiceCode}
		target, terr := strconv.Atoi(strings.ReplaceAll(row["target"], " ", ""))
		p.Target = target
		_, known := kz.RegionByCode(p.Region)
		switch {
		case !ok:
			bad("period", "unreadable")
		case !planPeriod.MatchString(p.Period):
			bad("period", "period")
		case !known:
			bad("region_kato", "region")
		case p.ServiceCode != "" && services != nil && !services(p.ServiceCode):
			bad("service_code", "service")
		case terr != nil || target < 0:
			bad("target", "target")
		case seen[[3]string{p.Period, p.Region, p.ServiceCode}]:
			bad("period", "duplicate")
		default:
			seen[[3]string{p.Period, p.Region, p.ServiceCode}] = true
			plans = append(plans, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(perr.Problems) > 0 {
		return nil, perr
	}
	return plans, nil
}
