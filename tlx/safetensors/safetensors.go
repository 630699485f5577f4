// Package safetensors reads and writes the safetensors format (Hugging
// Face's weight files): an 8-byte little-endian header length, a JSON
// header naming each tensor's dtype, shape and byte range, then the raw
// little-endian data.
//
//	err := safetensors.Write(w, tensors, map[string]string{"format": "tlx"})
//	file, err := safetensors.Read(r, size)
//
// Read checks every declared size against the real one before it
// allocates, so a truncated or hostile file gives an error, not a crash.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
)

// MaxHeaderBytes bounds the JSON header a reader accepts.
const MaxHeaderBytes = 100 << 20

// Tensor is one named array. Data holds the raw little-endian bytes.
type Tensor struct {
	DType string // "F32", "F64", "I64", "I32", "U8", "F16", "BF16", ...
	Shape []int
	Data  []byte
}

// File is the content of a safetensors file.
type File struct {
	Tensors  map[string]Tensor
	Metadata map[string]string
}

var dtypeSize = map[string]int{
	"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "U16": 2, "U32": 4, "U64": 8, "BOOL": 1,
}

// ElementSize is the byte size of one element of dtype (0 if unknown).
func ElementSize(dtype string) int { return dtypeSize[dtype] }

type entry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

// Write writes tensors (in name order) and metadata.
func Write(w io.Writer, tensors map[string]Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	offset := 0
	for _, name := range names {
		t := tensors[name]
		size, ok := dtypeSize[t.DType]
		if !ok {
			return fmt.Errorf("safetensors: tensor %q: unknown dtype %q", name, t.DType)
		}
		if want := size * product(t.Shape); want != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q: %d bytes of data for shape %v of %s (want %d)", name, len(t.Data), t.Shape, t.DType, want)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[name] = entry{DType: t.DType, Shape: shape, DataOffsets: [2]int{offset, offset + len(t.Data)}}
		offset += len(t.Data)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// Pad the header with spaces to 8 bytes, as the reference writer does.
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := w.Write(tensors[name].Data); err != nil {
			return err
		}
	}
	return nil
}

// Read parses a safetensors file of the given total size from r.
func Read(r io.Reader, size int64) (*File, error) {
	if size < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is too short for the 8-byte header length", size)
	}
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("safetensors: reading header length: %w", err)
	}
	headerLen := binary.LittleEndian.Uint64(n[:])
	if headerLen > MaxHeaderBytes || int64(headerLen) > size-8 {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the file (%d bytes) or the %d-byte limit", headerLen, size, MaxHeaderBytes)
	}
	js := make([]byte, headerLen)
	if _, err := io.ReadFull(r, js); err != nil {
		return nil, fmt.Errorf("safetensors: reading %d-byte header: %w", headerLen, err)
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(js))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("safetensors: header is not a JSON object: %w", err)
	}
	dataLen := size - 8 - int64(headerLen)
	f := &File{Tensors: map[string]Tensor{}}
	type span struct {
		name       string
		start, end int
	}
	var spans []span
	entries := map[string]entry{}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var e entry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		size, ok := dtypeSize[e.DType]
		if !ok {
			return nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q", name, e.DType)
		}
		elems, ok := checkedProduct(e.Shape)
		if !ok {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %v is negative or too large", name, e.Shape)
		}
		start, end := e.DataOffsets[0], e.DataOffsets[1]
		if start < 0 || end < start || int64(end) > dataLen {
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] outside the %d data bytes", name, start, end, dataLen)
		}
		if elems > math.MaxInt/size || end-start != elems*size {
			return nil, fmt.Errorf("safetensors: tensor %q: %d bytes for shape %v of %s", name, end-start, e.Shape, e.DType)
		}
		entries[name] = e
		spans = append(spans, span{name, start, end})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	pos := 0
	data := make([]byte, 0)
	if len(spans) > 0 {
		data = make([]byte, spans[len(spans)-1].end)
	}
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("safetensors: reading %d data bytes: %w", len(data), err)
	}
	for _, s := range spans {
		if s.start < pos {
			return nil, fmt.Errorf("safetensors: tensor %q overlaps the tensor before it", s.name)
		}
		pos = s.end
		e := entries[s.name]
		f.Tensors[s.name] = Tensor{DType: e.DType, Shape: e.Shape, Data: data[s.start:s.end:s.end]}
	}
	return f, nil
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func checkedProduct(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt32/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// ReadFile reads a safetensors file from disk.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return Read(f, info.Size())
}

// Float32s decodes F32 data.
func (t Tensor) Float32s() ([]float32, error) {
	if t.DType != "F32" {
		return nil, fmt.Errorf("tensor is %s, want F32", t.DType)
	}
	out := make([]float32, len(t.Data)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return out, nil
}

// FromFloat32s encodes float32 values as an F32 tensor.
func FromFloat32s(values []float32, shape ...int) Tensor {
	data := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	return Tensor{DType: "F32", Shape: shape, Data: data}
}
