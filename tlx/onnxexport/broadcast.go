package onnxexport

import (
	"github.com/gomlx/compute-onnx/support/protos"
)

// broadcasting are the ONNX operators that broadcast their inputs
// (numpy rules) elementwise.
var broadcasting = map[string]bool{"Add": true, "Sub": true, "Mul": true, "Div": true, "Max": true, "Min": true, "Pow": true,
	"Mod": true, "Where": true, "Equal": true, "Greater": true, "GreaterOrEqual": true, "Less": true, "LessOrEqual": true,
	"And": true, "Or": true, "Xor": true}

// elideBroadcasts drops the Expand nodes (GoMLX's explicit broadcasts,
// e.g. ReLU's zeros) whose every reader broadcasts anyway and reads, next
// to it, a tensor of the expanded shape: the readers' results keep their
// shapes, and the graph no longer computes batch-sized shapes for them.
func elideBroadcasts(r *recorder) {
	readers := map[string][]*protos.NodeProto{}
	for _, n := range r.nodes {
		for _, in := range n.Input {
			readers[in] = append(readers[in], n)
		}
	}
	for _, o := range r.outputs {
		readers[o.name] = append(readers[o.name], nil)
	}
	replace := map[string]string{}
	for _, n := range r.nodes {
		if n.OpType != "Expand" {
			continue
		}
		out := n.Output[0]
		s, ok := r.shapeOf[out]
		if !ok || len(readers[out]) == 0 {
			continue
		}
		elide := true
		for _, rd := range readers[out] {
			if rd == nil || !broadcasting[rd.OpType] {
				elide = false
				break
			}
			full := false
			for _, in := range rd.Input {
				if o, ok := r.shapeOf[in]; ok && in != out && o.Equal(s) {
					full = true
				}
			}
			elide = elide && full
		}
		if elide {
			replace[out] = n.Input[0]
		}
	}
	if len(replace) == 0 {
		return
	}
	for _, n := range r.nodes {
		for i, in := range n.Input {
			if to, ok := replace[in]; ok {
				n.Input[i] = to
			}
		}
	}
	r.nodes = dropUnread(r.nodes, r.outputs)
	r.dropUnusedConstants()
}
