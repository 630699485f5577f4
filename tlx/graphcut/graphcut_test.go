package graphcut

import (
	"reflect"
	"strings"
	"testing"
)

func node(key string, in []string, out ...string) Node {
	return Node{Key: key, Inputs: in, Outputs: out}
}

func names(groups []Group) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.Name+":"+g.Input+">"+g.Output)
	}
	return out
}

// A ResNet-like graph: stem, a residual block whose skip connection crosses
// the conv1/conv2 boundary, a head. The block's sub-layers must merge into
// one group named by their common prefix; an unused branch is dropped.
func TestCutMergesResidualBlocks(t *testing.T) {
	g := Graph{
		Input:  "x",
		Output: "logits",
		Free:   map[string]bool{"w0": true, "w1": true, "w2": true, "wf": true},
		Nodes: []Node{
			node("stem", []string{"x", "w0"}, "a"),
			node("block1_conv1", []string{"a", "w1"}, "b"),
			node("block1_conv2", []string{"b", "w2"}, "c"),
			node("block1_add", []string{"a", "c"}, "d"),
			node("unused", []string{"d"}, "z"),
			node("", []string{"d"}, "flat"), // keyless: joins the block
			node("fc", []string{"flat", "wf"}, "logits"),
		},
	}
	groups, err := Cut(g)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"stem:x>a", "block1:a>flat", "fc:flat>logits"}
	if got := names(groups); !reflect.DeepEqual(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	if !reflect.DeepEqual(groups[1].Nodes, []int{1, 2, 3, 5}) {
		t.Errorf("block nodes %v, want [1 2 3 5] (node 4 does not reach the output)", groups[1].Nodes)
	}
}

// A key used again later and a weight shared by two layers both force one
// group over the span between them.
func TestCutRepeatedKeysAndTiedWeights(t *testing.T) {
	g := Graph{
		Input: "x", Output: "y",
		Free: map[string]bool{"w": true},
		Tied: map[string]bool{"w": true},
		Nodes: []Node{
			node("enc", []string{"x", "w"}, "a"),
			node("mid", []string{"a"}, "b"),
			node("dec", []string{"b", "w"}, "c"),
			node("out", []string{"c"}, "d"),
			node("act", []string{"d"}, "e"),
			node("out", []string{"e"}, "y"),
		},
	}
	groups, err := Cut(g)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"enc..dec:x>c", "out..act:c>y"}
	if got := names(groups); !reflect.DeepEqual(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
}

func TestCutErrors(t *testing.T) {
	_, err := Cut(Graph{Input: "x", Output: "y", Nodes: []Node{node("a", []string{"x"}, "z")}})
	if err == nil || !strings.Contains(err.Error(), `"y"`) {
		t.Errorf("missing output: got %v", err)
	}
	_, err = Cut(Graph{Input: "x", Output: "y", Nodes: []Node{node("a", []string{"x", "ghost"}, "y")}})
	if err == nil || !strings.Contains(err.Error(), `"ghost"`) {
		t.Errorf("dangling input: got %v", err)
	}
}
