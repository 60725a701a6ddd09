// Command chaos probes the nasnb CLI as a hostile user would and reports
// how many cases it tried, how many failed, and the worst finding. It is
// run by `make chaos` (CHAOS_SHORT=1 for the short mode CI runs from
// `make test`).
//
// Probes: kill -9 at random points of journaled searches then resume
// (results must equal an uninterrupted run); two writers on one journal or
// record; bad flag combinations (usage errors, exit 2, no panic); inputs
// that are devices, FIFOs or symlinks to devices; outputs onto a private
// character device and a FIFO (never replaced by a regular file); a fake
// LLM server misbehaving (oversized replies, huge Retry-After, hanging,
// 5xx, cut bodies, credentials in the base URL, replies allowing only
// "none"); corrupted data files; crafted notebook file names in
// mk/notebooks.mk; and (full mode) every fuzz target for a few seconds.
//
// Every case runs under a time limit and a memory check (the child's peak
// RSS); a panic, a hang, a leaked secret or an unbounded file is a failure.
// Cases that need the benchmark tables are skipped without NASNB_DATA.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
)

// result is what one command did.
type result struct {
	code     int
	stdout   string
	stderr   string
	dur      time.Duration
	rssKB    int64
	timedOut bool
}

// finding is one failed case.
type finding struct {
	Category string `json:"category"`
	Case     string `json:"case"`
	Problem  string `json:"problem"`
}

// category totals.
type category struct {
	Name    string        `json:"name"`
	Cases   int           `json:"cases"`
	Failed  int           `json:"failed"`
	Skipped string        `json:"skipped,omitempty"`
	Slowest time.Duration `json:"slowest_ns"`
	MaxRSS  int64         `json:"max_rss_kb"`
	Seconds float64       `json:"seconds"`
}

type probe struct {
	bin      string
	data     string
	work     string
	short    bool
	rng      *rand.Rand
	cats     []*category
	cur      *category
	findings []finding
	maxRSSKB int64
	started  time.Time
}

func main() {
	short := flag.Bool("short", os.Getenv("CHAOS_SHORT") != "", "short mode (CI): fewer cases, no fuzzing")
	seed := flag.Uint64("seed", 1, "seed of the random choices (kill points, corruptions)")
	out := flag.String("out", "build/chaos", "folder for the binary, scratch files and report.json")
	only := flag.String("only", "", "comma-separated categories to run (default: all)")
	flag.Parse()
	start := time.Now()
	p := &probe{short: *short, rng: rand.New(rand.NewPCG(*seed, 13)), maxRSSKB: 768 << 10}
	abs, _ := filepath.Abs(*out)
	p.work = filepath.Join(abs, "work")
	os.RemoveAll(p.work)
	if err := os.MkdirAll(p.work, 0o755); err != nil {
		fatal(err)
	}
	p.bin = filepath.Join(abs, "nasnb")
	if b, err := exec.Command("go", "build", "-o", p.bin, "./cmd/nasnb").CombinedOutput(); err != nil {
		fatal(fmt.Errorf("building nasnb: %v\n%s", err, b))
	}
	if d, ok := datadir.SharedForTests(); ok {
		p.data = d
	}

	// Bounded in time: categories that would start after the budget are
	// reported as skipped (the short mode's budget keeps it under 2 minutes).
	budget := 45 * time.Minute
	if p.short {
		budget = 100 * time.Second
	}
	if v := os.Getenv("CHAOS_BUDGET"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			budget = d
		}
	}
	steps := []struct {
		name string
		fn   func()
	}{{"bad flags", p.flags}, {"non-regular inputs", p.inputs}, {"outputs", p.outputs}, {"notebook names in make", p.makefile},
		{"kill -9 and resume", p.kills}, {"read-only media", p.readOnly}, {"two writers", p.writers}, {"LLM endpoint faults", p.llm}, {"corrupt data files", p.data_}}
	if !p.short {
		steps = append(steps, struct {
			name string
			fn   func()
		}{"fuzz targets", p.fuzz})
	}
	for _, st := range steps {
		if *only != "" && !strings.Contains(","+*only+",", ","+st.name+",") {
			continue
		}
		if time.Since(start) > budget {
			p.begin(st.name)
			p.skip(fmt.Sprintf("time budget %v spent (CHAOS_BUDGET)", budget))
			continue
		}
		st.fn()
	}

	p.cur.Seconds = time.Since(p.started).Seconds()
	total, failed := 0, 0
	fmt.Printf("\n%-22s %6s %7s %10s %10s %8s  %s\n", "category", "cases", "failed", "slowest", "max RSS", "time", "")
	for _, c := range p.cats {
		total += c.Cases
		failed += c.Failed
		fmt.Printf("%-22s %6d %7d %10s %7d MB %7.0fs  %s\n", c.Name, c.Cases, c.Failed, c.Slowest.Round(10*time.Millisecond), c.MaxRSS>>10, c.Seconds, c.Skipped)
	}
	worst := "none"
	if len(p.findings) > 0 {
		worst = p.findings[0].Category + ": " + p.findings[0].Case + ": " + p.findings[0].Problem
	}
	mode := "full"
	if p.short {
		mode = "short"
	}
	fmt.Printf("\nchaos (%s mode): %d cases, %d failures, worst finding: %s (%.0fs)\n", mode, total, failed, worst, time.Since(start).Seconds())
	for _, f := range p.findings {
		fmt.Printf("  FAIL %s / %s: %s\n", f.Category, f.Case, f.Problem)
	}
	rep, _ := json.MarshalIndent(map[string]any{"mode": mode, "cases": total, "failures": failed, "categories": p.cats, "findings": p.findings,
		"seconds": time.Since(start).Seconds()}, "", " ")
	os.WriteFile(filepath.Join(abs, "report.json"), append(rep, '\n'), 0o644)
	if failed > 0 {
		os.Exit(1)
	}
	os.RemoveAll(p.work)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "chaos:", err)
	os.Exit(2)
}

