// Package graphcut splits an imported computation graph (ONNX nodes, Keras
// layers) into the ordered, single-input single-output layer groups a
// tlx model is made of.
//
// Each node carries a key, the name of the layer or module it came from
// ("layer1", "conv2_block1_1_conv"). Consecutive nodes with the same key
// form a segment; a segment boundary crossed by more than one live tensor
// (a residual connection, a branch) is removed by merging its two sides, as
// are the segments between two uses of one key or of one shared weight.
// What is left is a sequence of groups, each computing one tensor from the
// previous group's tensor: the unit of freezing and learning rates.
package graphcut

import (
	"fmt"
	"slices"
	"strings"
)

// Node is one operation of the graph, in topological order.
type Node struct {
	Key     string   // layer or module it belongs to ("" joins its neighbour)
	Inputs  []string // tensors it reads (weights and constants included)
	Outputs []string // tensors it writes
}

// Graph is what Cut splits.
type Graph struct {
	Nodes  []Node
	Input  string          // the graph's (single) input tensor
	Output string          // the tensor the last group must compute
	Free   map[string]bool // tensors available everywhere: weights, constants
	// Tied lists tensors (shared weights) whose readers must share a group.
	Tied map[string]bool
}

// Group is one segment of the cut.
type Group struct {
	Name   string // derived from its nodes' keys
	Nodes  []int  // indices into Graph.Nodes, in order
	Input  string // the one tensor it reads from the previous group (or the graph input)
	Output string // the one tensor it hands to the next group
}

// Cut splits g into groups. Nodes that do not contribute to g.Output are
// dropped. It fails when g.Output is not computed or when a node reads a
// tensor nobody writes.
func Cut(g Graph) ([]Group, error) {
	needed, err := contributing(g)
	if err != nil {
		return nil, err
	}
	if len(needed) == 0 {
		return nil, fmt.Errorf("graph: output %q is the input itself; nothing to compute", g.Output)
	}
	segs := initialSegments(g, needed)
	for {
		var a, b, c bool
		segs, a = mergeRepeatedKeys(g, segs)
		segs, b = mergeTied(g, segs)
		segs, c = mergeMultiTensorBoundaries(g, segs)
		if !a && !b && !c {
			break
		}
	}
	groups := make([]Group, len(segs))
	in := g.Input
	for i, s := range segs {
		out := g.Output
		if i+1 < len(segs) {
			out = boundaryTensors(g, segs, i)[0]
		}
		groups[i] = Group{Name: segmentName(g, s), Nodes: s, Input: in, Output: out}
		in = out
	}
	uniqueNames(groups)
	return groups, nil
}

// contributing returns, in order, the nodes g.Output depends on.
func contributing(g Graph) ([]int, error) {
	writer := map[string]int{}
	for i, n := range g.Nodes {
		for _, o := range n.Outputs {
			writer[o] = i
		}
	}
	if _, ok := writer[g.Output]; !ok && g.Output != g.Input {
		return nil, fmt.Errorf("graph: no node computes the output %q", g.Output)
	}
	want := map[int]bool{}
	stack := []string{g.Output}
	seen := map[string]bool{}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[t] || t == "" || t == g.Input || g.Free[t] {
			continue
		}
		seen[t] = true
		i, ok := writer[t]
		if !ok {
			return nil, fmt.Errorf("graph: tensor %q is read but neither computed, an input nor a weight", t)
		}
		want[i] = true
		stack = append(stack, g.Nodes[i].Inputs...)
	}
	var out []int
	for i := range g.Nodes {
		if want[i] {
			out = append(out, i)
		}
	}
	return out, nil
}

// initialSegments groups consecutive nodes by key; keyless nodes join the
// segment before them (the first segment when they lead).
func initialSegments(g Graph, nodes []int) [][]int {
	var segs [][]int
	key := ""
	for _, i := range nodes {
		k := g.Nodes[i].Key
		switch {
		case len(segs) == 0:
			segs = append(segs, []int{i})
			key = k
		case k == "" || k == key:
			segs[len(segs)-1] = append(segs[len(segs)-1], i)
		case key == "":
			segs[len(segs)-1] = append(segs[len(segs)-1], i)
			key = k
		default:
			segs = append(segs, []int{i})
			key = k
		}
	}
	return segs
}

// mergeRange joins segments a..b (inclusive) into one.
func mergeRange(segs [][]int, a, b int) [][]int {
	joined := slices.Concat(segs[a : b+1]...)
	out := slices.Clone(segs[:a])
	out = append(out, joined)
	return append(out, segs[b+1:]...)
}

// mergeRepeatedKeys merges everything between two segments of one key.
func mergeRepeatedKeys(g Graph, segs [][]int) ([][]int, bool) {
	first := map[string]int{}
	for i, s := range segs {
		for _, n := range s {
			k := g.Nodes[n].Key
			if k == "" {
				continue
			}
			if f, ok := first[k]; ok && f < i {
				return mergeRange(segs, f, i), true
			} else if !ok {
				first[k] = i
			}
		}
	}
	return segs, false
}

// mergeTied merges the segments between two readers of one tied tensor.
func mergeTied(g Graph, segs [][]int) ([][]int, bool) {
	first := map[string]int{}
	for i, s := range segs {
		for _, n := range s {
			for _, t := range g.Nodes[n].Inputs {
				if !g.Tied[t] {
					continue
				}
				if f, ok := first[t]; ok && f < i {
					return mergeRange(segs, f, i), true
				} else if !ok {
					first[t] = i
				}
			}
		}
	}
	return segs, false
}

// boundaryTensors lists the tensors written by segments 0..i (or the graph
// input) and read by segments after i.
func boundaryTensors(g Graph, segs [][]int, i int) []string {
	written := map[string]bool{g.Input: true}
	for _, s := range segs[:i+1] {
		for _, n := range s {
			for _, o := range g.Nodes[n].Outputs {
				written[o] = true
			}
		}
	}
	var live []string
	for _, s := range segs[i+1:] {
		for _, n := range s {
			for _, t := range g.Nodes[n].Inputs {
				if written[t] && !g.Free[t] && !slices.Contains(live, t) {
					live = append(live, t)
				}
			}
		}
	}
	return live
}

// mergeMultiTensorBoundaries merges across the first boundary that more
// (or fewer) than one tensor crosses.
func mergeMultiTensorBoundaries(g Graph, segs [][]int) ([][]int, bool) {
	for i := 0; i+1 < len(segs); i++ {
		if len(boundaryTensors(g, segs, i)) != 1 {
			return mergeRange(segs, i, i+1), true
		}
	}
	return segs, false
}

// segmentName is the segment's key, or the longest common prefix of its
// keys (cut at a separator), or "first..last".
func segmentName(g Graph, seg []int) string {
	var keys []string
	for _, n := range seg {
		if k := g.Nodes[n].Key; k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	switch len(keys) {
	case 0:
		return "block"
	case 1:
		return keys[0]
	}
	prefix := keys[0]
	for _, k := range keys[1:] {
		for !strings.HasPrefix(k, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if i := strings.LastIndexAny(prefix, "_./-"); i > 0 {
		return prefix[:i]
	}
	return keys[0] + ".." + keys[len(keys)-1]
}

// uniqueNames appends "_2", "_3"... to repeated group names.
func uniqueNames(groups []Group) {
	count := map[string]int{}
	for i := range groups {
		n := groups[i].Name
		count[n]++
		if count[n] > 1 {
			groups[i].Name = fmt.Sprintf("%s_%d", n, count[n])
		}
	}
}
