package tlx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/runs"
)

// Learner is a model with its data, training settings, run and history
// under one name: fastai's Learner, kept on disk so that it outlives the
// notebook cell that made it (each cell is a new process).
//
//	l := tlx.Must1(tlx.NewLearner("fmnist59", m, train, val, fit.Config{Seed: 1}))
//	tlx.Must(l.FineTune(3, 2e-3))               // or l.Fit(plan): stages restored on a re-run
//	// a later cell:
//	l := tlx.Must1(tlx.OpenLearner("fmnist59"))  // weights, classes, preprocessing, history, data
//	fmt.Println(tlx.Must1(l.Predict("shoe.png")))
//
// Its folder is the run's (runs.Open(name).Dir): learner.json (the model's
// recipe, classes, preprocessing and group settings, the data sets'
// fingerprints, the history), learner/weights.safetensors (the current
// weights), learner/{train,val}.safetensors (the data, stored compactly:
// one byte per value for 8-bit images; sets over MaxStoredData are not
// stored), beside the run's own stages/ and features/.
type Learner struct {
	Name  string
	Model *net.Model
	// Train and Val are the data (Val may be nil). OpenLearner gives them
	// back from the run folder when they were stored.
	Train, Val *data.Dataset
	// Config is the base of every training (Val is set from Val; Epochs,
	// LR and Schedule come from each stage). Only BatchSize and Seed are
	// kept on disk: set the rest again after OpenLearner.
	Config fit.Config
	// Run is the named run that trains and keeps the stages.
	Run *runs.Run
	// History is every epoch the Learner trained or restored, in order.
	History *fit.History

	saved *learnerFile // what learner.json held when opened or last saved
}

// learnerFormat versions learner.json.
const learnerFormat = "tlx-learner-v1"

// learnerFile is learner.json.
type learnerFile struct {
	Format        string       `json:"format"`
	Name          string       `json:"name"`
	Model         modelRecord  `json:"model"`
	Weights       string       `json:"weights"`
	WeightsSHA256 string       `json:"weights_sha256"`
	Train         *dataRecord  `json:"train,omitempty"`
	Val           *dataRecord  `json:"val,omitempty"`
	BatchSize     int          `json:"batch_size,omitempty"`
	Seed          uint64       `json:"seed,omitempty"`
	History       *fit.History `json:"history"`
}

// modelRecord is what rebuilds the Learner's model.
type modelRecord struct {
	Name          string            `json:"name"`
	InputShape    []int             `json:"input_shape"`
	Seed          int64             `json:"seed"`
	Recipe        *net.Recipe       `json:"recipe"` // null: built by hand, see OpenLearnerWith
	Classes       []string          `json:"classes"`
	Preprocessing net.Preprocessing `json:"preprocessing"`
	Groups        []groupRecord     `json:"groups"`
}

// groupRecord is one group's settings.
type groupRecord struct {
	Name   string     `json:"name"`
	Frozen bool       `json:"frozen"`
	LRMult float64    `json:"lr_mult,omitempty"`
	BN     net.BNMode `json:"bn,omitempty"`
}

// Learner files, relative to the run folder.
const (
	learnerJSON    = "learner.json"
	learnerWeights = "learner/weights.safetensors"
	learnerTrain   = "learner/train.safetensors"
	learnerVal     = "learner/val.safetensors"
)

