package engine

import (
	"strings"
	"testing"

	"github.com/gomlx/compute"
)

func TestPrefixBackendDefaults(t *testing.T) {
	goB, _, _ := Start("go")
	defer goB.Finalize()
	xlaB, notice, err := Start("xla:cpu")
	if err != nil || notice != "" {
		t.Fatalf("xla:cpu: %v %s", err, notice)
	}
	defer xlaB.Finalize()
	if !isGoBackend(goB) || isGoBackend(xlaB) {
		t.Fatalf("isGoBackend(%q) = %v, isGoBackend(%q) = %v", goB.Name(), isGoBackend(goB), xlaB.Name(), isGoBackend(xlaB))
	}
	for _, tc := range []struct {
		env  string
		main compute.Backend
		want string // backend name; "" when the training backend computes it
		err  string
	}{
		{"", goB, "onnxruntime", ""},
		{"", xlaB, "", ""},
		{"same", goB, "", ""},
		{"xla:cpu", goB, "xla", ""},
		{"no_such_backend", goB, "", `TLX_PREFIX_BACKEND: backend "no_such_backend" is not compiled`},
	} {
		t.Setenv(PrefixEnvVar, tc.env)
		b, err := PrefixBackend(tc.main)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s=%q: error %v, want %q", PrefixEnvVar, tc.env, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s=%q: %v", PrefixEnvVar, tc.env, err)
		case tc.want == "" && b != nil:
			t.Errorf("%s=%q on %s: got %s, want the training backend", PrefixEnvVar, tc.env, tc.main.Name(), b.Name())
		case tc.want != "" && (b == nil || b.Name() != tc.want):
			t.Errorf("%s=%q on %s: got %v, want %s", PrefixEnvVar, tc.env, tc.main.Name(), b, tc.want)
		}
		if b != nil {
			b.Finalize()
		}
	}
}
