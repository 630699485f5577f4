package onnxexport

import (
	"slices"
)

// elideNoopSlices drops Slices that keep their whole operand (what
// nn.Convolve2D's single tap of a 1×1 convolution is): same shape in and
// out, every step 1.
func elideNoopSlices(r *recorder) {
	steps := map[string][]int64{}
	for _, c := range r.shapeConsts {
		steps[c.name] = c.vals
	}
	replace := map[string]string{}
	for _, n := range r.nodes {
		if n.OpType != "Slice" || len(n.Input) != 5 {
			continue
		}
		in, inOK := r.shapeOf[n.Input[0]]
		out, outOK := r.shapeOf[n.Output[0]]
		st, stOK := steps[n.Input[4]]
		if inOK && outOK && stOK && in.Equal(out) && !slices.ContainsFunc(st, func(s int64) bool { return s != 1 }) {
			replace[n.Output[0]] = n.Input[0]
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
	for i, o := range r.outputs {
		if to, ok := replace[o.name]; ok {
			r.outputs[i] = &value{name: to, shape: o.shape}
		}
	}
	r.nodes = dropUnread(r.nodes, r.outputs)
	r.dropUnusedConstants()
}
