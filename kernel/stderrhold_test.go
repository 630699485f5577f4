package kernel

import (
	"encoding/json"
	"testing"
)

func streamMsg(t *testing.T, text string) *Message {
	t.Helper()
	content, err := json.Marshal(map[string]string{"name": "stderr", "text": text})
	if err != nil {
		t.Fatal(err)
	}
	return &Message{Header: json.RawMessage(`{"msg_type":"stream"}`), ParentHeader: json.RawMessage(`{}`),
		Metadata: json.RawMessage(`{}`), Content: content}
}

func streamText(t *testing.T, msgs []*Message) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		var c struct{ Name, Text string }
		if err := json.Unmarshal(m.Content, &c); err != nil {
			t.Fatal(err)
		}
		if c.Name != "stderr" {
			t.Errorf("stream name %q, want stderr", c.Name)
		}
		out = append(out, c.Text)
	}
	return out
}

func TestFailureStart(t *testing.T) {
	for _, tc := range []struct {
		text        string
		atLineStart bool
		want        int
	}{
		{"panic: boom\n", true, 0},
		{"panic: boom\n", false, -1}, // the end of a line that merely contains the words
		{"log line\npanic: boom\n", true, 9},
		{"log line\nfatal error: all goroutines are asleep - deadlock!\n", true, 9},
		{"a panic: in the middle\n", true, -1},
		{"nothing here\n", true, -1},
		{"x panic: y\npanic: z\n", true, 11},
	} {
		if got := failureStart(tc.text, tc.atLineStart); got != tc.want {
			t.Errorf("failureStart(%q, %v) = %d, want %d", tc.text, tc.atLineStart, got, tc.want)
		}
	}
}

// A panic's report is held from its first line on; what came before it in
// the same chunk goes out at once.
func TestStderrHoldSplitsAtThePanic(t *testing.T) {
	var h stderrHold
	now, err := h.add(streamMsg(t, "loading\n"), "loading\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := streamText(t, now); len(got) != 1 || got[0] != "loading\n" {
		t.Fatalf("plain stderr forwarded as %q", got)
	}
	text := "done\npanic: boom\n\ngoroutine 1 [running]:\n"
	now, err = h.add(streamMsg(t, text), text)
	if err != nil {
		t.Fatal(err)
	}
	if got := streamText(t, now); len(got) != 1 || got[0] != "done\n" {
		t.Fatalf("text before the panic forwarded as %q, want only \"done\\n\"", got)
	}
	now, err = h.add(streamMsg(t, "main.main()\n"), "main.main()\n")
	if err != nil || len(now) != 0 {
		t.Fatalf("the trace after a panic line was forwarded (%d messages, %v)", len(now), err)
	}
	if !h.holding() {
		t.Fatal("nothing held after a panic line")
	}
	held := streamText(t, h.release())
	if len(held) != 2 || held[0] != "panic: boom\n\ngoroutine 1 [running]:\n" || held[1] != "main.main()\n" {
		t.Errorf("released %q, want the report in its two chunks", held)
	}
	if h.holding() {
		t.Error("still holding after release")
	}
}

// Dropping the hold (the program died: the report is the traceback)
// forgets it; a later chunk starting a line is checked again.
func TestStderrHoldDrop(t *testing.T) {
	var h stderrHold
	if now, _ := h.add(streamMsg(t, "panic: boom\n"), "panic: boom\n"); len(now) != 0 {
		t.Fatal("a report at the very start was forwarded")
	}
	h.drop()
	if h.holding() || len(h.release()) != 0 {
		t.Error("drop left messages held")
	}
	if now, _ := h.add(streamMsg(t, "still\n"), "still\n"); len(streamText(t, now)) != 1 {
		t.Error("stderr after a dropped hold was not forwarded")
	}
}
