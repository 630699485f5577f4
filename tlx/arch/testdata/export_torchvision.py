"""Exports a torchvision ResNet-18 and MobileNetV2 (random weights, seed 0, eval mode) for tlx's fidelity tests.

    /usr/bin/python3 export_torchvision.py OUT_DIR

MobileNetV2: OUT_DIR/mobilenet_v2.safetensors (torchvision names), OUT_DIR/mobilenet_v2_timm.safetensors
(the same weights under timm's mobilenetv2_100 names) and OUT_DIR/mobilenet_io.safetensors.

Writes OUT_DIR/resnet18.safetensors (the state_dict, torchvision names, NCHW/OIHW as PyTorch stores them),
OUT_DIR/io.safetensors ("input" NHWC [4,64,64,3], "logits" [4,10] in eval mode, "labels" [4]) and
OUT_DIR/step.safetensors (the state_dict after one SGD step, lr 0.01, on that batch in train mode). The
safetensors format is written by hand: the Python package is not installed here.
"""
import json
import struct
import sys

import torch
import torchvision


def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().to(torch.float32)
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    js = json.dumps(header).encode()
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


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


def randomise_bn(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)


def export_mobilenet(out):
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(num_classes=10)
    randomise_bn(model)
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save(f"{out}/mobilenet_v2.safetensors", state)
    save(f"{out}/mobilenet_v2_timm.safetensors", {timm_name(k): v for k, v in state.items()})
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    save(f"{out}/mobilenet_io.safetensors", {"input": x.permute(0, 2, 3, 1), "logits": logits})


def main():
    out = sys.argv[1]
    export_mobilenet(out)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=10)
    randomise_bn(model)  # non-trivial statistics, so that inference mode is tested
    model.eval()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save(f"{out}/resnet18.safetensors", state)
    x = torch.rand(4, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    labels = torch.tensor([1, 7, 3, 9])
    save(f"{out}/io.safetensors", {"input": x.permute(0, 2, 3, 1), "logits": logits, "labels": labels.to(torch.float32)})
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(x), labels).backward()
    opt.step()
    stepped = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save(f"{out}/step.safetensors", stepped)


if __name__ == "__main__":
    main()
