package tlx

import (
	"fmt"

	"github.com/gomlx/compute"
	"iter"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Spirals returns n points of two interleaved 2-D spirals (x: n×2) and
// their class (0 or 1), with Gaussian noise of the given scale. The same seed
// always gives the same points.
func Spirals(n int, noise float64, seed uint64) (x [][2]float32, y []int32) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	x = make([][2]float32, n)
	y = make([]int32, n)
	for i := range n {
		class := i % 2
		t := 0.25 + 2.75*rng.Float64()
		angle := 2*math.Pi*t*0.5 + math.Pi*float64(class)
		r := t / 3
		x[i] = [2]float32{
			float32(r*math.Cos(angle) + noise*rng.NormFloat64()),
			float32(r*math.Sin(angle) + noise*rng.NormFloat64()),
		}
		y[i] = int32(class)
	}
	return x, y
}

// QuickStartConfig configures QuickStart. Zero fields take the defaults
// given in their comments.
type QuickStartConfig struct {
	Points       int     // spiral points, default 512
	Hidden       int     // hidden units of each of the two layers, default 32
	Epochs       int     // passes over the points, default 30
	BatchSize    int     // default 64
	LearningRate float64 // Adam's learning rate, default 0.02
	Seed         uint64  // seeds data, initial weights and shuffling
}

func (c QuickStartConfig) withDefaults() QuickStartConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Points, 512)
	def(&c.Hidden, 32)
	def(&c.Epochs, 30)
	def(&c.BatchSize, 64)
	if c.LearningRate == 0 {
		c.LearningRate = 0.02
	}
	return c
}

// History is the per-epoch record of a training run.
type History struct {
	Loss     []float64 // mean training loss of each epoch
	Accuracy []float64 // accuracy on the training points after each epoch
}

// String summarises the first and last epochs.
func (h History) String() string {
	if len(h.Loss) == 0 {
		return "History{no epochs}"
	}
	var b strings.Builder
	last := len(h.Loss) - 1
	fmt.Fprintf(&b, "%d epochs: loss %.4f -> %.4f, accuracy %.3f -> %.3f",
		len(h.Loss), h.Loss[0], h.Loss[last], h.Accuracy[0], h.Accuracy[last])
	return b.String()
}

// QuickStart trains a two-hidden-layer MLP to separate Spirals with Adam on
// the process's Backend: a complete GoMLX training loop small enough to run
// in a second, used by the welcome notebook to check an installation.
func QuickStart(cfg QuickStartConfig) (h History, err error) {
	cfg = cfg.withDefaults()
	if cfg.Points < cfg.BatchSize {
		return h, fmt.Errorf("QuickStartConfig.Points=%d: want at least BatchSize=%d points", cfg.Points, cfg.BatchSize)
	}
	backend, err := Backend()
	if err != nil {
		return h, err
	}
	xs, ys := Spirals(cfg.Points, 0.02, cfg.Seed)
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(cfg.Seed))
	mlp := func(scope *model.Scope, x *graph.Node) *graph.Node {
		x = graph.Tanh(layers.DenseWithBias(scope.At("dense0"), x, cfg.Hidden))
		x = graph.Tanh(layers.DenseWithBias(scope.At("dense1"), x, cfg.Hidden))
		return layers.DenseWithBias(scope.At("logits"), x, 2)
	}
	trainer := train.NewTrainer(backend, store, mlp, loss.SparseCategoricalCrossEntropyLogits,
		optimizer.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	shuffle := rand.New(rand.NewPCG(cfg.Seed, 0xba7c4))
	for range cfg.Epochs {
		var sum float64
		var steps int
		for batch, err := range spiralBatches(xs, ys, cfg.BatchSize, shuffle) {
			if err != nil {
				return h, err
			}
			metrics, err := trainer.TrainStep(batch)
			if err != nil {
				return h, fmt.Errorf("training step %d: %w", steps, err)
			}
			sum += tensorScalar(metrics[0])
			steps++
		}
		acc, err := accuracy(backend, store, mlp, xs, ys)
		if err != nil {
			return h, err
		}
		h.Loss = append(h.Loss, sum/float64(steps))
		h.Accuracy = append(h.Accuracy, acc)
	}
	return h, nil
}

// accuracy classifies xs with the current weights. The executable is built
// for this call and freed after it: the Go backend bakes variables into
// inference graphs as constants (PreferConstantsForVariables), so a cached
// one would keep predicting with the weights it was compiled with.
func accuracy(backend compute.Backend, store *model.Store, net func(*model.Scope, *graph.Node) *graph.Node,
	xs [][2]float32, ys []int32) (float64, error) {
	predict, err := model.NewExec(backend, store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return graph.ArgMax(net(scope, x), -1)
	})
	if err != nil {
		return 0, fmt.Errorf("building the prediction graph: %w", err)
	}
	defer predict.Finalize()
	var pred *tensors.Tensor
	if err := exceptions.TryCatch[error](func() { pred = predict.MustCall1(pointsTensor(xs)) }); err != nil {
		return 0, fmt.Errorf("predicting: %w", err)
	}
	correct := 0
	for i, c := range pred.Value().([]int32) {
		if c == ys[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(ys)), nil
}

// spiralBatches yields shuffled full batches (the tail that does not fill a
// batch is dropped, so every step has the same shape and one compiled graph).
func spiralBatches(xs [][2]float32, ys []int32, batchSize int, rng *rand.Rand) iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		order := rng.Perm(len(xs))
		for start := 0; start+batchSize <= len(order); start += batchSize {
			bx := make([][2]float32, batchSize)
			by := make([]int32, batchSize)
			for i, j := range order[start : start+batchSize] {
				bx[i], by[i] = xs[j], ys[j]
			}
			if !yield(train.Batch{Inputs: []*tensors.Tensor{pointsTensor(bx)}, Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(by, len(by), 1)}}, nil) {
				return
			}
		}
	}
}

// pointsTensor packs 2-D points into an n×2 float32 tensor.
func pointsTensor(points [][2]float32) *tensors.Tensor {
	flat := make([]float32, 0, 2*len(points))
	for _, p := range points {
		flat = append(flat, p[0], p[1])
	}
	return tensors.FromFlatDataAndDimensions(flat, len(points), 2)
}

// tensorScalar reads a scalar metric of any float type.
func tensorScalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	default:
		return math.NaN()
	}
}