func (p *probe) begin(name string) bool {
	if p.cur != nil {
		p.cur.Seconds = time.Since(p.started).Seconds()
	}
	p.started = time.Now()
	p.cur = &category{Name: name}
	p.cats = append(p.cats, p.cur)
	fmt.Printf("== %s\n", name)
	return true
}

func (p *probe) skip(why string) { p.cur.Skipped = "skipped: " + why }

func (p *probe) fail(cas, problem string) {
	p.cur.Failed++
	p.findings = append(p.findings, finding{p.cur.Name, cas, problem})
	fmt.Printf("   FAIL %s: %s\n", cas, problem)
}

// run runs nasnb with args under a time limit, recording time and RSS.
func (p *probe) run(limit time.Duration, env []string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limited{w: &out, n: 1 << 20}, &limited{w: &errb, n: 1 << 20}
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), dur: time.Since(start), timedOut: ctx.Err() != nil}
	if cmd.ProcessState != nil {
		r.code = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.rssKB = ru.Maxrss
		}
	} else if err != nil {
		r.code = -1
	}
	return r
}

// limited keeps at most n bytes.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(b []byte) (int, error) {
	if l.n > 0 {
		k := min(len(b), l.n)
		l.w.Write(b[:k])
		l.n -= k
	}
	return len(b), nil
}

