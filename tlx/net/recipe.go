package net

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Recipe says how to make a model again from names and files alone, so
// that a later process (the next notebook cell) can rebuild it: a builder
// with its arguments, then the changes made since, in order. The zoo,
// tlx.Load and tlx's architectures record one on each model they make
// (Model.Recipe); ReplaceHead and Truncated add their step. A model
// assembled by hand with Add has none (its layers are Go closures), and
// Rebuild says so.
//
//	{"builder": "zoo", "args": {"name": "resnet18w8-fmnist04"}, "steps": [{"op": "replace_head", "classes": 5}]}
type Recipe struct {
	// Builder names a function registered with RegisterBuilder: "zoo",
	// "load", "arch.ResNet", ...
	Builder string `json:"builder"`
	// Args are the builder's arguments, as JSON.
	Args json.RawMessage `json:"args,omitempty"`
	// Steps are applied to the built model in order.
	Steps []RecipeStep `json:"steps,omitempty"`
}

// RecipeStep is one change to a built model.
type RecipeStep struct {
	// Op is "replace_head" (ReplaceHead(Classes)) or "truncate"
	// (Truncated(Group)).
	Op      string `json:"op"`
	Classes int    `json:"classes,omitempty"`
	Group   string `json:"group,omitempty"`
}

// Recipe step operations.
const (
	StepReplaceHead = "replace_head"
	StepTruncate    = "truncate"
)

// NewRecipe returns the recipe of a builder called with args (anything
// JSON can hold). It panics if args cannot be marshalled: builders pass
// plain configuration structs.
func NewRecipe(builder string, args any) *Recipe {
	js, err := json.Marshal(args)
	if err != nil {
		panic(fmt.Errorf("net.NewRecipe(%s): arguments %T: %w", builder, args, err))
	}
	return &Recipe{Builder: builder, Args: js}
}

// With returns a copy of r with step appended (nil when r is nil: a model
// without a recipe stays without one).
func (r *Recipe) With(step RecipeStep) *Recipe {
	if r == nil {
		return nil
	}
	c := r.Clone()
	c.Steps = append(c.Steps, step)
	return c
}

// Clone returns a deep copy of r (nil for nil).
func (r *Recipe) Clone() *Recipe {
	if r == nil {
		return nil
	}
	return &Recipe{Builder: r.Builder, Args: slices.Clone(r.Args), Steps: slices.Clone(r.Steps)}
}

// String is the recipe as JSON.
func (r *Recipe) String() string {
	if r == nil {
		return "no recipe (built by hand)"
	}
	js, _ := json.Marshal(r)
	return string(js)
}

// Builder makes a model from a recipe's arguments.
type Builder func(args json.RawMessage) (*Model, error)

var (
	buildersMu sync.RWMutex
	builders   = map[string]Builder{}
)

// RegisterBuilder makes Rebuild able to follow recipes of the named
// builder. Packages that make models register theirs in init (the zoo,
// tlx.Load, tlx/arch).
func RegisterBuilder(name string, b Builder) {
	buildersMu.Lock()
	defer buildersMu.Unlock()
	builders[name] = b
}

// Builders lists the registered builders.
func Builders() []string {
	buildersMu.RLock()
	defer buildersMu.RUnlock()
	var names []string
	for n := range builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Rebuild makes the model a recipe describes: its builder's model (with
// the weights the builder gives it: pretrained ones for the zoo and
// imports), then each step. The result records the same recipe.
func Rebuild(r *Recipe) (*Model, error) {
	if r == nil {
		return nil, fmt.Errorf("rebuilding a model: it has no recipe (it was assembled by hand with net.New and Add, whose layers are Go code): build it again and pass it in")
	}
	buildersMu.RLock()
	b, ok := builders[r.Builder]
	buildersMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("rebuilding a model: recipe builder %q is not registered (registered: %s; import the package that makes such models)", r.Builder, strings.Join(Builders(), ", "))
	}
	m, err := b(r.Args)
	if err != nil {
		return nil, fmt.Errorf("rebuilding a model with %s %s: %w", r.Builder, r.Args, err)
	}
	for i, s := range r.Steps {
		switch s.Op {
		case StepReplaceHead:
			err = m.ReplaceHead(s.Classes)
		case StepTruncate:
			m, err = m.Truncated(s.Group)
		default:
			err = fmt.Errorf("unknown operation %q (want %s or %s)", s.Op, StepReplaceHead, StepTruncate)
		}
		if err != nil {
			return nil, fmt.Errorf("rebuilding a model with %s: step %d (%s): %w", r.Builder, i+1, s.Op, err)
		}
	}
	return m, nil
}
