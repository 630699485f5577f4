package onnxnet

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/onnx-gomlx/onnx"
	"github.com/gomlx/onnx-gomlx/onnx/parser"
	"google.golang.org/protobuf/proto"

	"github.com/tlx-go/tlx/tlx/onnxnet/onnxops"
)

// converter turns a list of ONNX nodes into GoMLX nodes. Runs of nodes go
// through onnx-gomlx, each as a small ONNX model whose inputs are the
// tensors computed before it, declared with their exact shapes; operators
// onnx-gomlx lacks or gets wrong go through tlx's own conversions
// (package onnxops), which see every input's shape.
type converter struct {
	nodes   []*protos.NodeProto
	outputs []string
	consts  map[string]*protos.NodeProto   // Constant nodes by output
	inits   map[string]*protos.TensorProto // initializer metadata (no data: values live in variables)
	ir      int64
	opset   []*protos.OperatorSetIdProto

	mu    sync.Mutex
	cache map[string]onnx.Model // parsed runs by first node and input shapes
}

// newConverter prepares the conversion of nodes computing outputs, with
// the Constant nodes and initializers of the canonical model mp.
func newConverter(mp *protos.ModelProto, nodes []*protos.NodeProto, outputs []string) *converter {
	c := &converter{nodes: nodes, outputs: outputs, consts: map[string]*protos.NodeProto{},
		inits: map[string]*protos.TensorProto{}, ir: mp.IrVersion, opset: mp.OpsetImport,
		cache: map[string]onnx.Model{}}
	for _, n := range mp.Graph.Node {
		if n.OpType == "Constant" {
			c.consts[n.Output[0]] = n
		}
	}
	for _, t := range mp.Graph.Initializer {
		c.inits[t.Name] = &protos.TensorProto{Name: t.Name, Dims: t.Dims, DataType: t.DataType}
	}
	return c
}

// call converts the nodes given the tensors in env (graph inputs, earlier
// groups' outputs) and returns the outputs. Weights are the variables under
// scope/ONNX.
func (c *converter) call(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node) []*graph.Node {
	env = cloneEnv(env)
	var run []*protos.NodeProto
	for i, n := range c.nodes {
		op := onnxops.Lookup(n)
		if op == nil {
			run = append(run, n)
			continue
		}
		c.runONNX(scope, g, env, run, c.nodes[i:])
		run = nil
		inputs := make([]*graph.Node, len(n.Input))
		for j, name := range n.Input {
			if name != "" {
				inputs[j] = c.value(scope, g, env, name)
			}
		}
		if !op.StaticInputs(inputs) {
			run = append(run, n)
			continue
		}
		outs := op.Convert(&opContext{c: c, scope: scope, g: g, env: env}, n, inputs)
		for j, o := range outs {
			if j < len(n.Output) && n.Output[j] != "" && o != nil {
				env[n.Output[j]] = o
			}
		}
		for j, name := range n.Output {
			if name != "" && env[name] == nil && c.needed(name, c.nodes[i+1:]) {
				panic(fmt.Errorf("%s %q: output %d (%s) is not supported by tlx", n.OpType, n.Name, j, name))
			}
		}
	}
	c.runONNX(scope, g, env, run, nil)
	out := make([]*graph.Node, len(c.outputs))
	for i, name := range c.outputs {
		out[i] = c.value(scope, g, env, name)
	}
	return out
}

func cloneEnv(env map[string]*graph.Node) map[string]*graph.Node {
	out := make(map[string]*graph.Node, len(env))
	for k, v := range env {
		out[k] = v
	}
	return out
}

// needed reports whether tensor name is read by later nodes or is an output.
func (c *converter) needed(name string, later []*protos.NodeProto) bool {
	if slices.Contains(c.outputs, name) {
		return true
	}
	for _, n := range later {
		if slices.Contains(nodeReads(n), name) {
			return true
		}
	}
	return false
}

// value returns tensor name as a graph node: computed, a variable or a constant.
func (c *converter) value(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node, name string) *graph.Node {
	if n := env[name]; n != nil {
		return n
	}
	if _, ok := c.inits[name]; ok {
		v := scope.At(onnx.ModelScope).GetVariable(varName(name))
		if v == nil {
			panic(fmt.Errorf("weight %q has no variable", name))
		}
		env[name] = v.NodeValue(g)
		return env[name]
	}
	if k := c.consts[name]; k != nil {
		t, err := TensorFromProto(constantTensor(k))
		if err != nil {
			panic(fmt.Errorf("constant %q: %w", name, err))
		}
		env[name] = graph.Const(g, t)
		return env[name]
	}
	panic(fmt.Errorf("tensor %q is not computed by any node", name))
}

// constantTensor is a Constant node's value.
func constantTensor(n *protos.NodeProto) *protos.TensorProto {
	for _, a := range n.Attribute {
		if a.Name == "value" && a.T != nil {
			return a.T
		}
	}
	return nil
}

// varName is the variable name onnx-gomlx uses for an initializer.
func varName(init string) string { return strings.ReplaceAll(init, model.ScopeSeparator, "|") }