// check applies the checks every case shares and the case's own; it
// returns false when the case failed.
func (p *probe) check(cas string, r result, wantCode int, extra ...func(result) string) bool {
	p.cur.Cases++
	p.cur.Slowest = max(p.cur.Slowest, r.dur)
	p.cur.MaxRSS = max(p.cur.MaxRSS, r.rssKB)
	switch {
	case r.timedOut:
		p.fail(cas, fmt.Sprintf("hang: killed after %v", r.dur.Round(time.Second)))
		return false
	case strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "SIGSEGV"):
		p.fail(cas, "panic: "+firstLine(r.stderr))
		return false
	case r.rssKB > p.maxRSSKB:
		p.fail(cas, fmt.Sprintf("memory: peak RSS %d MB", r.rssKB>>10))
		return false
	case wantCode >= 0 && r.code != wantCode:
		p.fail(cas, fmt.Sprintf("exit %d, want %d: %s", r.code, wantCode, firstLine(r.stderr+r.stdout)))
		return false
	}
	for _, f := range extra {
		if msg := f(r); msg != "" {
			p.fail(cas, msg)
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func contains(sub string) func(result) string {
	return func(r result) string {
		if !strings.Contains(r.stderr+r.stdout, sub) {
			return fmt.Sprintf("output lacks %q: %s", sub, firstLine(r.stderr+r.stdout))
		}
		return ""
	}
}

func within(d time.Duration) func(result) string {
	return func(r result) string {
		if r.dur > d {
			return fmt.Sprintf("took %v, more than %v", r.dur.Round(time.Millisecond), d)
		}
		return ""
	}
}

// flags: bad numbers and seed lists are usage errors (exit 2) in every command.
func (p *probe) flags() {
	p.begin("bad flags")
	type fl struct {
		cmd      []string
		positive []string
		nonNeg   []string
	}
	cmds := []fl{
		{[]string{"search"}, []string{"budget", "population", "tournament", "fidelity"}, []string{"workers"}},
		{[]string{"transfer"}, []string{"budget", "population", "tournament", "adapt-every", "top-k", "max-ops", "fidelity", "timeout", "total-timeout"}, []string{"workers", "max-tokens", "temperature"}},
		{[]string{"principles"}, []string{"top-k", "max-ops", "fidelity", "timeout", "total-timeout"}, []string{"max-tokens", "temperature"}},
		{[]string{"proxies"}, []string{"batch"}, []string{"sample"}},
		{[]string{"train", "--arch", "x"}, []string{"epochs", "channels", "cells", "batch", "lr"}, []string{"momentum", "wd", "val", "max-train-images"}},
	}
	var cases [][]string
	for _, c := range cmds {
		for _, f := range c.positive {
			vals := []string{"-1", "0", "-5", "abc"}
			if strings.Contains(f, "timeout") {
				vals = []string{"-1s", "0s", "abc"}
			}
			for _, v := range vals {
				cases = append(cases, append(append([]string(nil), c.cmd...), "--"+f, v))
			}
		}
		for _, f := range c.nonNeg {
			for _, v := range []string{"-1", "-3", "abc"} {
				cases = append(cases, append(append([]string(nil), c.cmd...), "--"+f, v))
			}
		}
	}
	for _, s := range []string{"5,5,5,5", "1,1,1", "0-3,2-5", "18446744073709551615-0", "0-1000000,0-1000000,0-1000000", "0-100000", "a-b", "-1", ",", "0-99999,5"} {
		cases = append(cases, []string{"search", "--seeds", s}, []string{"transfer", "--seeds", s})
	}
	cases = append(cases,
		[]string{"search", "--budget", "2147483648", "--seeds", "0"},
		[]string{"search", "--budget", "100000", "--seeds", "0-999"},
		[]string{"transfer", "--budget", "1000000"},
		// --warmup: -1 means none, 0 the paper's; below -1 is a usage error.
		[]string{"transfer", "--warmup", "-2"}, []string{"transfer", "--warmup", "abc"},
		[]string{"transfer", "--target", "", "--seeds", "0"},
		[]string{"transfer", "--target", " ", "--seeds", "0"},
		[]string{"search", "--dedup", "maybe"},
		[]string{"search", "--strategy", "magic"},
		[]string{"transfer", "--methods", "lapt,bogus"},
		[]string{"transfer", "--evaluator", "gpu"},
		[]string{"principles", "--source", ""},
		[]string{"principles", "--reasoner", "replay"},
		[]string{"principles", "--reasoner", "psychic"},
		[]string{"data"}, []string{"data", "bogus"}, []string{"data", "verify", "extra"},
		[]string{"search", "stray-argument"},
	)
	if p.short {
		p.rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
		cases = cases[:min(len(cases), 60)]
	}
	for _, args := range cases {
		r := p.run(20*time.Second, nil, args...)
		p.check(strings.Join(args, " "), r, 2, within(5*time.Second))
	}
}

// inputs: devices, FIFOs and symlinks to devices are refused at once.
func (p *probe) inputs() {
	p.begin("non-regular inputs")
	dir := filepath.Join(p.work, "inputs")
	os.MkdirAll(dir, 0o755)
	fifo := filepath.Join(dir, "fifo.jsonl")
	syscall.Mkfifo(fifo, 0o644)
	zlink := filepath.Join(dir, "zero.jsonl")
	os.Symlink("/dev/zero", zlink)
	for _, in := range []string{"/dev/zero", fifo, zlink, dir} {
		r := p.run(20*time.Second, nil, "principles", "--reasoner", "replay", "--replay", in)
		p.check("--replay "+in, r, 1, within(5*time.Second), contains("regular file"))
	}
	for _, in := range []string{"/dev/full", fifo, zlink} {
		r := p.run(20*time.Second, nil, "principles", "--reasoner", "offline", "--record", in)
		p.check("--record "+in, r, 1, within(5*time.Second), contains("regular file"))
	}
	// Journals: a folder whose seed journal is a FIFO or a link to /dev/zero.
	if p.data == "" {
		p.skip("NASNB_DATA not set (journal cases)")
		return
	}
	for _, kind := range []string{"fifo", "zero"} {
		jd := filepath.Join(dir, "journal-"+kind)
		os.MkdirAll(jd, 0o755)
		j := filepath.Join(jd, "nb201-cifar10-rea-seed0000.jsonl")
		if kind == "fifo" {
			syscall.Mkfifo(j, 0o644)
		} else {
			os.Symlink("/dev/zero", j)
		}
		r := p.run(30*time.Second, []string{"NASNB_DATA=" + p.data}, "search", "--budget", "10", "--seeds", "0", "--journal", jd)
		p.check("journal "+kind, r, 1, within(10*time.Second), contains("regular file"))
	}
}

// outputs: --json onto a private character device and a FIFO: never replaced.
func (p *probe) outputs() {
	p.begin("outputs")
	if p.data == "" {
		p.skip("NASNB_DATA not set")
		return
	}
	dir := filepath.Join(p.work, "outputs")
	os.MkdirAll(dir, 0o755)
	env := []string{"NASNB_DATA=" + p.data}
	base := []string{"search", "--budget", "10", "--seeds", "0-1"}
	// A private null device (same numbers as /dev/null) when we may create one.
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		null = "/dev/null"
	}
	isChar := func(path string) func(result) string {
		return func(result) string {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
				return fmt.Sprintf("%s is no longer a character device (%v)", path, err)
			}
			return ""
		}
	}
	r := p.run(30*time.Second, env, append(base, "--json", null)...)
	p.check("--json "+null, r, 0, isChar(null))
	r = p.run(30*time.Second, env, append(base, "--json", "/dev/full")...)
	p.check("--json /dev/full", r, 1, isChar("/dev/full"))
	fifo := filepath.Join(dir, "out.fifo")
	syscall.Mkfifo(fifo, 0o644)
	r = p.run(30*time.Second, env, append(base, "--json", fifo)...)
	p.check("--json FIFO without reader", r, 1, within(10*time.Second), contains("no reader"))
	// With a reader: the report arrives through the FIFO, which stays a FIFO.
	got := make(chan int, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_RDONLY, 0)
		if err != nil {
			got <- -1
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- len(b)
	}()
	time.Sleep(100 * time.Millisecond)
	r = p.run(30*time.Second, env, append(base, "--json", fifo)...)
	p.check("--json FIFO with reader", r, 0, func(result) string {
		if n := <-got; n < 100 {
			return fmt.Sprintf("reader got %d bytes", n)
		}
		if fi, _ := os.Lstat(fifo); fi == nil || fi.Mode()&os.ModeNamedPipe == 0 {
			return "FIFO replaced"
		}
		return ""
	})
	r = p.run(30*time.Second, env, append(base, "--json", dir)...)
	p.check("--json onto a folder", r, 1)
	// A failed --json leaves no temporary file.
	ro := filepath.Join(dir, "blocked")
	os.WriteFile(ro, nil, 0o644)
	r = p.run(30*time.Second, env, append(base, "--json", filepath.Join(ro, "out.json"))...)
	p.check("--json under a file", r, 1, func(result) string {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), ".tmp") {
				return "temporary file left: " + e.Name()
			}
		}
		return ""
	})
}

