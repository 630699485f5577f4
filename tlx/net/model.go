// Package net is tlx's model: a GoMLX network made of named, ordered layer
// groups, the unit of freezing, learning-rate multipliers and reporting.
//
//	m := net.New("cnn", 28, 28, 1).
//		Add("block1", func(c *nn.Ctx, x *graph.Node) *graph.Node { ... }).
//		Add("block2", ...).
//		Add("head", net.Classifier(10))
//	m.Freeze("block*")          // globs, names
//	m.FreezeTo(1)               // or: the first n groups
//	fmt.Println(m.Summary())    // per-group parameters, trainable or frozen, LR multiplier, BatchNorm mode, output shape
//
// Weights live in m.Store (a GoMLX model.Store), each under its group's
// scope ("/block1/..."), and are saved and loaded as safetensors.
package net

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/nn"
)

// Layer builds one group's part of the network.
type Layer func(c *nn.Ctx, x *graph.Node) *graph.Node

// BNMode says how a group's BatchNorm layers run while training.
type BNMode int

const (
	// BNAuto uses batch statistics in a trainable group and the stored
	// averages in a frozen one (Keras's rule for frozen BatchNorm).
	BNAuto BNMode = iota
	// BNTrain always uses batch statistics while training, even when frozen
	// (the averages then adapt to new data: AdaBN-like).
	BNTrain
	// BNFrozen always uses the stored averages.
	BNFrozen
)

// String names the mode as Summary shows it.
func (m BNMode) String() string {
	return [...]string{"auto", "train", "frozen"}[m]
}

// Group is a named part of a Model.
type Group struct {
	Name   string
	Layer  Layer
	Frozen bool    // its variables are not trained
	LRMult float64 // learning-rate multiplier: 1 when the group is made, > 0 (fit rejects a trained group with 0)
	BN     BNMode
}

// LR returns the group's learning-rate multiplier, LRMult as it is: a
// group is made with 1, and 0 is not read as 1 (fit rejects a trained
// group whose multiplier is not positive).
func (g *Group) LR() float64 { return g.LRMult }

// batchStats says whether the group's BatchNorm uses batch statistics.
func (g *Group) batchStats(training bool) bool {
	switch g.BN {
	case BNTrain:
		return training
	case BNFrozen:
		return false
	default:
		return training && !g.Frozen
	}
}

// HeadName is the conventional name of the classifier group.
const HeadName = "head"

// Model is a network of ordered groups over a store of weights.
type Model struct {
	Name       string
	InputShape []int // one example, e.g. {28, 28, 1}
	Groups     []*Group
	Store      *model.Store
	Seed       int64
	// Compute, when set, is the backend this model computes on instead of
	// the process's default (engine.Backend).
	Compute compute.Backend
	// Statistics holds the paths of variables that are state rather than
	// parameters (an imported model's BatchNorm statistics): never trained.
	// tlx's own BatchNorm names them "mean" and "variance" instead.
	Statistics map[string]bool
	// Origin describes where an imported model came from (for example an
	// *onnxnet.Source, which onnxnet.Export needs); nil for models built in Go.
	Origin any
	// Classes names the head's outputs, in order, when known (set by the
	// zoo, a Learner, or ReplaceHead's caller); Predict reports them.
	Classes []string
	// Preprocessing maps raw images to this model's input (set by the
	// importers and the zoo; Unit for models built in Go).
	Preprocessing Preprocessing
	// Recipe says how to make this model again (see Rebuild); nil for a
	// model assembled by hand, whose layers are Go code.
	Recipe *Recipe

	shapes [][]int // group output shapes once Init ran (nil after a change)
}

// New starts a model for inputs of the given per-example shape. Its weights
// are initialised from seed 1 unless Seed is changed before first use.
func New(name string, inputShape ...int) *Model {
	m := &Model{Name: name, InputShape: inputShape, Store: model.NewStore(), Seed: 1, Preprocessing: Unit}
	return m
}

// Add appends a group.
func (m *Model) Add(name string, layer Layer) *Model {
	m.Groups = append(m.Groups, &Group{Name: name, Layer: layer, LRMult: 1})
	m.Recipe = nil // a group of Go code: builders set their recipe after adding theirs
	m.forget()
	return m
}

// Group returns the group called name, or an error listing the groups.
func (m *Model) Group(name string) (*Group, error) {
	for _, g := range m.Groups {
		if g.Name == name {
			return g, nil
		}
	}
	return nil, fmt.Errorf("model %s has no group %q (groups: %s)", m.Name, name, strings.Join(m.GroupNames(), ", "))
}

// GroupNames lists the groups in order.
func (m *Model) GroupNames() []string {
	names := make([]string, len(m.Groups))
	for i, g := range m.Groups {
		names[i] = g.Name
	}
	return names
}

// index returns the position of group name, or -1.
func (m *Model) index(name string) int {
	return slices.IndexFunc(m.Groups, func(g *Group) bool { return g.Name == name })
}

// Forward applies the groups to x in order, stopping after group until
// (all groups when until is ""). training selects dropout/augmentation and,
// group by group according to BNMode, BatchNorm's batch statistics.
func (m *Model) Forward(scope *model.Scope, x *graph.Node, training bool, until string) *graph.Node {
	return m.ForwardRange(scope, x, training, "", until)
}

