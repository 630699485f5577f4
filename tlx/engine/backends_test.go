package engine

import (
	"strings"
	"testing"
)

func TestBackendsListsEveryBackend(t *testing.T) {
	list := Backends()
	if len(list) != len(knownBackends) || list[0].Name != "go" || !list[0].Available {
		t.Fatalf("Backends() = %v, want every known backend, the Go backend first and available", list)
	}
	for _, b := range list {
		if !b.Available && b.Reason == "" {
			t.Errorf("backend %s unavailable with no reason", b.Name)
		}
		if strings.Contains(b.Reason, "not compiled") || strings.Contains(b.Reason, "-tags") {
			t.Errorf("backend %s: %q; every backend must be compiled in, no build tags", b.Name, b.Reason)
		}
	}
}

func TestStartFallsBackToGo(t *testing.T) {
	for _, tc := range []struct{ config, notice string }{
		{"", ""},
		{"go", ""},
		{"no_such_backend", `backend "no_such_backend" is not compiled into this program`},
		{"go:no_such_option", `backend "go:no_such_option" did not start`},
	} {
		b, notice, err := Start(tc.config)
		if err != nil {
			t.Fatalf("Start(%q): %v", tc.config, err)
		}
		if b == nil || b.Name() == "" {
			t.Fatalf("Start(%q) returned no usable backend", tc.config)
		}
		if (tc.notice == "") != (notice == "") || !strings.Contains(notice, tc.notice) {
			t.Errorf("Start(%q) notice %q, want one containing %q", tc.config, notice, tc.notice)
		}
		if tc.notice != "" && !strings.Contains(notice, "using the Go backend") {
			t.Errorf("notice %q does not say what happens instead", notice)
		}
		b.Finalize()
	}
}

func TestFirstAvailableFollowsTheOrder(t *testing.T) {
	for _, tc := range []struct {
		order []string
		want  string
	}{
		{nil, "go"},
		{[]string{"no_such_backend", "go:no_such_option"}, "go"},
		{[]string{"no_such_backend", " go ", "onnx:cpu"}, "go"}, // spaces are trimmed
	} {
		if got := FirstAvailable(tc.order); got != tc.want {
			t.Errorf("FirstAvailable(%q) = %q, want %q", tc.order, got, tc.want)
		}
	}
}
