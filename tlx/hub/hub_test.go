package hub

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/hub/hubtest"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Ref{
		"hf:owner/repo":                 {Repo: "owner/repo", Revision: "main"},
		"hf:owner/repo/onnx/model.onnx": {Repo: "owner/repo", File: "onnx/model.onnx", Revision: "main"},
		"hf:owner/repo/model.json@v2":   {Repo: "owner/repo", File: "model.json", Revision: "v2"},
	} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"owner/repo", "hf:owner", "hf:owner/repo/../../x", "hf:../x/y", "hf:o/r@a/b"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

// A TF.js model (model.json and its shard) comes down from a local hub;
// offline it comes from the cache; offline with an empty cache is an
// error that says what to do; online with the hub gone, the cache serves.
func TestFetchOnlineOfflineAndFallback(t *testing.T) {
	files := map[string][]byte{
		"tfjs/model.json": []byte(`{"format":"layers-model","modelTopology":{},"weightsManifest":[{"paths":["w.bin"],"weights":[]}]}`),
		"tfjs/w.bin":      []byte("weights"),
		"README.md":       []byte("card"),
	}
	srv := hubtest.New("owner/repo", files)
	cache := t.TempDir()
	opts := Options{CacheDir: cache, Endpoint: srv.URL}
	ref := MustParse("hf:owner/repo/tfjs/model.json")
	p, err := Fetch(ref, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); string(got) != string(files["tfjs/model.json"]) {
		t.Errorf("fetched %q", got)
	}
	if got, err := os.ReadFile(filepath.Join(filepath.Dir(p), "w.bin")); err != nil || string(got) != "weights" {
		t.Errorf("shard next to model.json: %q, %v", got, err)
	}

	// Offline: the cache answers, the hub is not asked.
	before := srv.Requests.Load()
	off := opts
	off.Offline = true
	if p2, err := Fetch(ref, off); err != nil || p2 != p {
		t.Errorf("offline: %s, %v; want %s", p2, err, p)
	}
	if n := srv.Requests.Load() - before; n != 0 {
		t.Errorf("offline fetch made %d requests", n)
	}

	// Offline with a file never fetched.
	if _, err := Fetch(MustParse("hf:owner/repo/README.md"), off); err == nil || !strings.Contains(err.Error(), "not in the cache") {
		t.Errorf("offline, uncached: %v", err)
	}
	off.CacheDir = t.TempDir()
	if _, err := Fetch(ref, off); err == nil || !strings.Contains(err.Error(), "fetch it once online") {
		t.Errorf("offline, empty cache: %v", err)
	}

	// The hub goes away: online falls back to the cache.
	srv.Close()
	if p3, err := Fetch(ref, opts); err != nil || p3 != p {
		t.Errorf("hub down: %s, %v; want the cached %s", p3, err, p)
	}
}

// FuzzParse: any string parses into a safe reference or an error.
func FuzzParse(f *testing.F) {
	f.Add("hf:owner/repo/onnx/model.onnx@main")
	f.Add("hf:a/b/../c")
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := Parse(s)
		if err != nil {
			return
		}
		if ref.File != "" && !filepath.IsLocal(ref.File) {
			t.Fatalf("%q gave file %q outside the repository", s, ref.File)
		}
		if strings.Count(ref.Repo, "/") != 1 {
			t.Fatalf("%q gave repo %q", s, ref.Repo)
		}
	})
}
