package text

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tlx-go/tlx/tlx/engine"
)

// oracle runs testdata/oracle.py (sentence-transformers, HF tokenizers on
// Debian's torch) in the environment of scripts/python/oracle.sh with req
// as its JSON request and decodes its answer into out.
func oracle(t testing.TB, req map[string]any, out any) {
	t.Helper()
	python := filepath.Join(engine.Root(), ".tlx", "oracle", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("the text oracle is not installed (%v): run bash scripts/setup.sh (it calls scripts/python/oracle.sh)", err)
	}
	js, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/oracle.py")
	cmd.Env = append(os.Environ(), "HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1", "TOKENIZERS_PARALLELISM=false", "OMP_NUM_THREADS=2")
	cmd.Stdin = bytes.NewReader(js)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle %v: %v\n%s", req["op"], err, stderr.String())
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("oracle %v answer: %v", req["op"], err)
	}
}

// miniLM loads all-MiniLM-L6-v2 once per test binary and sequence length.
var miniLM = sync.OnceValues(func() (string, error) { return MiniLMDir() })

func miniLMDir(t testing.TB) string {
	t.Helper()
	dir, err := miniLM()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
