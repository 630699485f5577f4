package tfjs

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/graphcut"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// topology is modelTopology: a Keras model config.
type topology struct {
	ClassName string `json:"class_name"`
	Config    struct {
		Name         string          `json:"name"`
		Layers       []layerConfig   `json:"layers"`
		InputLayers  json.RawMessage `json:"input_layers"`
		OutputLayers json.RawMessage `json:"output_layers"`
	} `json:"config"`
	// model.json from Keras 2 wraps the model in model_config.
	ModelConfig *topology `json:"model_config"`
}

// layerConfig is one Keras layer.
type layerConfig struct {
	ClassName     string          `json:"class_name"`
	Name          string          `json:"name"`
	Config        json.RawMessage `json:"config"`
	InboundNodes  json.RawMessage `json:"inbound_nodes"`
	inputs        []string
	batchInputDim []int
}

// Options adjust LoadWith; the zero value loads the model as saved.
type Options struct {
	// InputShape is the per-example input (height, width, channels) when
	// the model.json leaves dimensions free (a fully convolutional model
	// saved with batch_input_shape [null, null, null, 3]) or when a model
	// whose layers do not depend on the size (its backbone, say) should
	// run at another size than it was saved with. The channels must match.
	InputShape []int
}

// Load reads a TF.js layers model (model.json and the shards it lists).
func Load(path string) (*net.Model, error) { return LoadWith(path, Options{}) }

// LoadWith is Load with options.
func LoadWith(path string, o Options) (*net.Model, error) {
	m, err := load(path, o)
	if err != nil {
		return nil, fmt.Errorf("loading TF.js model %s: %w", path, err)
	}
	return m, nil
}

func load(path string, o Options) (m *net.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%v", r)
		}
	}()
	mf, weights, err := readModel(path)
	if err != nil {
		return nil, err
	}
	var top topology
	if err := json.Unmarshal(mf.ModelTopology, &top); err != nil {
		return nil, fmt.Errorf("modelTopology: %w", err)
	}
	if top.ModelConfig != nil {
		top = *top.ModelConfig
	}
	layers, input, output, err := top.graph()
	if err != nil {
		return nil, err
	}
	name := top.Config.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(filepath.Dir(path)), "/")
	}
	return build(name, layers, input, output, weights, o)
}

// graph resolves each layer's inputs (functional or Sequential) and
// returns the layers in order with the input and output layer names.
func (t *topology) graph() ([]layerConfig, string, string, error) {
	layers := t.Config.Layers
	if len(layers) == 0 {
		return nil, "", "", fmt.Errorf("modelTopology has no layers")
	}
	for i := range layers {
		if l := &layers[i]; l.Name == "" {
			var c struct {
				Name string `json:"name"`
			}
			_ = json.Unmarshal(l.Config, &c)
			l.Name = c.Name
			if l.Name == "" {
				l.Name = fmt.Sprintf("layer%d", i)
			}
		}
	}
	if t.ClassName == "Sequential" {
		// A Sequential model's first layer carries the input shape.
		var cfg struct {
			BatchInputShape []*int `json:"batch_input_shape"`
		}
		_ = json.Unmarshal(layers[0].Config, &cfg)
		in := layerConfig{ClassName: "InputLayer", Name: "input"}
		for _, d := range cfg.BatchInputShape {
			if d == nil {
				in.batchInputDim = append(in.batchInputDim, -1)
			} else {
				in.batchInputDim = append(in.batchInputDim, *d)
			}
		}
		if layers[0].ClassName == "InputLayer" {
			in = layers[0]
			layers = layers[1:]
		}
		prev := in.Name
		out := []layerConfig{in}
		for _, l := range layers {
			l.inputs = []string{prev}
			out = append(out, l)
			prev = l.Name
		}
		return out, in.Name, prev, nil
	}
	for i := range layers {
		l := &layers[i]
		ins, err := inboundLayers(l.InboundNodes)
		if err != nil {
			return nil, "", "", fmt.Errorf("layer %s: %w", l.Name, err)
		}
		l.inputs = ins
	}
	inputs, err := endpointNames(t.Config.InputLayers)
	if err != nil || len(inputs) != 1 {
		return nil, "", "", fmt.Errorf("input_layers %s: tlx imports models with one input", string(t.Config.InputLayers))
	}
	outputs, err := endpointNames(t.Config.OutputLayers)
	if err != nil || len(outputs) != 1 {
		return nil, "", "", fmt.Errorf("output_layers %s: tlx imports models with one output", string(t.Config.OutputLayers))
	}
	return layers, inputs[0], outputs[0], nil
}

// inboundLayers reads Keras 2's [[["layer", node, tensor, {}], ...]].
func inboundLayers(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var nodes [][][]json.RawMessage
	if err := json.Unmarshal(raw, &nodes); err != nil {
		return nil, fmt.Errorf("inbound_nodes: %w", err)
	}
	if len(nodes) > 1 {
		return nil, fmt.Errorf("a layer called %d times (shared layers) is not supported", len(nodes))
	}
	var out []string
	for _, node := range nodes {
		for _, in := range node {
			var name string
			if len(in) == 0 || json.Unmarshal(in[0], &name) != nil {
				return nil, fmt.Errorf("inbound_nodes entry %s", in)
			}
			out = append(out, name)
		}
	}
	return out, nil
}

// endpointNames reads input_layers / output_layers: [["name", 0, 0], ...].
func endpointNames(raw json.RawMessage) ([]string, error) {
	var entries [][]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		var name string
		if len(e) == 0 || json.Unmarshal(e[0], &name) != nil {
			return nil, fmt.Errorf("entry %s", e)
		}
		out = append(out, name)
	}
	return out, nil
}

