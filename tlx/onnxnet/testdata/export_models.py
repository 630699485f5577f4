"""Exports PyTorch models to ONNX (random weights, opset 13) as oracles for tlx's ONNX import.

    /usr/bin/python3 export_models.py OUT_DIR [NAME...]

For each model NAME in (smallcnn, resnet18, mobilenet_v2) it writes
  OUT_DIR/NAME.onnx          the export as a user gets it (eval mode: BatchNorm folded into Conv)
  OUT_DIR/NAME_bn.onnx       the same weights with BatchNormalization kept (TrainingMode.PRESERVE)
  OUT_DIR/NAME_io.safetensors   "input" NCHW, "logits" in eval mode, "labels"
  OUT_DIR/NAME_step.safetensors the parameters after one SGD step (lr 0.1, eval mode, mean cross-entropy)
Safetensors is written by hand (the Python package is not installed here).
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


class SmallCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.pool = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = torch.relu(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


def export(model, name, shape, out):
    torch.manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    model.eval()
    x = torch.rand(*shape)
    kw = dict(opset_version=13, input_names=["input"], output_names=["logits"],
              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    torch.onnx.export(model, x[:1], f"{out}/{name}.onnx", **kw)
    torch.onnx.export(model, x[:1], f"{out}/{name}_bn.onnx", training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, **kw)
    with torch.no_grad():
        logits = model(x)
    labels = torch.arange(shape[0]) % 10
    save(f"{out}/{name}_io.safetensors", {"input": x, "logits": logits, "labels": labels.to(torch.float32)})
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(x), labels).backward()
    opt.step()
    save(f"{out}/{name}_step.safetensors", dict(model.named_parameters()))


def main():
    out, names = sys.argv[1], sys.argv[2:] or ["smallcnn", "resnet18", "mobilenet_v2"]
    models = {
        "smallcnn": (SmallCNN, (8, 1, 28, 28)),
        "resnet18": (lambda: torchvision.models.resnet18(num_classes=10), (4, 3, 64, 64)),
        "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(num_classes=10), (4, 3, 64, 64)),
    }
    for name in names:
        build, shape = models[name]
        torch.manual_seed(0)
        export(build(), name, shape, out)


if __name__ == "__main__":
    main()
