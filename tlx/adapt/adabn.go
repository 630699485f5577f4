package adapt

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// AdaBNUpdates is how many batch updates AdaBN makes: with BatchNorm's
// momentum of 0.9 (nn.BatchNormMomentum), the source statistics keep
// 0.9^80 < 0.03% weight.
const AdaBNUpdates = 80

// AdaBN (Li et al., "Revisiting batch normalization for practical domain
// adaptation") re-estimates every BatchNorm layer's moving mean and
// variance on the unlabelled target data, leaving all weights unchanged:
// the network then normalises target activations by target statistics.
// Labels in target are not used.
func AdaBN(m *net.Model, target *data.Dataset, batchSize int, seed uint64) error {
	if batchSize <= 0 {
		batchSize = 64
	}
	if err := target.Check(); err != nil {
		return fmt.Errorf("AdaBN: %w", err)
	}
	batchSize = min(batchSize, target.Len())
	backend, err := m.Backend()
	if err != nil {
		return err
	}
	if _, err := m.Init(); err != nil {
		return err
	}
	saved := make([]net.BNMode, len(m.Groups))
	for i, g := range m.Groups {
		saved[i], g.BN = g.BN, net.BNTrain
	}
	defer func() {
		for i, g := range m.Groups {
			g.BN = saved[i]
		}
	}()
	exec, err := model.NewExec(backend, m.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		m.Store.SetTraining(x.Graph(), true)
		// Training mode only for BatchNorm's statistics: no weight changes,
		// no dropout (tlx's architectures have none in their groups).
		return graph.ReduceAllSum(m.Forward(scope, x, true, ""))
	})
	if err != nil {
		return fmt.Errorf("AdaBN: %w", err)
	}
	defer exec.Finalize()
	rng := rand.New(rand.NewPCG(seed, 0xada))
	order := rng.Perm(target.Len())
	pos := 0
	size := target.Size()
	for range AdaBNUpdates {
		if pos+batchSize > len(order) {
			order, pos = rng.Perm(target.Len()), 0
		}
		flat := make([]float32, 0, batchSize*size)
		for _, i := range order[pos : pos+batchSize] {
			flat = append(flat, target.Example(i)...)
		}
		pos += batchSize
		x := tensors.FromFlatDataAndDimensions(flat, append([]int{batchSize}, target.Shape...)...)
		if err := exceptions.TryCatch[error](func() { exec.MustCall1(x) }); err != nil {
			return fmt.Errorf("AdaBN: %w", err)
		}
	}
	return nil
}
