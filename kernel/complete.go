package kernel

import (
	"go/scanner"
	"go/token"
	"strings"
)

// IsComplete answers Jupyter's is_complete_request for Go cell code:
// "incomplete" while a bracket, string or comment is still open, "invalid"
// when a closing bracket has no opener, and "complete" otherwise. The
// indent is what a console should put on the next line.
func IsComplete(code string) (status, indent string) {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("cell.go", -1, len(code))
	unterminated := false
	s.Init(file, []byte(code), func(_ token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			unterminated = true
		}
	}, scanner.ScanComments)
	depth := 0
	for {
		_, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			switch {
			case unterminated || depth > 0:
				return "incomplete", strings.Repeat("\t", max(depth, 0))
			default:
				return "complete", ""
			}
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
			if depth < 0 {
				return "invalid", ""
			}
		}
	}
}
