package onnxexport

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"
)

// Batch sizes the graph is traced at to tell batch-sized dimensions apart:
// a dimension d at batch traceBatch1 that is d/traceBatch1*traceBatch2 at
// traceBatch2 grows with the batch.
const (
	traceBatch1 = 5
	traceBatch2 = 7
)

// batchDims compares two recordings of one model at batch sizes b1 and b2.
// Where they differ only in shape constants whose entries are k*b1 and
// k*b2, it returns, for each shape constant of r1, the multiplier k of
// each entry (0 for entries that do not depend on the batch). Any other
// difference is reported as an error: the graph then has a fixed batch.
func batchDims(r1, r2 *recorder, b1, b2 int) ([][]int64, error) {
	if len(r1.nodes) != len(r2.nodes) {
		return nil, fmt.Errorf("%d nodes at batch %d, %d at batch %d", len(r1.nodes), b1, len(r2.nodes), b2)
	}
	for i, n := range r1.nodes {
		if !proto.Equal(n, r2.nodes[i]) {
			return nil, fmt.Errorf("node %s (%s) differs between batch %d and %d", n.Name, n.OpType, b1, b2)
		}
	}
	if len(r1.inits) != len(r2.inits) {
		return nil, fmt.Errorf("%d constants at batch %d, %d at batch %d", len(r1.inits), b1, len(r2.inits), b2)
	}
	for i, t := range r1.inits {
		u := r2.inits[i]
		if t.Name != u.Name || !equalInt64(t.Dims, u.Dims) || !bytes.Equal(t.RawData, u.RawData) {
			return nil, fmt.Errorf("constant %s depends on the batch size", t.Name)
		}
	}
	if len(r1.shapeConsts) != len(r2.shapeConsts) {
		return nil, fmt.Errorf("%d shape constants at batch %d, %d at batch %d", len(r1.shapeConsts), b1, len(r2.shapeConsts), b2)
	}
	ks := make([][]int64, len(r1.shapeConsts))
	for i, c := range r1.shapeConsts {
		d := r2.shapeConsts[i]
		if c.name != d.name || len(c.vals) != len(d.vals) {
			return nil, fmt.Errorf("shape constant %s differs in length between batch %d and %d", c.name, b1, b2)
		}
		for j, v := range c.vals {
			if v == d.vals[j] {
				continue
			}
			k, err := batchMultiple(v, d.vals[j], b1, b2)
			if err != nil {
				return nil, fmt.Errorf("shape constant %s[%d]: %w", c.name, j, err)
			}
			if ks[i] == nil {
				ks[i] = make([]int64, len(c.vals))
			}
			ks[i][j] = k
		}
	}
	return ks, nil
}

// batchMultiple returns k when v1 = k*b1 and v2 = k*b2.
func batchMultiple(v1, v2 int64, b1, b2 int) (int64, error) {
	if v1%int64(b1) != 0 || v1/int64(b1)*int64(b2) != v2 || v1 <= 0 {
		return 0, fmt.Errorf("%d at batch %d and %d at batch %d is not a multiple of the batch size", v1, b1, v2, b2)
	}
	return v1 / int64(b1), nil
}

// outputBatchDims gives, for each output dimension, its multiple of the
// batch size (0 when fixed), from the output shapes of the two traces.
func outputBatchDims(r1, r2 *recorder, b1, b2 int) ([]int64, error) {
	a, b := r1.outputs[0].shape.Dimensions, r2.outputs[0].shape.Dimensions
	if len(a) != len(b) {
		return nil, fmt.Errorf("output rank %d at batch %d, %d at batch %d", len(a), b1, len(b), b2)
	}
	ks := make([]int64, len(a))
	for i := range a {
		if a[i] != b[i] {
			k, err := batchMultiple(int64(a[i]), int64(b[i]), b1, b2)
			if err != nil {
				return nil, fmt.Errorf("output dimension %d: %w", i, err)
			}
			ks[i] = k
		}
	}
	return ks, nil
}

