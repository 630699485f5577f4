package onnxexport

import (
	"slices"

	"github.com/gomlx/compute-onnx/support/protos"
)

// fuseDepthwise replaces tlx's depthwise convolutions (nn.DepthwiseConvolve2D:
// the sum over the k×k taps of each shifted view times its per-channel
// weight) by ONNX Conv with one group per channel, between NHWC↔NCHW
// transposes. As fuseConvs, it replaces only the exact pattern.
func fuseDepthwise(r *recorder) {
	m := newIm2col(r)
	replaced := map[*protos.NodeProto][]*protos.NodeProto{}
	for _, kernel := range r.inits {
		if conv := m.matchDepthwise(kernel); conv != nil {
			replaced[conv.final] = conv.nodes
		}
	}
	m.replace(replaced)
}

// readersOf lists the nodes reading tensor name.
func (m *im2col) readersOf(name string) []*protos.NodeProto {
	var out []*protos.NodeProto
	for _, n := range m.r.nodes {
		if slices.Contains(n.Input, name) {
			out = append(out, n)
		}
	}
	return out
}

// matchDepthwise matches the depthwise convolution of the variable kernel
// [k, k, 1, C]: Reshape to [k, k, C], k*k Slices [i, j, :] reshaped to
// [1, 1, 1, C], each multiplying tap (i, j), summed by a chain of Adds.
func (m *im2col) matchDepthwise(kernel *protos.TensorProto) *fusedConv {
	d := kernel.Dims
	if len(d) != 4 || d[0] != d[1] || d[0] < 3 || d[2] != 1 {
		return nil
	}
	k, c := int(d[0]), int(d[3])
	rs := m.readersOf(kernel.Name)
	if len(rs) != 1 || rs[0].OpType != "Reshape" || !slices.Equal(m.consts[rs[0].Input[1]], []int64{int64(k), int64(k), int64(c)}) {
		return nil
	}
	slicesOf := m.readersOf(rs[0].Output[0])
	if len(slicesOf) != k*k {
		return nil
	}
	terms := make([]*protos.NodeProto, k*k) // Mul(tap_t, w_t), by tap
	for _, sl := range slicesOf {
		if sl.OpType != "Slice" {
			return nil
		}
		st, en := m.sliceBounds(sl, 3)
		if st == nil || st[2] != 0 || en[0] != st[0]+1 || en[1] != st[1]+1 || en[2] != int64(c) {
			return nil
		}
		t := int(st[0])*k + int(st[1])
		wr := m.readersOf(sl.Output[0])
		if len(wr) != 1 || wr[0].OpType != "Reshape" || !slices.Equal(m.consts[wr[0].Input[1]], []int64{1, 1, 1, int64(c)}) {
			return nil
		}
		mul := m.readersOf(wr[0].Output[0])
		if len(mul) != 1 || mul[0].OpType != "Mul" || mul[0].Input[1] != wr[0].Output[0] || terms[t] != nil {
			return nil
		}
		terms[t] = mul[0]
	}
	var padded string
	stride, oh, ow := 0, 0, 0
	for t, mul := range terms {
		p, s, h, w, ok := m.tap(mul.Input[0], t/k, t%k, c)
		if !ok || (t > 0 && (p != padded || s != stride || h != oh || w != ow)) {
			return nil
		}
		padded, stride, oh, ow = p, s, h, w
	}
	// The sum: Add(...Add(Add(term0, term1), term2)..., term_{k*k-1}).
	sum := terms[0].Output[0]
	var final *protos.NodeProto
	for t := 1; t < len(terms); t++ {
		add := m.readersOf(sum)
		if len(add) != 1 || add[0].OpType != "Add" || add[0].Input[0] != sum || add[0].Input[1] != terms[t].Output[0] {
			return nil
		}
		final, sum = add[0], add[0].Output[0]
	}
	x, pad, ok := m.unpad(padded, stride)
	if !ok {
		return nil
	}
	xs, ok := m.r.shapeOf[x]
	if !ok || xs.Rank() != 4 || xs.Dimensions[3] != c ||
		oh != (xs.Dimensions[1]+2*pad-k)/stride+1 || ow != (xs.Dimensions[2]+2*pad-k)/stride+1 {
		return nil
	}
	return &fusedConv{final: final, nodes: convNodes(final.Name+"_depthwise", x, kernel.Name, final, k, stride, pad, c)}
}
