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
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type result struct {
	Side      string  `json:"side"`
	Workload  string  `json:"workload"`
	Backend   string  `json:"backend"`
	ImgPerS   float64 `json:"img_per_s"`
	FirstStep float64 `json:"first_step_s"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Extra     string  `json:"extra,omitempty"`
	OtherCPU  float64 `json:"-"`
}

var descriptions = map[string]string{
	"W1a": "small CNN 28×28×1 forward, batch 64",
	"W1b": "small CNN train step (Adam), batch 64",
	"W1c": "small CNN head-only train step, batch 64",
	"W2a": "ResNet-18 64×64×3 forward, batch 32",
	"W2b": "ResNet-18 64×64×3 train step, batch 32",
	"W3":  "MLP 784-512-256-10 train step, batch 256",
	"W4":  "fine-tuning epoch, head only, feature cache on vs off (tlx only)",
}

func main() {
	reps := flag.Int("reps", 3, "interleaved repetitions per workload")
	iters := flag.Int("iters", 10, "timed iterations per run")
	only := flag.String("workloads", "W1a,W1b,W1c,W3,W2a,W2b,W4", "comma-separated workloads")
	out := flag.String("out", "", "append the results to this Markdown file")
	tlxBin := flag.String("tlx", "", "tlxbench binary (built by run.sh)")
	flag.Parse()

	var table strings.Builder
	fmt.Fprintf(&table, "\n## %s — %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	fmt.Fprintf(&table, "%s; %d repetitions interleaved, median of medians; each run a fresh process.\n\n", versions(), *reps)
	table.WriteString("| workload | PyTorch img/s | tlx img/s | tlx / PyTorch | first step PyTorch / tlx (s) | peak RSS PyTorch / tlx (MB) | other CPU (s) | notes |\n")
	table.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, w := range strings.Split(*only, ",") {
		var torch, tlx []result
		for range *reps {
			if w != "W4" {
				r, err := measure("pytorch", w, *iters, *tlxBin)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				torch = append(torch, r)
			}
			r, err := measure("tlx", w, *iters, *tlxBin)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			tlx = append(tlx, r)
		}
		t, g := median(torch), median(tlx)
		ratio, tp, first, rss := "–", "–", fmt.Sprintf("– / %.2f", g.FirstStep), fmt.Sprintf("– / %.0f", g.PeakRSSMB)
		if len(torch) > 0 {
			ratio = fmt.Sprintf("**%.2fx**", g.ImgPerS/t.ImgPerS)
			tp = fmt.Sprintf("%.0f", t.ImgPerS)
			first = fmt.Sprintf("%.2f / %.2f", t.FirstStep, g.FirstStep)
			rss = fmt.Sprintf("%.0f / %.0f", t.PeakRSSMB, g.PeakRSSMB)
		}
		other := 0.0
		for _, r := range append(torch, tlx...) {
			other += r.OtherCPU
		}
		fmt.Fprintf(&table, "| %s %s | %s | %.0f | %s | %s | %s | %.1f | %s |\n", w, descriptions[w], tp, g.ImgPerS, ratio, first, rss, other, g.Extra)
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
func measure(side, w string, iters int, tlxBin string) (result, error) {
	var cmd *exec.Cmd
	if side == "pytorch" {
		cmd = exec.Command("/usr/bin/python3", "bench/torch_bench.py", w, strconv.Itoa(iters))
	} else {
		cmd = exec.Command(tlxBin, "-workload", w, "-iters", strconv.Itoa(iters))
	}
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
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
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
	return "gomlx v0.28.16, compute v0.1.14 (Go backend, GOEXPERIMENT=simd), " + runtime.Version() + "; PyTorch 1.13.1 (Debian), 2 threads"
}
