package kernel

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

func TestTrailingExpression(t *testing.T) {
	for _, tc := range []struct{ code, want string }{
		{"%%\nx := 6\nx * 7", "x * 7"},
		{"%%\ns := []string{\"a\"}\ns", "s"},
		{"%%\nx := 1\n(x)\n", "(x)"},
		{"%%\nm := map[string]int{}\nlen(m)", "len(m)"},
		{"%%\nv := struct{ A int }{1}\nv.A", "v.A"},
		{"import \"fmt\"\n\n%%\n!echo hi\nx := 2\nx +\n\t1", "x +\n\t1"},
		{"%%\nfmt.Println(1)", ""}, // a call statement is valid Go: its results are discarded
		{"%%\nf := func() int { return 1 }\nf()", ""},
		{"%%\nch := make(chan int, 1)\nch <- 1\n<-ch", ""}, // a receive statement
		{"%%\nx := 1", ""},                                 // an assignment
		{"%%\nif true {\n\tx := 1\n\tx\n}", ""},            // not the body's last statement
		{"func main() {\n\tx := 1\n\tx\n}", ""},            // no %%: not rewritten
		{"x := 1\nx", ""},
		{"%%\nx := (", ""}, // does not parse
		{"%%", ""},
	} {
		start, end, ok := trailingExpression(tc.code)
		got := ""
		if ok {
			got = tc.code[start:end]
		}
		if got != tc.want {
			t.Errorf("trailingExpression(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

// The rewrite keeps every line of the cell where it was, so compile errors
// and traces point at the user's lines, and the result is valid Go.
func TestWithResultFile(t *testing.T) {
	code := "%%\nx := 6\nx *\n\t7\nfmt.Println()"
	if _, ok := withResultFile(code, "/tmp/r"); ok {
		t.Fatalf("a cell ending in a call was rewritten")
	}
	code = "%%\nx := 6\nx *\n\t7"
	got, ok := withResultFile(code, "/tmp/r")
	if !ok {
		t.Fatal("trailing expression not rewritten")
	}
	if strings.Count(got, "\n") != strings.Count(code, "\n") {
		t.Errorf("rewrite changed the line count:\n%s", got)
	}
	if !strings.HasPrefix(got, "%%\nx := 6\nos.WriteFile(\"/tmp/r\", fmt.Appendf(nil, \"%v\", x *\n\t7), 0o600)") {
		t.Errorf("rewritten cell:\n%s", got)
	}
	body := strings.TrimPrefix(got, "%%\n")
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc main() {\n"+body+"\n}", 0); err != nil {
		t.Errorf("rewritten body does not parse: %v\n%s", err, body)
	}
}
