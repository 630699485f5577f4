package graphcut

import (
	"reflect"
	"testing"
)

// cutByStructure keys g by structure and cuts it.
func cutByStructure(t *testing.T, g Graph, roles []Role) []string {
	t.Helper()
	keys, err := StructuralKeys(g, roles)
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Nodes {
		g.Nodes[i].Key = keys[i]
	}
	groups, err := Cut(g)
	if err != nil {
		t.Fatal(err)
	}
	return names(groups)
}

// A VGG-like chain without names is cut after each pooling, and the dense
// classifier after the convolutions is a group of its own.
func TestStructuralKeysPlainChain(t *testing.T) {
	g := Graph{Input: "x", Output: "y", Free: map[string]bool{"w1": true, "w2": true, "w3": true, "wf": true}}
	var roles []Role
	add := func(r Role, in []string, out string) {
		g.Nodes = append(g.Nodes, Node{Inputs: in, Outputs: []string{out}})
		roles = append(roles, r)
	}
	add(Other, []string{"x"}, "t")        // a layout transpose before the first layer joins it
	add(Conv, []string{"t", "w1"}, "c1")  // block 1
	add(Other, []string{"c1"}, "r1")      // relu
	add(Conv, []string{"r1", "w2"}, "c2") //
	add(Pool, []string{"c2"}, "p1")       // closes block 1
	add(Conv, []string{"p1", "w3"}, "c3") // block 2
	add(Pool, []string{"c3"}, "p2")       //
	add(Other, []string{"p2"}, "f")       // flatten: joins block 2
	add(Dense, []string{"f", "wf"}, "y")  // the classifier
	got := cutByStructure(t, g, roles)
	want := []string{"stem:x>p1", "block2:p1>f", "dense3:f>y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
}

// Residual blocks and a two-branch module are one group each, whatever
// their inner layers; the plain layers between them form groups.
func TestStructuralKeysBlocks(t *testing.T) {
	g := Graph{Input: "x", Output: "y", Free: map[string]bool{}}
	var roles []Role
	add := func(r Role, in []string, out string) {
		for _, i := range in {
			if len(i) > 0 && i[0] == 'w' {
				g.Free[i] = true
			}
		}
		g.Nodes = append(g.Nodes, Node{Inputs: in, Outputs: []string{out}})
		roles = append(roles, r)
	}
	add(Conv, []string{"x", "w0"}, "s")     // stem
	add(Conv, []string{"s", "w1"}, "a1")    // residual block: s + conv(conv(s))
	add(Conv, []string{"a1", "w2"}, "a2")   //
	add(Other, []string{"s", "a2"}, "r")    //
	add(Conv, []string{"r", "w3"}, "l")     // a plain layer between blocks
	add(Conv, []string{"l", "w4"}, "b1")    // inception-like: two branches, concatenated
	add(Conv, []string{"l", "w5"}, "b2")    //
	add(Other, []string{"b1", "b2"}, "cat") //
	add(Other, []string{"cat"}, "gap")      // global pooling joins the module
	add(Dense, []string{"gap", "wf"}, "y")  // head
	got := cutByStructure(t, g, roles)
	want := []string{"stem:x>s", "block2:s>r", "block3:r>l", "block4:l>gap", "dense5:gap>y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	if _, err := StructuralKeys(g, roles[:3]); err == nil {
		t.Error("roles of the wrong length: no error")
	}
}
