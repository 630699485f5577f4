package onnxops

import (
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute-onnx/support/protos"
)

func node(op string, attrs ...*protos.AttributeProto) *protos.NodeProto {
	return &protos.NodeProto{OpType: op, Attribute: attrs}
}

func ints(name string, v ...int64) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_INTS, Ints: v}
}

func str(name, v string) *protos.AttributeProto {
	return &protos.AttributeProto{Name: name, Type: protos.AttributeProto_STRING, S: []byte(v)}
}

// auto_pad SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the
// start; explicit pads pass through.
func TestWindowPads(t *testing.T) {
	for _, c := range []struct {
		n          *protos.NodeProto
		begin, end []int
	}{
		{node("MaxPool", str("auto_pad", "SAME_UPPER")), []int{0}, []int{1}},
		{node("MaxPool", str("auto_pad", "SAME_LOWER")), []int{1}, []int{0}},
		{node("MaxPool", ints("pads", 2, 3)), []int{2}, []int{3}},
		{node("MaxPool", str("auto_pad", "VALID"), ints("pads", 2, 3)), []int{0}, []int{0}},
	} {
		// Input 4, kernel 2, stride 1: SAME keeps 4 outputs with one pixel of padding in all.
		b, e := windowPads(c.n, []int{4}, []int{2}, []int{1}, []int{1})
		if !slices.Equal(b, c.begin) || !slices.Equal(e, c.end) {
			t.Errorf("%v: pads %v %v, want %v %v", c.n.Attribute, b, e, c.begin, c.end)
		}
	}
}

// Linear resizing with align_corners maps the ends onto the ends; the
// interpolation weights of each output row sum to one.
func TestResizeMatrix(t *testing.T) {
	s := resizeSpec{mode: "linear", coord: "align_corners"}
	w, _ := s.matrix(3, 5, 3.0/5, 0, 1)
	want := []float32{1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}
	if !slices.Equal(w, want) {
		t.Errorf("align_corners 5 -> 3: %v, want %v", w, want)
	}
	c := resizeSpec{mode: "cubic", coord: "half_pixel", cubicA: -0.75}
	w, _ = c.matrix(7, 4, 7.0/4, 0, 1)
	for r := range 7 {
		var sum float64
		for _, v := range w[r*4 : (r+1)*4] {
			sum += float64(v)
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Errorf("cubic row %d sums to %g", r, sum)
		}
	}
}
