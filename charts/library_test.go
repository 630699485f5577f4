package charts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain points TLX_ROOT at this tree when it is unset, so that the
// library and the previews come from its .tlx/npm.
func TestMain(m *testing.M) {
	if os.Getenv("TLX_ROOT") == "" {
		if root, err := filepath.Abs(".."); err == nil {
			os.Setenv("TLX_ROOT", root)
		}
	}
	os.Exit(m.Run())
}

func TestLibraryHidesDefineAndEscapes(t *testing.T) {
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(lib, libraryMarker) || strings.Count(lib, "</script>") != 1 || len(lib) < 500_000 {
		t.Errorf("library is not one inline script holding the bundle (%d bytes)", len(lib))
	}
	if !strings.Contains(lib, "(function (define, exports, module) {") || !strings.Contains(lib, "window.__tlxQueue") {
		t.Error("library does not hide define/exports/module or does not empty the queue")
	}
	if strings.Contains(lib, "nbextensions") || strings.Contains(lib, "require([") {
		t.Error("library refers to an nbextension or RequireJS")
	}
	for _, bad := range []string{"x</script>y", "a<!--b", "<SCRIPT>"} {
		if _, err := libraryBlock([]byte(bad)); err == nil {
			t.Errorf("a bundle containing %q was accepted", bad)
		}
	}
}

// childEnv, when set, makes the test binary act as one notebook cell: it
// prints what SessionLibrary gave for the carrier named in the variable.
const childEnv = "TLX_CHARTS_TEST_CELL"

func TestSessionLibraryCell(t *testing.T) {
	carrier := os.Getenv(childEnv)
	if carrier == "" {
		t.Skip("runs only as a child of TestSessionLibraryOncePerKernel")
	}
	if SessionLibrary(carrier) != "" {
		os.Stdout.WriteString("library\n")
	} else {
		os.Stdout.WriteString("none\n")
	}
}

// Each GoNB cell is a fresh process: the library goes with the first
// chart of the kernel session (its GONB_TMP_DIR), again when that chart's
// cell is re-run, and once more in a new session.
func TestSessionLibraryOncePerKernel(t *testing.T) {
	if _, err := Library(); err != nil {
		t.Fatal(err)
	}
	cell := func(tmp, carrier string) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSessionLibraryCell$", "-test.count=1")
		cmd.Env = append(os.Environ(), "GONB_TMP_DIR="+tmp, childEnv+"="+carrier)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("cell process: %v\n%s", err, out)
		}
		switch {
		case strings.HasPrefix(string(out), "library"):
			return "library"
		case strings.HasPrefix(string(out), "none"):
			return "none"
		}
		t.Fatalf("cell process printed %q", out)
		return ""
	}
	kernel := t.TempDir()
	for i, c := range []struct{ carrier, want string }{
		{"chart-a", "library"}, {"chart-b", "none"}, {"chart-a", "library"}, {"chart-c", "none"},
	} {
		if got := cell(kernel, c.carrier); got != c.want {
			t.Errorf("cell %d (%s) in one session got %s, want %s", i, c.carrier, got, c.want)
		}
	}
	if got := cell(t.TempDir(), "chart-b"); got != "library" {
		t.Errorf("first chart of a new session got %s, want the library", got)
	}
}

func TestSessionLibraryOutsideNotebook(t *testing.T) {
	if _, err := Library(); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GONB_TMP_DIR", "")
	sentHere.Store(false)
	if SessionLibrary("a") == "" || SessionLibrary("b") != "" {
		t.Error("outside a notebook the library should come once per process")
	}
}

func TestInlineLibraryOnce(t *testing.T) {
	js := []byte("window.echarts = {init: function () {}};")
	page := []byte("<html><head><title>r</title></head><body><p>x</p></body></html>")
	out, err := InlineLibrary(page, js)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(out), libraryMarker) != 1 || strings.Index(string(out), libraryMarker) > strings.Index(string(out), "</head>") {
		t.Errorf("library not inlined once in the head:\n%s", out)
	}
	again, err := InlineLibrary(out, js)
	if err != nil || string(again) != string(out) {
		t.Errorf("a page that has the library got it again (%v)", err)
	}
	if _, err := InlineLibrary([]byte("<html><body></body></html>"), js); err == nil {
		t.Error("a page without </head> was accepted")
	}
}