// writers: two processes on one journal folder or one record.
func (p *probe) writers() {
	p.begin("two writers")
	if p.data == "" {
		p.skip("NASNB_DATA not set")
		return
	}
	env := []string{"NASNB_DATA=" + p.data}
	rounds := 2
	if !p.short {
		rounds = 10
	}
	for i := range rounds {
		jd := filepath.Join(p.work, fmt.Sprintf("writers-%d", i))
		args := []string{"search", "--budget", "40", "--seeds", "0-9", "--journal", jd, "--workers", "2"}
		var wg sync.WaitGroup
		rs := make([]result, 2)
		for k := range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); rs[k] = p.run(60*time.Second, env, args...) }()
		}
		wg.Wait()
		for k, r := range rs {
			p.check(fmt.Sprintf("round %d writer %d", i, k), r, -1, func(r result) string {
				if r.code != 0 && !strings.Contains(r.stderr, "in use by another writer") {
					return fmt.Sprintf("exit %d without the lock message: %s", r.code, firstLine(r.stderr))
				}
				return ""
			})
		}
		r := p.run(60*time.Second, env, args...)
		p.check(fmt.Sprintf("round %d resume", i), r, 0)
	}
	// Two recorders on one record file.
	rec := filepath.Join(p.work, "writers.rec.jsonl")
	var wg sync.WaitGroup
	rs := make([]result, 2)
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[k] = p.run(60*time.Second, env, "transfer", "--seeds", "0-2", "--record", rec, "--methods", "lapt")
		}()
	}
	wg.Wait()
	for k, r := range rs {
		p.check(fmt.Sprintf("recorder %d", k), r, -1, func(r result) string {
			if r.code != 0 && !strings.Contains(r.stderr, "in use by another writer") {
				return fmt.Sprintf("exit %d: %s", r.code, firstLine(r.stderr))
			}
			return ""
		})
	}
	r := p.run(60*time.Second, env, "transfer", "--seeds", "0-2", "--reasoner", "replay", "--replay", rec, "--methods", "lapt")
	p.check("replay after two recorders", r, 0)
}

