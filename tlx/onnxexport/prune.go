package onnxexport

import (
	"slices"

	"github.com/gomlx/compute-onnx/support/protos"
)

// dropUnread removes nodes none of whose outputs is read (repeatedly).
func dropUnread(nodes []*protos.NodeProto, outputs []*value) []*protos.NodeProto {
	for {
		read := map[string]bool{}
		for _, o := range outputs {
			read[o.name] = true
		}
		for _, n := range nodes {
			for _, in := range n.Input {
				read[in] = true
			}
		}
		kept := nodes[:0:0]
		for _, n := range nodes {
			if slices.ContainsFunc(n.Output, func(o string) bool { return read[o] }) {
				kept = append(kept, n)
			}
		}
		if len(kept) == len(nodes) {
			return kept
		}
		nodes = kept
	}
}

// dropUnusedConstants forgets constants and shape constants no node reads
// (weights stay: a variable is part of the model even when unread).
func (r *recorder) dropUnusedConstants() {
	read := map[string]bool{}
	for _, n := range r.nodes {
		for _, in := range n.Input {
			read[in] = true
		}
	}
	params := map[string]bool{}
	for _, p := range r.params {
		params[p.name] = true
	}
	r.inits = slices.DeleteFunc(r.inits, func(t *protos.TensorProto) bool { return !read[t.Name] && !params[t.Name] })
	r.shapeConsts = slices.DeleteFunc(r.shapeConsts, func(c *shapeConst) bool { return !read[c.name] })
}
