"""Exports a torchvision ResNet-18 and MobileNetV2 (random weights, seed 0, eval mode) for tlx's fidelity tests.

    /usr/bin/python3 export_torchvision.py OUT_DIR

MobileNetV2: OUT_DIR/mobilenet_v2.safetensors (torchvision names), OUT_DIR/mobilenet_v2_timm.safetensors
(the same weights under timm's mobilenetv2_100 names) and OUT_DIR/mobilenet_io.safetensors.

Writes OUT_DIR/resnet18.safetensors (the state_dict, torchvision names, NCHW/OIHW as PyTorch stores them),
OUT_DIR/io.safetensors ("input" NHWC [4,64,64,3], "logits" [4,10] in eval mode, "labels" [4]) and
OUT_DIR/step.safetensors (the state_dict after one SGD step, lr 0.01, on that batch in train mode). The
safetensors format is written by hand: the Python package is not installed here.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../..", "testdata"))
from torch_helpers import randomise_bn, save_safetensors  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402


STAGE_REPEATS = [1, 2, 3, 4, 3, 3, 1]


def timm_name(name):
    """torchvision MobileNetV2 parameter name -> timm mobilenetv2_100 name."""
    parts = name.split(".")
    if parts[0] == "classifier":
        return "classifier." + parts[2]
    k = int(parts[1])
    if k == 0:
        return ("conv_stem." if parts[2] == "0" else "bn1.") + parts[3]
    if k == 18:
        return ("conv_head." if parts[2] == "0" else "bn2.") + parts[3]
    stage, first = 0, 1
    while k >= first + STAGE_REPEATS[stage]:
        first += STAGE_REPEATS[stage]
        stage += 1
    rest = ".".join(parts[3:])
    if stage == 0:
        layer = {"0.0": "conv_dw", "0.1": "bn1", "1": "conv_pw", "2": "bn2"}
    else:
        layer = {"0.0": "conv_pw", "0.1": "bn1", "1.0": "conv_dw", "1.1": "bn2", "2": "conv_pwl", "3": "bn3"}
    for key, new in layer.items():
        if rest.startswith(key + "."):
            return f"blocks.{stage}.{k - first}.{new}.{rest[len(key) + 1:]}"
    raise ValueError(name)


def export_mobilenet(out):
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(num_classes=10)
    randomise_bn(model)
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(f"{out}/mobilenet_v2.safetensors", state)
    save_safetensors(f"{out}/mobilenet_v2_timm.safetensors", {timm_name(k): v for k, v in state.items()})
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    save_safetensors(f"{out}/mobilenet_io.safetensors", {"input": x.permute(0, 2, 3, 1), "logits": logits})


def main():
    out = sys.argv[1]
    export_mobilenet(out)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=10)
    randomise_bn(model)  # non-trivial statistics, so that inference mode is tested
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(f"{out}/resnet18.safetensors", state)
    x = torch.rand(4, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    labels = torch.tensor([1, 7, 3, 9])
    save_safetensors(f"{out}/io.safetensors", {"input": x.permute(0, 2, 3, 1), "logits": logits, "labels": labels.to(torch.float32)})
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(x), labels).backward()
    opt.step()
    stepped = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(f"{out}/step.safetensors", stepped)


if __name__ == "__main__":
    main()