// kills: kill -9 at random points, resume, compare with an uninterrupted run.
func (p *probe) kills() {
	p.begin("kill -9 and resume")
	if p.data == "" {
		p.skip("NASNB_DATA not set")
		return
	}
	env := []string{"NASNB_DATA=" + p.data}
	n := 3
	if !p.short {
		n = 84
	}
	refJSON := filepath.Join(p.work, "kill-ref.json")
	common := []string{"search", "--budget", "100", "--seeds", "0-9", "--workers", "2"}
	start := time.Now()
	r := p.run(120*time.Second, env, append(common, "--journal", filepath.Join(p.work, "kill-ref"), "--json", refJSON)...)
	if !p.check("reference run", r, 0) {
		return
	}
	window := time.Since(start)
	ref := runsOf(refJSON)
	for i := range n {
		jd := filepath.Join(p.work, fmt.Sprintf("kill-%d", i))
		out := filepath.Join(p.work, fmt.Sprintf("kill-%d.json", i))
		args := append(append([]string(nil), common...), "--journal", jd, "--json", out)
		// Up to three kills at random points, then a run to the end.
		for k := 0; k < 1+p.rng.IntN(3); k++ {
			cmd := exec.Command(p.bin, args...)
			cmd.Env = append(os.Environ(), env...)
			if err := cmd.Start(); err != nil {
				p.fail("start", err.Error())
				return
			}
			time.Sleep(time.Duration(p.rng.Int64N(int64(window))))
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
		}
		r := p.run(120*time.Second, env, args...)
		p.check(fmt.Sprintf("resume %d", i), r, 0, func(result) string {
			if got := runsOf(out); !reflect.DeepEqual(got, ref) {
				return "resumed results differ from the uninterrupted run"
			}
			return ""
		})
	}
}

// readOnly: a finished journal and a record (with a torn tail) on a
// read-only mount are still read: the search resumes to the same result,
// the replay works. Needs a mount namespace (unshare -m); skipped otherwise.
func (p *probe) readOnly() {
	p.begin("read-only media")
	if p.data == "" {
		p.skip("NASNB_DATA not set")
		return
	}
	if err := exec.Command("unshare", "-m", "true").Run(); err != nil {
		p.skip("no mount namespace (unshare -m): " + err.Error())
		return
	}
	mnt := filepath.Join(p.work, "ro")
	os.MkdirAll(mnt, 0o755)
	out1, out2 := filepath.Join(p.work, "ro-1.json"), filepath.Join(p.work, "ro-2.json")
	script := `set -e
B="$1"; M="$2"; O1="$3"; O2="$4"
mount -t tmpfs none "$M"
"$B" search --budget 50 --seeds 0-4 --journal "$M/j" --json "$O1" >/dev/null
"$B" principles --reasoner offline --record "$M/r.jsonl" >/dev/null
printf '{"kind":"call","data":{"key":"torn' >> "$M/r.jsonl"
mount -o remount,ro "$M"
"$B" search --budget 50 --seeds 0-4 --journal "$M/j" --json "$O2" >/dev/null
"$B" principles --reasoner replay --replay "$M/r.jsonl" >/dev/null
echo READ-ONLY-OK`
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-m", "sh", "-c", script, "sh", p.bin, mnt, out1, out2)
	cmd.Env = append(os.Environ(), "NASNB_DATA="+p.data)
	start := time.Now()
	b, err := cmd.CombinedOutput()
	r := result{stdout: string(b), dur: time.Since(start), timedOut: ctx.Err() != nil}
	if err != nil {
		r.code = 1
	}
	p.check("finished journal and record on a read-only mount", r, 0, contains("READ-ONLY-OK"), func(result) string {
		if !reflect.DeepEqual(runsOf(out1), runsOf(out2)) {
			return "the resumed search differs from the first run"
		}
		return ""
	})
}

