package kernel

import (
	"context"
	"slices"
	"testing"
)

// Complete runs the real go list in this tree: members of an imported tlx
// package, of a standard package found by name, grouped constants, and
// nothing for what is not a package member.
func TestComplete(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	in := Inspector{Root: root}
	ctx := context.Background()

	code := "import \"github.com/tlx-go/tlx/tlx\"\n%%\ntlx.FineT"
	matches, start, end, ok := in.Complete(ctx, code, len(code))
	if !ok || !slices.Equal(matches, []string{"FineTune", "FineTunePlan"}) {
		t.Errorf("tlx.FineT: ok=%v matches %v, want FineTune and FineTunePlan", ok, matches)
	}
	if end != len(code) || start != end-len("FineT") {
		t.Errorf("tlx.FineT replaces [%d, %d), want the prefix [%d, %d)", start, end, len(code)-5, len(code))
	}

	matches, _, _, ok = in.Complete(ctx, "fmt.Pri", 7)
	if !ok || !slices.Equal(matches, []string{"Print", "Printf", "Println"}) {
		t.Errorf("fmt.Pri: ok=%v matches %v", ok, matches)
	}
	matches, _, _, _ = in.Complete(ctx, "x := os.O_W", 11)
	if !slices.Equal(matches, []string{"O_WRONLY"}) { // the second constant of a group
		t.Errorf("os.O_W: matches %v, want O_WRONLY", matches)
	}
	matches, start, end, ok = in.Complete(ctx, "é := fmt.", 9)
	if !ok || !slices.Contains(matches, "Sprintf") || slices.ContainsFunc(matches, func(s string) bool { return s == "newPrinter" }) {
		t.Errorf("fmt.: ok=%v matches %v, want the exported names only", ok, matches)
	}
	if start != 9 || end != 9 {
		t.Errorf("after a two-byte rune: range [%d, %d), want [9, 9) in code points", start, end)
	}
	for _, code := range []string{"x := 1", "a.b.Pri", "nosuchpkg.F"} {
		if _, _, _, ok := in.Complete(ctx, code, len(code)); ok {
			t.Errorf("Complete(%q) answered; it should leave it to GoNB", code)
		}
	}
}
