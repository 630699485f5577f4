package kernel

import (
	"encoding/json"
	"fmt"
	"strings"
)

// failurePrefixes start the report a dying Go program writes to stderr: a
// panic, or a fatal runtime error (deadlock, concurrent map writes, out of
// memory). What follows such a line is its goroutine trace.
var failurePrefixes = []string{"panic: ", "fatal error: "}

// failureStart returns the byte offset in text of a line that starts a
// failure report, or -1. atLineStart says whether text begins a line.
func failureStart(text string, atLineStart bool) int {
	best := -1
	for _, prefix := range failurePrefixes {
		for from := 0; from < len(text); {
			i := strings.Index(text[from:], prefix)
			if i < 0 {
				break
			}
			i += from
			if (i == 0 && atLineStart) || (i > 0 && text[i-1] == '\n') {
				if best < 0 || i < best {
					best = i
				}
				break
			}
			from = i + 1
		}
	}
	return best
}

// stderrHold keeps an execution's stderr from the start of a failure report
// until it is known whether the program dies of it: if it does, the report
// goes into the iopub error's traceback and the held stream messages are
// dropped (the protocol wants one error message, not the trace twice); if the
// program goes on (the cell printed such a line itself), they are released,
// in their order, when the cell ends or after defaultHoldPatience.
type stderrHold struct {
	held        []*Message
	atLineStart bool // whether the stderr forwarded so far ended a line
	started     bool // whether any stderr went by (the first chunk starts a line)
}

// add takes one stderr stream message with its text and returns the
// messages to forward now; the rest is held.
func (h *stderrHold) add(msg *Message, text string) ([]*Message, error) {
	if len(h.held) > 0 {
		h.held = append(h.held, msg)
		return nil, nil
	}
	i := failureStart(text, h.atLineStart || !h.started)
	h.started = true
	if i < 0 {
		h.atLineStart = strings.HasSuffix(text, "\n")
		return []*Message{msg}, nil
	}
	rest, err := withStreamText(msg, text[i:])
	if err != nil {
		return nil, err
	}
	h.held = []*Message{rest}
	if i == 0 {
		return nil, nil
	}
	before, err := withStreamText(msg, text[:i])
	if err != nil {
		return nil, err
	}
	h.atLineStart = true
	return []*Message{before}, nil
}

// holding reports whether a failure report is being held.
func (h *stderrHold) holding() bool { return len(h.held) > 0 }

// keep adds a message that belongs to the held report (GoNB's HTML view of
// the trace's cell lines).
func (h *stderrHold) keep(msg *Message) { h.held = append(h.held, msg) }

// release returns the held messages (to forward) and empties the hold.
func (h *stderrHold) release() []*Message {
	out := h.held
	h.held = nil
	if len(out) > 0 {
		h.atLineStart = true // a failure report is whole lines
	}
	return out
}

// drop forgets the held messages: their text is in the error's traceback.
func (h *stderrHold) drop() { h.held = nil }

// withStreamText returns a copy of the stream message msg carrying text.
func withStreamText(msg *Message, text string) (*Message, error) {
	var content map[string]any
	if err := json.Unmarshal(msg.Content, &content); err != nil {
		return nil, fmt.Errorf("stream message content: %w", err)
	}
	content["text"] = text
	body, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	out := *msg
	out.Content = body
	return &out, nil
}
