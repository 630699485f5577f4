package graphcut

import "fmt"

// Role is what a node does, as far as cutting by structure cares.
type Role int

const (
	// Other is any node without weights of its own that keeps the
	// resolution: activations, normalisations, reshapes, joins.
	Other Role = iota
	// Conv is a convolution with weights.
	Conv
	// Dense is a dense layer (Gemm, MatMul by a weight).
	Dense
	// Pool is a pooling that lowers the resolution (MaxPool, AveragePool;
	// not a global pooling, which ends a feature extractor instead).
	Pool
)

// StructuralKeys gives every node of g a layer key derived from the
// graph's structure alone, for graphs whose node names carry no module
// scopes (TensorFlow- and Paddle-exported ONNX, names stripped). roles
// holds each node's Role (indices as g.Nodes). The keys then cut g with
// Cut into:
//   - one group per region that a residual connection or a branch spans
//     (a residual block, an Inception module, a transformer sub-block):
//     between two points of the graph that a single tensor crosses;
//   - between such regions, runs of plain layers, each closed after a
//     pooling that lowers the resolution, and before the first dense layer
//     that follows convolutions (the classifier);
//   - nodes without weights (activations, pooling, reshapes) join the
//     layer before them.
//
// Groups are named "stem" (the first run of plain layers), "blockN" and
// "denseN". Nodes that do not reach g.Output get "".
func StructuralKeys(g Graph, roles []Role) ([]string, error) {
	if len(roles) != len(g.Nodes) {
		return nil, fmt.Errorf("graph: %d roles for %d nodes", len(roles), len(g.Nodes))
	}
	needed, err := contributing(g)
	if err != nil {
		return nil, err
	}
	units := singleTensorUnits(g, needed)
	units = attachWeightless(units, roles)
	keys := make([]string, len(g.Nodes))
	var run []unit // the plain units of the group being built
	groupNo := 0
	emit := func(us []unit, block bool) {
		if len(us) == 0 {
			return
		}
		groupNo++
		name := fmt.Sprintf("block%d", groupNo)
		switch {
		case !block && groupNo == 1:
			name = "stem"
		case !block && us[0].has(roles, Dense) && !us[0].has(roles, Conv):
			name = fmt.Sprintf("dense%d", groupNo)
		}
		for _, u := range us {
			for _, n := range u.nodes {
				keys[n] = name
			}
		}
	}
	for _, u := range units {
		switch {
		case u.branched:
			emit(run, false)
			run = nil
			emit([]unit{u}, true)
			continue
		case len(run) > 0 && u.has(roles, Dense) && !u.has(roles, Conv) && runHas(run, roles, Conv):
			emit(run, false)
			run = nil
		}
		run = append(run, u)
		if u.has(roles, Pool) {
			emit(run, false)
			run = nil
		}
	}
	emit(run, false)
	return keys, nil
}

// unit is a stretch of the topological order that one tensor enters and
// one leaves; branched when a branch or skip connection runs inside it.
type unit struct {
	nodes    []int
	branched bool
}

func (u unit) has(roles []Role, r Role) bool {
	for _, n := range u.nodes {
		if roles[n] == r {
			return true
		}
	}
	return false
}

func runHas(us []unit, roles []Role, r Role) bool {
	for _, u := range us {
		if u.has(roles, r) {
			return true
		}
	}
	return false
}

// singleTensorUnits splits the needed nodes (in order) at every boundary
// that exactly one computed tensor crosses. A tensor crosses the boundary
// after position i when it is written at or before i (the graph input
// before 0) and read after i.
func singleTensorUnits(g Graph, needed []int) []unit {
	pos := map[string]int{g.Input: -1}
	for p, n := range needed {
		for _, o := range g.Nodes[n].Outputs {
			pos[o] = p
		}
	}
	lastRead := map[string]int{}
	for p, n := range needed {
		for _, t := range g.Nodes[n].Inputs {
			if _, computed := pos[t]; computed && !g.Free[t] {
				lastRead[t] = max(lastRead[t], p)
			}
		}
	}
	// crossing[i]: tensors crossing the boundary after position i.
	delta := make([]int, len(needed)+1)
	for t, r := range lastRead {
		w := pos[t]
		if w < r { // crosses boundaries w .. r-1 (w = -1: the input enters before 0)
			delta[max(w, 0)]++
			delta[r]--
		}
	}
	var units []unit
	cur := unit{}
	crossing := 0
	for p, n := range needed {
		crossing += delta[p]
		cur.nodes = append(cur.nodes, n)
		if p == len(needed)-1 {
			break
		}
		if crossing == 1 {
			units = append(units, cur)
			cur = unit{}
		} else if crossing > 1 {
			cur.branched = true
		}
	}
	return append(units, cur)
}

// attachWeightless merges each unit without a Conv or Dense node into the
// unit before it (leading ones into the first weighted unit), keeping the
// weighted unit's kind: a plain layer followed by a branched reshape (a
// Shape-computed Flatten) stays plain.
func attachWeightless(units []unit, roles []Role) []unit {
	weighted := func(u unit) bool { return u.has(roles, Conv) || u.has(roles, Dense) }
	var out []unit
	var lead []int
	for _, u := range units {
		switch {
		case !weighted(u) && len(out) == 0:
			lead = append(lead, u.nodes...)
		case !weighted(u):
			last := &out[len(out)-1]
			last.nodes = append(last.nodes, u.nodes...)
		default:
			if len(out) == 0 && lead != nil {
				u.nodes = append(lead, u.nodes...)
				lead = nil
			}
			out = append(out, u)
		}
	}
	if lead != nil { // no weighted unit at all
		out = append(out, unit{nodes: lead})
	}
	return out
}
