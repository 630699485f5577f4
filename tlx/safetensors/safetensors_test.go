package safetensors

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := map[string]Tensor{
		"a/weights": FromFloat32s([]float32{1, 2, 3, 4, 5, 6}, 2, 3),
		"b":         FromFloat32s([]float32{-1.5}),
		"steps":     {DType: "I64", Shape: []int{1}, Data: []byte{7, 0, 0, 0, 0, 0, 0, 0}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, in, map[string]string{"format": "tlx"}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "tlx" || len(f.Tensors) != 3 {
		t.Fatalf("read back %d tensors, metadata %v", len(f.Tensors), f.Metadata)
	}
	a, err := f.Tensors["a/weights"].Float32s()
	if err != nil || !slices.Equal(a, []float32{1, 2, 3, 4, 5, 6}) || !slices.Equal(f.Tensors["a/weights"].Shape, []int{2, 3}) {
		t.Errorf("a/weights = %v %v (%v)", a, f.Tensors["a/weights"].Shape, err)
	}
	if !bytes.Equal(f.Tensors["steps"].Data, in["steps"].Data) {
		t.Error("I64 data changed")
	}
}

func header(js string, data int) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(js)))
	b.WriteString(js)
	b.Write(make([]byte, data))
	return b.Bytes()
}

func TestHostileFiles(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		file       []byte
	}{
		{"empty", "too short", nil},
		{"huge header length", "exceeds", header("{}", 0)[:0:0]},
		{"offsets beyond data", "outside", header(`{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 8)},
		{"size mismatch", "bytes for shape", header(`{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}`, 16)},
		{"huge shape", "too large", header(`{"x":{"dtype":"F32","shape":[1000000,1000000,1000000],"data_offsets":[0,16]}}`, 16)},
		{"negative shape", "negative", header(`{"x":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}`, 16)},
		{"unknown dtype", "unknown dtype", header(`{"x":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}`, 4)},
		{"not json", "not a JSON", header(`[1,2`, 0)},
		{"overlap", "overlaps", header(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
	} {
		file := tc.file
		if tc.name == "huge header length" {
			file = make([]byte, 16)
			binary.LittleEndian.PutUint64(file, 1<<60)
		}
		_, err := Read(bytes.NewReader(file), int64(len(file)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, map[string]Tensor{"w": FromFloat32s([]float32{1, 2}, 2)}, map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Add(header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for name, tensor := range file.Tensors {
			if len(tensor.Data) != ElementSize(tensor.DType)*product(tensor.Shape) {
				t.Fatalf("tensor %q: %d bytes for %v %v", name, len(tensor.Data), tensor.DType, tensor.Shape)
			}
		}
	})
}
