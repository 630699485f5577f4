package kernel

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestSelectorAt(t *testing.T) {
	for _, tc := range []struct {
		code   string
		cursor string // the code up to the cursor
		want   string
	}{
		{"tlx.FineTune", "tlx.FineTune", "tlx.FineTune"},
		{"tlx.FineTune(run)", "tlx.FineTune(", "tlx.FineTune"}, // Shift+Tab in the arguments
		{"fmt.Println(x)", "fmt.Pri", "fmt.Println"},
		{"x := fmt.Println", "x := fm", "fmt.Println"},
		{"a.b.C()", "a.b.C", "a.b.C"},
		{"len(s)", "le", "len"},
		{"x := 1 + 2", "x := 1 + ", ""},
		{"x := 12", "x := 1", ""},
		{"é := f()", "é", "é"},
	} {
		if got := selectorAt(tc.code, len(tc.cursor)); got != tc.want {
			t.Errorf("selectorAt(%q, after %q) = %q, want %q", tc.code, tc.cursor, got, tc.want)
		}
	}
}

func TestRuneOffset(t *testing.T) {
	if got := runeOffset("é := x", 2); got != 3 {
		t.Errorf("runeOffset past one two-byte rune and a space = %d, want 3", got)
	}
	if got := runeOffset("abc", -1); got != 3 {
		t.Errorf("runeOffset(-1) = %d, want the end", got)
	}
}

func TestImportedPackages(t *testing.T) {
	cells := []string{
		"import \"fmt\"\n%%\nfmt.Println()",
		"import (\n\t\"github.com/tlx-go/tlx/tlx\"\n\tch \"github.com/tlx-go/tlx/charts\"\n\t_ \"embed\"\n)\n",
		"import \"github.com/go-echarts/go-echarts/v2\"\n!echo import \"os\"",
	}
	want := map[string]string{"fmt": "fmt", "tlx": "github.com/tlx-go/tlx/tlx", "ch": "github.com/tlx-go/tlx/charts",
		"go-echarts": "github.com/go-echarts/go-echarts/v2"}
	if got := importedPackages(cells...); !reflect.DeepEqual(got, want) {
		t.Errorf("importedPackages = %v, want %v", got, want)
	}
}

// Inspect runs the real go doc in this tree: tlx's own symbols (through the
// cell's import, an alias included), the standard library and builtins.
func TestInspect(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	in := Inspector{Root: root}
	ctx := context.Background()
	code := "import \"github.com/tlx-go/tlx/tlx\"\n%%\ntlx.FineTune"
	doc, found := in.Inspect(ctx, code, len(code), 0)
	if !found || !strings.Contains(doc, "func FineTune(") || !strings.Contains(doc, `package tlx // import "github.com/tlx-go/tlx/tlx"`) {
		t.Errorf("tlx.FineTune: found=%v doc:\n%s", found, doc)
	}
	code = "import t2 \"github.com/tlx-go/tlx/tlx\"\n%%\nt2.FineTune("
	if doc, found := in.Inspect(ctx, code, len(code), 0); !found || !strings.Contains(doc, "func FineTune(") {
		t.Errorf("aliased import t2.FineTune: found=%v doc:\n%s", found, doc)
	}
	code = "%%\nfmt.Println(\"hi\")"
	if doc, found := in.Inspect(ctx, code, strings.Index(code, "Println")+2, 0); !found || !strings.Contains(doc, "func Println(a ...any) (n int, err error)") {
		t.Errorf("fmt.Println: found=%v doc:\n%s", found, doc)
	}
	if doc, found := in.Inspect(ctx, "len", 3, 0); !found || !strings.Contains(doc, "func len(v Type) int") {
		t.Errorf("builtin len: found=%v doc:\n%s", found, doc)
	}
	if doc, found := in.Inspect(ctx, "fmt.Println", 11, 1); !found || !strings.Contains(doc, "return Fprintln(os.Stdout, a...)") {
		t.Errorf("detail level 1 (source): found=%v doc:\n%s", found, doc)
	}
	if _, found := in.Inspect(ctx, "x := 1 + 2", 9, 0); found {
		t.Error("found a symbol where the cursor touches none")
	}
	if _, found := in.Inspect(ctx, "fmt.NoSuchThing", 15, 0); found {
		t.Error("found an undefined symbol")
	}
}

// Names the cells declared are documented from their declarations, the
// newest winning, and shadow builtins; methods are found by receiver type.
func TestInspectCellDeclarations(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	in := Inspector{Root: root}
	ctx := context.Background()
	earlier := []string{
		"// Scale multiplies x by two.\nfunc Scale(x float64) float64 { return 2 * x }\n",
		"import \"fmt\"\n\n// Scale multiplies x by k.\nfunc Scale(x, k float64) float64 {\n\treturn k * x\n}\n\n" +
			"// Point is a place.\ntype Point struct{ X, Y int }\n\n// Norm is the taxicab norm.\nfunc (p *Point) Norm() int { return p.X + p.Y }\n\n" +
			"const (\n\t// Rate is the learning rate.\n\tRate = 0.1\n)\n\n// len is the cell's own.\nfunc len(s string) int { return 0 }\n%%\nfmt.Println(Scale(1, 2))",
	}
	for _, tc := range []struct{ code, want, not string }{
		{"Scale", "func Scale(x, k float64) float64\n    (declared in a cell)\n\n    Scale multiplies x by k.\n", "return"},
		{"p := Point", "type Point struct{ X, Y int }", ""},
		{"Point.Norm", "func (p *Point) Norm() int", ""},
		{"Rate", "Rate is the learning rate.", ""},
		{"len", "func len(s string) int", "Type"},
	} {
		doc, found := in.Inspect(ctx, tc.code, len(tc.code), 0, earlier...)
		if !found || !strings.Contains(doc, tc.want) || tc.not != "" && strings.Contains(doc, tc.not) {
			t.Errorf("Inspect(%q) = %v:\n%s\nwant it to contain %q and not %q", tc.code, found, doc, tc.want, tc.not)
		}
	}
	if _, found := in.Inspect(ctx, "Missing", 7, 0, earlier...); found {
		t.Error("found a name no cell declares")
	}
}
