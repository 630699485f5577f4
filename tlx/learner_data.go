package tlx

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// MaxStoredData bounds the data a Learner keeps in its run folder (each of
// its training and validation sets, as stored: one byte per value for
// 8-bit images such as Fashion-MNIST, four otherwise). Larger sets are not
// stored: OpenLearner then gives the Learner without them.
var MaxStoredData int64 = 64 << 20

// dataRecord is what learner.json says about a data set.
type dataRecord struct {
	Name        string   `json:"name"`
	Examples    int      `json:"examples"`
	Shape       []int    `json:"shape"`
	Classes     []string `json:"classes"`
	Fingerprint string   `json:"fingerprint"`
	// File is the stored copy, relative to the run folder ("" when the set
	// was too large to store).
	File string `json:"file,omitempty"`
}

// saveData keeps d in the run folder as file (safetensors: x as U8 when
// every value is an exact 8-bit level k/255, else F32; y as I32) unless
// the copy there already has d's fingerprint or d is over MaxStoredData.
func saveData(dir, file string, d *data.Dataset, old *dataRecord) (*dataRecord, error) {
	if d == nil {
		return nil, nil
	}
	rec := &dataRecord{Name: d.Name, Examples: d.Len(), Shape: d.Shape, Classes: d.Classes, Fingerprint: d.Fingerprint()}
	path := filepath.Join(dir, file)
	if old != nil && old.Fingerprint == rec.Fingerprint && old.File == file {
		if _, err := os.Stat(path); err == nil {
			rec.File = file
			return rec, nil
		}
	}
	if d.Lazy() {
		return rec, nil // images decoded on demand (data.OpenImageFolder): the folder is the copy
	}
	levels := make([]byte, len(d.X))
	eightBit := true
	for i, v := range d.X {
		b := math.Round(float64(v) * 255)
		if b < 0 || b > 255 || float32(b)/255 != v {
			eightBit = false
			break
		}
		levels[i] = byte(b)
	}
	x := safetensors.Tensor{DType: "U8", Shape: append([]int{d.Len()}, d.Shape...), Data: levels}
	if !eightBit {
		x = safetensors.FromFloat32s(d.X, x.Shape...)
	}
	if int64(len(x.Data)) > MaxStoredData {
		return rec, nil // too large to keep: OpenLearner says so
	}
	y := make([]byte, 4*len(d.Y))
	for i, v := range d.Y {
		binary.LittleEndian.PutUint32(y[4*i:], uint32(v))
	}
	classes, _ := json.Marshal(d.Classes)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("storing data set %q: %w", d.Name, err)
	}
	defer os.Remove(tmp.Name())
	err = safetensors.Write(tmp, map[string]safetensors.Tensor{"x": x, "y": {DType: "I32", Shape: []int{d.Len()}, Data: y}},
		map[string]string{"format": "tlx-data-v1", "name": d.Name, "classes": string(classes)})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return nil, fmt.Errorf("storing data set %q in %s: %w", d.Name, path, err)
	}
	rec.File = file
	return rec, nil
}

// loadData reads a data set saveData stored and checks its fingerprint.
func loadData(dir string, rec *dataRecord) (*data.Dataset, error) {
	if rec == nil || rec.File == "" {
		return nil, nil
	}
	path := filepath.Join(dir, rec.File)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data set %q: %w", rec.Name, err)
	}
	x, y := f.Tensors["x"], f.Tensors["y"]
	if y.DType != "I32" || len(y.Data) != 4*rec.Examples {
		return nil, fmt.Errorf("data set %q in %s: labels %s %v, want I32 [%d]", rec.Name, path, y.DType, y.Shape, rec.Examples)
	}
	d := &data.Dataset{Name: rec.Name, Shape: rec.Shape, Classes: rec.Classes, Y: make([]int32, rec.Examples)}
	for i := range d.Y {
		d.Y[i] = int32(binary.LittleEndian.Uint32(y.Data[4*i:]))
	}
	switch x.DType {
	case "U8":
		d.X = make([]float32, len(x.Data))
		for i, b := range x.Data {
			d.X[i] = float32(b) / 255
		}
	default:
		if d.X, err = x.Float32s(); err != nil {
			return nil, fmt.Errorf("data set %q in %s: %w", rec.Name, path, err)
		}
	}
	if err := d.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if got := d.Fingerprint(); got != rec.Fingerprint {
		return nil, fmt.Errorf("data set %q in %s: fingerprint %s, learner.json says %s (the file changed)", rec.Name, path, got[:12], fmt.Sprintf("%.12s", rec.Fingerprint))
	}
	return d, nil
}
