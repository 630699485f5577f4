package kernel

import (
	"reflect"
	"testing"
)

func intp(n int) *int { return &n }

func historyOf(codes ...string) *History {
	h := &History{}
	for i, c := range codes {
		out := ""
		if c == "x" {
			out = "42"
		}
		h.Add(i+1, c, out)
	}
	return h
}

func TestHistoryTail(t *testing.T) {
	h := historyOf("a", "b", "x")
	got, err := h.Reply(HistoryRequest{HistAccessType: "tail", N: intp(2)})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{[]any{historySession, 2, "b"}, []any{historySession, 3, "x"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tail 2 = %v, want %v", got, want)
	}
	got, _ = h.Reply(HistoryRequest{HistAccessType: "tail", N: intp(2), Output: true})
	want = []any{[]any{historySession, 2, []any{"b", nil}}, []any{historySession, 3, []any{"x", "42"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tail 2 with output = %v, want %v", got, want)
	}
	if got, _ := h.Reply(HistoryRequest{HistAccessType: "tail", N: intp(10)}); len(got) != 3 {
		t.Errorf("tail 10 of 3 cells gave %d", len(got))
	}
}

func TestHistoryRange(t *testing.T) {
	h := historyOf("a", "b", "c", "d")
	got, _ := h.Reply(HistoryRequest{HistAccessType: "range", Session: historySession, Start: 2, Stop: intp(4)})
	want := []any{[]any{historySession, 2, "b"}, []any{historySession, 3, "c"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("range [2, 4) = %v, want %v", got, want)
	}
	if got, _ := h.Reply(HistoryRequest{HistAccessType: "range", Session: 0, Start: 3}); len(got) != 2 {
		t.Errorf("range from 3 in the current session (0) gave %v", got)
	}
	if got, _ := h.Reply(HistoryRequest{HistAccessType: "range", Session: -1, Start: 1}); len(got) != 0 {
		t.Errorf("an earlier session gave %v; there is none", got)
	}
}

func TestHistorySearch(t *testing.T) {
	h := historyOf("%%\nx := 6\nx * 7", "fmt.Println(1)", "%%\nx := 6\nx * 7", "%%\nx := 60")
	got, _ := h.Reply(HistoryRequest{HistAccessType: "search", Pattern: "%%\nx := 6*"})
	if len(got) != 3 {
		t.Errorf("glob over newlines matched %v, want the 3 cells starting with x := 6", got)
	}
	got, _ = h.Reply(HistoryRequest{HistAccessType: "search", Pattern: "%%\nx := 6*", Unique: true})
	want := []any{[]any{historySession, 3, "%%\nx := 6\nx * 7"}, []any{historySession, 4, "%%\nx := 60"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unique search = %v, want the latest of each distinct cell %v", got, want)
	}
	got, _ = h.Reply(HistoryRequest{HistAccessType: "search", Pattern: "*", N: intp(1)})
	if len(got) != 1 || got[0].([]any)[1] != 4 {
		t.Errorf("search n=1 = %v, want the newest cell", got)
	}
	if got, _ := h.Reply(HistoryRequest{HistAccessType: "search", Pattern: "fmt.Prin?n(1)"}); len(got) != 0 {
		t.Errorf("? matched two characters: %v", got)
	}
	if got, _ := h.Reply(HistoryRequest{HistAccessType: "search", Pattern: "fmt.Print[lk]n(?)"}); len(got) != 1 {
		t.Errorf("class pattern matched %v, want fmt.Println(1)", got)
	}
	if _, err := h.Reply(HistoryRequest{HistAccessType: "sideways"}); err == nil {
		t.Error("an unknown hist_access_type gave no error")
	}
}
