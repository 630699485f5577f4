"""Exports PyTorch models to ONNX (random weights, opset 13) as oracles for tlx's ONNX import.

    /usr/bin/python3 export_models.py OUT_DIR [NAME...]

For each model NAME in (smallcnn, resnet18, mobilenet_v2) it writes
  OUT_DIR/NAME.onnx          the export as a user gets it (eval mode: BatchNorm folded into Conv)
  OUT_DIR/NAME_bn.onnx       the same weights with BatchNormalization kept (TrainingMode.PRESERVE)
  OUT_DIR/NAME_io.safetensors   "input" NCHW, "logits" in eval mode, "labels"
  OUT_DIR/NAME_step.safetensors the parameters after one SGD step (lr 0.1, eval mode, mean cross-entropy)
Safetensors is written by hand (the Python package is not installed here).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../..", "testdata"))
from torch_helpers import randomise_bn, save_safetensors  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402


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
    randomise_bn(model)
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
    save_safetensors(f"{out}/{name}_io.safetensors", {"input": x, "logits": logits, "labels": labels.to(torch.float32)})
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(x), labels).backward()
    opt.step()
    save_safetensors(f"{out}/{name}_step.safetensors", dict(model.named_parameters()))


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
