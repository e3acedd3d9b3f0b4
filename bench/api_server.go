package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// apiBuildEsep builds the esep command into dir: the API is measured through
// the real binary, as it is deployed, not through an in-process handler
// that would share the benchmark's heap and scheduler.
func apiBuildEsep(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "esep-api")
	// Built in esep's own module, with its own go.sum: this module lists
	// only what the benchmark itself imports.
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "esep").Output()
	if err != nil {
		return "", fmt.Errorf("find esep's module: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/esep")
	cmd.Dir = strings.TrimSpace(string(root))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build esep: %w\n%s", err, out)
	}
	return bin, nil
}

// apiEsepCmd runs one esep command to its end, its output discarded unless
// it fails.
func apiEsepCmd(ctx context.Context, bin, dsn string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, append([]string{"--db", dsn, "--lang", "en"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("esep %s: %w\n%s", strings.Join(args, " "), err, apiTail(out.String(), 2000))
	}
	return nil
}

// apiServer is `esep serve` running as a child process on a loopback port.
type apiServer struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	logPath string
	logFile *os.File
	done    chan error
}

// apiStartServer starts `esep serve` on a free loopback port, its log (one
// JSON line a request, no personal data) going to logPath, and waits until
// it answers.
func apiStartServer(ctx context.Context, bin, dsn, logPath string, extra ...string) (*apiServer, error) {
	port, err := apiFreePort()
	if err != nil {
		return nil, err
	}
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{"--db", dsn, "--lang", "en", "serve", "--addr", addr}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	apiDieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start esep serve: %w", err)
	}
	s := &apiServer{cmd: cmd, base: "http://" + addr, logPath: logPath, logFile: f, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Minute) // the server may build its index first
	for {
		select {
		case err := <-s.done:
			f.Close()
			return nil, fmt.Errorf("esep serve exited: %v\n%s", err, apiTailFile(logPath, 2000))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("esep serve did not answer /healthz in 5 minutes")
		}
	}
}

// stop asks the server to shut down as an operator would (SIGINT: running
// requests finish) and waits for it.
func (s *apiServer) stop() error {
	defer s.logFile.Close()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	select {
	case err := <-s.done:
		return err
	case <-time.After(45 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return errors.New("esep serve did not stop in 45 s after SIGINT: killed")
	}
}

// apiCounts are the server's own request counters for one route, by
// status class, read from /metrics: what the server answered, whether or
// not the load tool was still listening.
type apiCounts map[string]float64 // "2xx" → n

func (s *apiServer) counts(route string) (apiCounts, error) {
	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := apiCounts{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "esep_http_requests_total{")
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok || !strings.Contains(labels, `route="`+route+`"`) {
			continue
		}
		_, code, _ := strings.Cut(labels, `code="`)
		code, _, _ = strings.Cut(code, `"`)
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: %q: %w", line, err)
		}
		out[code] += v
	}
	return out, sc.Err()
}

// settle waits until the server's counters for route reach atLeast and
// stop moving: wrk stops on the
// clock with a request in flight on every connection, and the server goes
// on with those (a write may still commit) after wrk has gone.
func (s *apiServer) settle(route string, atLeast float64) (apiCounts, error) {
	var last apiCounts
	deadline := time.Now().Add(30 * time.Second)
	for {
		time.Sleep(300 * time.Millisecond)
		c, err := s.counts(route)
		if err != nil {
			return nil, err
		}
		if last != nil && c.total() == last.total() && c.total() >= atLeast {
			return c, nil
		}
		if time.Now().After(deadline) {
			return c, errors.New("the server's request counters did not settle in 30 s after the load")
		}
		last = c
	}
}

func (c apiCounts) total() float64 {
	n := 0.0
	for _, v := range c {
		n += v
	}
	return n
}

// minus is c − before, per class.
func (c apiCounts) minus(before apiCounts) apiCounts {
	out := apiCounts{}
	for k, v := range c {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func (c apiCounts) failed() int {
	n := 0.0
	for k, v := range c {
		if k != "2xx" {
			n += v
		}
	}
	return int(n)
}

func (c apiCounts) String() string {
	var parts []string
	for _, k := range []string{"2xx", "3xx", "4xx", "5xx"} {
		if v := c[k]; v != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, int(v)))
		}
	}
	return strings.Join(parts, ", ")
}

// apiLogTrouble counts, in the server's log from byte offset from on, the
// error lines, the ones that say the database was locked or busy, and the
// requests abandoned by their client (status 499: wrk closing its
// connections when its time is up, with requests in flight).
func apiLogTrouble(path string, from int64) (errorsSeen, locked, abandoned int, firstError string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0, "", err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return 0, 0, 0, "", err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, `"level":"ERROR"`) {
			errorsSeen++
			if firstError == "" {
				firstError = apiTail(line, 300)
			}
		}
		if strings.Contains(line, `"status":499`) {
			abandoned++
		}
		low := strings.ToLower(line)
		if strings.Contains(low, "database is locked") || strings.Contains(low, "sqlite_busy") || strings.Contains(low, "database is busy") {
			locked++
		}
	}
	return errorsSeen, locked, abandoned, firstError, sc.Err()
}

func apiFileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func apiFreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func apiTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func apiTailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	return apiTail(string(b), n)
}
