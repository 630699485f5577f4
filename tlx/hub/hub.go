// Package hub fetches model files from the Hugging Face hub into a local
// cache (through github.com/gomlx/go-huggingface, in the cache layout the
// Python library shares) and finds them there when offline.
//
//	path, err := hub.Fetch(hub.MustParse("hf:owner/repo/model.onnx"), hub.Defaults())
//
// Offline (HF_HUB_OFFLINE=1 or TLX_OFFLINE=1, or Options.Offline) only the
// cache is used, and a file that was never fetched is an error that says
// so. Online, a failed download (no network) falls back to a cached copy
// when there is one, with a notice.
package hub

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	hf "github.com/gomlx/go-huggingface/hub"
)

// Ref names a file of a hub repository: "hf:owner/repo[/file][@revision]".
type Ref struct {
	Repo     string // "owner/repo"
	File     string // "" picks a model file (see Fetch)
	Revision string // default "main"
}

func (r Ref) String() string {
	s := "hf:" + r.Repo
	if r.File != "" {
		s += "/" + r.File
	}
	if r.Revision != "main" {
		s += "@" + r.Revision
	}
	return s
}

var repoPart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Parse reads "hf:owner/repo[/path/to/file][@revision]".
func Parse(s string) (Ref, error) {
	rest, ok := strings.CutPrefix(s, "hf:")
	if !ok {
		return Ref{}, fmt.Errorf("hub reference %q: want hf:owner/repo[/file][@revision]", s)
	}
	ref := Ref{Revision: "main"}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest, ref.Revision = rest[:i], rest[i+1:]
		if !repoPart.MatchString(ref.Revision) {
			return Ref{}, fmt.Errorf("hub reference %q: bad revision %q", s, ref.Revision)
		}
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 2 || !repoPart.MatchString(parts[0]) || !repoPart.MatchString(parts[1]) {
		return Ref{}, fmt.Errorf("hub reference %q: want hf:owner/repo[/file][@revision]", s)
	}
	ref.Repo = parts[0] + "/" + parts[1]
	if len(parts) == 3 {
		ref.File = parts[2]
		if !filepath.IsLocal(ref.File) || strings.Contains(ref.File, "\\") {
			return Ref{}, fmt.Errorf("hub reference %q: file %q must be a path inside the repository", s, ref.File)
		}
	}
	return ref, nil
}

// MustParse is Parse that panics, for literals.
func MustParse(s string) Ref {
	r, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return r
}

// Options say where the cache is and whether the network may be used.
type Options struct {
	CacheDir string // default: go-huggingface's (~/.cache/huggingface/hub, shared with Python)
	Offline  bool   // use the cache only
	Endpoint string // default: HF_ENDPOINT or https://huggingface.co
	Token    string // for private repositories (HF_TOKEN)
}

// Defaults reads the options from the environment: HF_HUB_CACHE,
// HF_HUB_OFFLINE / TLX_OFFLINE, HF_ENDPOINT and HF_TOKEN.
func Defaults() Options {
	truthy := func(k string) bool { v := os.Getenv(k); return v != "" && v != "0" && v != "false" }
	return Options{
		CacheDir: os.Getenv("HF_HUB_CACHE"),
		Offline:  truthy("HF_HUB_OFFLINE") || truthy("TLX_OFFLINE"),
		Endpoint: os.Getenv("HF_ENDPOINT"),
		Token:    os.Getenv("HF_TOKEN"),
	}
}

// modelFiles are tried in order when a reference names no file.
var modelFiles = []string{"model.onnx", "onnx/model.onnx", "model.json", "model.safetensors"}

