package onnxexport

import (
	"github.com/gomlx/compute-onnx/support/protos"
)

// foldAffine rewrites (x - m) * f + b, with m, f and b computed from
// weights alone (BatchNorm in inference: nn.BatchNorm's mean, gamma over
// the standard deviation, beta), as x * f + (b - m * f). ONNX Runtime folds
// the weight-only part once and can fuse a Mul and Add that follow a Conv
// into it; the Sub in front would stop that. The result may round
// differently from the original order by a few ε of |m·f|.
func foldAffine(r *recorder) {
	constant := map[string]bool{}
	for _, t := range r.inits {
		constant[t.Name] = true
	}
	for _, c := range r.shapeConsts {
		constant[c.name] = true
	}
	producer := map[string]*protos.NodeProto{}
	readers := map[string]int{}
	for _, n := range r.nodes {
		all := true
		for _, in := range n.Input {
			all = all && constant[in]
			readers[in]++
		}
		for _, o := range n.Output {
			producer[o] = n
			constant[o] = all
		}
	}
	for _, o := range r.outputs {
		readers[o.name]++
	}
	replaced := map[*protos.NodeProto][]*protos.NodeProto{}
	for _, add := range r.nodes {
		if add.OpType != "Add" {
			continue
		}
		mulOut, b := add.Input[0], add.Input[1]
		if constant[mulOut] {
			mulOut, b = b, mulOut
		}
		mul := producer[mulOut]
		if !constant[b] || mul == nil || mul.OpType != "Mul" || readers[mulOut] != 1 {
			continue
		}
		subOut, f := mul.Input[0], mul.Input[1]
		if constant[subOut] {
			subOut, f = f, subOut
		}
		sub := producer[subOut]
		if !constant[f] || sub == nil || sub.OpType != "Sub" || readers[subOut] != 1 || constant[sub.Input[0]] || !constant[sub.Input[1]] {
			continue
		}
		x, m, base := sub.Input[0], sub.Input[1], add.Name
		replaced[sub], replaced[mul] = nil, nil
		replaced[add] = []*protos.NodeProto{
			{Name: base + "_mean_times_factor", OpType: "Mul", Input: []string{m, f}, Output: []string{base + "_mf"}},
			{Name: base + "_offset", OpType: "Sub", Input: []string{b, base + "_mf"}, Output: []string{base + "_offset"}},
			{Name: base + "_scale", OpType: "Mul", Input: []string{x, f}, Output: []string{base + "_scaled"}},
			{Name: base, OpType: "Add", Input: []string{base + "_scaled", base + "_offset"}, Output: add.Output},
		}
	}
	if len(replaced) == 0 {
		return
	}
	var nodes []*protos.NodeProto
	for _, n := range r.nodes {
		if rep, ok := replaced[n]; ok {
			nodes = append(nodes, rep...)
			continue
		}
		nodes = append(nodes, n)
	}
	r.nodes = topoSort(nodes)
}
