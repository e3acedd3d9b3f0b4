#!/usr/bin/env bash
# xlsx-libreoffice-check.sh: check that an Annex 3 report workbook, opened by
# LibreOffice rather than by excelize, says what the report's JSON says.
#
# The Go tests of internal/xlsx read the workbooks back with excelize, the
# library that wrote them; this script is the independent reader. It
# converts every sheet to CSV with LibreOffice Calc, headless, and compares
# each spec §4 table (codes and counts, then the nationwide rows), the
# exclusions, and the plans with the JSON, row by row.
#
# Usage:
#   scripts/xlsx-libreoffice-check.sh                      # the test fixture, kk, ru and en
#   scripts/xlsx-libreoffice-check.sh REPORT.xlsx REPORT.json [...more .xlsx]
#
# With no arguments it writes the fixture of the Go tests (3000 generated
# services of 2026Q3) with `ESEP_XLSX_EXPORT=DIR go test -run
# TestExportFixture ./internal/xlsx`, then checks its three languages. To
# check a real report, give the workbook and the JSON of the same report
# (esep report --quarter ... --format xlsx / --format json).
#
# Needs: libreoffice (Debian: apt-get install --no-install-recommends
# libreoffice-calc-nogui, about 56 packages), python3, and Go for the
# fixture. LibreOffice 7.2 or later: the CSV filter's 12th token, -1,
# exports every sheet to NAME-SHEET.csv. Not run in CI: it needs
# LibreOffice, which CI images do not have.
set -euo pipefail

# The files are named relative to where the script was started; the
# fixture is made from the repository root.
args=()
for a in "$@"; do
	args+=("$(realpath -- "$a")")
done
set -- "${args[@]+"${args[@]}"}"
cd "$(dirname "$0")/.."
soffice=$(command -v soffice || command -v libreoffice || true)
if [[ -z $soffice ]]; then
	echo "xlsx-libreoffice-check: LibreOffice is not installed (apt-get install --no-install-recommends libreoffice-calc-nogui)" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $# -eq 0 ]]; then
	ESEP_XLSX_EXPORT=$work go test -count=1 -run '^TestExportFixture$' ./internal/xlsx >/dev/null
	json=$work/report.json
	books=("$work"/report-kk.xlsx "$work"/report-ru.xlsx "$work"/report-en.xlsx)
elif [[ $# -ge 2 ]]; then
	books=("$1")
	json=$2
	shift 2
	books+=("$@")
else
	sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi

# Field separator 44 (,), text delimiter 34 ("), UTF-8 (76), from line 1,
# no column formats, default language, unquoted numbers, detect special
# numbers, values as stored rather than as shown (so 1234 is not "1,234"),
# no formulas, keep spaces, every sheet (-1).
filter='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
status=0
for book in "${books[@]}"; do
	out=$work/csv/$(basename "$book" .xlsx)
	mkdir -p "$out"
	# A private profile: nothing is read from or written to ~/.config.
	"$soffice" --headless --norestore "-env:UserInstallation=file://$work/profile" \
		--convert-to "$filter" --outdir "$out" "$book" >/dev/null 2>&1
	echo "== $book"
	python3 - "$out" "$(basename "$book" .xlsx)" "$json" <<'PY' || status=1
import csv, json, os, sys

out, base, json_path = sys.argv[1:4]
report = json.load(open(json_path, encoding="utf-8"))
tables, national = report["tables"], report["national"]

# The layout of internal/xlsx: title, period, header, then the rows; each
# key is a code column and a name column; the count follows the keys; the
# nationwide rows come after the table's rows with an empty first code.
FIRST = 3
SPEC = [
    ("clients_by_region", "clients_by_region", ["region"], None),
    ("clients_by_region_sector", "clients_by_region_sector", ["region", "oked_section"], "clients_by_sector"),
    ("enterprises_by_region_legal_form", "enterprises_by_region_legalform", ["region", "legal_form"], "enterprises_by_legal_form"),
    ("clients_by_region_gender", "clients_by_region_gender", ["region", "gender"], "clients_by_gender"),
    ("clients_by_age_band", "clients_by_age_band", ["age_band"], None),
    ("clients_by_region_category", "clients_by_region_category", ["region", "entrepreneur_category"], "clients_by_category"),
    ("services_by_region_service", "services_by_region_service", ["region", "service_code"], "services_by_service"),
]

errors = 0
def fail(msg):
    global errors
    errors += 1
    if errors <= 20:
        print("   ", msg)

def sheet(name):
    path = os.path.join(out, f"{base}-{name}.csv")
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))

def number(s):
    return float(s) if s != "" else None

for key, name, cols, nat_key in SPEC:
    rows = sheet(name)[FIRST:]
    want = [([r[c] for c in cols], r["count"]) for r in tables[key]]
    if nat_key is None:
        want.append(([""], national["clients"]))
    else:
        want += [(["", kc["key"]], kc["count"]) for kc in national[nat_key]]
    if len(rows) != len(want):
        fail(f"{name}: {len(rows)} rows, JSON has {len(want)}")
    for i, (codes, count) in enumerate(want[: len(rows)]):
        row = rows[i]
        got_codes = [row[2 * k] for k in range(len(codes))]
        got_count = number(row[2 * len(codes)])
        if got_codes != codes or got_count != count:
            fail(f"{name} row {FIRST + i + 1}: {got_codes} {got_count}, JSON {codes} {count}")
    print(f"   {name}: {len(want)} rows")

rows = sheet("excluded")[FIRST:]
exclusions = report["annexes"]["exclusions"] or []
for i, e in enumerate(exclusions):
    if i >= len(rows) or rows[i][0] != e["reason"] or number(rows[i][2]) != e["count"]:
        fail(f"excluded row {FIRST + i + 1}: {rows[i] if i < len(rows) else None}, JSON {e}")
if exclusions and number(rows[len(exclusions)][2]) != sum(e["count"] for e in exclusions):
    fail("excluded: the total is not the sum")
print(f"   excluded: {len(exclusions)} reasons")

rows = sheet("plans")[FIRST:]
for i, p in enumerate(report["plans"] or []):
    got = rows[i] if i < len(rows) else []
    if got[:1] != [p["region"]] or got[2] != p["service_code"] or [number(v) for v in got[4:7]] != [p["plan"], p["actual"], p["percent"]]:
        fail(f"plans row {FIRST + i + 1}: {got}, JSON {p}")
print(f"   plans: {len(report['plans'] or [])} rows")

if errors:
    print(f"   FAIL: {errors} differences")
    sys.exit(1)
print("   ok: the workbook matches the JSON")
PY
done
exit $status