// NewLearner creates (or, run again, re-creates) the learner called name
// over m, training on train and validating on val (nil for none), with
// cfg (at most one; default fit's) as the base of every training. The
// model's class names become train's classes: its head must have as many
// outputs (call m.ReplaceHead(len(train.Classes)) on a pretrained model
// of another task). cfg's Seed, when set, also seeds what the model still
// has to initialise (see net.Model.Reseed): a new head, or a model built
// from scratch. Re-creating a learner starts its history afresh; the
// run's finished stages stay on disk and are restored by Fit.
func NewLearner(name string, m *net.Model, train, val *data.Dataset, cfg ...fit.Config) (*Learner, error) {
	if m == nil || train == nil {
		return nil, fmt.Errorf("tlx.NewLearner(%s): want a model and training data", name)
	}
	if len(cfg) > 1 {
		return nil, fmt.Errorf("tlx.NewLearner(%s): %d configs, want at most one", name, len(cfg))
	}
	if val != nil && !slices.Equal(val.Classes, train.Classes) {
		return nil, fmt.Errorf("tlx.NewLearner(%s): validation classes %v differ from the training classes %v", name, val.Classes, train.Classes)
	}
	if len(m.Classes) > 0 && !slices.Equal(m.Classes, train.Classes) {
		return nil, fmt.Errorf("tlx.NewLearner(%s): model %s predicts %v, the data has %v: call m.ReplaceHead(%d) for a new head first",
			name, m.Name, m.Classes, train.Classes, len(train.Classes))
	}
	if len(cfg) == 1 && cfg[0].Seed != 0 {
		// The seed also draws what the model initialises (a new head), so
		// learners of different seeds start from different heads.
		if err := m.Reseed(cfg[0].Seed); err != nil {
			return nil, fmt.Errorf("tlx.NewLearner(%s): %w", name, err)
		}
	}
	shapes, err := m.Init()
	if err != nil {
		return nil, fmt.Errorf("tlx.NewLearner(%s): %w", name, err)
	}
	if out := shapes[len(shapes)-1]; out[len(out)-1] != len(train.Classes) {
		return nil, fmt.Errorf("tlx.NewLearner(%s): model %s has %d outputs, the data %d classes %v: call m.ReplaceHead(%d) first",
			name, m.Name, out[len(out)-1], len(train.Classes), train.Classes, len(train.Classes))
	}
	r, err := runs.Open(name)
	if err != nil {
		return nil, err
	}
	l := &Learner{Name: name, Model: m, Train: train, Val: val, Run: r, History: &fit.History{}}
	if len(cfg) == 1 {
		l.Config = cfg[0]
	}
	m.Classes = slices.Clone(train.Classes)
	if old, err := readLearnerFile(r.Dir); err == nil {
		l.saved = old // lets save skip rewriting unchanged data
	}
	if err := l.Save(); err != nil {
		return nil, err
	}
	return l, nil
}

// OpenLearner gives back the learner called name as a previous cell left
// it: the model rebuilt from its recipe (see net.Recipe) with the
// learner's weights, class names, preprocessing and group settings, the
// history, and the data sets that were stored. A model assembled by hand
// has no recipe: rebuild it and use OpenLearnerWith.
func OpenLearner(name string) (*Learner, error) {
	f, dir, err := openLearnerFile(name)
	if err != nil {
		return nil, err
	}
	if f.Model.Recipe == nil {
		return nil, fmt.Errorf("tlx.OpenLearner(%s): model %s was assembled by hand in Go (net.New and Add, no recipe), so it cannot be rebuilt from disk: build it again as before and call tlx.OpenLearnerWith(%q, m)",
			name, f.Model.Name, name)
	}
	m, err := net.Rebuild(f.Model.Recipe)
	if err != nil {
		return nil, fmt.Errorf("tlx.OpenLearner(%s): %w", name, err)
	}
	return openOnto(name, dir, f, m)
}

// OpenLearnerWith is OpenLearner onto a model the caller built again (the
// same groups and variable shapes as the learner's): it receives the
// learner's weights, classes, preprocessing and group settings.
func OpenLearnerWith(name string, m *net.Model) (*Learner, error) {
	f, dir, err := openLearnerFile(name)
	if err != nil {
		return nil, err
	}
	return openOnto(name, dir, f, m)
}

// openLearnerFile reads name's learner.json.
func openLearnerFile(name string) (*learnerFile, string, error) {
	r, err := runs.Open(name)
	if err != nil {
		return nil, "", err
	}
	f, err := readLearnerFile(r.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("tlx.OpenLearner(%s): no learner in %s (create it with tlx.NewLearner first)", name, r.Dir)
	}
	if err != nil {
		return nil, "", fmt.Errorf("tlx.OpenLearner(%s): %w", name, err)
	}
	return f, r.Dir, nil
}

func readLearnerFile(dir string) (*learnerFile, error) {
	path := filepath.Join(dir, learnerJSON)
	js, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f learnerFile
	if err := json.Unmarshal(js, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Format != learnerFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", path, f.Format, learnerFormat)
	}
	return &f, nil
}

