package kernel

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// GoNB reports a cell program that failed at run time with ename "ERROR" and
// the process status as evalue, and echoes that status on stderr.
var (
	runtimeStatus = regexp.MustCompile(`^(exit status (\d+)|signal: .+)$`)
	statusEcho    = regexp.MustCompile(`^(exit status \d+|signal: [^\n]+)\n?$`)
)

// Failure describes a cell whose program failed at run time.
type Failure struct {
	Name      string   // "panic", "fatal error", "exit" or "signal"
	Value     string   // the panic's (or fatal error's) message, or what the status means
	Traceback []string // the lines a reader needs to find the fault
}

// isRuntimeStatus reports whether GoNB's error value is a process status
// (a run-time failure) rather than a compile or parse error.
func isRuntimeStatus(evalue string) bool {
	return runtimeStatus.MatchString(strings.TrimSpace(evalue))
}

// isStatusEcho reports whether a stderr chunk is only GoNB's echo of the
// process status, which the error message already carries.
func isStatusEcho(text string) bool {
	return statusEcho.MatchString(text)
}

// describeFailure turns the cell's stderr and GoNB's status line into a
// Failure. A Go panic gives Name "panic" with its message, a fatal runtime
// error (deadlock, concurrent map writes) Name "fatal error"; the traceback
// is the report from that line on. Otherwise the status says how the
// program ended, with the tail of stderr as context.
func describeFailure(stderr, status string) Failure {
	status = strings.TrimSpace(status)
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	for i, line := range lines {
		for _, prefix := range failurePrefixes {
			msg, ok := strings.CutPrefix(line, prefix)
			if !ok {
				continue
			}
			trace := append(slices.Clip(lines[i:]), status)
			return Failure{Name: strings.TrimSuffix(prefix, ": "), Value: strings.TrimSuffix(msg, " [recovered]"), Traceback: trace}
		}
	}
	tail := lines
	if len(tail) > 20 {
		tail = tail[len(tail)-20:]
	}
	if len(tail) == 1 && tail[0] == "" {
		tail = nil
	}
	m := runtimeStatus.FindStringSubmatch(status)
	if m != nil && m[2] != "" {
		return Failure{Name: "exit", Value: fmt.Sprintf("the cell's program exited with status %s", m[2]), Traceback: append(tail, status)}
	}
	return Failure{Name: "signal", Value: fmt.Sprintf("the cell's program was stopped: %s", status), Traceback: append(tail, status)}
}
