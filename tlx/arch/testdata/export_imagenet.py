"""Exports PyTorch oracles of ImageNet architectures (random weights, seed 0) for tlx's fidelity tests.

    /usr/bin/python3 export_imagenet.py OUT_DIR

For each model NAME (resnet50, resnet_bottleneck, vgg16, efficientnet_b0, convnext_tiny, vit_tiny), with the same helpers as export_torchvision.py:
  OUT_DIR/NAME.safetensors        the state_dict (torchvision names; vit_tiny: timm's names)
  OUT_DIR/NAME_io.safetensors     "input" NHWC, "logits" (eval mode), "labels"
  OUT_DIR/NAME_step.safetensors   the state_dict after one SGD step (lr 0.01, train mode) in float64
  OUT_DIR/NAME_step_eps.safetensors, NAME_step_flips.safetensors   how far float32 may honestly be from it
and the same weights under other names: vgg16_timm.safetensors (timm's vgg16: pre_logits ConvMlp, head.fc),
efficientnet_b0_timm.safetensors (timm's efficientnet_b0 names), convnext_tiny_tv.safetensors (torchvision's names; convnext_tiny.safetensors has timm's),
vit_tiny_tv.safetensors (torchvision's VisionTransformer names).

Sizes are kept small for test time, each for a reason the test repeats:
- resnet50: torchvision's resnet50 at 64x64, batch 2 (the architecture is size-free: global pooling), logits
  only. The SGD step is checked on resnet_bottleneck, torchvision's ResNet of the same Bottleneck blocks with
  one block per stage (each stage's first block, with its downsampling shortcut: the blocks that follow only
  repeat the code): resnet50 has ~230 ReLU inputs and max-pool windows closer to their kink than float32's
  error, and bounding each costs a float64 step (~5 minutes in all on the 2-core machine).
- vgg16: torchvision's vgg16 at 32x32, batch 2, whose classifier is narrowed to 256 hidden units (the
  4096-wide one is 120 M parameters, 480 MB per file, whatever the input; tlx reads the width from the
  file), dropout off for the step (random masks cannot be matched). At 32x32 the last map is 1x1 and
  the adaptive 7x7 pooling repeats it, which exercises tlx's general adaptive pooling (224 needs none).
- efficientnet_b0: torchvision's efficientnet_b0 at 64x64, stochastic depth and dropout off (random in training).
- convnext_tiny: torchvision's convnext_tiny at 64x64 (maps 16, 8, 4, 2), stochastic depth off (random in
  training), layer scales drawn in [0.2, 1] instead of 1e-6 so that every block counts.
- vit_tiny: torchvision's VisionTransformer with ViT-Tiny's configuration (patch 16, width 192, 12 blocks,
  3 heads, MLP 768) at 64x64 (16 patches + the class token; the position embeddings follow the size).
  timm is not installed: its parameter names are produced by timm_vit_name.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torchvision import flip_bounds, sgd_step, step32_kinks  # noqa: E402
from torch_helpers import randomise_bn, save_safetensors  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402


def timm_vit_name(name):
    """torchvision VisionTransformer parameter name -> timm vit_* name."""
    top = {"class_token": "cls_token", "encoder.pos_embedding": "pos_embed", "conv_proj.weight": "patch_embed.proj.weight",
           "conv_proj.bias": "patch_embed.proj.bias", "encoder.ln.weight": "norm.weight", "encoder.ln.bias": "norm.bias",
           "heads.head.weight": "head.weight", "heads.head.bias": "head.bias"}
    if name in top:
        return top[name]
    prefix = "encoder.layers.encoder_layer_"
    assert name.startswith(prefix), name
    i, rest = name[len(prefix):].split(".", 1)
    rest = {"ln_1.weight": "norm1.weight", "ln_1.bias": "norm1.bias", "ln_2.weight": "norm2.weight", "ln_2.bias": "norm2.bias",
            "self_attention.in_proj_weight": "attn.qkv.weight", "self_attention.in_proj_bias": "attn.qkv.bias",
            "self_attention.out_proj.weight": "attn.proj.weight", "self_attention.out_proj.bias": "attn.proj.bias",
            "mlp.0.weight": "mlp.fc1.weight", "mlp.0.bias": "mlp.fc1.bias", "mlp.3.weight": "mlp.fc2.weight",
            "mlp.3.bias": "mlp.fc2.bias", "mlp.linear_1.weight": "mlp.fc1.weight", "mlp.linear_1.bias": "mlp.fc1.bias",
            "mlp.linear_2.weight": "mlp.fc2.weight", "mlp.linear_2.bias": "mlp.fc2.bias"}[rest]
    return f"blocks.{i}.{rest}"


def timm_vgg(state):
    """torchvision vgg16 state_dict -> timm vgg16 names (pre_logits is a ConvMlp: the first Linear as a 7x7
    convolution, the second as 1x1)."""
    out = {}
    for k, v in state.items():
        if k == "classifier.0.weight":
            out["pre_logits.fc1.weight"] = v.reshape(v.shape[0], 512, 7, 7)
        elif k == "classifier.3.weight":
            out["pre_logits.fc2.weight"] = v.reshape(*v.shape, 1, 1)
        else:
            out[{"classifier.0.bias": "pre_logits.fc1.bias", "classifier.3.bias": "pre_logits.fc2.bias",
                 "classifier.6.weight": "head.fc.weight", "classifier.6.bias": "head.fc.bias"}.get(k, k)] = v
    return out


def timm_convnext_name(name):
    """torchvision ConvNeXt parameter name -> timm convnext_* name."""
    top = {"features.0.0.weight": "stem.0.weight", "features.0.0.bias": "stem.0.bias", "features.0.1.weight": "stem.1.weight",
           "features.0.1.bias": "stem.1.bias", "classifier.0.weight": "head.norm.weight", "classifier.0.bias": "head.norm.bias",
           "classifier.2.weight": "head.fc.weight", "classifier.2.bias": "head.fc.bias"}
    if name in top:
        return top[name]
    parts = name.split(".")
    k = int(parts[1])
    if k % 2 == 0:  # downsampling before stage k/2
        return f"stages.{k // 2}.downsample.{parts[2]}.{parts[3]}"
    prefix = f"stages.{(k - 1) // 2}.blocks.{parts[2]}."
    if parts[3] == "layer_scale":
        return prefix + "gamma"
    return prefix + {"0": "conv_dw", "2": "norm", "3": "mlp.fc1", "5": "mlp.fc2"}[parts[4]] + "." + parts[5]


def timm_efficientnet_name(name):
    """torchvision efficientnet_b0 parameter name -> timm efficientnet_b0 name."""
    parts = name.split(".")
    if parts[0] == "classifier":
        return "classifier." + parts[2]
    k = int(parts[1])
    if k in (0, 8):
        return {(0, "0"): "conv_stem.", (0, "1"): "bn1.", (8, "0"): "conv_head.", (8, "1"): "bn2."}[(k, parts[2])] + parts[3]
    rest = ".".join(parts[4:])
    if k == 1:  # depthwise-separable: dw (conv, bn), se, project (conv, bn)
        layer = {"0.0": "conv_dw", "0.1": "bn1", "1.fc1": "se.conv_reduce", "1.fc2": "se.conv_expand", "2.0": "conv_pw", "2.1": "bn2"}
    else:
        layer = {"0.0": "conv_pw", "0.1": "bn1", "1.0": "conv_dw", "1.1": "bn2", "2.fc1": "se.conv_reduce", "2.fc2": "se.conv_expand",
                 "3.0": "conv_pwl", "3.1": "bn3"}
    for key, new in layer.items():
        if rest.startswith(key + "."):
            return f"blocks.{k - 1}.{parts[2]}.{new}.{rest[len(key) + 1:]}"
    raise ValueError(name)


def randomise_biases(model, scale=0.1):
    """Gives every bias (zero when torchvision initialises it), LayerNorm and class token random values, so
    that loading each of them into the right place is tested."""
    with torch.no_grad():
        for k, p in model.named_parameters():
            if k.endswith("bias"):
                p.uniform_(-scale, scale)
        for k, p in model.named_parameters():
            if k.endswith("layer_scale"):  # 1e-6 at initialisation: the blocks would add nothing
                p.uniform_(0.2, 1.0)
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
        if hasattr(model, "class_token"):
            model.class_token.normal_(0, 0.5)


def export(out, name, model, x, labels, rename=lambda k: k, step=True):
    """Writes NAME.safetensors, NAME_io and, with step, NAME_step, NAME_step_eps and NAME_step_flips (see the
    module doc)."""
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(f"{out}/{name}.safetensors", {rename(k): v for k, v in state.items()})
    with torch.no_grad():
        logits = model(x)
    save_safetensors(f"{out}/{name}_io.safetensors", {"input": x.permute(0, 2, 3, 1), "logits": logits, "labels": labels.to(torch.float32)})
    if not step:
        return state
    step32, _ = sgd_step(model, x, labels, torch.float32)
    step64, kinks = sgd_step(model, x, labels, torch.float64)
    save_safetensors(f"{out}/{name}_step.safetensors", {rename(k): v for k, v in step64.items()})
    eps = {rename(k): torch.full_like(v, (step32[k].double() - v).abs().max().item()) for k, v in step64.items()}
    save_safetensors(f"{out}/{name}_step_eps.safetensors", eps)
    flips = flip_bounds(model, x, labels, step64, kinks, step32_kinks(model, x, labels))
    save_safetensors(f"{out}/{name}_step_flips.safetensors", {rename(k): v for k, v in flips.items()})
    return state


def main():
    out = sys.argv[1]
    which = sys.argv[2:] or ["resnet50", "vgg16", "efficientnet_b0", "convnext_tiny", "vit_tiny"]
    if "resnet50" in which:
        torch.manual_seed(0)
        model = torchvision.models.resnet50(num_classes=10)
        randomise_bn(model)
        export(out, "resnet50", model, torch.rand(2, 3, 64, 64), torch.tensor([3, 8]), step=False)
        torch.manual_seed(0)
        model = torchvision.models.resnet.ResNet(torchvision.models.resnet.Bottleneck, [1, 1, 1, 1], num_classes=10)
        randomise_bn(model)
        export(out, "resnet_bottleneck", model, torch.rand(2, 3, 64, 64), torch.tensor([3, 8]))
    if "vgg16" in which:
        torch.manual_seed(0)
        model = torchvision.models.vgg16(num_classes=10)
        model.classifier[0] = torch.nn.Linear(512 * 7 * 7, 256)
        model.classifier[3] = torch.nn.Linear(256, 256)
        model.classifier[6] = torch.nn.Linear(256, 10)
        for i in (2, 5):
            model.classifier[i].p = 0.0
        randomise_biases(model)
        state = export(out, "vgg16", model, torch.rand(2, 3, 32, 32), torch.tensor([4, 1]))
        save_safetensors(f"{out}/vgg16_timm.safetensors", timm_vgg(state))
    if "efficientnet_b0" in which:
        torch.manual_seed(0)
        model = torchvision.models.efficientnet_b0(num_classes=10)
        for m in model.modules():  # random in training: cannot be matched
            if isinstance(m, torchvision.ops.StochasticDepth):
                m.p = 0.0
        model.classifier[0].p = 0.0
        randomise_bn(model)
        export(out, "efficientnet_b0", model, torch.rand(2, 3, 64, 64), torch.tensor([1, 9]))
        save_safetensors(f"{out}/efficientnet_b0_timm.safetensors",
                         {timm_efficientnet_name(k): v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")})
    if "convnext_tiny" in which:
        torch.manual_seed(0)
        model = torchvision.models.convnext_tiny(num_classes=10)
        for m in model.modules():  # random in training: cannot be matched
            if isinstance(m, torchvision.ops.StochasticDepth):
                m.p = 0.0
        randomise_biases(model)
        export(out, "convnext_tiny", model, torch.rand(2, 3, 64, 64), torch.tensor([2, 5]), rename=timm_convnext_name)
        save_safetensors(f"{out}/convnext_tiny_tv.safetensors", {k: v for k, v in model.state_dict().items()})
    if "vit_tiny" in which:
        torch.manual_seed(0)
        model = torchvision.models.VisionTransformer(image_size=64, patch_size=16, num_layers=12, num_heads=3,
                                                     hidden_dim=192, mlp_dim=768, num_classes=10)
        with torch.no_grad():  # torchvision zeroes the head; random values test it
            model.heads.head.weight.normal_(0, 0.1)
        randomise_biases(model)
        state = export(out, "vit_tiny", model, torch.rand(2, 3, 64, 64), torch.tensor([0, 6]), rename=timm_vit_name)
        save_safetensors(f"{out}/vit_tiny_tv.safetensors", state)


if __name__ == "__main__":
    main()
