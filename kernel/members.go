package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Complete answers complete_request for a package member: with the text
// before cursor (code points) ending in pkg.Prefix, where pkg is an
// imported package (or one go doc finds by name: fmt, tlx), it returns the
// package's exported names starting with Prefix and the code-point range
// they replace. ok is false for anything else (GoNB's gopls answers those
// when gopls is on PATH).
func (in Inspector) Complete(ctx context.Context, code string, cursor int, imports ...string) (matches []string, start, end int, ok bool) {
	before := code[:runeOffset(code, cursor)]
	m := memberPrefix.FindStringSubmatch(before)
	if m == nil {
		return nil, 0, 0, false
	}
	pkg, prefix := m[1], m[2]
	importPath, found := importedPackages(append(slices.Clip(imports), code)...)[pkg]
	ctx, cancel := context.WithTimeout(ctx, in.timeout())
	defer cancel()
	if !found {
		if importPath = in.resolvePackage(ctx, pkg); importPath == "" {
			return nil, 0, 0, false
		}
	}
	names, err := in.exportedNames(ctx, importPath)
	if err != nil {
		return nil, 0, 0, false
	}
	for _, name := range names {
		if strings.HasPrefix(name, prefix) {
			matches = append(matches, name)
		}
	}
	end = utf8.RuneCountInString(before)
	return matches, end - utf8.RuneCountInString(prefix), end, true
}

// memberPrefix matches text ending in pkg.Prefix where pkg is a name of its
// own (not itself a selector like a.b.).
var memberPrefix = regexp.MustCompile(`(?:^|[^\pL\pN_.])([\pL_][\pL\pN_]*)\.([\pL\pN_]*)$`)

// goDocHeader is the first line of go doc's package documentation.
var goDocHeader = regexp.MustCompile(`^package \S+ // import "([^"]+)"`)

// resolvePackage returns the import path go doc gives for a package name
// (fmt, json, tlx), or "".
func (in Inspector) resolvePackage(ctx context.Context, name string) string {
	cmd := exec.CommandContext(ctx, "go", "doc", name)
	cmd.Dir = in.Root
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	m := goDocHeader.FindSubmatch(out)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// exportedNames lists the exported top-level names (functions, types,
// constants and variables, grouped ones included) of the package at
// importPath, from the files go list builds for this platform.
func (in Inspector) exportedNames(ctx context.Context, importPath string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-find", "-json=Dir,GoFiles,CgoFiles", importPath)
	cmd.Dir = in.Root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w", importPath, err)
	}
	var pkg struct {
		Dir               string
		GoFiles, CgoFiles []string
	}
	if err := json.Unmarshal(out, &pkg); err != nil {
		return nil, fmt.Errorf("go list %s output: %w", importPath, err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, f := range append(pkg.GoFiles, pkg.CgoFiles...) {
		file, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parsing %s of %s: %w", f, importPath, err)
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						names = append(names, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
	}
	names = slices.DeleteFunc(names, func(n string) bool { return !ast.IsExported(n) })
	slices.Sort(names)
	return slices.Compact(names), nil
}

// answerComplete replies to a complete_request for a package member, or
// forwards it to GoNB.
func (p *proxy) answerComplete(req *Message, frames [][]byte) error {
	var content struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	if err := json.Unmarshal(req.Content, &content); err != nil {
		return fmt.Errorf("complete_request content: %w", err)
	}
	matches, start, end, ok := p.inspector.Complete(p.ctx, content.Code, content.CursorPos, p.history.Inputs()...)
	if !ok {
		return p.backShell.send(frames)
	}
	if matches == nil {
		matches = []string{}
	}
	return p.replyShell(req, "complete_reply", map[string]any{
		"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end, "metadata": map[string]any{},
	})
}