// Fetch returns the local path of ref's file, downloading it (and, for a
// TF.js model.json, its weight shards) into the cache unless it is there.
func Fetch(ref Ref, opts Options) (string, error) {
	repo := hf.New(ref.Repo).WithRevision(ref.Revision)
	if opts.CacheDir != "" {
		repo = repo.WithCacheDir(opts.CacheDir)
	}
	if opts.Endpoint != "" {
		repo = repo.WithEndpoint(strings.TrimSuffix(opts.Endpoint, "/"))
	}
	if opts.Token != "" {
		repo = repo.WithAuth(opts.Token)
	}
	repo.Verbosity = 0
	if opts.Offline {
		p, err := cached(repo, ref)
		if err != nil {
			return "", fmt.Errorf("%s (offline: cache only): %w", ref, err)
		}
		return p, nil
	}
	// A failed refresh of the repository info removes the cached info
	// file: keep it, to fall back on the cache.
	c, cerr := cached(repo, ref)
	var infoPath string
	var info []byte
	if dir, err := repo.CacheDir(); err == nil {
		infoPath = filepath.Join(dir, "info", ref.Revision)
		info, _ = os.ReadFile(infoPath)
	}
	p, err := download(repo, ref)
	if err != nil {
		if cerr == nil && exists(c) {
			if info != nil {
				_ = os.WriteFile(infoPath, info, 0o644)
			}
			fmt.Fprintf(os.Stderr, "hub: %s: %v; using the cached copy %s\n", ref, err, c)
			return c, nil
		}
		return "", fmt.Errorf("fetching %s: %w", ref, err)
	}
	return p, nil
}

// download fetches the file (picking one when ref names none) and, for a
// TF.js model.json, its shards.
func download(repo *hf.Repo, ref Ref) (string, error) {
	file := ref.File
	if file == "" {
		var names []string
		for name, err := range repo.IterFileNames() {
			if err != nil {
				return "", err
			}
			names = append(names, name)
		}
		file = pick(names)
		if file == "" {
			return "", fmt.Errorf("no model file (%s) in %s", strings.Join(modelFiles, ", "), ref.Repo)
		}
	}
	p, err := repo.DownloadFile(file)
	if err != nil {
		return "", err
	}
	if shards, err := tfjsShards(p, file); err != nil {
		return "", err
	} else if len(shards) > 0 {
		if _, err := repo.DownloadFiles(shards...); err != nil {
			return "", err
		}
	}
	return p, nil
}

// pick chooses the model file among a repository's files.
func pick(names []string) string {
	for _, want := range modelFiles {
		if slices.Contains(names, want) {
			return want
		}
	}
	return ""
}

// tfjsShards lists, for a model.json, the repository paths of its shards.
func tfjsShards(local, file string) ([]string, error) {
	if path.Base(file) != "model.json" {
		return nil, nil
	}
	data, err := os.ReadFile(local)
	if err != nil {
		return nil, err
	}
	var mf struct {
		WeightsManifest []struct {
			Paths []string `json:"paths"`
		} `json:"weightsManifest"`
	}
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var out []string
	for _, g := range mf.WeightsManifest {
		for _, p := range g.Paths {
			if !filepath.IsLocal(p) {
				return nil, fmt.Errorf("%s: shard path %q leaves the repository", file, p)
			}
			out = append(out, path.Join(path.Dir(file), p))
		}
	}
	return out, nil
}

// cached finds ref's file in the cache without the network: the revision's
// commit from the saved repository info, then the snapshot of that commit.
func cached(repo *hf.Repo, ref Ref) (string, error) {
	dir, err := repo.CacheDir()
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(dir, "info", ref.Revision))
	if err != nil {
		return "", fmt.Errorf("not in the cache %s (fetch it once online)", dir)
	}
	var info struct {
		Sha      string `json:"sha"`
		Siblings []struct {
			Name string `json:"rfilename"`
		} `json:"siblings"`
	}
	if err := json.Unmarshal(data, &info); err != nil || !repoPart.MatchString(info.Sha) {
		return "", fmt.Errorf("cached repository info in %s is damaged", dir)
	}
	file := ref.File
	if file == "" {
		var names []string
		for _, s := range info.Siblings {
			names = append(names, s.Name)
		}
		file = pick(names)
	}
	p := filepath.Join(dir, "snapshots", info.Sha, filepath.FromSlash(file))
	if file == "" || !exists(p) {
		return "", fmt.Errorf("%q of %s is not in the cache %s (fetch it once online)", file, ref.Repo, dir)
	}
	shards, err := tfjsShards(p, file)
	if err != nil {
		return "", err
	}
	for _, s := range shards {
		if !exists(filepath.Join(dir, "snapshots", info.Sha, filepath.FromSlash(s))) {
			return "", fmt.Errorf("shard %q of %s is not in the cache", s, ref.Repo)
		}
	}
	return p, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
