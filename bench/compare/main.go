// Command compare runs tlx's benchmark against PyTorch: every workload on
// both sides, interleaved (PyTorch, tlx, PyTorch, tlx, ...), each run in a
// fresh process, and prints a Markdown table of medians with the ratio
// tlx/PyTorch, first-step (compile) time, peak memory and the CPU time other
// processes used during the runs. bench/run.sh calls it.
//
//	go run ./bench/compare -reps 3 -out bench/RESULTS.md
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/tlx-go/tlx/bench/benchfmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// result is one side's measurement plus the CPU other processes used
// meanwhile.
type result struct {
	benchfmt.Result
	OtherCPU float64
}

var descriptions = map[string]string{
	"W1a": "small CNN 28×28×1 forward, batch 64",
	"W1b": "small CNN train step (Adam), batch 64",
	"W1c": "small CNN head-only train step, batch 64",
	"W2a": "ResNet-18 64×64×3 forward, batch 32",
	"W2b": "ResNet-18 64×64×3 train step, batch 32",
	"W3":  "MLP 784-512-256-10 train step, batch 256",
	"W4":  "fine-tuning epoch, head only, feature cache on vs off (tlx only)",
	"W5":  "head-only Fit building the feature cache: prefix on the Go backend vs on ONNX Runtime (mixed execution)",
}

func main() {
	reps := flag.Int("reps", 3, "interleaved repetitions per workload")
	iters := flag.Int("iters", 10, "timed iterations per run")
	only := flag.String("workloads", "W1a,W1b,W1c,W3,W2a,W2b,W4,W5", "comma-separated workloads")
	ortLib := flag.String("ort", "", "libonnxruntime.so.1: also run tlx on the ONNX Runtime backend")
	out := flag.String("out", "", "append the results to this Markdown file")
	tlxBin := flag.String("tlx", "", "tlxbench binary (built by run.sh)")
	flag.Parse()

	var table strings.Builder
	fmt.Fprintf(&table, "\n## %s — %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	fmt.Fprintf(&table, "%s; %d repetitions interleaved, median of medians; each run a fresh process.\n\n", versions(), *reps)
	table.WriteString("| workload | PyTorch img/s | tlx Go img/s | tlx ORT img/s | best tlx / PyTorch | first step PyTorch / Go / ORT (s) | peak RSS PyTorch / Go / ORT (MB) | other CPU (s) | notes |\n")
	table.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, w := range strings.Split(*only, ",") {
		var torch, goRuns, ortRuns []result
		for range *reps {
			if w != "W4" && w != "W5" {
				r, err := measure("pytorch", w, *iters, *tlxBin, nil)
				if err != nil {
					fail(err)
				}
				torch = append(torch, r)
			}
			r, err := measure("tlx", w, *iters, *tlxBin, nil)
			if err != nil {
				fail(err)
			}
			goRuns = append(goRuns, r)
			if *ortLib != "" && w != "W4" {
				env := []string{"ONNXRUNTIME_SHARED_LIBRARY_PATH=" + *ortLib, "GOMLX_BACKEND=onnx:cpu"}
				if w == "W5" { // the Go backend trains, ORT computes the prefix
					env = []string{"ONNXRUNTIME_SHARED_LIBRARY_PATH=" + *ortLib, "TLX_PREFIX_BACKEND=onnx:cpu"}
				}
				r, err := measure("tlx", w, *iters, *tlxBin, env)
				if err != nil {
					fail(err)
				}
				ortRuns = append(ortRuns, r)
			}
		}
		t, g, o := median(torch), median(goRuns), median(ortRuns)
		cell := func(runs []result, f string, v float64) string {
			if len(runs) == 0 {
				return "–"
			}
			return fmt.Sprintf(f, v)
		}
		best := max(g.ImgPerS, o.ImgPerS)
		ratio := "–"
		if len(torch) > 0 {
			ratio = fmt.Sprintf("**%.2fx**", best/t.ImgPerS)
		} else if w == "W5" && len(ortRuns) > 0 {
			ratio = fmt.Sprintf("ORT prefix %.1fx faster", o.ImgPerS/g.ImgPerS)
		}
		first := fmt.Sprintf("%s / %.2f / %s", cell(torch, "%.2f", t.FirstStep), g.FirstStep, cell(ortRuns, "%.2f", o.FirstStep))
		rss := fmt.Sprintf("%s / %.0f / %s", cell(torch, "%.0f", t.PeakRSSMB), g.PeakRSSMB, cell(ortRuns, "%.0f", o.PeakRSSMB))
		other := 0.0
		for _, r := range append(append(torch, goRuns...), ortRuns...) {
			other += r.OtherCPU
		}
		notes := strings.Trim(strings.Join([]string{g.Extra, o.Extra}, "; "), "; ")
		fmt.Fprintf(&table, "| %s %s | %s | %.0f | %s | %s | %s | %s | %.1f | %s |\n", w, descriptions[w], cell(torch, "%.0f", t.ImgPerS),
			g.ImgPerS, cell(ortRuns, "%.0f", o.ImgPerS), ratio, first, rss, other, notes)
		fmt.Fprintf(os.Stderr, "%s done\n", w)
	}
	fmt.Print(table.String())
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.WriteString(table.String())
			f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// median picks the run with the median throughput.
func median(rs []result) result {
	if len(rs) == 0 {
		return result{}
	}
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int {
		if a.ImgPerS < b.ImgPerS {
			return -1
		}
		return 1
	})
	return s[len(s)/2]
}

// measure runs one side once and records the CPU that other processes
// used meanwhile (machine busy time minus this run's own CPU time).
func measure(side, w string, iters int, tlxBin string, env []string) (result, error) {
	var cmd *exec.Cmd
	if side == "pytorch" {
		cmd = exec.Command("/usr/bin/python3", "bench/torch_bench.py", w, strconv.Itoa(iters))
	} else {
		cmd = exec.Command(tlxBin, "-workload", w, "-iters", strconv.Itoa(iters))
	}
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	busy0 := busySeconds()
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s %s: %v\n%s", side, w, err, stderr.String())
	}
	busy := busySeconds() - busy0
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	own := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	var r result
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r.Result); err != nil {
		return r, fmt.Errorf("%s %s: %v in %q", side, w, err, stdout.String())
	}
	r.OtherCPU = max(busy-own, 0)
	return r, nil
}

// busySeconds is the machine's non-idle CPU time from /proc/stat.
func busySeconds() float64 {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	fields := strings.Fields(sc.Text())
	var busy float64
	for i, v := range fields[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy / 100 // USER_HZ
}

func machine() string {
	model := runtime.GOARCH
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "model name") {
				model = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores", model, runtime.NumCPU())
}

func versions() string {
	return "gomlx v0.28.16, compute v0.1.14 (Go backend, GOEXPERIMENT=simd), compute-onnx v0.1.13 + ONNX Runtime 1.30.0 (npm onnxruntime-node), " + runtime.Version() + "; PyTorch 1.13.1 (Debian), 2 threads"
}
