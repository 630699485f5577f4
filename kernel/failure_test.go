package kernel

import (
	"slices"
	"testing"
)

func TestDescribeFailurePanic(t *testing.T) {
	stderr := "some log\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/main.go:4 +0x25\n"
	f := describeFailure(stderr, "exit status 2")
	if f.Name != "panic" || f.Value != "boom" {
		t.Fatalf("got %q/%q, want panic/boom", f.Name, f.Value)
	}
	if f.Traceback[0] != "panic: boom" || !slices.Contains(f.Traceback, "main.main()") || f.Traceback[len(f.Traceback)-1] != "exit status 2" {
		t.Errorf("traceback %q lacks the panic, the frame or the status", f.Traceback)
	}
	if slices.Contains(f.Traceback, "some log") {
		t.Errorf("traceback %q includes stderr from before the panic", f.Traceback)
	}
}

func TestDescribeFailureFatalError(t *testing.T) {
	stderr := "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain.main()\n"
	f := describeFailure(stderr, "exit status 2")
	if f.Name != "fatal error" || f.Value != "all goroutines are asleep - deadlock!" {
		t.Fatalf("got %q/%q, want the fatal error and its message", f.Name, f.Value)
	}
	if !slices.Contains(f.Traceback, "goroutine 1 [chan receive]:") {
		t.Errorf("traceback %q lacks the goroutine", f.Traceback)
	}
}

func TestDescribeFailureExitAndSignal(t *testing.T) {
	if f := describeFailure("", "exit status 3"); f.Name != "exit" || f.Value != "the cell's program exited with status 3" {
		t.Errorf("exit: got %+v", f)
	}
	if f := describeFailure("", "signal: killed"); f.Name != "signal" || f.Value != "the cell's program was stopped: signal: killed" {
		t.Errorf("signal: got %+v", f)
	}
}

func TestRuntimeStatusPatterns(t *testing.T) {
	for _, s := range []string{"exit status 1", "exit status 2", "signal: killed"} {
		if !isRuntimeStatus(s) || !isStatusEcho(s+"\n") {
			t.Errorf("%q should be a run-time status and its echo", s)
		}
	}
	for _, s := range []string{"failed to run \"go build\"", "exit status 2 and more", "cell [3]: undefined: x"} {
		if isRuntimeStatus(s) || isStatusEcho(s) {
			t.Errorf("%q should not be a run-time status", s)
		}
	}
}
