// Package arch builds tlx's built-in architectures as net.Models whose
// groups are the natural units of transfer learning:
//
//	m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 16, Classes: 10}, 32, 32, 3)
//	// groups: stem, layer1, layer2, layer3, layer4, head
//
// MLP, CNN (the small conv32-pool-conv64-pool-dense128 network), ResNet
// (18/34 basic and 50/101/152 bottleneck layouts, any width and input
// size), MobileNetV2 (any width), EfficientNet-B0, VGG (11/13/16/19, with or without
// BatchNorm), ConvNeXt (the zero config is ConvNeXt-Tiny) and ViT (vision
// transformers; ViTTiny is ViT-Tiny/DeiT-Tiny).
//
// # Pretrained weights from PyTorch
//
// LoadSafetensors (what tlx.Load does with a .safetensors file or an hf:
// reference) recognises a torchvision or timm state_dict by its parameter
// names (see Recognised), builds the architecture and fills it, converting
// PyTorch's layouts (OIHW kernels, [out, in] Linear weights) to tlx's:
//
//	m, err := tlx.Load("hf:timm/resnet50.a1_in1k")        // ResNet-50: stem, layer1..layer4, head
//	m, err := tlx.Load("hf:timm/vgg16.tv_in1k")           // VGG-16: block1..block5, classifier, head
//	m, err := tlx.Load("hf:timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k") // ViT-Tiny: patch_embed, block0..block11, norm, head
//	m, err := tlx.Load("hf:timm/deit_tiny_patch16_224.fb_in1k")            // DeiT-Tiny: the same ViT
//	m, err := tlx.Load("hf:timm/convnext_tiny.fb_in1k")   // ConvNeXt-Tiny: stem, stage1..stage4, norm, head
//	m, err := tlx.Load("hf:timm/efficientnet_b0.ra_in1k") // EfficientNet-B0: stem, block1..block7, final, head
//	m, err := tlx.Load("hf:timm/mobilenetv2_100.ra_in1k") // MobileNetV2: stem, block1..block7, final, head
//
// The hub reference fetches the repository's model.safetensors (and its
// config.json, for timm's mean and std) into the Hugging Face cache once;
// offline (HF_HUB_OFFLINE=1) the cached copy loads. torchvision's own
// files (resnet50-*.pth converted to safetensors with torchvision's names,
// vgg16, vit_b_16, ...) load the same way from a local path. Models keep
// their 1000-class head until ReplaceHead; preprocessing is ImageNet's mean
// and std unless a timm config.json beside the weights says otherwise (the
// augreg ViTs: 0.5 and 0.5). Checked against PyTorch 1.13 / torchvision
// 0.14 models with random weights (logits and one SGD step), not against
// the downloaded weights, which cannot be fetched here.
package arch

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// MLP is a multi-layer perceptron: groups dense1..denseN (ReLU) and head.
// Image inputs are flattened.
func MLP(name string, hidden []int, classes int, inputShape ...int) *net.Model {
	m := net.New(name, inputShape...)
	for i, units := range hidden {
		m.Add(fmt.Sprintf("dense%d", i+1), func(c *nn.Ctx, x *graph.Node) *graph.Node {
			if x.Rank() > 2 {
				x = nn.Flatten(x)
			}
			return nn.ReLU(nn.Dense(c, x, units))
		})
	}
	return recorded(m.Add(net.HeadName, net.Classifier(classes)), "arch.MLP", mlpArgs{name, hidden, classes, inputShape})
}

// CNN is the small image network: block1 (conv 3×3, 32 filters, ReLU,
// max-pool 2), block2 (conv 3×3, 64, ReLU, max-pool 2), dense (flatten,
// 128, ReLU) and head. With batchNorm, each convolution is followed by
// BatchNorm.
func CNN(name string, classes int, batchNorm bool, inputShape ...int) *net.Model {
	block := func(filters int) net.Layer {
		return func(c *nn.Ctx, x *graph.Node) *graph.Node {
			x = nn.Conv2D(c.In("conv"), x, filters, 3, 1)
			if batchNorm {
				x = nn.BatchNorm(c.In("bn"), x)
			} else {
				x = nn.Bias(c.In("conv"), x)
			}
			return nn.MaxPool(nn.ReLU(x), 2, 2)
		}
	}
	return recorded(net.New(name, inputShape...).
		Add("block1", block(32)).
		Add("block2", block(64)).
		Add("dense", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			return nn.ReLU(nn.Dense(c, nn.Flatten(x), 128))
		}).
		Add(net.HeadName, net.Classifier(classes)), "arch.CNN", cnnArgs{name, classes, batchNorm, inputShape})
}

// convBN is convolution, BatchNorm and (optionally) ReLU.
func convBN(c *nn.Ctx, x *graph.Node, filters, k, s int, relu bool) *graph.Node {
	x = nn.BatchNorm(c.In("bn"), nn.Conv2D(c.In("conv"), x, filters, k, s))
	if relu {
		x = nn.ReLU(x)
	}
	return x
}