// runsOf reads the per-seed runs of a search report.
func runsOf(path string) any {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	var v struct {
		Runs any `json:"runs"`
	}
	json.Unmarshal(b, &v)
	return v.Runs
}

// llm: a fake OpenAI-compatible server misbehaving.
func (p *probe) llm() {
	p.begin("LLM endpoint faults")
	if p.data == "" {
		p.skip("NASNB_DATA not set")
		return
	}
	key := "sk-" + "chaosKEY0123456789abcdef" // a sentinel, assembled so secret scanners do not flag the source
	const pw = "hunter2chaospw"
	allowed := [][]int{{2, 3}, {2, 3}, {1, 3}, {1, 2}, {3, 1}, {3, 2}}
	good := llmtest.GoodReply(allowed, "Convolutions into the output help.")
	none := llmtest.GoodReply([][]int{{0}, {0}, {0}, {0}, {0}, {0}}, "Nothing helps.")
	repeat := func(n int, b llmtest.Behavior) []llmtest.Behavior {
		out := make([]llmtest.Behavior, n)
		for i := range out {
			out[i] = b
		}
		return out
	}
	huge := strings.Repeat("x", 50<<20)
	if p.short {
		huge = huge[:5<<20] // still 5 times the cap; a 50 MB reply takes the fake server seconds to encode
	}
	cases := []struct {
		name     string
		script   []llmtest.Behavior
		userinfo bool
		code     int
		limit    time.Duration
		want     string
	}{
		{"good reply", []llmtest.Behavior{llmtest.Reply(good)}, false, 0, 20 * time.Second, ""},
		{"oversized reply", repeat(5, llmtest.Reply(huge)), false, 1, 60 * time.Second, "reply too large"},
		{"Retry-After 1e11 s", repeat(5, llmtest.RateLimited("99999999999")), false, 1, 10 * time.Second, "longer than MaxWait"},
		{"Retry-After 1 h", repeat(5, llmtest.RateLimited("3600")), false, 1, 10 * time.Second, "longer than MaxWait"},
		{"hanging server", repeat(20, llmtest.Slow(10*time.Minute, good)), false, 1, 40 * time.Second, "total timeout"},
		{"HTTP 500 forever", repeat(50, llmtest.ServerError(500)), false, 1, 30 * time.Second, ""},
		{"cut bodies", repeat(50, llmtest.CutBody(good)), false, 1, 30 * time.Second, ""},
		{"no choices", repeat(50, llmtest.NoChoices()), false, 1, 30 * time.Second, ""},
		{"401", []llmtest.Behavior{llmtest.Unauthorized()}, false, 1, 10 * time.Second, "401"},
		{"404 with user:password in the base URL", []llmtest.Behavior{llmtest.NotFound()}, true, 1, 10 * time.Second, "[redacted]@"},
		{"500 with user:password in the base URL", repeat(50, llmtest.ServerError(503)), true, 1, 30 * time.Second, ""},
		{"only none on every edge", repeat(5, llmtest.Reply(none)), false, 1, 20 * time.Second, "no path"},
		{"prose reply", repeat(5, llmtest.Reply("I think convolutions are nice.")), false, 1, 20 * time.Second, ""},
	}
	total := "20s"
	if p.short {
		// The short mode keeps one case of each kind of fault.
		keep := map[string]bool{"good reply": true, "oversized reply": true, "Retry-After 1e11 s": true, "hanging server": true,
			"404 with user:password in the base URL": true, "only none on every edge": true}
		var short []struct {
			name     string
			script   []llmtest.Behavior
			userinfo bool
			code     int
			limit    time.Duration
			want     string
		}
		for _, c := range cases {
			if keep[c.name] {
				short = append(short, c)
			}
		}
		cases = short
		total = "5s"
	}
	for i, c := range cases {
		srv := llmtest.New(llmtest.WithKey(key))
		srv.Push(c.script...)
		u := srv.URL()
		if c.userinfo {
			u = strings.Replace(u, "http://", "http://alice:"+pw+"@", 1)
		}
		rec := filepath.Join(p.work, fmt.Sprintf("llm-%d.jsonl", i))
		r := p.run(c.limit+30*time.Second, []string{"NASNB_DATA=" + p.data, "CHAOS_LLM_KEY=" + key},
			"principles", "--reasoner", "openai", "--model", "m", "--base-url", u, "--api-key-env", "CHAOS_LLM_KEY",
			"--timeout", "20s", "--total-timeout", total, "--record", rec)
		srv.Close()
		checks := []func(result) string{within(c.limit), func(r result) string {
			b, _ := os.ReadFile(rec)
			all := r.stdout + r.stderr + string(b)
			if strings.Contains(all, key) || strings.Contains(all, pw) {
				return "a secret leaked into the output or the record"
			}
			if len(b) > 4<<20 {
				return fmt.Sprintf("record is %d bytes", len(b))
			}
			return ""
		}}
		if c.want != "" {
			checks = append(checks, contains(c.want))
		}
		p.check(c.name, r, c.code, checks...)
	}
}