// openOnto puts what learner.json and its files hold onto m.
func openOnto(name, dir string, f *learnerFile, m *net.Model) (*Learner, error) {
	fail := func(err error) (*Learner, error) { return nil, fmt.Errorf("tlx.OpenLearner(%s): %w", name, err) }
	if got := m.GroupNames(); !slices.Equal(got, groupNames(f.Model.Groups)) {
		return fail(fmt.Errorf("model %s has groups %v, the learner's had %v", m.Name, got, groupNames(f.Model.Groups)))
	}
	m.Name, m.Seed = f.Model.Name, f.Model.Seed
	m.Classes, m.Preprocessing = f.Model.Classes, f.Model.Preprocessing
	for i, g := range m.Groups {
		rec := f.Model.Groups[i]
		g.Frozen, g.LRMult, g.BN = rec.Frozen, rec.LRMult, rec.BN
	}
	if err := m.LoadWeights(filepath.Join(dir, f.Weights)); err != nil {
		return fail(err)
	}
	if h, err := m.WeightsHash(); err != nil || h != f.WeightsSHA256 {
		return fail(fmt.Errorf("weights in %s do not match learner.json (hash %.12s, want %.12s; error %v)", f.Weights, h, f.WeightsSHA256, err))
	}
	l := &Learner{Name: name, Model: m, History: f.History, saved: f,
		Config: fit.Config{BatchSize: f.BatchSize, Seed: f.Seed}}
	if l.History == nil {
		l.History = &fit.History{}
	}
	var err error
	if l.Run, err = runs.Open(name); err != nil {
		return fail(err)
	}
	if l.Train, err = loadData(dir, f.Train); err != nil {
		return fail(err)
	}
	if l.Val, err = loadData(dir, f.Val); err != nil {
		return fail(err)
	}
	return l, nil
}

func groupNames(gs []groupRecord) []string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return names
}

// Save writes the learner to its run folder: learner.json, its weights,
// and its data where they changed. Fit and FineTune save after training;
// call it after changing the model by hand (Freeze, new weights).
func (l *Learner) Save() error {
	dir := l.Run.Dir
	if err := os.MkdirAll(filepath.Join(dir, "learner"), 0o755); err != nil {
		return fmt.Errorf("saving learner %s: %w", l.Name, err)
	}
	m := l.Model
	f := &learnerFile{Format: learnerFormat, Name: l.Name, Weights: learnerWeights, History: l.History,
		BatchSize: l.Config.BatchSize, Seed: l.Config.Seed,
		Model: modelRecord{Name: m.Name, InputShape: m.InputShape, Seed: m.Seed, Recipe: m.Recipe, Classes: m.Classes, Preprocessing: m.Preprocessing}}
	for _, g := range m.Groups {
		f.Model.Groups = append(f.Model.Groups, groupRecord{Name: g.Name, Frozen: g.Frozen, LRMult: g.LRMult, BN: g.BN})
	}
	var err error
	if f.WeightsSHA256, err = m.WeightsHash(); err != nil {
		return fmt.Errorf("saving learner %s: %w", l.Name, err)
	}
	var oldTrain, oldVal *dataRecord
	if s := l.saved; s != nil {
		oldTrain, oldVal = s.Train, s.Val
	}
	if s := l.saved; s == nil || s.WeightsSHA256 != f.WeightsSHA256 || !exists(filepath.Join(dir, learnerWeights)) {
		if err := m.SaveWeights(filepath.Join(dir, learnerWeights)); err != nil {
			return fmt.Errorf("saving learner %s: %w", l.Name, err)
		}
	}
	if f.Train, err = saveData(dir, learnerTrain, l.Train, oldTrain); err != nil {
		return err
	}
	if f.Val, err = saveData(dir, learnerVal, l.Val, oldVal); err != nil {
		return err
	}
	js, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("saving learner %s: %w", l.Name, err)
	}
	path := filepath.Join(dir, learnerJSON)
	if err := os.WriteFile(path+".tmp", js, 0o644); err != nil {
		return fmt.Errorf("saving learner %s: %w", l.Name, err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("saving learner %s: %w", l.Name, err)
	}
	l.saved = f
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
