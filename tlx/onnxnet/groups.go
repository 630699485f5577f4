package onnxnet

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute-onnx/support/protos"

	"github.com/tlx-go/tlx/tlx/graphcut"
)

// cutNodes lists the graph's computing nodes (Constant nodes are free).
func cutNodes(g *protos.GraphProto) []*protos.NodeProto {
	var out []*protos.NodeProto
	for _, n := range g.Node {
		if n.OpType != "Constant" {
			out = append(out, n)
		}
	}
	return out
}

// cutGraph describes the graph to graphcut: nodes keyed by their scope, or
// by structure (see Options.GroupBy).
func cutGraph(g *protos.GraphProto, input, output, groupBy string) (graphcut.Graph, error) {
	free := map[string]bool{}
	for _, t := range g.Initializer {
		free[t.Name] = true
	}
	for _, n := range g.Node {
		if n.OpType == "Constant" {
			for _, o := range n.Output {
				free[o] = true
			}
		}
	}
	nodes := cutNodes(g)
	keys := scopeKeys(nodes)
	cg := graphcut.Graph{Input: input, Output: output, Free: free}
	for i, n := range nodes {
		cg.Nodes = append(cg.Nodes, graphcut.Node{Key: keys[i], Inputs: nodeReads(n), Outputs: n.Output})
	}
	switch groupBy {
	case GroupByScopes:
		return cg, nil
	case "":
		if !scopeless(nodes, keys) {
			return cg, nil
		}
	case GroupByStructure:
	default:
		return cg, fmt.Errorf("Options.GroupBy %q: want %q, %q or \"\"", groupBy, GroupByScopes, GroupByStructure)
	}
	weights := map[string]bool{}
	for _, t := range g.Initializer {
		weights[t.Name] = true
	}
	roles := make([]graphcut.Role, len(nodes))
	for i, n := range nodes {
		roles[i] = structuralRole(n, weights)
	}
	keys, err := graphcut.StructuralKeys(cg, roles)
	if err != nil {
		return cg, err
	}
	for i := range cg.Nodes {
		cg.Nodes[i].Key = keys[i]
	}
	return cg, nil
}

// scopeless reports node names that cannot cut the graph: fewer than two
// distinct scopes, or TensorFlow's (tf2onnx names every node
// "StatefulPartitionedCall/<model>/<keras layer>/...", one scope per
// Keras layer at best).
func scopeless(nodes []*protos.NodeProto, keys []string) bool {
	distinct := map[string]bool{}
	tf := 0
	for i, n := range nodes {
		if keys[i] != "" {
			distinct[keys[i]] = true
		}
		if strings.HasPrefix(strings.TrimPrefix(n.Name, "/"), "StatefulPartitionedCall") {
			tf++
		}
	}
	return len(distinct) < 2 || 2*tf > len(nodes)
}

// structuralRole classifies a node for graphcut.StructuralKeys.
func structuralRole(n *protos.NodeProto, weights map[string]bool) graphcut.Role {
	readsWeight := slices.ContainsFunc(n.Input, func(in string) bool { return weights[in] })
	switch n.OpType {
	case "Conv", "ConvTranspose":
		if readsWeight {
			return graphcut.Conv
		}
	case "Gemm", "MatMul", "Einsum":
		if readsWeight {
			return graphcut.Dense
		}
	case "MaxPool", "AveragePool", "LpPool":
		for _, a := range n.Attribute {
			if a.Name == "strides" && slices.ContainsFunc(a.Ints, func(s int64) bool { return s > 1 }) {
				return graphcut.Pool
			}
		}
	}
	return graphcut.Other
}

// nodeReads lists every tensor a node reads, including those its
// subgraphs (If, Loop) read from the enclosing graph.
func nodeReads(n *protos.NodeProto) []string {
	reads := slices.Clone(n.Input)
	for _, a := range n.Attribute {
		for _, sub := range append([]*protos.GraphProto{a.G}, a.Graphs...) {
			if sub == nil {
				continue
			}
			for _, sn := range sub.Node {
				reads = append(reads, nodeReads(sn)...)
			}
		}
	}
	return reads
}

// scopeKeys derives each node's layer key from the scopes in its name:
// "/layer1/layer1.0/conv1/Conv" -> "layer1". Scopes common to all nodes
// are skipped, and a scope covering more than half of the nodes is split
// one level deeper. Nodes without scopes get "".
func scopeKeys(nodes []*protos.NodeProto) []string {
	paths := make([][]string, len(nodes))
	for i, n := range nodes {
		parts := strings.Split(strings.Trim(n.Name, "/"), "/")
		if len(parts) > 1 {
			paths[i] = parts[:len(parts)-1]
		}
	}
	depth := make([]int, len(nodes)) // components used so far (1 = first)
	for i := range depth {
		depth[i] = 1
	}
	for range 3 {
		count := map[string]int{}
		children := map[string]map[string]bool{}
		for i, p := range paths {
			if len(p) < depth[i] {
				continue
			}
			k := strings.Join(p[:depth[i]], "/")
			count[k]++
			if len(p) > depth[i] {
				if children[k] == nil {
					children[k] = map[string]bool{}
				}
				children[k][p[depth[i]]] = true
			}
		}
		refined := false
		for i, p := range paths {
			if len(p) <= depth[i] {
				continue
			}
			k := strings.Join(p[:depth[i]], "/")
			if 2*count[k] > len(nodes) && len(children[k]) >= 2 {
				depth[i]++
				refined = true
			}
		}
		if !refined {
			break
		}
	}
	keys := make([]string, len(nodes))
	for i, p := range paths {
		if len(p) >= depth[i] {
			keys[i] = p[depth[i]-1]
		} else if len(p) > 0 {
			keys[i] = p[len(p)-1]
		}
	}
	return keys
}