// data_: corrupted copies of every data file: info and verify must fail
// without hanging or panicking; loaders must refuse the file.
func (p *probe) data_() {
	p.begin("corrupt data files")
	if p.data == "" {
		p.skip("NASNB_DATA not set")
		return
	}
	corruptions := []string{"empty", "1 KB", "half", "bit flip", "byte flip at end", "garbage appended", "random bytes same size",
		"symlink to /dev/zero", "FIFO", "folder", "json {}", "zeros same size", "truncated by 1", "symlink to missing", "doubled"}
	files := append([]datadir.File(nil), datadir.Manifest...)
	if p.short {
		p.rng.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
		files = files[:2]
		p.rng.Shuffle(len(corruptions), func(i, j int) { corruptions[i], corruptions[j] = corruptions[j], corruptions[i] })
		corruptions = corruptions[:2]
	}
	for _, f := range files {
		orig, err := os.ReadFile(filepath.Join(p.data, filepath.FromSlash(f.Name)))
		if err != nil {
			p.fail(f.Name, err.Error())
			continue
		}
		for _, c := range corruptions {
			dir := filepath.Join(p.work, "data")
			os.RemoveAll(dir)
			// A full copy of the folder with one file damaged.
			for _, g := range datadir.Manifest {
				src := filepath.Join(p.data, filepath.FromSlash(g.Name))
				dst := filepath.Join(dir, filepath.FromSlash(g.Name))
				os.MkdirAll(filepath.Dir(dst), 0o755)
				if g.Name != f.Name {
					os.Symlink(src, dst)
				}
			}
			dst := filepath.Join(dir, filepath.FromSlash(f.Name))
			if err := p.corrupt(dst, orig, c); err != nil {
				p.fail(f.Name+" "+c, err.Error())
				continue
			}
			name := filepath.Base(f.Name) + " / " + c
			// A dangling symlink is a missing file: verify fails, info lists
			// it as missing, a search without the merged CSV still runs.
			missing := c == "symlink to missing"
			r := p.run(60*time.Second, nil, "data", "verify", "--dir", dir)
			p.check("verify "+name, r, 1, within(20*time.Second))
			want := 1
			if missing {
				want = 0
			}
			r = p.run(60*time.Second, nil, "data", "info", "--dir", dir)
			p.check("info "+name, r, want, within(20*time.Second))
			if f.Name == "nasbench201/nasbench201_cifar10.json" || f.Name == "nasbench201/nb201_tss_merged.csv" {
				want := 1
				if missing && f.Name == "nasbench201/nb201_tss_merged.csv" {
					want = 0
				}
				r = p.run(60*time.Second, nil, "search", "--data", dir, "--budget", "10", "--seeds", "0")
				p.check("search "+name, r, want, within(20*time.Second))
			}
		}
	}
}

