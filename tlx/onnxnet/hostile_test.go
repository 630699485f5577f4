package onnxnet

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"
)

// tinyModel is a one-layer classifier (Flatten, Gemm) built in Go: the
// seed for fuzzing and the base of the hostile files.
func tinyModel() *protos.ModelProto {
	raw := func(values ...float32) []byte {
		b := make([]byte, 4*len(values))
		for i, v := range values {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		return b
	}
	return &protos.ModelProto{
		IrVersion:   8,
		OpsetImport: []*protos.OperatorSetIdProto{{Version: 13}},
		Graph: &protos.GraphProto{
			Name:   "tiny",
			Input:  []*protos.ValueInfoProto{valueInfo("x", int32(protos.TensorProto_FLOAT), []int{1, 2, 2})},
			Output: []*protos.ValueInfoProto{valueInfo("y", int32(protos.TensorProto_FLOAT), []int{1, 3})},
			Node: []*protos.NodeProto{
				{Name: "/flatten/Flatten", OpType: "Flatten", Input: []string{"x"}, Output: []string{"f"}},
				{Name: "/fc/Gemm", OpType: "Gemm", Input: []string{"f", "fc.weight", "fc.bias"}, Output: []string{"y"},
					Attribute: []*protos.AttributeProto{{Name: "transB", Type: protos.AttributeProto_INT, I: 1}}},
			},
			Initializer: []*protos.TensorProto{
				{Name: "fc.weight", Dims: []int64{3, 4}, DataType: int32(protos.TensorProto_FLOAT), RawData: raw(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)},
				{Name: "fc.bias", Dims: []int64{3}, DataType: int32(protos.TensorProto_FLOAT), RawData: raw(0.1, 0.2, 0.3)},
			},
		},
	}
}

func writeModel(t *testing.T, dir string, mp *protos.ModelProto) string {
	t.Helper()
	data, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Damaged and adversarial files give errors that name the file and the
// problem, without panicking or allocating what the file only declares.
func TestHostileONNX(t *testing.T) {
	good, err := proto.Marshal(tinyModel())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBytes(good, "tiny", Options{}); err != nil {
		t.Fatalf("the intact model must load: %v", err)
	}
	cases := map[string]struct {
		edit func(mp *protos.ModelProto, dir string)
		want string
	}{
		"huge declared shape": {func(mp *protos.ModelProto, _ string) {
			mp.Graph.Initializer[0].Dims = []int64{1 << 40, 1 << 40}
		}, "more than"},
		"data shorter than shape": {func(mp *protos.ModelProto, _ string) {
			mp.Graph.Initializer[0].Dims = []int64{300, 4}
		}, "needs 4800 bytes"},
		"negative dimension": {func(mp *protos.ModelProto, _ string) {
			mp.Graph.Initializer[1].Dims = []int64{-3}
		}, "negative dimension"},
		"external data outside the folder": {func(mp *protos.ModelProto, _ string) {
			t := mp.Graph.Initializer[0]
			t.RawData = nil
			t.DataLocation = protos.TensorProto_EXTERNAL
			t.ExternalData = []*protos.StringStringEntryProto{{Key: "location", Value: "../../etc/passwd"}}
		}, "inside the model's folder"},
		"missing external data file": {func(mp *protos.ModelProto, _ string) {
			t := mp.Graph.Initializer[0]
			t.RawData = nil
			t.DataLocation = protos.TensorProto_EXTERNAL
			t.ExternalData = []*protos.StringStringEntryProto{{Key: "location", Value: "weights.bin"}}
		}, "weights.bin"},
		"external data too short": {func(mp *protos.ModelProto, dir string) {
			_ = os.WriteFile(filepath.Join(dir, "weights.bin"), make([]byte, 10), 0o644)
			t := mp.Graph.Initializer[0]
			t.RawData = nil
			t.DataLocation = protos.TensorProto_EXTERNAL
			t.ExternalData = []*protos.StringStringEntryProto{{Key: "location", Value: "weights.bin"}}
		}, "holds 10 bytes"},
		"dangling tensor": {func(mp *protos.ModelProto, _ string) {
			mp.Graph.Node[1].Input[0] = "ghost"
		}, `"ghost"`},
		"two inputs": {func(mp *protos.ModelProto, _ string) {
			mp.Graph.Input = append(mp.Graph.Input, valueInfo("z", 1, []int{1, 2}))
		}, "one input"},
		"unknown operator": {func(mp *protos.ModelProto, _ string) {
			mp.Graph.Node[0].OpType = "NoSuchOp"
		}, "NoSuchOp"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			mp := tinyModel()
			c.edit(mp, dir)
			path := writeModel(t, dir, mp)
			m, err := Load(path, Options{})
			if err == nil {
				// Some problems only show when the graph is built.
				_, err = m.Init()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Truncations and flipped bytes: errors, never panics.
	for _, cut := range []int{1, 10, len(good) / 2, len(good) - 1} {
		if _, err := LoadBytes(good[:cut], "cut", Options{}); err == nil {
			t.Errorf("a file cut to %d of %d bytes loaded", cut, len(good))
		}
	}
	path := filepath.Join(t.TempDir(), "truncated.onnx")
	_ = os.WriteFile(path, good[:len(good)/2], 0o644)
	if _, err := Load(path, Options{}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error for a truncated file should name it: %v", err)
	}
}

// FuzzLoadONNX: whatever the bytes, LoadBytes returns a model or an error.
func FuzzLoadONNX(f *testing.F) {
	good, _ := proto.Marshal(tinyModel())
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadBytes(data, "fuzz", Options{})
		if err != nil {
			return
		}
		if len(m.Groups) == 0 {
			t.Fatal("a model without groups loaded")
		}
	})
}
