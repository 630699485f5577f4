package onnxops

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/gomlx/core/graph"
)

func init() {
	ops["Einsum"] = &Op{Convert: convertEinsum}
}

// einsumEquation normalises an Einsum equation: spaces dropped, the
// implicit output (letters used once, in alphabetical order) written out.
func einsumEquation(eq string) (inputs []string, output string) {
	eq = strings.ReplaceAll(eq, " ", "")
	lhs, out, explicit := strings.Cut(eq, "->")
	inputs = strings.Split(lhs, ",")
	if explicit {
		return inputs, out
	}
	count := map[rune]int{}
	for _, r := range lhs {
		if r != ',' {
			count[r]++
		}
	}
	var once []rune
	for r, c := range count {
		if c == 1 {
			once = append(once, r)
		}
	}
	slices.Sort(once)
	return inputs, string(once)
}

// convertEinsum is Einsum of one operand (transposes and sums) or two
// (GoMLX's Einsum), with spaces and implicit outputs. Repeated letters in
// one operand (diagonals) and ellipses are not supported.
func convertEinsum(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	inputs, out := einsumEquation(attrString(n, "equation", ""))
	if len(inputs) != len(in) || strings.Contains(attrString(n, "equation", ""), ".") {
		panic(fmt.Errorf("Einsum %q: equation %q for %d operands is not supported by tlx", n.Name, attrString(n, "equation", ""), len(in)))
	}
	for _, s := range inputs {
		for i, r := range s {
			if strings.ContainsRune(s[i+1:], r) {
				panic(fmt.Errorf("Einsum %q: repeated index %q in %q (a diagonal) is not supported by tlx", n.Name, r, s))
			}
		}
	}
	switch len(in) {
	case 2:
		return []*graph.Node{graph.Einsum(inputs[0]+","+inputs[1]+"->"+out, in[0], in[1])}
	case 1:
		x, spec := in[0], inputs[0]
		var sum []int
		kept := ""
		for i, r := range spec {
			if strings.ContainsRune(out, r) {
				kept += string(r)
			} else {
				sum = append(sum, i)
			}
		}
		if len(sum) > 0 {
			x = graph.ReduceSum(x, sum...)
		}
		perm := make([]int, len(out))
		for i, r := range out {
			perm[i] = strings.IndexRune(kept, r)
			if perm[i] < 0 {
				panic(fmt.Errorf("Einsum %q: output index %q is not in the operand", n.Name, r))
			}
		}
		return []*graph.Node{graph.TransposeAllDims(x, perm...)}
	}
	panic(fmt.Errorf("Einsum %q: %d operands, tlx supports 1 or 2", n.Name, len(in)))
}
