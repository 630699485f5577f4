package onnxexport

import (
	"bytes"
	"slices"

	"github.com/gomlx/compute-onnx/support/protos"
)

// fuseConvs replaces tlx's im2col convolutions (nn.Convolve2D: padding,
// k×k shifted slices concatenated along channels, one MatMul with the
// reshaped kernel) by ONNX Conv between NHWC↔NCHW transposes, which ONNX
// Runtime runs several times faster. Only the exact pattern nn writes is
// replaced (every slice, shape and padding checked); anything else stays
// as recorded. Nodes left unread afterwards are dropped.
func fuseConvs(r *recorder) {
	m := newIm2col(r)
	replaced := map[*protos.NodeProto][]*protos.NodeProto{}
	for _, n := range r.nodes {
		if n.OpType != "MatMul" {
			continue
		}
		if conv := m.match(n); conv != nil {
			replaced[conv.final] = conv.nodes
			replaced[n] = nil
		}
	}
	m.replace(replaced)
}

// newIm2col indexes a recording for matching.
func newIm2col(r *recorder) *im2col {
	m := &im2col{r: r, producer: map[string]*protos.NodeProto{}, readers: map[string]int{},
		consts: map[string][]int64{}, inits: map[string]*protos.TensorProto{}}
	for _, n := range r.nodes {
		for _, o := range n.Output {
			m.producer[o] = n
		}
		for _, in := range n.Input {
			m.readers[in]++
		}
	}
	for _, o := range r.outputs {
		m.readers[o.name]++
	}
	for _, c := range r.shapeConsts {
		m.consts[c.name] = c.vals
	}
	for _, t := range r.inits {
		m.inits[t.Name] = t
	}
	return m
}

// replace puts each replaced node's replacement in its place (nil
// removes it) and drops what is left unread.
func (m *im2col) replace(replaced map[*protos.NodeProto][]*protos.NodeProto) {
	if len(replaced) == 0 {
		return
	}
	var nodes []*protos.NodeProto
	for _, n := range m.r.nodes {
		if rep, ok := replaced[n]; ok {
			nodes = append(nodes, rep...)
			continue
		}
		nodes = append(nodes, n)
	}
	m.r.nodes = dropUnread(nodes, m.r.outputs)
	m.r.dropUnusedConstants()
}

// im2col matches nn.Convolve2D's pattern in a recording.
type im2col struct {
	r        *recorder
	producer map[string]*protos.NodeProto
	readers  map[string]int
	consts   map[string][]int64
	inits    map[string]*protos.TensorProto
}

// fusedConv is a matched convolution: final is the Reshape to
// [B, outH, outW, O] that the Conv nodes replace.
type fusedConv struct {
	final *protos.NodeProto
	nodes []*protos.NodeProto
}

// op returns the node computing name if it is of type op.
func (m *im2col) op(name, op string) *protos.NodeProto {
	if n := m.producer[name]; n != nil && n.OpType == op {
		return n
	}
	return nil
}

// only says tensor name is read once (by the node being fused).
func (m *im2col) only(name string) bool { return m.readers[name] == 1 }

