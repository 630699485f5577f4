package manifest

import (
	"path/filepath"
	"testing"
)

func TestRecordAndRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	t.Setenv(EnvVar, "")
	Record("data", "nothing recorded without the variable", "x")
	if Enabled() {
		t.Error("Enabled without the variable")
	}
	t.Setenv(EnvVar, path)
	if !Enabled() {
		t.Error("not Enabled with the variable set")
	}
	Record("data", "digits", "abc")
	Record("seed", "fit", "1")
	Record("data", "digits", "abc")
	entries, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
	}
	if len(entries) < 3 || entries[0].Kind != "version" || entries[len(entries)-1] != (Entry{"seed", "fit", "1"}) {
		t.Errorf("entries %v", entries)
	}
	count := 0
	for _, e := range entries {
		if e == (Entry{"data", "digits", "abc"}) {
			count++
		}
	}
	if count != 1 {
		t.Errorf("duplicate entry read %d times, want once", count)
	}
}
