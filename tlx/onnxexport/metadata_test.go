package onnxexport_test

import (
	"slices"
	"testing"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/onnxexport"
)

// The metadata an export writes reads back; a file tlx did not write has
// none.
func TestMetadataRoundTrip(t *testing.T) {
	m := arch.MLP("tiny", []int{4}, 3, 2, 2, 1)
	m.Classes = []string{"a", "b", "c"}
	m.Preprocessing = net.SymmetricUnit
	data, _, err := onnxexport.ExportBytes(m, onnxexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	md, err := onnxexport.ParseMetadata(data)
	if err != nil {
		t.Fatal(err)
	}
	if md.Model != "tiny" || !slices.Equal(md.Classes, m.Classes) || !slices.Equal(md.InputShape, []int{2, 2, 1}) ||
		!slices.Equal(md.Groups, m.GroupNames()) || md.Preprocessing == nil || md.Preprocessing.String() != net.SymmetricUnit.String() {
		t.Errorf("metadata %+v", md)
	}
	plain, err := proto.Marshal(&protos.ModelProto{IrVersion: 7, Graph: &protos.GraphProto{Name: "g"}})
	if err != nil {
		t.Fatal(err)
	}
	md, err = onnxexport.ParseMetadata(plain)
	if err != nil || md.Model != "" || md.InputShape != nil || md.Preprocessing != nil {
		t.Errorf("a file without tlx metadata: %+v, %v", md, err)
	}
}

// ParseMetadata never panics, whatever the bytes.
func FuzzParseMetadata(f *testing.F) {
	m := arch.MLP("tiny", []int{2}, 2, 3)
	m.Classes = []string{"x", "y"}
	data, _, err := onnxexport.ExportBytes(m, onnxexport.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte{})
	f.Add(data[:len(data)/2])
	bad, _ := proto.Marshal(&protos.ModelProto{MetadataProps: []*protos.StringStringEntryProto{
		{Key: onnxexport.MetadataClasses, Value: "[1, 2"}, {Key: onnxexport.MetadataPreprocessing, Value: `{"mean": "x"}`}}})
	f.Add(bad)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = onnxexport.ParseMetadata(b)
	})
}
