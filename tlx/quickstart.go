package tlx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
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

// SpiralsDataset is Spirals as a data.Dataset of 2-value examples, classes
// "spiral 0" and "spiral 1".
func SpiralsDataset(n int, noise float64, seed uint64) *data.Dataset {
	xs, ys := Spirals(n, noise, seed)
	flat := make([]float32, 0, 2*n)
	for _, p := range xs {
		flat = append(flat, p[0], p[1])
	}
	return &data.Dataset{Name: fmt.Sprintf("spirals(n=%d, noise=%g, seed=%d)", n, noise, seed), X: flat, Shape: []int{2},
		Y: ys, Classes: []string{"spiral 0", "spiral 1"}}
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

// History is QuickStart's view of its training's fit.History: the mean
// training loss of each epoch and the accuracy on the training points
// after each epoch.
type History struct {
	Loss     []float64 // mean training loss of each epoch
	Accuracy []float64 // accuracy on the training points after each epoch
	// Fit is the whole record (validation on the training points).
	Fit *fit.History
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

// QuickStartModel is QuickStart's network: two tanh layers of hidden units
// (groups dense0, dense1) and a two-class head, for 2-D points.
func QuickStartModel(hidden int, seed uint64) *net.Model {
	m := net.New("quickstart-mlp", 2)
	m.Seed = int64(seed)
	for _, name := range []string{"dense0", "dense1"} {
		m.Add(name, func(c *nn.Ctx, x *graph.Node) *graph.Node { return graph.Tanh(nn.Dense(c, x, hidden)) })
	}
	return m.Add(net.HeadName, net.Classifier(2))
}

// QuickStart trains a two-hidden-layer MLP to separate Spirals with Adam on
// the process's Backend, through fit.Fit like every other training in tlx:
// small enough to run in a second, used by the welcome notebook to check an
// installation.
func QuickStart(cfg QuickStartConfig) (h History, err error) {
	cfg = cfg.withDefaults()
	if cfg.Points < cfg.BatchSize {
		return h, fmt.Errorf("QuickStartConfig.Points=%d: want at least BatchSize=%d points", cfg.Points, cfg.BatchSize)
	}
	points := SpiralsDataset(cfg.Points, 0.02, cfg.Seed)
	m := QuickStartModel(cfg.Hidden, cfg.Seed)
	fh, err := fit.Fit(m, points, fit.Config{Epochs: cfg.Epochs, BatchSize: cfg.BatchSize, LR: cfg.LearningRate,
		Optimizer: fit.Adam(), Seed: cfg.Seed, Val: points, FeatureCache: fit.CacheOff, Stage: "quickstart"})
	if err != nil {
		return h, fmt.Errorf("QuickStart: %w", err)
	}
	h.Fit = fh
	if h.Loss, err = fh.Series(fit.MetricTrainLoss); err != nil {
		return h, err
	}
	h.Accuracy, err = fh.Series(fit.MetricValAccuracy)
	return h, err
}
