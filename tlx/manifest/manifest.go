// Package manifest records what a notebook's results depend on — data and
// weight hashes, seeds, backend, versions — so that a report can list them.
// tlx-run sets $TLX_MANIFEST to a file; each tlx call that loads data,
// weights or trains appends a line there; the runner puts the table at the
// top of the HTML report. Without $TLX_MANIFEST, Record does nothing.
package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// EnvVar names the file Record appends to.
const EnvVar = "TLX_MANIFEST"

// Entry is one fact about a run.
type Entry struct {
	Kind  string `json:"kind"` // "data", "weights", "seed", "backend", "version", "machine", "run"
	Name  string `json:"name"`
	Value string `json:"value"`
}

var (
	mu            sync.Mutex
	versionsDone  bool
	trackedModule = []string{"github.com/gomlx/gomlx", "github.com/gomlx/compute", "github.com/janpfeifer/gonb", "github.com/go-echarts/go-echarts/v2"}
)

// Enabled reports whether a manifest is being recorded: callers skip work
// (hashing data) that only a manifest needs.
func Enabled() bool { return os.Getenv(EnvVar) != "" }

// Record appends an entry to $TLX_MANIFEST (once per process it also
// records the Go and module versions the cell was built with, and the Go
// backend's SIMD path).
func Record(kind, name, value string) {
	path := os.Getenv(EnvVar)
	if path == "" {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	if !versionsDone {
		versionsDone = true
		_ = enc.Encode(Entry{Kind: "version", Name: "go", Value: runtime.Version()})
		_ = enc.Encode(Entry{Kind: "machine", Name: "go backend SIMD path", Value: SIMDPath()})
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, dep := range info.Deps {
				for _, m := range trackedModule {
					if dep.Path == m {
						_ = enc.Encode(Entry{Kind: "version", Name: dep.Path, Value: dep.Version})
					}
				}
			}
		}
	}
	_ = enc.Encode(Entry{Kind: kind, Name: name, Value: value})
}

// Read returns the entries of a manifest file, each distinct entry once, in
// the order first recorded.
func Read(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []Entry
	seen := map[Entry]bool{}
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var e Entry
		if err := dec.Decode(&e); err != nil {
			break
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}