// runONNX converts a run of nodes with onnx-gomlx, adding the tensors that
// later nodes (or the outputs) read to env.
func (c *converter) runONNX(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node, run, later []*protos.NodeProto) {
	if len(run) == 0 {
		return
	}
	var outputs []string
	for _, n := range run {
		for _, o := range n.Output {
			if o != "" && c.needed(o, later) {
				outputs = append(outputs, o)
			}
		}
	}
	c.runONNXKeyed(scope, g, env, run, run[0], outputs)
}

// runONNXKeyed converts run with onnx-gomlx, computing outputs into env;
// the parsed model is cached under keyNode and the input shapes.
func (c *converter) runONNXKeyed(scope *model.Scope, g *graph.Graph, env map[string]*graph.Node, run []*protos.NodeProto, keyNode *protos.NodeProto, outputs []string) {
	if len(outputs) == 0 {
		return
	}
	written := map[string]bool{}
	var inputs []string
	for _, n := range run {
		for _, r := range nodeReads(n) {
			if r != "" && !written[r] && env[r] != nil && !slices.Contains(inputs, r) {
				inputs = append(inputs, r)
			}
		}
		for _, o := range n.Output {
			written[o] = true
		}
	}
	key := fmt.Sprintf("%p", keyNode)
	for _, in := range inputs {
		key += "|" + env[in].Shape().String()
	}
	c.mu.Lock()
	om := c.cache[key]
	if om == nil {
		var err error
		om, err = c.parseRun(run, inputs, outputs, env)
		if err != nil {
			c.mu.Unlock()
			panic(err)
		}
		c.cache[key] = om
	}
	c.mu.Unlock()
	feed := map[string]*graph.Node{}
	for _, in := range inputs {
		feed[in] = env[in]
	}
	for i, y := range om.CallGraph(scope, g, feed, outputs...) {
		env[outputs[i]] = y
	}
}

// parseRun builds the small ONNX model of a run of nodes.
func (c *converter) parseRun(run []*protos.NodeProto, inputs, outputs []string, env map[string]*graph.Node) (onnx.Model, error) {
	sg := &protos.GraphProto{Name: "run"}
	for _, in := range inputs {
		sg.Input = append(sg.Input, exactValueInfo(in, env[in]))
	}
	for _, out := range outputs {
		sg.Output = append(sg.Output, &protos.ValueInfoProto{Name: out, Type: &protos.TypeProto{
			Value: &protos.TypeProto_TensorType{TensorType: &protos.TypeProto_Tensor{ElemType: int32(protos.TensorProto_FLOAT)}}}})
	}
	seen := map[string]bool{}
	for _, n := range run {
		for _, r := range nodeReads(n) {
			if seen[r] || env[r] != nil {
				continue
			}
			seen[r] = true
			if t := c.inits[r]; t != nil {
				sg.Initializer = append(sg.Initializer, t)
			} else if k := c.consts[r]; k != nil {
				sg.Node = append(sg.Node, k)
			}
		}
	}
	sg.Node = append(sg.Node, run...)
	data, err := proto.Marshal(&protos.ModelProto{IrVersion: c.ir, OpsetImport: c.opset, Graph: sg})
	if err != nil {
		return nil, err
	}
	om, err := parser.Parse(data)
	if err != nil {
		return nil, err
	}
	om.DisableFusion()
	return om, nil
}

// exactValueInfo declares tensor name with node n's dtype and shape.
func exactValueInfo(name string, n *graph.Node) *protos.ValueInfoProto {
	shape := &protos.TensorShapeProto{}
	for _, d := range n.Shape().Dimensions {
		shape.Dim = append(shape.Dim, &protos.TensorShapeProto_Dimension{Value: &protos.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	return &protos.ValueInfoProto{Name: name, Type: &protos.TypeProto{Value: &protos.TypeProto_TensorType{
		TensorType: &protos.TypeProto_Tensor{ElemType: onnxTypeOf(n), Shape: shape}}}}
}

// onnxTypeOf maps a node's dtype back to ONNX's element type.
func onnxTypeOf(n *graph.Node) int32 {
	for k, v := range onnxDType {
		if v == n.DType() {
			return int32(k)
		}
	}
	return int32(protos.TensorProto_FLOAT)
}

// opContext is what an operator's conversion sees of the converter.
type opContext struct {
	c     *converter
	scope *model.Scope
	g     *graph.Graph
	env   map[string]*graph.Node
}

func (o *opContext) Graph() *graph.Graph { return o.g }

func (o *opContext) Opset() int { return o.c.opsetVersion() }

func (o *opContext) ONNX(node, key *protos.NodeProto) []*graph.Node {
	o.c.runONNXKeyed(o.scope, o.g, o.env, []*protos.NodeProto{node}, key, node.Output)
	out := make([]*graph.Node, len(node.Output))
	for i, name := range node.Output {
		out[i] = o.env[name]
	}
	return out
}

// opsetVersion is the model's default-domain opset.
func (c *converter) opsetVersion() int {
	for _, o := range c.opset {
		if o.Domain == "" || o.Domain == "ai.onnx" {
			return int(o.Version)
		}
	}
	return 1
}