// build makes the model: groups from graphcut, weights as variables.
func build(name string, layers []layerConfig, input, output string, weights map[string]weight, o Options) (*net.Model, error) {
	byName := map[string]*layerConfig{}
	var cg graphcut.Graph
	cg.Input, cg.Output = input, output
	var inputLayer *layerConfig
	for i := range layers {
		l := &layers[i]
		byName[l.Name] = l
		if l.Name == input {
			inputLayer = l
			continue
		}
		cg.Nodes = append(cg.Nodes, graphcut.Node{Key: l.Name, Inputs: l.inputs, Outputs: []string{l.Name}})
	}
	if inputLayer == nil {
		return nil, fmt.Errorf("no input layer %q", input)
	}
	example, err := inputLayer.exampleShape(o.InputShape)
	if err != nil {
		return nil, err
	}
	cut, err := graphcut.Cut(cg)
	if err != nil {
		return nil, err
	}
	if keys := kerasKeys(cut, cg, byName); keys != nil {
		for i := range cg.Nodes {
			if k, ok := keys[cg.Nodes[i].Key]; ok {
				cg.Nodes[i].Key = k
			}
		}
		if cut, err = graphcut.Cut(cg); err != nil {
			return nil, err
		}
	}
	m := net.New(name, example...)
	m.Statistics = map[string]bool{}
	used := map[string]bool{}
	for gi, grp := range cut {
		var members []*layerConfig
		hasDense := false
		for _, ni := range grp.Nodes {
			l := byName[cg.Nodes[ni].Outputs[0]]
			members = append(members, l)
			hasDense = hasDense || l.ClassName == "Dense"
		}
		groupName := grp.Name
		if gi == len(cut)-1 && len(cut) > 1 && hasDense {
			groupName = net.HeadName
		}
		scope := m.Store.RootScope().At("%s", groupName)
		for _, l := range members {
			for wname, w := range weights {
				short, ok := strings.CutPrefix(wname, l.Name+"/")
				if !ok || strings.Contains(short, "/") {
					continue
				}
				v := scope.At("%s", l.Name).VariableWithValue(short, tensors.FromFlatDataAndDimensions(w.values, w.shape...))
				used[wname] = true
				if short == "moving_mean" || short == "moving_variance" {
					m.Statistics[v.Path()] = true
				}
			}
		}
		m.Add(groupName, groupLayer(grp, members))
	}
	for wname := range weights {
		if !used[wname] {
			return nil, fmt.Errorf("weight %q belongs to no layer of the model", wname)
		}
	}
	return m, nil
}

// exampleShape is the input layer's shape without the batch, or want
// when given (it must keep the saved rank and fixed channels, and fill
// every free dimension).
func (l *layerConfig) exampleShape(want []int) ([]int, error) {
	dims := l.batchInputDim
	if dims == nil {
		var cfg struct {
			BatchInputShape []*int `json:"batch_input_shape"`
			BatchShape      []*int `json:"batch_shape"`
		}
		if err := json.Unmarshal(l.Config, &cfg); err != nil {
			return nil, fmt.Errorf("input layer %s: %w", l.Name, err)
		}
		shape := cfg.BatchInputShape
		if shape == nil {
			shape = cfg.BatchShape
		}
		for _, d := range shape {
			if d == nil {
				dims = append(dims, -1)
			} else {
				dims = append(dims, *d)
			}
		}
	}
	if want != nil {
		if len(want) != len(dims)-1 || slices.ContainsFunc(want, func(d int) bool { return d < 1 }) {
			return nil, fmt.Errorf("input layer %s: InputShape %v for an input of shape %v (want %d positive dimensions)", l.Name, want, dims, len(dims)-1)
		}
		if c := dims[len(dims)-1]; len(dims) == 4 && c > 0 && want[2] != c {
			return nil, fmt.Errorf("input layer %s: InputShape %v has %d channels, the model %d", l.Name, want, want[2], c)
		}
		return slices.Clone(want), nil
	}
	if len(dims) < 2 || slices.Contains(dims[1:], -1) {
		return nil, fmt.Errorf("input layer %s: shape %v leaves dimensions free: give them in InputShape (tlx.LoadOptions.InputShape, tfjs.Options.InputShape)", l.Name, dims)
	}
	return slices.Clone(dims[1:]), nil
}

// groupLayer runs a group's Keras layers in order.
func groupLayer(grp graphcut.Group, members []*layerConfig) net.Layer {
	return func(c *nn.Ctx, x *graph.Node) *graph.Node {
		env := map[string]*graph.Node{grp.Input: x}
		for _, l := range members {
			ins := make([]*graph.Node, len(l.inputs))
			for i, in := range l.inputs {
				if ins[i] = env[in]; ins[i] == nil {
					panic(fmt.Errorf("layer %s: input %s is not computed", l.Name, in))
				}
			}
			env[l.Name] = apply(c, l, ins)
		}
		return env[grp.Output]
	}
}

// variable returns a layer's weight as a graph node.
func variable(c *nn.Ctx, l *layerConfig, name string, g *graph.Graph) *graph.Node {
	v := c.Scope.At("%s", l.Name).GetVariable(name)
	if v == nil {
		panic(fmt.Errorf("layer %s (%s): weight %s/%s missing from the shards", l.Name, l.ClassName, l.Name, name))
	}
	return v.NodeValue(g)
}