// batchShapes writes r1's shape constants for any batch size, given the
// batch multiples ks from batchDims and the same constants at the other
// batch size (r2). An entry that grows with the batch is written the way
// its reader allows without knowing the batch: Reshape 0 (copy the
// operand's dimension) or -1 (infer it), Expand 1 (keep the operand's
// dimension), Slice past the end. Otherwise the constant is computed from
// the batch size of its group's input (Shape → Gather → Mul → Concat,
// under the constant's own name and in its group, so groups stay cut apart).
// Constants are returned as initializers, computations as nodes.
func batchShapes(r1, r2 *recorder, ks [][]int64) ([]*protos.NodeProto, []*protos.TensorProto, error) {
	var nodes []*protos.NodeProto
	var inits []*protos.TensorProto
	for i, c := range r1.shapeConsts {
		if ks[i] == nil {
			inits = append(inits, int64Tensor(c.name, c.vals...))
			continue
		}
		if vals, ok := writeFree(c, r2.shapeConsts[i], ks[i]); ok {
			inits = append(inits, int64Tensor(c.name, vals...))
			continue
		}
		// Each constant computes the batch size itself, right before its
		// reader (see topoSort), so that an importer converting runs of
		// nodes sees the whole computation in one run.
		in1, in2 := r1.groupInput[c.scope], r2.groupInput[c.scope]
		if in1 == nil || in2 == nil || in1.shape.Rank() == 0 || in1.shape.Dimensions[0] != traceBatch1 || in2.shape.Dimensions[0] != traceBatch2 {
			return nil, nil, fmt.Errorf("shape constant %s grows with the batch, and the input of group %s is not batch-first", c.name, c.scope)
		}
		batch := c.name + "_batch_size"
		inits = append(inits, int64Tensor(c.name+"_batch_axis", 0))
		nodes = append(nodes,
			&protos.NodeProto{Name: c.name + "_Shape", OpType: "Shape", Input: []string{in1.name}, Output: []string{c.name + "_input_shape"}},
			&protos.NodeProto{Name: c.name + "_Gather", OpType: "Gather", Input: []string{c.name + "_input_shape", c.name + "_batch_axis"}, Output: []string{batch},
				Attribute: []*protos.AttributeProto{attrInt("axis", 0)}})
		var parts []string
		var run []int64
		flush := func() {
			if len(run) > 0 {
				name := fmt.Sprintf("%s_part%d", c.name, len(parts))
				inits = append(inits, int64Tensor(name, run...))
				parts = append(parts, name)
				run = nil
			}
		}
		for j, v := range c.vals {
			k := ks[i][j]
			if k == 0 {
				run = append(run, v)
				continue
			}
			flush()
			part := batch
			if k != 1 {
				part = fmt.Sprintf("%s_part%d", c.name, len(parts))
				inits = append(inits, int64Tensor(part+"_k", k))
				nodes = append(nodes, &protos.NodeProto{Name: part + "_Mul", OpType: "Mul", Input: []string{batch, part + "_k"}, Output: []string{part}})
			}
			parts = append(parts, part)
		}
		flush()
		nodes = append(nodes, &protos.NodeProto{Name: c.name + "_Concat", OpType: "Concat", Input: parts, Output: []string{c.name},
			Attribute: []*protos.AttributeProto{attrInt("axis", 0)}})
	}
	return nodes, inits, nil
}

// writeFree rewrites the batch-dependent entries of c (c2: the same
// constant at the other batch size) so that its reader needs no batch
// size, when it can (see batchShapes).
func writeFree(c, c2 *shapeConst, ks []int64) ([]int64, bool) {
	vals := slices.Clone(c.vals)
	// sameAs says entry j equals the operand's dimension on axis a at both batch sizes.
	sameAs := func(j, a int) bool {
		return a >= 0 && a < len(c.operand) && a < len(c2.operand) &&
			int64(c.operand[a]) == c.vals[j] && int64(c2.operand[a]) == c2.vals[j]
	}
	var left []int
	for j, k := range ks {
		if k == 0 {
			continue
		}
		switch {
		case c.kind == shapeReshape && sameAs(j, j):
			vals[j] = 0
		case c.kind == shapeExpand && sameAs(j, j):
			vals[j] = 1
		case c.kind == shapeEnds && j < len(c.axes) && sameAs(j, c.axes[j]):
			vals[j] = math.MaxInt64
		default:
			left = append(left, j)
		}
	}
	switch {
	case len(left) == 0:
		return vals, true
	case len(left) == 1 && c.kind == shapeReshape:
		vals[left[0]] = -1
		return vals, true
	}
	return nil, false
}

func int64Tensor(name string, vals ...int64) *protos.TensorProto {
	return &protos.TensorProto{Name: name, Dims: []int64{int64(len(vals))}, DataType: int32(protos.TensorProto_INT64), Int64Data: vals}
}

func equalInt64(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