func (m *im2col) match(mm *protos.NodeProto) *fusedConv {
	// MatMul(Reshape(cols, [N, k*k*C]), Reshape(kernel [k,k,C,O], [k*k*C, O])).
	flat, wr := m.op(mm.Input[0], "Reshape"), m.op(mm.Input[1], "Reshape")
	if flat == nil || wr == nil || !m.only(mm.Input[0]) {
		return nil
	}
	kernel := m.inits[wr.Input[0]]
	if kernel == nil || len(kernel.Dims) != 4 || kernel.Dims[0] != kernel.Dims[1] {
		return nil
	}
	k, c, o := int(kernel.Dims[0]), int(kernel.Dims[2]), int(kernel.Dims[3])
	if k < 3 || !slices.Equal(m.consts[wr.Input[1]], []int64{int64(k * k * c), int64(o)}) {
		return nil
	}
	fs := m.consts[flat.Input[1]]
	if len(fs) != 2 || fs[1] != int64(k*k*c) {
		return nil
	}
	concat := m.op(flat.Input[0], "Concat")
	if concat == nil || len(concat.Input) != k*k || !m.only(flat.Input[0]) || !hasAxis(concat, 3, 4) {
		return nil
	}
	// The taps: Slice(P) for stride 1, Reshape(Slice(phases(P))) for stride s.
	var padded string
	stride, oh, ow := 0, 0, 0
	for t, tap := range concat.Input {
		i, j := t/k, t%k
		p, s, h, w, ok := m.tap(tap, i, j, c)
		if !ok || (t > 0 && (p != padded || s != stride || h != oh || w != ow)) {
			return nil
		}
		padded, stride, oh, ow = p, s, h, w
	}
	x, pad, ok := m.unpad(padded, stride)
	if !ok {
		return nil
	}
	xs, known := m.r.shapeOf[x]
	if !known || xs.Rank() != 4 || xs.Dimensions[3] != c {
		return nil
	}
	h, w := xs.Dimensions[1], xs.Dimensions[2]
	if oh != (h+2*pad-k)/stride+1 || ow != (w+2*pad-k)/stride+1 || fs[0] != int64(xs.Dimensions[0]*oh*ow) {
		return nil
	}
	// Reshape(MatMul, [B, oh, ow, O]), MatMul read only there.
	var final *protos.NodeProto
	for _, n := range m.r.nodes {
		if n.OpType == "Reshape" && n.Input[0] == mm.Output[0] {
			final = n
		}
	}
	if final == nil || !m.only(mm.Output[0]) ||
		!slices.Equal(m.consts[final.Input[1]], []int64{int64(xs.Dimensions[0]), int64(oh), int64(ow), int64(o)}) {
		return nil
	}
	return &fusedConv{final: final, nodes: convNodes(mm.Name, x, kernel.Name, final, k, stride, pad, 1)}
}

// convNodes computes final's output as Conv(x [B,H,W,C] NHWC, kernel
// [k,k,C/groups,O]) with the given stride, padding and groups.
func convNodes(base, x, kernel string, final *protos.NodeProto, k, stride, pad, groups int) []*protos.NodeProto {
	return []*protos.NodeProto{
		{Name: base + "_input_nchw", OpType: "Transpose", Input: []string{x}, Output: []string{base + "_input_nchw"},
			Attribute: []*protos.AttributeProto{attrInts("perm", []int{0, 3, 1, 2})}},
		{Name: base + "_kernel_oihw", OpType: "Transpose", Input: []string{kernel}, Output: []string{base + "_kernel_oihw"},
			Attribute: []*protos.AttributeProto{attrInts("perm", []int{3, 2, 0, 1})}},
		{Name: base + "_Conv", OpType: "Conv", Input: []string{base + "_input_nchw", base + "_kernel_oihw"}, Output: []string{base + "_conv"},
			Attribute: []*protos.AttributeProto{attrInts("kernel_shape", []int{k, k}), attrInts("strides", []int{stride, stride}),
				attrInts("pads", []int{pad, pad, pad, pad}), attrInts("dilations", []int{1, 1}), attrInt("group", groups)}},
		{Name: final.Name, OpType: "Transpose", Input: []string{base + "_conv"}, Output: final.Output,
			Attribute: []*protos.AttributeProto{attrInts("perm", []int{0, 2, 3, 1})}},
	}
}