// ForwardRange applies the groups after group after ("" starts at the
// first) up to and including until ("" runs to the end): x is then the
// output of group after, as the feature cache stores it.
func (m *Model) ForwardRange(scope *model.Scope, x *graph.Node, training bool, after, until string) *graph.Node {
	m.seed()
	for _, name := range []string{after, until} {
		if name != "" && m.index(name) < 0 {
			panic(fmt.Errorf("model %s has no group %q (groups: %s)", m.Name, name, strings.Join(m.GroupNames(), ", ")))
		}
	}
	start := 0
	if after != "" {
		start = m.index(after) + 1
	}
	for _, g := range m.Groups[start:] {
		x = m.apply(g, scope, x, training)
		if g.Name == until {
			break
		}
	}
	return x
}

// apply runs one group on x.
func (m *Model) apply(g *Group, scope *model.Scope, x *graph.Node, training bool) *graph.Node {
	c := &nn.Ctx{Scope: scope.At("%s", g.Name), Training: training, BatchStats: g.batchStats(training)}
	return g.Layer(c, x)
}

// each applies every group in order, handing each output to visit.
func (m *Model) each(scope *model.Scope, x *graph.Node, training bool, visit func(*Group, *graph.Node)) {
	m.seed()
	for _, g := range m.Groups {
		x = m.apply(g, scope, x, training)
		visit(g, x)
	}
}

// Reseed makes what m initialises from now on (a new head after
// ReplaceHead, a model built from scratch) and its dropout depend on seed,
// so that a measurement repeated over seeds varies the initialisation too.
// Weights m already holds (pretrained ones) are unchanged.
func (m *Model) Reseed(seed uint64) error {
	m.Seed = int64(seed)
	m.Store.SetParam(model.ParamInitialSeed, int64(seed))
	// A model that initialised before (a loaded one) keeps a random state:
	// start it afresh from the seed.
	if err := m.Store.SetRNGStateFromSeed(int64(seed)); err != nil {
		return fmt.Errorf("model %s: reseeding with %d: %w", m.Name, seed, err)
	}
	return nil
}

// seed makes variable initialisation reproducible.
func (m *Model) seed() {
	if _, found := m.Store.GetParam(model.ParamInitialSeed); !found {
		m.Store.SetParam(model.ParamInitialSeed, m.Seed)
	}
}

// FeatureGroup is the last group before the head: its output is the
// model's embedding. It is "" for a model of one group.
func (m *Model) FeatureGroup() string {
	i := m.index(HeadName)
	if i < 0 {
		i = len(m.Groups) - 1
	}
	if i <= 0 {
		return ""
	}
	return m.Groups[i-1].Name
}

// Variables returns the variables of group name (paths under "/name/").
func (m *Model) Variables(name string) []*model.Variable {
	var vars []*model.Variable
	prefix := "/" + name + "/"
	for v := range m.Store.RootScope().IterVariables() {
		if strings.HasPrefix(v.Path(), prefix) {
			vars = append(vars, v)
		}
	}
	return vars
}

// match returns the groups whose names match any of the glob patterns
// (path.Match syntax, so "layer*" and "block[12]"), failing on a pattern
// that matches nothing.
func (m *Model) match(patterns []string) ([]*Group, error) {
	var out []*Group
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("group pattern %q: %w", p, err)
		}
		found := false
		for _, g := range m.Groups {
			if ok, _ := path.Match(p, g.Name); ok {
				found = true
				if !slices.Contains(out, g) {
					out = append(out, g)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("model %s: no group matches %q (groups: %s)", m.Name, p, strings.Join(m.GroupNames(), ", "))
		}
	}
	return out, nil
}

// ReplaceHead swaps the head group for a new classifier of numClasses
// outputs with fresh weights (its old variables are deleted). The new head
// is trainable. Classes are cleared (the new outputs have no names yet)
// and the step is added to the model's Recipe.
func (m *Model) ReplaceHead(numClasses int) error {
	i := m.index(HeadName)
	if i < 0 {
		return fmt.Errorf("model %s has no %q group to replace (groups: %s)", m.Name, HeadName, strings.Join(m.GroupNames(), ", "))
	}
	if numClasses < 1 {
		return fmt.Errorf("ReplaceHead(%d): want at least one class", numClasses)
	}
	if err := m.Store.Scope("/" + HeadName).DeleteVariablesInScope(); err != nil {
		return fmt.Errorf("removing the old head's weights: %w", err)
	}
	m.Groups[i] = &Group{Name: HeadName, Layer: Classifier(numClasses), LRMult: 1}
	m.Classes = nil
	m.Recipe = m.Recipe.With(RecipeStep{Op: StepReplaceHead, Classes: numClasses})
	m.forget()
	return nil
}

// Classifier is a head: global average pooling for images, flattening
// otherwise, then a dense layer of numClasses logits.
func Classifier(numClasses int) Layer {
	return func(c *nn.Ctx, x *graph.Node) *graph.Node {
		if x.Rank() == 4 {
			x = nn.GlobalAvgPool(x)
		} else if x.Rank() > 2 {
			x = nn.Flatten(x)
		}
		return nn.Dense(c, x, numClasses)
	}
}

// Truncated returns a model of the groups up to and including until,
// sharing this model's weights: an embedding extractor.
func (m *Model) Truncated(until string) (*Model, error) {
	i := m.index(until)
	if i < 0 {
		return nil, fmt.Errorf("model %s has no group %q (groups: %s)", m.Name, until, strings.Join(m.GroupNames(), ", "))
	}
	cut := *m
	cut.Name = m.Name + "[:" + until + "]"
	cut.Groups = slices.Clone(m.Groups[:i+1])
	cut.Recipe = m.Recipe.With(RecipeStep{Op: StepTruncate, Group: until})
	return &cut, nil
}
