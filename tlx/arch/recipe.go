package arch

import (
	"encoding/json"
	"fmt"

	"github.com/tlx-go/tlx/tlx/net"
)

// The recipes of tlx's architectures: each builder records the arguments
// it was called with (net.Model.Recipe), so that net.Rebuild makes the
// same network in another process.

type mlpArgs struct {
	Name    string `json:"name"`
	Hidden  []int  `json:"hidden"`
	Classes int    `json:"classes"`
	Input   []int  `json:"input_shape"`
}

type cnnArgs struct {
	Name      string `json:"name"`
	Classes   int    `json:"classes"`
	BatchNorm bool   `json:"batch_norm"`
	Input     []int  `json:"input_shape"`
}

type resnetArgs struct {
	Config ResNetConfig `json:"config"`
	Input  []int        `json:"input_shape"`
}

type mobileNetArgs struct {
	Config MobileNetV2Config `json:"config"`
	Input  []int             `json:"input_shape"`
}

type vggArgs struct {
	Config VGGConfig `json:"config"`
	Input  []int     `json:"input_shape"`
}

type vitArgs struct {
	Config ViTConfig `json:"config"`
	Input  []int     `json:"input_shape"`
}

type convNeXtArgs struct {
	Config ConvNeXtConfig `json:"config"`
	Input  []int          `json:"input_shape"`
}

type efficientNetArgs struct {
	Config EfficientNetConfig `json:"config"`
	Input  []int              `json:"input_shape"`
}

// recorded sets m's recipe to builder called with args and returns m.
func recorded(m *net.Model, builder string, args any) *net.Model {
	m.Recipe = net.NewRecipe(builder, args)
	return m
}

// register adds a builder that decodes its arguments into A.
func register[A any](name string, build func(A) *net.Model) {
	net.RegisterBuilder(name, func(js json.RawMessage) (m *net.Model, err error) {
		var a A
		if err := json.Unmarshal(js, &a); err != nil {
			return nil, fmt.Errorf("%s arguments: %w", name, err)
		}
		defer func() { // the builders panic on impossible configurations
			if r := recover(); r != nil {
				m, err = nil, fmt.Errorf("%s: %v", name, r)
			}
		}()
		return build(a), nil
	})
}

func init() {
	register("arch.MLP", func(a mlpArgs) *net.Model { return MLP(a.Name, a.Hidden, a.Classes, a.Input...) })
	register("arch.CNN", func(a cnnArgs) *net.Model { return CNN(a.Name, a.Classes, a.BatchNorm, a.Input...) })
	register("arch.ResNet", func(a resnetArgs) *net.Model { return ResNet(a.Config, a.Input...) })
	register("arch.MobileNetV2", func(a mobileNetArgs) *net.Model { return MobileNetV2(a.Config, a.Input...) })
	register("arch.VGG", func(a vggArgs) *net.Model { return VGG(a.Config, a.Input...) })
	register("arch.ViT", func(a vitArgs) *net.Model { return ViT(a.Config, a.Input...) })
	register("arch.EfficientNetB0", func(a efficientNetArgs) *net.Model { return EfficientNetB0(a.Config, a.Input...) })
	register("arch.ConvNeXt", func(a convNeXtArgs) *net.Model { return ConvNeXt(a.Config, a.Input...) })
}