// unpad returns the tensor that padded pads with zeros on height and width
// (k/2 on each side, up to stride-1 more at the end for the phases), and
// the padding; padded itself with 0 when it is no Pad.
func (m *im2col) unpad(padded string, stride int) (x string, pad int, ok bool) {
	pn := m.op(padded, "Pad")
	if pn == nil {
		return padded, 0, true
	}
	pads := m.consts[pn.Input[1]]
	if len(pads) != 8 || pads[0] != 0 || pads[3] != 0 || pads[4] != 0 || pads[7] != 0 || pads[1] != pads[2] ||
		pads[5] < pads[1] || pads[6] < pads[2] || pads[5]-pads[1] >= int64(stride) || pads[6]-pads[2] >= int64(stride) || !m.zero(pn.Input[2]) {
		return "", 0, false
	}
	return pn.Input[0], int(pads[1]), true
}

// tap checks that tensor name is tap (i, j) of nn's patches over c
// channels and returns the padded tensor it reads, the stride and the
// output height and width.
func (m *im2col) tap(name string, i, j, c int) (padded string, stride, oh, ow int, ok bool) {
	if !m.only(name) {
		return "", 0, 0, 0, false
	}
	if sl := m.op(name, "Slice"); sl != nil { // stride 1: P[:, i:i+oh, j:j+ow, :]
		st, en := m.sliceBounds(sl, 4)
		if st == nil || !slices.Equal(st, []int64{0, int64(i), int64(j), 0}) || en[3] != int64(c) {
			return "", 0, 0, 0, false
		}
		return sl.Input[0], 1, int(en[1]) - i, int(en[2]) - j, true
	}
	rs := m.op(name, "Reshape")
	if rs == nil || !m.only(rs.Input[0]) {
		return "", 0, 0, 0, false
	}
	sl := m.op(rs.Input[0], "Slice")
	if sl == nil {
		return "", 0, 0, 0, false
	}
	ph := m.op(sl.Input[0], "Reshape") // phases: [B, Hp/s, s, Wp/s, s, C]
	if ph == nil {
		return "", 0, 0, 0, false
	}
	pd := m.consts[ph.Input[1]]
	if len(pd) != 6 || pd[2] != pd[4] || pd[2] < 2 || pd[5] != int64(c) {
		return "", 0, 0, 0, false
	}
	s := int(pd[2])
	st, en := m.sliceBounds(sl, 6)
	want := []int64{0, int64(i / s), int64(i % s), int64(j / s), int64(j % s), 0}
	if st == nil || !slices.Equal(st, want) || en[2] != st[2]+1 || en[4] != st[4]+1 || en[5] != int64(c) {
		return "", 0, 0, 0, false
	}
	oh, ow = int(en[1]-st[1]), int(en[3]-st[3])
	if !slices.Equal(m.consts[rs.Input[1]], []int64{en[0], int64(oh), int64(ow), int64(c)}) {
		return "", 0, 0, 0, false
	}
	return ph.Input[0], s, oh, ow, true
}

// sliceBounds returns a Slice's starts and ends when it slices all rank
// axes in order with step 1.
func (m *im2col) sliceBounds(sl *protos.NodeProto, rank int) (starts, ends []int64) {
	if len(sl.Input) != 5 {
		return nil, nil
	}
	st, en, ax, steps := m.consts[sl.Input[1]], m.consts[sl.Input[2]], m.consts[sl.Input[3]], m.consts[sl.Input[4]]
	if len(st) != rank || len(en) != rank || len(ax) != rank || len(steps) != rank {
		return nil, nil
	}
	for a := range rank {
		if ax[a] != int64(a) || steps[a] != 1 {
			return nil, nil
		}
	}
	return st, en
}

// zero says tensor name is a scalar zero constant.
func (m *im2col) zero(name string) bool {
	t := m.inits[name]
	return t != nil && len(t.Dims) == 0 && len(t.RawData) > 0 && bytes.Count(t.RawData, []byte{0}) == len(t.RawData)
}

// hasAxis says a Concat joins along axis a (or its negative form).
func hasAxis(n *protos.NodeProto, a, rank int) bool {
	for _, at := range n.Attribute {
		if at.Name == "axis" {
			return at.I == int64(a) || at.I == int64(a-rank)
		}
	}
	return false
}
