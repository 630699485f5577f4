package kernel

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// historySession is the session number the kernel gives its own cells in
// history replies. History lives as long as the kernel: there are no
// earlier sessions to number.
const historySession = 1

// historyEntry is one executed cell: its execution count (IPython's line
// number), its code and the text of its execute_result ("" if none).
type historyEntry struct {
	Line   int
	Input  string
	Output string
}

// History keeps the cells this kernel executed with store_history set, to
// answer history_request as IPython does: tail, range and search.
type History struct {
	mu      sync.Mutex
	entries []historyEntry
}

// Add records an executed cell.
func (h *History) Add(line int, input, output string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, historyEntry{Line: line, Input: input, Output: output})
}

// Inputs returns the code of every recorded cell, oldest first.
func (h *History) Inputs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, len(h.entries))
	for i, e := range h.entries {
		out[i] = e.Input
	}
	return out
}

// HistoryRequest is the content of a history_request.
type HistoryRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           *int   `json:"stop"`
	N              *int   `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// Reply answers req: a list of [session, line, input] triples, or
// [session, line, [input, output]] when req.Output is set (output is null
// for a cell without an execute_result).
func (h *History) Reply(req HistoryRequest) ([]any, error) {
	h.mu.Lock()
	entries := append([]historyEntry(nil), h.entries...)
	h.mu.Unlock()
	var picked []historyEntry
	switch req.HistAccessType {
	case "tail":
		picked = last(entries, req.N, 10)
	case "range":
		// Session 0 is the current one (IPython's convention), as is ours; negative ones are earlier.
		if req.Session != 0 && req.Session != historySession {
			break
		}
		for _, e := range entries {
			if e.Line >= req.Start && (req.Stop == nil || e.Line < *req.Stop) {
				picked = append(picked, e)
			}
		}
	case "search":
		re, err := globRegexp(req.Pattern)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for i := len(entries) - 1; i >= 0; i-- { // newest first, so unique keeps the latest
			e := entries[i]
			if !re.MatchString(e.Input) || (req.Unique && seen[e.Input]) {
				continue
			}
			seen[e.Input] = true
			picked = append([]historyEntry{e}, picked...)
		}
		picked = last(picked, req.N, len(picked))
	default:
		return nil, fmt.Errorf("history_request: hist_access_type %q, want tail, range or search", req.HistAccessType)
	}
	out := make([]any, 0, len(picked))
	for _, e := range picked {
		var cell any = e.Input
		if req.Output {
			var output any
			if e.Output != "" {
				output = e.Output
			}
			cell = []any{e.Input, output}
		}
		out = append(out, []any{historySession, e.Line, cell})
	}
	return out, nil
}

// last returns the last *n entries (def when n is nil).
func last(entries []historyEntry, n *int, def int) []historyEntry {
	k := def
	if n != nil {
		k = *n
	}
	if k < 0 || k > len(entries) {
		k = len(entries)
	}
	return entries[len(entries)-k:]
}

// globRegexp compiles a history search pattern: IPython's history is an
// SQLite GLOB, so * matches any text (newlines included), ? one character
// and [...] a class, over the whole cell.
func globRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := strings.IndexByte(pattern[i+1:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := pattern[i+1 : i+1+j]
			if strings.HasPrefix(class, "^") { // GLOB negates with ^ as a regexp does
				class = "^" + regexp.QuoteMeta(class[1:])
			} else {
				class = regexp.QuoteMeta(class)
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\-`, "-") + "]")
			i += j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("history search pattern %q: %w", pattern, err)
	}
	return re, nil
}

// answerHistory replies to a history_request from the layer's own record.
func (p *proxy) answerHistory(req *Message) error {
	var content HistoryRequest
	if err := json.Unmarshal(req.Content, &content); err != nil {
		return fmt.Errorf("history_request content: %w", err)
	}
	history, err := p.history.Reply(content)
	reply := map[string]any{"status": "ok", "history": history}
	if err != nil {
		reply = map[string]any{"status": "error", "ename": "HistoryError", "evalue": err.Error(), "traceback": []string{}}
	}
	return p.replyShell(req, "history_reply", reply)
}
