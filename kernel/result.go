package kernel

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
)

// A cell's result: Go has no expression statements with values (a bare `x`
// or `a + b` in a function body does not compile: "is not used"), so a main
// body (after %%) that ends in such an expression is given the meaning
// IPython gives it: the value becomes the cell's execute_result. The layer
// rewrites that last expression to write its value (fmt's %v) to a file of
// its own, and publishes the file's text as execute_result when the cell
// ends. Calls are left alone: a call statement is valid Go whose results the
// language discards (fmt.Println's count and error among them), except the
// builtins with values (len, cap, append, ...), which cannot be statements.

// valueBuiltins are the builtins whose call is a value and never a statement.
var valueBuiltins = map[string]bool{"append": true, "cap": true, "complex": true, "imag": true, "len": true,
	"make": true, "max": true, "min": true, "new": true, "real": true}

// trailingExpression returns the byte range in code of the expression that
// ends the cell's main body when it is one whose value would otherwise be
// a compile error, and ok false otherwise (no %% body, a statement, a call,
// a receive, or code that does not parse).
func trailingExpression(code string) (start, end int, ok bool) {
	lines := strings.SplitAfter(code, "\n")
	offset, bodyAt := 0, -1
	for _, line := range lines {
		offset += len(line)
		if t := strings.TrimSpace(line); t == "%%" || strings.HasPrefix(t, "%% ") || t == "%main" || strings.HasPrefix(t, "%main ") {
			bodyAt = offset
			break
		}
	}
	if bodyAt < 0 {
		return 0, 0, false
	}
	const header = "package cell\nfunc _() {\n"
	src := header + goLinesOnly(code[bodyAt:]) + "\n}\n"
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "cell.go", src, parser.SkipObjectResolution)
	if err != nil || len(file.Decls) != 1 {
		return 0, 0, false
	}
	body := file.Decls[0].(*ast.FuncDecl).Body
	if len(body.List) == 0 {
		return 0, 0, false
	}
	stmt, isExpr := body.List[len(body.List)-1].(*ast.ExprStmt)
	if !isExpr {
		return 0, 0, false
	}
	switch x := ast.Unparen(stmt.X).(type) {
	case *ast.CallExpr:
		if id, isIdent := ast.Unparen(x.Fun).(*ast.Ident); !isIdent || !valueBuiltins[id.Name] {
			return 0, 0, false
		}
	case *ast.UnaryExpr:
		if x.Op == token.ARROW {
			return 0, 0, false
		}
	}
	base := fset.File(stmt.Pos()).Base()
	from := int(stmt.X.Pos()) - base - len(header) + bodyAt
	to := int(stmt.X.End()) - base - len(header) + bodyAt
	return from, to, true
}

// withResultFile rewrites code so that its trailing expression (if any)
// writes its value to file. The rewrite keeps the expression on its lines,
// so compile errors point at the lines the user wrote.
func withResultFile(code, file string) (string, bool) {
	start, end, ok := trailingExpression(code)
	if !ok {
		return code, false
	}
	return fmt.Sprintf("%sos.WriteFile(%q, fmt.Appendf(nil, \"%%v\", %s), 0o600)%s",
		code[:start], file, code[start:end], code[end:]), true
}

// takeResult reads and removes the result file of one execution.
func takeResult(file string) (string, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	_ = os.Remove(file)
	return string(data), true
}
