package fit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// LRFinding is the result of LRFind.
type LRFinding struct {
	LRs, Losses []float64 // smoothed loss at each tried learning rate
	Suggested   float64   // where the loss falls fastest
	Minimum     float64   // the learning rate of the lowest loss, divided by 10
}

// LRFind trains on mini-batches while the learning rate grows
// exponentially from start to end (at most steps steps), recording the
// smoothed loss, stops when the loss explodes, and restores the weights it
// started from. The suggestion is the rate where the loss falls fastest
// (fastai's "steep"); Minimum is the rate of the lowest loss over ten.
func LRFind(m *net.Model, train *data.Dataset, start, end float64, steps int, cfg Config) (*LRFinding, error) {
	if start <= 0 || end <= start || steps < 5 {
		return nil, fmt.Errorf("LRFind: want 0 < start < end and at least 5 steps, got %g, %g, %d", start, end, steps)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg.Val = nil
	if err := checkData(m, train, "training"); err != nil {
		return nil, err
	}
	cfg.BatchSize = min(cfg.BatchSize, train.Len())
	m.ApplyTrainable()
	saved, err := m.Values()
	if err != nil {
		return nil, err
	}
	defer func() { _ = m.SetValues(saved) }()
	backend, err := m.Backend()
	if err != nil {
		return nil, err
	}
	r := &runner{m: m, cfg: cfg, backend: backend, h: &History{}}
	if err := r.prepareInputs(train); err != nil {
		return nil, err
	}
	if err := resetState(m.Store); err != nil {
		return nil, err
	}
	if err := r.build(); err != nil {
		return nil, err
	}
	defer r.trainStep.Finalize()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1f))
	f := &LRFinding{}
	var smooth, best float64 = 0, math.Inf(1)
	order := rng.Perm(r.train.Len())
	pos := 0
	for s := range steps {
		lr := start * math.Pow(end/start, float64(s)/float64(steps-1))
		if pos+cfg.BatchSize > len(order) {
			order, pos = rng.Perm(r.train.Len()), 0
		}
		idx := order[pos : pos+cfg.BatchSize]
		pos += cfg.BatchSize
		if err := setLR(m.Store, lr); err != nil {
			return nil, err
		}
		args, err := r.stepInputs(idx, rng)
		if err != nil {
			return nil, fmt.Errorf("LRFind step %d: %w", s+1, err)
		}
		var outs []*tensors.Tensor
		if err := exceptions.TryCatch[error](func() { outs = r.trainStep.MustCall(args...) }); err != nil {
			return nil, fmt.Errorf("LRFind step %d: %w", s+1, err)
		}
		l := scalar(outs[0])
		if math.IsNaN(l) || math.IsInf(l, 0) {
			break
		}
		const beta = 0.98
		smooth = beta*smooth + (1-beta)*l
		debiased := smooth / (1 - math.Pow(beta, float64(s+1)))
		f.LRs = append(f.LRs, lr)
		f.Losses = append(f.Losses, debiased)
		best = math.Min(best, debiased)
		if s > 5 && debiased > 4*best {
			break
		}
	}
	if len(f.Losses) < 3 {
		return f, fmt.Errorf("LRFind: the loss diverged within %d steps: lower start (%g)", len(f.Losses), start)
	}
	// The steepest fall of the smoothed loss against log(lr), searched
	// between the first tenth of the points (still noisy, and biased by the
	// smoothing's start) and the minimum, over a window of a twentieth.
	n := len(f.Losses)
	minAt := 0
	for i, l := range f.Losses {
		if l < f.Losses[minAt] {
			minAt = i
		}
	}
	k := max(1, n/20)
	steepest, bestSlope := minAt, math.Inf(1)
	for i := max(n/10, k); i+k < n && i <= minAt; i++ {
		slope := (f.Losses[i+k] - f.Losses[i-k]) / (math.Log(f.LRs[i+k]) - math.Log(f.LRs[i-k]))
		if slope < bestSlope {
			steepest, bestSlope = i, slope
		}
	}
	f.Suggested, f.Minimum = f.LRs[steepest], f.LRs[minAt]/10
	return f, nil
}
