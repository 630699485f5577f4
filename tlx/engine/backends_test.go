package engine

import (
	"strings"
	"testing"
)

func TestBackendsListsGo(t *testing.T) {
	list := Backends()
	if len(list) == 0 || list[0].Name != "go" || !list[0].Available {
		t.Fatalf("Backends() = %v, want the Go backend first and available", list)
	}
	for _, b := range list[1:] {
		if !b.Available && b.Reason == "" {
			t.Errorf("backend %s unavailable with no reason", b.Name)
		}
	}
}

func TestStartFallsBackToGo(t *testing.T) {
	for _, tc := range []struct{ config, notice string }{
		{"", ""},
		{"go", ""},
		{"xla:cuda", `backend "xla:cuda" is not compiled into this program`},
		{"onnx:cpu", `backend "onnx:cpu" is not compiled into this program`},
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
		{[]string{"xla:cuda", "onnx:cpu"}, "go"},         // neither compiled into this test binary
		{[]string{"xla:cuda", " go ", "onnx:cpu"}, "go"}, // spaces are trimmed
	} {
		if got := FirstAvailable(tc.order); got != tc.want {
			t.Errorf("FirstAvailable(%q) = %q, want %q", tc.order, got, tc.want)
		}
	}
}
