// Package demo generates a realistic synthetic Register of services: Kazakh
// and Russian names, valid IINs and BINs consistent with gender and birth
// date, people who come back several times and for several enterprises, all
// twenty regions, a believable spread of sectors, services, places and
// dates, and a small share of the mistakes real registers carry. Like a real
// register it gives the detectors of package signals little to find:
// centres closed on public holidays, a mobile centre in one settlement a
// day, managers enough for the volume, and a contact per person. The same
// seed and options always give the same register, so tests and benchmarks
// can rely on it.
package demo

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
)

// Options shape a generated register.
type Options struct {
	Rows int
	Seed uint64
	// From and To bound the service dates (inclusive).
	From, To time.Time
	// IDPrefix starts every record_id (default "SRV"), so that registers
	// generated for different months do not share ids.
	IDPrefix string
	// ErrorRate is the share of records given a mistake: a missing act, an
	// online service confirmed on paper, an act signed before the start, a
	// wrong check digit, an end before the start, a malformed phone.
	ErrorRate float64
}

// DefaultWindow returns the twelve whole months before the month of today,
// the period a newcomer most likely wants to see.
func DefaultWindow(today time.Time) (from, to time.Time) {
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(-1, 0, 0), first.AddDate(0, 0, -1)
}

// WriteCSV writes the register as a canonical CSV file (spec §1).
func WriteCSV(w io.Writer, opts Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(register.ColumnNames()); err != nil {
		return err
	}
	var err error
	Generate(opts, func(r *register.Record) bool {
		err = cw.Write(r.Values())
		return err == nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// Generate calls yield for each record, in record_id order, until it returns
// false.
func Generate(opts Options, yield func(*register.Record) bool) {
	g := newGenerator(opts)
	for i := 0; i < opts.Rows; i++ {
		r := g.record(i)
		if !yield(&r) {
			return
		}
	}
}

type person struct {
	name, iin, gender string
	birth             time.Time
	region            int
	phone, email      string
	disability        string
	enterprises       []int
	spelledAlt        string // the same name with Kazakh letters folded, as some managers type it
}

type enterprise struct {
	name, id, form, category, section, oked string
}

type generator struct {
	opts        Options
	rnd         *rand.Rand
	cal         *kz.Calendar
	regions     []kz.Region
	people      []person
	enterprises []enterprise
	managers    [][]string
	days        int
	prefix      string
	serial      int
	issued      map[string]bool
}

func newGenerator(opts Options) *generator {
	if opts.To.Before(opts.From) {
		opts.From, opts.To = opts.To, opts.From
	}
	g := &generator{
		opts:    opts,
		rnd:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		cal:     kz.DefaultCalendar(),
		regions: kz.Regions(),
		days:    int(opts.To.Sub(opts.From).Hours()/24) + 1,
		issued:  map[string]bool{},
		prefix:  cmp.Or(opts.IDPrefix, "SRV"),
	}
	nPeople := max(1, opts.Rows*10/22) // about 2.2 services a person
	nEnt := max(1, opts.Rows*10/25)
	for i := 0; i < nEnt; i++ {
		g.enterprises = append(g.enterprises, g.enterprise(i))
	}
	for i := 0; i < nPeople; i++ {
		g.people = append(g.people, g.person(i, nEnt))
	}
	for range g.regions {
		var ms []string
		for j := 0; j < minManagers; j++ {
			p := g.personName(g.rnd.IntN(2) == 0, g.rnd.IntN(3) > 0)
			ms = append(ms, p)
		}
		g.managers = append(g.managers, ms)
	}
	g.staff()
	return g
}

// minManagers is how many managers every region has, however small the
// register.
const minManagers = 6

// managerLoad is how many services a manager gives on an average service
// day: a centre staffs for its volume, and a day holds about 25 (see
// signals.Options.OverlapMax), so at ten a day a busy day rarely reaches it.
const managerLoad = 10

// staff adds managers to the regions whose volume six cannot handle at
// managerLoad a day: six managers giving a million services a year would
// each give 27 a day on average, 60 in Almaty, more than a day holds, and
// the signals of a manager's day would fire on clean data. The names of a register that
// needs more than six anywhere are made distinct across the country (a
// namesake is one manager to the detectors, with twice the work); a smaller
// register keeps the six names drawn above as they are, so its output does
// not change.
func (g *generator) staff() {
	days := 0 // service days: the demo's centres work Saturdays, rarely Sundays
	for d := 0; d < g.days; d++ {
		if g.opts.From.AddDate(0, 0, d).Weekday() != time.Sunday {
			days++
		}
	}
	total := 0.0
	for _, r := range g.regions {
		total += regionWeight[r.Code]
	}
	need := make([]int, len(g.regions))
	more := false
	for i, r := range g.regions {
		rows := float64(g.opts.Rows) * regionWeight[r.Code] / total
		need[i] = max(minManagers, int(math.Ceil(rows/float64(managerLoad*max(days, 1)))))
		more = more || need[i] > minManagers
	}
	if !more {
		return
	}
	taken := map[string]bool{}
	name := func() string {
		for {
			if p := g.personName(g.rnd.IntN(2) == 0, g.rnd.IntN(3) > 0); !taken[p] {
				taken[p] = true
				return p
			}
		}
	}
	for i, ms := range g.managers {
		for j, m := range ms {
			if taken[m] {
				ms[j] = name()
			}
			taken[ms[j]] = true
		}
		for len(g.managers[i]) < need[i] {
			g.managers[i] = append(g.managers[i], name())
		}
	}
}

// Population shares of the regions (roughly, 2024), so big cities and the
// south get more services, as they do.
var regionWeight = map[string]float64{
	"100000000": 3.1, "110000000": 4.0, "150000000": 4.7, "190000000": 7.6, "230000000": 3.5,
	"270000000": 3.4, "310000000": 6.0, "330000000": 3.5, "350000000": 5.6, "390000000": 4.3,
	"430000000": 4.1, "470000000": 4.0, "550000000": 3.7, "590000000": 2.7, "610000000": 10.6,
	"620000000": 1.1, "630000000": 3.6, "710000000": 7.5, "750000000": 11.3, "790000000": 6.0,
}

func (g *generator) pickRegion() int {
	total := 0.0
	for _, r := range g.regions {
		total += regionWeight[r.Code]
	}
	x := g.rnd.Float64() * total
	for i, r := range g.regions {
		x -= regionWeight[r.Code]
		if x < 0 {
			return i
		}
	}
	return len(g.regions) - 1
}

func (g *generator) person(i, nEnt int) person {
	male := g.rnd.IntN(100) < 52
	kazakh := g.rnd.IntN(100) < 72
	p := person{gender: "F", region: g.pickRegion()}
	if male {
		p.gender = "M"
	}
	p.name = g.personName(male, kazakh)
	if folded := foldKazakh(p.name); folded != p.name {
		p.spelledAlt = folded
	}
	age := 18 + int(math.Min(52, math.Abs(g.rnd.NormFloat64()*12+20)))
	p.birth = g.opts.To.AddDate(-age, -g.rnd.IntN(12), -g.rnd.IntN(28))
	g.serial++
	p.iin = g.iin(p.birth, p.gender)
	p.phone = fmt.Sprintf("+77%d%08d", []int{0, 1, 2, 5, 7}[g.rnd.IntN(5)], g.rnd.IntN(100000000))
	if g.rnd.IntN(2) == 0 {
		// The number is the person's, offset by the seed: registers made
		// with different seeds (the demo year is twelve monthly ones) hold
		// different people, and numbering each from one gave "client17@…"
		// to a dozen strangers, which shared_contact rightly flagged. An
		// address is one person's, as in reality.
		p.email = fmt.Sprintf("client%d@%s", mix(g.opts.Seed, 0)%900_000_000+uint64(i)+1, []string{"mail.kz", "gmail.com", "inbox.ru", "yandex.kz"}[g.rnd.IntN(4)])
	}
	p.disability = "none"
	if g.rnd.IntN(100) < 3 {
		p.disability = fmt.Sprint(1 + g.rnd.IntN(3))
	}
	// Most people come for one enterprise; some run two or three.
	n := 1
	if x := g.rnd.IntN(100); x < 12 {
		n = 2
	} else if x < 15 {
		n = 3
	}
	for j := 0; j < n; j++ {
		p.enterprises = append(p.enterprises, g.rnd.IntN(nEnt))
	}
	return p
}

// dayOff reports whether d is a weekday (Monday to Friday) that is not
// worked: a holiday, its substitute or a transferred day off. Weekends are
// left to the draw, which has centres open on Saturdays and rarely on
// Sundays.
func (g *generator) dayOff(d time.Time) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !g.cal.IsWorkingDay(d)
}

// openDay moves a service drawn on a weekday off to another day of the
// window: centres are closed on public holidays, and a register that worked
// them as any other day had every manager flagged by non_working_day once
// volumes grew. The client is sent to a day drawn from the record's own
// number rather than from g.rnd, so that the records after it stay as they
// were; spreading them, rather than moving them all to the day after,
// keeps that day (the Thursday after Nauryz, say) from holding four days'
// work.
func (g *generator) openDay(d time.Time, i int) time.Time {
	if !g.dayOff(d) {
		return d
	}
	h := mix(g.opts.Seed, uint64(i))
	for n := uint64(1); n <= 1000; n++ { // a window of days off only gives up
		d = g.opts.From.AddDate(0, 0, int(mix(h, n)%uint64(g.days)))
		if !g.dayOff(d) && d.Weekday() != time.Sunday {
			break
		}
	}
	return d
}

// mix is SplitMix64's finaliser over a and b: a fixed, well-spread number
// for choices that must not draw from g.rnd.
func mix(a, b uint64) uint64 {
	z := a*0x9e3779b97f4a7c15 + b + 0x632be59bd9b4e5b5
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// iin issues a new IIN: one number is never given to two people.
func (g *generator) iin(birth time.Time, gender string) string {
	for {
		g.serial++
		s, err := kz.NewIIN(birth, kz.Gender(gender), g.serial%10000)
		if err == nil && !g.issued[s] {
			g.issued[s] = true
			return s
		}
	}
}

func (g *generator) enterprise(i int) enterprise {
	e := enterprise{form: weighted(g.rnd, legalFormWeights), category: weighted(g.rnd, categoryWeights)}
	sec := weighted(g.rnd, sectionWeights)
	s, _ := kz.SectionByLetter(sec)
	div := s.From + g.rnd.IntN(s.To-s.From+1)
	for _, ok := kz.SectionOfDivision(div); !ok; _, ok = kz.SectionOfDivision(div) {
		div = s.From
	}
	e.section, e.oked = sec, fmt.Sprintf("%02d%d%d%d", div, 1+g.rnd.IntN(9), g.rnd.IntN(10), g.rnd.IntN(2))
	word := tradeWords[g.rnd.IntN(len(tradeWords))]
	switch e.form {
	case "IE", "FARM":
		birth := time.Date(1960+g.rnd.IntN(40), time.Month(1+g.rnd.IntN(12)), 1+g.rnd.IntN(28), 0, 0, 0, 0, time.UTC)
		e.id = g.iin(birth, []string{"M", "F"}[g.rnd.IntN(2)])
		prefix := map[string]string{"IE": "ИП", "FARM": "КХ"}[e.form]
		e.name = fmt.Sprintf("%s «%s-%d»", prefix, word, i+1)
	default:
		for {
			g.serial++
			id, err := kz.NewBIN(2000+g.rnd.IntN(26), 1+g.rnd.IntN(12), 4, 0, g.serial%100000)
			if err == nil {
				e.id = id
				break
			}
		}
		prefix := map[string]string{"LLP": "ТОО", "JSC": "АО", "PC": "ПК", "OTHER": "ОО"}[e.form]
		e.name = fmt.Sprintf("%s «%s %d»", prefix, word, i+1)
	}
	return e
}

func (g *generator) record(i int) register.Record {
	// A skewed choice of person: some clients come back many times.
	pi := int(float64(len(g.people)) * math.Pow(g.rnd.Float64(), 1.6))
	p := &g.people[min(pi, len(g.people)-1)]
	e := &g.enterprises[p.enterprises[g.rnd.IntN(len(p.enterprises))]]
	region := p.region
	if g.rnd.IntN(100) < 8 {
		region = g.pickRegion()
	}
	reg := g.regions[region]
	start := g.opts.From.AddDate(0, 0, g.rnd.IntN(g.days))
	for start.Weekday() == time.Sunday && g.rnd.IntN(10) > 0 { // centres rarely work on Sundays
		start = g.opts.From.AddDate(0, 0, g.rnd.IntN(g.days))
	}
	start = g.openDay(start, i)
	end := start
	if g.rnd.IntN(100) < 30 {
		end = start.AddDate(0, 0, 1+g.rnd.IntN(5))
		for g.dayOff(end) { // an act is signed on a day the centre is open
			end = end.AddDate(0, 0, 1)
		}
		// A service that would end after the window ends the day it
		// starts. Ending it on the window's last day, as before, piled
		// two days' multi-day services onto the last day of every monthly
		// register of the demo year, a month-end spike of the generator's
		// own making.
		if end.After(g.opts.To) {
			end = start
		}
	}
	place := weighted(g.rnd, placeWeights)
	mode := "offline"
	if place == "online" {
		mode = "online"
	}
	svc := services[g.rnd.IntN(len(services))]
	settlement := 1 + g.rnd.IntN(40)
	if place == "mobile_center" {
		// A bus is in one settlement a day, on its route; drawing one per
		// record put a busy bus in a dozen villages at once. The draw above
		// is kept so that the records after it do not change.
		settlement = 1 + int(mix(g.opts.Seed, uint64(region)<<32|uint64(start.Unix()/86400))%40)
	}
	r := register.Record{
		RecordID:         fmt.Sprintf("%s-%s-%07d", g.prefix, start.Format("2006"), i+1),
		RegionKATO:       reg.Code,
		SettlementKATO:   reg.Code[:2] + fmt.Sprintf("%02d", settlement) + "00000",
		SettlementName:   reg.Center,
		PlaceKind:        place,
		EnterpriseName:   e.name,
		EnterpriseID:     e.id,
		ClientFullName:   p.name,
		ClientGender:     p.gender,
		ClientBirthDate:  p.birth.Format(time.DateOnly),
		ClientDisability: p.disability,
		LegalForm:        e.form,
		Category:         e.category,
		OKEDSection:      e.section,
		OKEDCode:         e.oked,
		ServiceCode:      svc[0],
		ServiceSubtype:   svc[1+g.rnd.IntN(len(svc)-1)],
		ManagerFullName:  g.managers[region][g.rnd.IntN(len(g.managers[region]))],
		StartDate:        start.Format(time.DateOnly),
		EndDate:          end.Format(time.DateOnly),
		MobilePhone:      p.phone,
		Email:            p.email,
		DeliveryMode:     mode,
		ActNumber:        fmt.Sprintf("АКТ-%s-%07d", end.Format("0601"), i+1),
		ActSignedAt:      end.Add(time.Duration(9*60+g.rnd.IntN(9*60)) * time.Minute).Add(-5 * time.Hour).In(time.FixedZone("", 5*3600)).Format(time.RFC3339),
		ActConfirmation:  "eds",
	}
	switch place {
	case "service_center":
		r.ServicePlace = "ЦОП " + reg.Center
	case "support_center":
		r.ServicePlace = "ЦПП " + reg.Center
	case "mobile_center":
		r.ServicePlace = fmt.Sprintf("Мобильный ЦПП №%d", 1+region)
	}
	if mode == "online" {
		r.ActConfirmation = []string{"eds", "otp2", "otp3"}[g.rnd.IntN(3)]
	} else if g.rnd.IntN(100) < 15 {
		r.ActConfirmation = "paper"
	}
	if g.rnd.IntN(100) < 90 {
		r.ClientIIN = p.iin
	}
	if g.rnd.IntN(100) < 60 {
		r.ClientAge = fmt.Sprint(register.AgeOn(p.birth, start))
	}
	if g.rnd.IntN(100) < 20 {
		r.WorkPhone = fmt.Sprintf("8 (7%d%d) %02d-%02d-%02d", 1+g.rnd.IntN(9), g.rnd.IntN(10), g.rnd.IntN(100), g.rnd.IntN(100), g.rnd.IntN(100))
	}
	if p.spelledAlt != "" && g.rnd.IntN(100) < 2 {
		r.ClientFullName = p.spelledAlt
	}
	if g.rnd.Float64() < g.opts.ErrorRate {
		g.spoil(&r)
	}
	return r
}

// spoil gives a record one of the mistakes real registers carry.
func (g *generator) spoil(r *register.Record) {
	switch x := g.rnd.IntN(100); {
	case x < 40:
		r.ActNumber, r.ActSignedAt, r.ActConfirmation = "", "", ""
	case x < 55:
		r.DeliveryMode, r.PlaceKind, r.ServicePlace, r.ActConfirmation = "online", "online", "", "paper"
	case x < 65:
		start, _ := time.Parse(time.DateOnly, r.StartDate)
		r.ActSignedAt = start.AddDate(0, 0, -2).Add(11 * time.Hour).Format(time.RFC3339)
	case x < 75:
		last := r.EnterpriseID[11] - '0'
		r.EnterpriseID = r.EnterpriseID[:11] + fmt.Sprint((last+1)%10)
	case x < 85:
		start, _ := time.Parse(time.DateOnly, r.StartDate)
		r.EndDate = start.AddDate(0, 0, -3).Format(time.DateOnly)
	default:
		r.MobilePhone = "8-777-" + fmt.Sprint(g.rnd.IntN(10000))
	}
}

func weighted(rnd *rand.Rand, table []weight) string {
	total := 0
	for _, w := range table {
		total += w.n
	}
	x := rnd.IntN(total)
	for _, w := range table {
		if x -= w.n; x < 0 {
			return w.v
		}
	}
	return table[len(table)-1].v
}

type weight struct {
	v string
	n int
}

var (
	legalFormWeights = []weight{{"IE", 58}, {"LLP", 26}, {"FARM", 9}, {"JSC", 2}, {"PC", 2}, {"OTHER", 3}}
	categoryWeights  = []weight{{"micro", 72}, {"small", 21}, {"medium", 6}, {"large", 1}}
	placeWeights     = []weight{{"service_center", 55}, {"support_center", 18}, {"mobile_center", 10}, {"online", 17}}
	sectionWeights   = []weight{{"G", 30}, {"A", 14}, {"C", 10}, {"F", 8}, {"I", 7}, {"H", 5}, {"M", 5}, {"S", 5}, {"N", 3}, {"P", 3}, {"Q", 3}, {"J", 2}, {"L", 2}, {"R", 1}, {"E", 1}, {"B", 1}}
)

// services are the demo's service codes with their subtype codes; they
// follow the default catalogue of register.Services.
var services = func() [][]string {
	var out [][]string
	for _, s := range register.DefaultServices() {
		row := []string{s.Code}
		for _, st := range s.Subtypes {
			row = append(row, st.Code)
		}
		out = append(out, row)
	}
	return out
}()

var tradeWords = []string{"Береке", "Алтын", "Нұр", "Сауда", "Агро", "Құрылыс", "Дала", "Жібек жолы", "Транс", "Сервис", "Тұлпар", "Бастау", "Шапағат", "Азия", "Кемел"}

var (
	kazakhMale     = []string{"Нұрлан", "Ерлан", "Асқар", "Дәурен", "Бауыржан", "Айбек", "Серік", "Қайрат", "Ғалым", "Жандос", "Мұрат", "Әділет", "Ерболат", "Дәулет", "Нұрсұлтан", "Талғат"}
	kazakhFemale   = []string{"Айгүл", "Гүлнар", "Әсем", "Динара", "Жанар", "Ақмарал", "Меруерт", "Сәуле", "Аида", "Гүлжан", "Назерке", "Әйгерім", "Қарлығаш", "Ботагөз", "Жұлдыз"}
	kazakhSurnames = []string{"Сейітов", "Қасымов", "Жақсылықов", "Оспанов", "Төлеубеков", "Әбдірахманов", "Нұрғалиев", "Серікбаев", "Ахметов", "Бекмұхамбетов", "Құдайбергенов", "Ержанов", "Смағұлов", "Мұқанов"}
	russianMale    = []string{"Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Николай", "Владимир", "Игорь", "Виктор", "Евгений"}
	russianFemale  = []string{"Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Мария", "Юлия", "Екатерина"}
	russianSurname = []string{"Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Ким", "Шевченко"}
)

func (g *generator) personName(male, kazakh bool) string {
	pick := func(xs []string) string { return xs[g.rnd.IntN(len(xs))] }
	if kazakh {
		surname, first, father := pick(kazakhSurnames), pick(kazakhFemale), pick(kazakhMale)
		suffix := "қызы"
		if male {
			first, suffix = pick(kazakhMale), "ұлы"
		} else {
			surname += "а"
		}
		return surname + " " + first + " " + father + suffix
	}
	surname, father := pick(russianSurname), pick(russianMale)
	if male {
		return surname + " " + pick(russianMale) + " " + patronymic(father, true)
	}
	if !strings.HasSuffix(surname, "о") && !strings.HasSuffix(surname, "м") {
		surname += "а"
	}
	return surname + " " + pick(russianFemale) + " " + patronymic(father, false)
}

func patronymic(father string, male bool) string {
	stem, end := father, "ович"
	switch {
	case strings.HasSuffix(father, "ий"):
		stem, end = strings.TrimSuffix(father, "ий"), "ьевич"
	case strings.HasSuffix(father, "й"), strings.HasSuffix(father, "ь"):
		stem, end = father[:len(father)-len("й")], "евич"
	}
	if !male {
		end = strings.TrimSuffix(end, "ич") + "на"
	}
	return stem + end
}

// foldKazakh writes a name with the Russian look-alikes of Kazakh letters,
// as a keyboard without the Kazakh layout does.
func foldKazakh(s string) string { return kazakhFolder.Replace(s) }

var kazakhFolder = strings.NewReplacer("Қ", "К", "қ", "к", "Ғ", "Г", "ғ", "г", "Ү", "У", "ү", "у", "Ұ", "У", "ұ", "у",
	"Ө", "О", "ө", "о", "Ә", "А", "ә", "а", "І", "И", "і", "и", "Ң", "Н", "ң", "н", "Һ", "Х", "һ", "х")
