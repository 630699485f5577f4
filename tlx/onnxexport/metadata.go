package onnxexport

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/gomlx/compute-onnx/support/protos"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/net"
)

// Keys of the metadata_props an export writes.
const (
	// MetadataModel is the model's name.
	MetadataModel = "tlx.model"
	// MetadataClasses is a JSON array of class names (only when known).
	MetadataClasses = "tlx.classes"
	// MetadataPreprocessing is net.Preprocessing as JSON: how raw pixels
	// become the input (channels, BGR, mean and std after /255).
	MetadataPreprocessing = "tlx.preprocessing"
	// MetadataInputShape is one example's input shape as a JSON array
	// (the input is [batch, shape...], in the model's own layout: NHWC for
	// tlx's image models). Its presence says the file's input is tlx's own.
	MetadataInputShape = "tlx.input_shape"
	// MetadataGroups is the model's group names in order, a JSON array.
	MetadataGroups = "tlx.groups"
	// MetadataBatch is the fixed batch size, absent when the batch is free.
	MetadataBatch = "tlx.batch"
)

// metadata is m's metadata_props.
func metadata(m *net.Model) ([]*protos.StringStringEntryProto, error) {
	entry := func(key string, v any) (*protos.StringStringEntryProto, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("exporting %s to ONNX: metadata %s: %w", m.Name, key, err)
		}
		return &protos.StringStringEntryProto{Key: key, Value: string(b)}, nil
	}
	props := []*protos.StringStringEntryProto{{Key: MetadataModel, Value: m.Name}}
	for _, kv := range []struct {
		key  string
		v    any
		skip bool
	}{
		{MetadataClasses, m.Classes, len(m.Classes) == 0},
		{MetadataPreprocessing, m.Preprocessing, false},
		{MetadataInputShape, m.InputShape, false},
		{MetadataGroups, m.GroupNames(), false},
	} {
		if kv.skip {
			continue
		}
		e, err := entry(kv.key, kv.v)
		if err != nil {
			return nil, err
		}
		props = append(props, e)
	}
	return props, nil
}

// Metadata is what a tlx export records besides the graph.
type Metadata struct {
	Model         string
	Classes       []string
	Preprocessing *net.Preprocessing // nil when the file does not say
	InputShape    []int              // nil when the file is not a tlx export
	Groups        []string
}

// ReadMetadata reads the tlx metadata of an ONNX file (all fields empty
// for a file that tlx did not write).
func ReadMetadata(path string) (Metadata, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Metadata{}, fmt.Errorf("reading ONNX metadata: %w", err)
	}
	md, err := ParseMetadata(data)
	if err != nil {
		return md, fmt.Errorf("reading ONNX metadata of %s: %w", path, err)
	}
	return md, nil
}

// ParseMetadata is ReadMetadata on a file's bytes.
func ParseMetadata(data []byte) (Metadata, error) {
	var md Metadata
	var mp protos.ModelProto
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &mp); err != nil {
		return md, fmt.Errorf("not an ONNX model: %w", err)
	}
	for _, p := range mp.MetadataProps {
		var err error
		switch p.Key {
		case MetadataModel:
			md.Model = p.Value
		case MetadataClasses:
			err = json.Unmarshal([]byte(p.Value), &md.Classes)
		case MetadataPreprocessing:
			md.Preprocessing = new(net.Preprocessing)
			err = json.Unmarshal([]byte(p.Value), md.Preprocessing)
		case MetadataInputShape:
			err = json.Unmarshal([]byte(p.Value), &md.InputShape)
		case MetadataGroups:
			err = json.Unmarshal([]byte(p.Value), &md.Groups)
		}
		if err != nil {
			return md, fmt.Errorf("metadata %s = %q: %w", p.Key, p.Value, err)
		}
	}
	return md, nil
}
