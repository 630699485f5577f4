package fit

import (
	"fmt"
	"os"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// OptimizerKind is an update rule: Adam (the zero value), AdamW or SGD.
type OptimizerKind int

const (
	KindAdam  OptimizerKind = iota // Adam, weight decay added to the gradient (L2)
	KindAdamW                      // Adam with decoupled weight decay
	KindSGD                        // stochastic gradient descent, optionally with momentum
)

var optimizerNames = [...]string{KindAdam: "adam", KindAdamW: "adamw", KindSGD: "sgd"}

// String is "adam", "adamw" or "sgd" (what plans print and run keys record).
func (k OptimizerKind) String() string {
	if k >= 0 && int(k) < len(optimizerNames) {
		return optimizerNames[k]
	}
	return fmt.Sprintf("OptimizerKind(%d)", int(k))
}

// Optimizer configures the update rule. The zero value is Adam with
// PyTorch's defaults; Adam(), AdamW(wd) and SGD(m) build the usual ones.
type Optimizer struct {
	Kind        OptimizerKind // KindAdam (default), KindAdamW or KindSGD
	Beta1       float64       // Adam; default 0.9
	Beta2       float64       // Adam; default 0.999
	Epsilon     float64       // Adam; default 1e-8
	Momentum    float64       // SGD; default 0
	WeightDecay float64       // L2 for adam and sgd (added to the gradient), decoupled for adamw
}

// Adam is Adam with PyTorch's defaults.
func Adam() Optimizer { return Optimizer{Kind: KindAdam} }

// AdamW is Adam with decoupled weight decay.
func AdamW(weightDecay float64) Optimizer {
	return Optimizer{Kind: KindAdamW, WeightDecay: weightDecay}
}

// SGD is stochastic gradient descent with the given momentum (0: none).
func SGD(momentum float64) Optimizer { return Optimizer{Kind: KindSGD, Momentum: momentum} }

func (o Optimizer) withDefaults() (Optimizer, error) {
	switch o.Kind {
	case KindAdam, KindAdamW, KindSGD:
	default:
		return o, fmt.Errorf("fit.Optimizer: Kind %v: want KindAdam, KindAdamW or KindSGD", o.Kind)
	}
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.999
	}
	if o.Epsilon == 0 {
		o.Epsilon = 1e-8
	}
	return o, nil
}

// stateScope is where the optimizer keeps its state in the model's store.
const stateScope = "/tlx_optimizer"

// updater applies one optimizer step inside a training graph. Each
// variable's update is multiplied by its learning-rate multiplier: under
// Adam that is the only correct place, because Adam divides the gradient by
// its own running scale, so scaling the gradient would change nothing.
type updater struct {
	opt    Optimizer
	lrMult func(varPath string) float64
}

// lrVariable holds the learning rate of the current step, set from the host
// before each step (the schedule runs there).
func lrVariable(store *model.Store) *model.Variable {
	return store.VariableWithShape(stateScope+"/lr", shapes.Make(dtypes.Float32), initializer.Zero).SetTrainable(false)
}

// setLR stores the next step's learning rate.
func setLR(store *model.Store, lr float64) error {
	return lrVariable(store).SetValue(tensors.FromScalar(float32(lr)))
}

// update builds the optimizer step for the trainable variables of scope
// used in loss's graph.
func (u *updater) update(scope *model.Scope, loss *graph.Node) {
	g := loss.Graph()
	store := scope.Store()
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	lr := lrVariable(store).NodeValue(g)
	stepVar := store.VariableWithShape(stateScope+"/step", shapes.Make(dtypes.Float32), initializer.Zero).SetTrainable(false)
	step := graph.OnePlus(stepVar.NodeValue(g))
	stepVar.SetNodeValue(step)
	o := u.opt
	i := 0
	for v := range scope.IterVariables() {
		if !v.Trainable || !v.InUseByGraph(g) {
			continue
		}
		grad, w := grads[i], v.NodeValue(g)
		i++
		rate := graph.MulScalar(lr, u.lrMult(v.Path()))
		state := func(name string) *model.Variable {
			return store.VariableWithShape(stateScope+v.Path()+"/"+name, v.Shape(), initializer.Zero).SetTrainable(false)
		}
		if o.WeightDecay != 0 && o.Kind != KindAdamW {
			grad = graph.Add(grad, graph.MulScalar(w, o.WeightDecay))
		}
		var delta *graph.Node
		switch o.Kind {
		case KindSGD:
			delta = grad
			if o.Momentum != 0 {
				buf := state("momentum")
				delta = graph.Add(graph.MulScalar(buf.NodeValue(g), o.Momentum), grad)
				buf.SetNodeValue(delta)
			}
		default:
			m1, m2 := state("m1"), state("m2")
			m := graph.Add(graph.MulScalar(m1.NodeValue(g), o.Beta1), graph.MulScalar(grad, 1-o.Beta1))
			s := graph.Add(graph.MulScalar(m2.NodeValue(g), o.Beta2), graph.MulScalar(graph.Square(grad), 1-o.Beta2))
			m1.SetNodeValue(m)
			m2.SetNodeValue(s)
			b1 := graph.OneMinus(graph.Pow(graph.Scalar(g, dtypes.Float32, o.Beta1), step))
			b2 := graph.OneMinus(graph.Pow(graph.Scalar(g, dtypes.Float32, o.Beta2), step))
			mHat, sHat := graph.Div(m, b1), graph.Div(s, b2)
			delta = graph.Div(mHat, graph.AddScalar(graph.Sqrt(sHat), o.Epsilon))
			if o.Kind == KindAdamW && o.WeightDecay != 0 {
				delta = graph.Add(delta, graph.MulScalar(w, o.WeightDecay))
			}
		}
		v.SetNodeValue(graph.Sub(w, graph.Mul(rate, delta)))
	}
	if i != len(grads) {
		panic(fmt.Errorf("optimizer: %d gradients for %d trainable variables", len(grads), i))
	}
}

// resetState deletes the optimizer's moments and step count (each Fit
// starts a fresh optimizer, as a new fastai fit does).
func resetState(store *model.Store) error {
	return store.Scope(stateScope).DeleteVariablesInScope()
}

// SaveOptimizerState writes the optimizer's moments and step count to a
// safetensors file (nothing when the model has not been trained).
func SaveOptimizerState(m *net.Model, path string) error {
	out := map[string]safetensors.Tensor{}
	for v := range m.Store.Scope(stateScope).IterVariables() {
		t, err := v.Value()
		if err != nil || t.DType() != dtypes.Float32 {
			continue
		}
		out[v.Path()] = safetensors.FromFloat32s(tensors.MustCopyFlatData[float32](t), t.Shape().Dimensions...)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := safetensors.Write(f, out, map[string]string{"format": "tlx-optimizer"}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
