package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"go/scanner"
	"go/token"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Inspector answers inspect_request (Shift+Tab) with `go doc`, and
// complete_request for package members with the package's exported names,
// run in the tlx working tree, so the standard library, tlx and every module in tlx's
// build list (GoMLX, GoNB, go-echarts) are documented at their pinned
// versions. GoNB's own inspect needs gopls, which the kernel does not run.
type Inspector struct {
	Root    string        // the tlx working tree: go doc runs there
	Timeout time.Duration // per request; 0 means 10 s
}

// Inspect returns the documentation of the symbol under cursor (a position
// in Unicode code points, as the protocol counts) in code. imports is code
// of earlier cells, whose import declarations (and other declarations)
// GoNB keeps for later ones: a name a cell declared is documented from
// its declaration.
// detail 1 asks for the source too (go doc -src). found is false when there
// is no identifier there or go doc does not know it.
func (in Inspector) Inspect(ctx context.Context, code string, cursor, detail int, imports ...string) (doc string, found bool) {
	expr := selectorAt(code, runeOffset(code, cursor))
	if expr == "" {
		return "", false
	}
	cells := append(slices.Clip(imports), code)
	paths := importedPackages(cells...)
	first, rest, hasDot := strings.Cut(expr, ".")
	if _, isPackage := paths[first]; !isPackage {
		if doc, ok := cellDeclaration(cells, expr); ok { // a cell's own declaration shadows builtins and go doc's guesses
			return doc, true
		}
	}
	args := []string{"doc"}
	if detail > 0 {
		args = append(args, "-src")
	}
	switch p, ok := paths[first]; {
	case ok && hasDot:
		args = append(args, p, rest)
	case ok:
		args = append(args, p)
	case !hasDot && isBuiltin(first):
		args = append(args, "builtin", first)
	default:
		args = append(args, expr) // go doc resolves a package name itself (fmt.Println, tlx.FineTune)
	}
	ctx, cancel := context.WithTimeout(ctx, in.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = in.Root
	out, err := cmd.Output()
	if err != nil || len(strings.TrimSpace(string(out))) == 0 {
		return "", false
	}
	return string(out), true
}

func (in Inspector) timeout() time.Duration {
	if in.Timeout == 0 {
		return 10 * time.Second
	}
	return in.Timeout
}

// runeOffset converts a cursor position in code points to a byte offset.
func runeOffset(code string, cursor int) int {
	if cursor < 0 {
		return len(code)
	}
	i := 0
	for n := 0; n < cursor && i < len(code); n++ {
		_, size := utf8.DecodeRuneInString(code[i:])
		i += size
	}
	return i
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// selectorAt returns the whole dotted name (pkg.Name, pkg.Type.Method,
// name) that the byte offset at touches. With the cursor just after an opening
// parenthesis, as when Shift+Tab is pressed in a call's arguments, it is the
// name before the parenthesis.
func selectorAt(code string, at int) string {
	at = min(max(at, 0), len(code))
	if at > 0 && code[at-1] == '(' {
		at--
	}
	start, end := at, at
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:start])
		if !isIdentRune(r) && r != '.' {
			break
		}
		start -= size
	}
	for end < len(code) {
		r, size := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) && r != '.' {
			break
		}
		end += size
	}
	expr := strings.Trim(code[start:end], ".")
	if expr == "" || strings.Contains(expr, "..") {
		return ""
	}
	if r, _ := utf8.DecodeRuneInString(expr); unicode.IsDigit(r) {
		return ""
	}
	return expr
}

// majorSuffix matches a module's major-version path element (v2, v3, ...).
var majorSuffix = regexp.MustCompile(`^v[0-9]+$`)

// importedPackages maps package names to import paths from the import
// declarations in cells (GoNB's % and ! lines are skipped). A later cell's
// import of a name wins, as in GoNB. The name of an unnamed import is the
// path's last element that is not a major version.
func importedPackages(cells ...string) map[string]string {
	out := map[string]string{}
	for _, cell := range cells {
		src := []byte(goLinesOnly(cell))
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile("cell.go", -1, len(src)), src, nil, 0)
		next := func() (token.Token, string) { _, tok, lit := s.Scan(); return tok, lit }
		spec := func(tok token.Token, lit string) {
			name := ""
			if tok == token.IDENT || tok == token.PERIOD {
				name = lit
				if tok == token.PERIOD {
					name = "." // the scanner gives a dot import no literal
				}
				tok, lit = next()
			}
			if tok != token.STRING {
				return
			}
			p, err := strconv.Unquote(lit)
			if err != nil {
				return
			}
			if name == "" {
				name = path.Base(p)
				if majorSuffix.MatchString(name) && path.Dir(p) != "." {
					name = path.Base(path.Dir(p))
				}
			}
			if name != "_" && name != "." {
				out[name] = p
			}
		}
		for tok, _ := next(); tok != token.EOF; tok, _ = next() {
			if tok != token.IMPORT {
				continue
			}
			tok, lit := next()
			if tok != token.LPAREN {
				spec(tok, lit)
				continue
			}
			for tok, lit = next(); tok != token.RPAREN && tok != token.EOF; tok, lit = next() {
				if tok != token.SEMICOLON {
					spec(tok, lit)
				}
			}
		}
	}
	return out
}

// goLinesOnly blanks GoNB's special lines (%% and other % commands, ! shell
// lines), keeping offsets, so the rest scans as Go.
func goLinesOnly(cell string) string {
	lines := strings.Split(cell, "\n")
	for i, line := range lines {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
			lines[i] = strings.Repeat(" ", len(line))
		}
	}
	return strings.Join(lines, "\n")
}

// goBuiltins are the predeclared functions and types go doc documents in
// its "builtin" package.
var goBuiltins = map[string]bool{}

func init() {
	for _, name := range strings.Fields("append cap clear close complex copy delete imag len make max min new " +
		"panic print println real recover any bool byte comparable complex64 complex128 error float32 float64 " +
		"int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr iota nil true false") {
		goBuiltins[name] = true
	}
}

func isBuiltin(name string) bool { return goBuiltins[name] }

// answerInspect replies to an inspect_request with Inspector's go doc.
func (p *proxy) answerInspect(req *Message) error {
	var content struct {
		Code        string `json:"code"`
		CursorPos   int    `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	if err := json.Unmarshal(req.Content, &content); err != nil {
		return fmt.Errorf("inspect_request content: %w", err)
	}
	doc, found := p.inspector.Inspect(p.ctx, content.Code, content.CursorPos, content.DetailLevel, p.history.Inputs()...)
	data := map[string]string{}
	if found {
		data["text/plain"] = doc
	}
	return p.replyShell(req, "inspect_reply", map[string]any{"status": "ok", "found": found, "data": data, "metadata": map[string]any{}})
}
