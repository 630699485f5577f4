package net

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/nn"
)

// A recipe survives JSON, its builder is found by name, and ReplaceHead
// and Truncated add their steps, which Rebuild replays.
func TestRecipeStepsReplay(t *testing.T) {
	type args struct{ Units int }
	RegisterBuilder("test.dense", func(js json.RawMessage) (*Model, error) {
		var a args
		if err := json.Unmarshal(js, &a); err != nil {
			return nil, err
		}
		m := New("dense", 4).
			Add("body", func(c *nn.Ctx, x *graph.Node) *graph.Node { return nn.Dense(c, x, a.Units) }).
			Add(HeadName, Classifier(3))
		m.Recipe = NewRecipe("test.dense", a)
		return m, nil
	})
	m, err := Rebuild(NewRecipe("test.dense", args{Units: 6}))
	if err != nil {
		t.Fatal(err)
	}
	m.Classes = []string{"a", "b", "c"}
	if err := m.ReplaceHead(2); err != nil {
		t.Fatal(err)
	}
	if m.Classes != nil {
		t.Errorf("ReplaceHead kept the old classes %v", m.Classes)
	}
	cut, err := m.Truncated("body")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Recipe.Steps) != 1 || len(cut.Recipe.Steps) != 2 {
		t.Fatalf("steps: model %v, truncated %v", m.Recipe, cut.Recipe)
	}
	js, err := json.Marshal(cut.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	var back Recipe
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	again, err := Rebuild(&back)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(again.GroupNames(), ","); got != "body" || again.Recipe.String() != cut.Recipe.String() {
		t.Errorf("rebuilt %s with recipe %s, want body with %s", got, again.Recipe, cut.Recipe)
	}
	shapes, err := m.Init()
	if err != nil {
		t.Fatal(err)
	}
	if out := shapes[len(shapes)-1]; out[1] != 2 {
		t.Errorf("replaced head gives %v", out)
	}

	// A model assembled by hand has no recipe, and adding a group to a
	// recipe's model drops it: Go code cannot be written down.
	m.Add("extra", func(c *nn.Ctx, x *graph.Node) *graph.Node { return x })
	if m.Recipe != nil {
		t.Error("Add kept the recipe")
	}
	if _, err := Rebuild(nil); err == nil || !strings.Contains(err.Error(), "by hand") {
		t.Errorf("Rebuild(nil): %v", err)
	}
	if _, err := Rebuild(&Recipe{Builder: "nope"}); err == nil || !strings.Contains(err.Error(), "test.dense") {
		t.Errorf("unknown builder: %v", err)
	}
}
