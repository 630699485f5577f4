package kernel

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"strings"
)

// cellDeclaration documents name (a function, type, variable or constant,
// or Type.Method) as declared by the cells, newest first, since GoNB keeps
// a cell's declarations for the later ones and a later declaration of a
// name replaces the earlier. It gives the declaration (a function without
// its body) and its doc comment, as go doc does.
func cellDeclaration(cells []string, name string) (string, bool) {
	typeName, method, isMethod := strings.Cut(name, ".")
	for i := len(cells) - 1; i >= 0; i-- {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "cell.go", "package main\n"+declarationsOf(cells[i]), parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, decl := range file.Decls {
			var node ast.Node
			var doc *ast.CommentGroup
			switch d := decl.(type) {
			case *ast.FuncDecl:
				want := name
				if isMethod {
					want = method
				}
				if d.Name.Name != want || (d.Recv != nil) != isMethod || isMethod && receiverType(d) != typeName {
					continue
				}
				node, doc = &ast.FuncDecl{Doc: nil, Recv: d.Recv, Name: d.Name, Type: d.Type}, d.Doc
			case *ast.GenDecl:
				if isMethod {
					continue
				}
				for _, spec := range d.Specs {
					if specDeclares(spec, name) {
						node, doc = &ast.GenDecl{Tok: d.Tok, Specs: []ast.Spec{spec}}, d.Doc
						if s := specDoc(spec); s != nil {
							doc = s
						}
					}
				}
			}
			if node == nil {
				continue
			}
			var b bytes.Buffer
			if err := printer.Fprint(&b, fset, node); err != nil {
				continue
			}
			b.WriteString("\n    (declared in a cell)\n")
			if text := doc.Text(); text != "" {
				b.WriteString("\n")
				for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
					b.WriteString(strings.TrimRight("    "+line, " ") + "\n")
				}
			}
			return b.String(), true
		}
	}
	return "", false
}

// declarationsOf returns the part of a cell before its %% line (the main
// body after it declares nothing that carries over), GoNB's special lines
// blanked.
func declarationsOf(cell string) string {
	lines := strings.Split(cell, "\n")
	for i, line := range lines {
		if t := strings.TrimSpace(line); t == "%%" || strings.HasPrefix(t, "%% ") || t == "%main" || strings.HasPrefix(t, "%main ") {
			lines = lines[:i]
			break
		}
	}
	return goLinesOnly(strings.Join(lines, "\n"))
}

// receiverType is the name of a method's receiver type (T for t T, *T or T[K]).
func receiverType(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func specDeclares(spec ast.Spec, name string) bool {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		return s.Name.Name == name
	case *ast.ValueSpec:
		for _, n := range s.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

func specDoc(spec ast.Spec) *ast.CommentGroup {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		return s.Doc
	case *ast.ValueSpec:
		return s.Doc
	}
	return nil
}
