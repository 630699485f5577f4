// Package nn holds the layers tlx's models are built from: convolution as
// im2col + matrix multiplication, pooling by reshape, BatchNorm with an
// explicit mode, dense layers. They are written for speed on GoMLX's
// pure-Go backend (where the generic convolution and window-reduction ops
// are 2–15x slower) and give the same results as the built-in ops, with
// gradients checked against finite differences in the tests.
//
// A layer takes a *Ctx and a node, and creates its variables under the
// context's scope:
//
//	x = nn.Conv2D(c.In("conv1"), x, 32, 3, 1)
//	x = nn.ReLU(nn.BatchNorm(c.In("bn1"), x))
//	x = nn.MaxPool(x, 2, 2)
package nn

import (
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Ctx is what a layer needs while a graph is built: where its variables
// live and which mode it runs in.
type Ctx struct {
	Scope *model.Scope
	// Training is true while building a training step: dropout and random
	// augmentation are active.
	Training bool
	// BatchStats makes BatchNorm normalise with the batch's own statistics
	// and update its moving averages. When false, BatchNorm uses the stored
	// averages and changes nothing: inference mode, which is also how a
	// frozen group runs by default.
	BatchStats bool
}

// In returns the context for the sub-scope name (created or reused).
func (c *Ctx) In(name string) *Ctx {
	c2 := *c
	c2.Scope = c.Scope.At("%s", name)
	return &c2
}

// heScope returns c's scope with He-normal initialisation, the right
// default for ReLU networks.
func (c *Ctx) heScope() *model.Scope {
	return c.Scope.WithInitializer(initializer.HeFn(c.Scope))
}
