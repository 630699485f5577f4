package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tlx-go/tlx/bench/benchfmt"
)

// result is one run's measurement plus the CPU other processes used
// meanwhile, or the error that ended the run.
type result struct {
	benchfmt.Result
	OtherCPU float64
	Err      error
}

// measure runs one benchmark process and records the CPU that other
// processes used meanwhile (machine busy time minus this run's own CPU
// time). A failed run comes back with Err set, naming the command.
func measure(args, env []string) result {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	busy0 := busySeconds()
	if err := cmd.Run(); err != nil {
		return result{Err: fmt.Errorf("%s %s: %v: %s", strings.Join(env, " "), strings.Join(args, " "), err, lastLine(stderr.String()))}
	}
	busy := busySeconds() - busy0
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	own := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	var r result
	if err := json.Unmarshal([]byte(lastLine(stdout.String())), &r.Result); err != nil {
		return result{Err: fmt.Errorf("%s: reading its JSON line: %v in %q", strings.Join(args, " "), err, stdout.String())}
	}
	r.OtherCPU = max(busy-own, 0)
	return r
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// median picks the successful run with the median of key (throughput or
// wall time); ok is false when every run failed.
func median(rs []result, key func(result) float64) (r result, ok bool) {
	var s []result
	for _, r := range rs {
		if r.Err == nil {
			s = append(s, r)
		}
	}
	if len(s) == 0 {
		return result{}, false
	}
	slices.SortFunc(s, func(a, b result) int {
		if key(a) < key(b) {
			return -1
		}
		return 1
	})
	return s[len(s)/2], true
}

// firstErr is the first failed run's error, nil if none failed.
func firstErr(rs []result) error {
	for _, r := range rs {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
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
		var n float64
		fmt.Sscan(v, &n)
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy / 100 // USER_HZ
}

// loadAverage is /proc/loadavg's first three fields.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