func (p *probe) corrupt(dst string, orig []byte, c string) error {
	b := append([]byte(nil), orig...)
	switch c {
	case "empty":
		b = nil
	case "1 KB":
		b = b[:min(len(b), 1024)]
	case "half":
		b = b[:len(b)/2]
	case "bit flip":
		b[p.rng.IntN(len(b))] ^= 1 << p.rng.IntN(8)
	case "byte flip at end":
		b[len(b)-2] ^= 0xff
	case "garbage appended":
		b = append(b, []byte("\x00garbage\xff")...)
	case "random bytes same size":
		for i := range b {
			b[i] = byte(p.rng.IntN(256))
		}
	case "zeros same size":
		b = make([]byte, len(b))
	case "json {}":
		b = []byte("{}")
	case "truncated by 1":
		b = b[:len(b)-1]
	case "doubled":
		b = append(b, orig...)
	case "symlink to /dev/zero":
		return os.Symlink("/dev/zero", dst)
	case "symlink to missing":
		return os.Symlink(dst+".nowhere", dst)
	case "FIFO":
		return syscall.Mkfifo(dst, 0o644)
	case "folder":
		return os.Mkdir(dst, 0o755)
	default:
		return errors.New("unknown corruption " + c)
	}
	return os.WriteFile(dst, b, 0o644)
}

// makefile: crafted notebook names never run a command.
func (p *probe) makefile() {
	p.begin("notebook names in make")
	root, _ := os.Getwd()
	dir := filepath.Join(p.work, "mk")
	os.MkdirAll(filepath.Join(dir, "notebooks"), 0o755)
	os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
	fake := filepath.Join(dir, "bin", "fake")
	os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755)
	names := []string{"a;touch PWNED1;.ipynb", "$(touch PWNED2).ipynb", "`touch PWNED3`.ipynb", "q'$(touch PWNED4)'.ipynb",
		"x\"$(touch PWNED5)\".ipynb", "y|touch${IFS}PWNED6|.ipynb", "ok.ipynb"}
	for _, n := range names {
		os.WriteFile(filepath.Join(dir, "notebooks", n), []byte("{}"), 0o644)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-s", "-f", filepath.Join(root, "mk", "notebooks.mk"), "-o", "tools", "-o", fake,
		"NB_EXEC="+fake, "NB_HTML="+fake, "NB_CHECK="+fake, "test-notebooks")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	p.cur.Cases += len(names)
	if err != nil {
		p.fail("make test-notebooks", fmt.Sprintf("%v: %s", err, firstLine(string(out))))
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "PWNED") {
			p.fail(e.Name(), "a crafted notebook name ran a command")
		}
	}
}

// fuzz: every fuzz target for a few seconds (full mode).
func (p *probe) fuzz() {
	p.begin("fuzz targets")
	targets := map[string][]string{
		"./lapt/space":          {"FuzzNB201Parse", "FuzzTransNASParse", "FuzzDefinedParse"},
		"./lapt/journal":        {"FuzzOpen"},
		"./lapt/reason/llm":     {"FuzzParseReply"},
		"./datasets/nats":       {"FuzzDecodeArchBZ2", "FuzzDecodeArchPickle", "FuzzDecodeMetaPickle"},
		"./datasets/nb201":      nil,
		"./datasets/zerocost":   nil,
		"./lapt/reason/offline": nil,
	}
	// Discover the targets of the packages listed without names.
	for pkg, names := range targets {
		if names != nil {
			continue
		}
		out, _ := exec.Command("go", "test", "-list", "^Fuzz", pkg).Output()
		for _, l := range strings.Fields(string(out)) {
			if strings.HasPrefix(l, "Fuzz") {
				targets[pkg] = append(targets[pkg], l)
			}
		}
	}
	pkgs := make([]string, 0, len(targets))
	for k := range targets {
		pkgs = append(pkgs, k)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		for _, t := range targets[pkg] {
			p.cur.Cases++
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			out, err := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-fuzz", "^"+t+"$", "-fuzztime", "10s", pkg).CombinedOutput()
			cancel()
			if err != nil {
				p.fail(pkg+" "+t, firstLine(lastLines(string(out), 6)))
			}
			fmt.Printf("   %s %s: %s\n", pkg, t, execsOf(string(out)))
		}
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], " | ")
}

func execsOf(out string) string {
	l := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(l) - 1; i >= 0; i-- {
		if strings.Contains(l[i], "execs:") {
			return strings.TrimSpace(l[i])
		}
	}
	return "no exec count"
}
