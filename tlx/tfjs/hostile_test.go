package tfjs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyJSON is a one-Dense Sequential model over 4 inputs with 3 units: 15
// float32 weights (60 bytes) in w.bin.
const tinyJSON = `{"format":"layers-model","modelTopology":{"class_name":"Sequential","config":{"name":"tiny","layers":[
 {"class_name":"Dense","config":{"name":"fc","units":3,"activation":"linear","use_bias":true,"batch_input_shape":[null,4]}}]}},
 "weightsManifest":[{"paths":["w.bin"],"weights":[{"name":"fc/kernel","shape":[4,3],"dtype":"float32"},{"name":"fc/bias","shape":[3],"dtype":"float32"}]}]}`

func writeTiny(t *testing.T, modelJSON string, shard []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.json"), []byte(modelJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	if shard != nil {
		if err := os.WriteFile(filepath.Join(dir, "w.bin"), shard, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "model.json")
}

// Damaged or adversarial TF.js models give errors naming the problem.
func TestHostileTFJS(t *testing.T) {
	m, err := Load(writeTiny(t, tinyJSON, make([]byte, 60)))
	if err != nil {
		t.Fatalf("the intact model must load: %v", err)
	}
	if _, err := m.Init(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		json  string
		shard []byte
		want  string
	}{
		"short shard":         {tinyJSON, make([]byte, 59), "hold 59 bytes"},
		"missing shard":       {tinyJSON, nil, "w.bin"},
		"path traversal":      {strings.Replace(tinyJSON, `"w.bin"`, `"../../etc/passwd"`, 1), nil, "inside the model's folder"},
		"huge shape":          {strings.Replace(tinyJSON, `[4,3]`, `[100000,100000]`, 1), make([]byte, 60), "2^31"},
		"unknown dtype":       {strings.Replace(tinyJSON, `"dtype":"float32"}`, `"dtype":"complex64"}`, 1), make([]byte, 60), "complex64"},
		"not json":            {"{", nil, "not a TF.js model.json"},
		"graph model":         {strings.Replace(tinyJSON, `"layers-model"`, `"graph-model"`, 1), make([]byte, 60), "layers models"},
		"unknown layer":       {strings.Replace(tinyJSON, `"Dense"`, `"Bidirectional"`, 1), make([]byte, 60), "Bidirectional"},
		"orphan weight":       {strings.Replace(tinyJSON, `"fc/bias"`, `"other/bias"`, 1), make([]byte, 60), "other/bias"},
		"no quantization min": {strings.Replace(tinyJSON, `"shape":[3],"dtype":"float32"`, `"shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","scale":1}`, 1), make([]byte, 51), "scale and min"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := Load(writeTiny(t, c.json, c.shard))
			if err == nil {
				_, err = m.Init()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// FuzzLoadTFJS: any model.json (with a fitting shard) loads or errors.
func FuzzLoadTFJS(f *testing.F) {
	f.Add([]byte(tinyJSON))
	f.Add([]byte(`{"modelTopology":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		_ = os.WriteFile(filepath.Join(dir, "model.json"), data, 0o644)
		_ = os.WriteFile(filepath.Join(dir, "w.bin"), make([]byte, 60), 0o644)
		m, err := Load(filepath.Join(dir, "model.json"))
		if err == nil {
			_, _ = m.Init()
		}
	})
}
