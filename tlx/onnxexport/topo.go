package onnxexport

import (
	"github.com/gomlx/compute-onnx/support/protos"
)

// topoSort orders nodes so that each comes after the nodes computing its
// inputs (ONNX requires it), keeping the given order where it already is.
func topoSort(nodes []*protos.NodeProto) []*protos.NodeProto {
	producer := map[string]int{}
	for i, n := range nodes {
		for _, o := range n.Output {
			producer[o] = i
		}
	}
	done := make([]bool, len(nodes))
	out := make([]*protos.NodeProto, 0, len(nodes))
	var visit func(i int)
	visit = func(i int) {
		if done[i] {
			return
		}
		done[i] = true
		for _, in := range nodes[i].Input {
			if p, ok := producer[in]; ok {
				visit(p)
			}
		}
		out = append(out, nodes[i])
	}
	for i := range nodes {
		visit(i)
	}
	return out
}
