"""PyTorch side of bench/text.sh: all-MiniLM-L6-v2 forward and a full
fine-tuning step (2-class head, cross-entropy, SGD on every parameter) at
the batch textbench wrote (-ids), 2 threads. The BERT is written here in
plain torch (runs on Debian's torch 1.13 and PyPI's 2.x alike, with no
transformers); in an environment that has transformers it first checks
that it computes what transformers' BertModel does.

  python bench/text_torch.py IDS.json forward|train ITERS
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
req = json.load(open(sys.argv[1]))
mode, iters = sys.argv[2], int(sys.argv[3])
model_dir = req["dir"]
cfg = json.load(open(model_dir + "/config.json"))


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or name.endswith("position_ids"):
            continue
        assert t["dtype"] == "F32", (name, t["dtype"])
        a, b = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np.float32).reshape(t["shape"]).copy())
    return out


class Bert(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.p = torch.nn.ParameterDict({k.replace(".", "_"): torch.nn.Parameter(v) for k, v in w.items()
                                         if not k.startswith("pooler") and "position_ids" not in k})
        self.heads = cfg["num_attention_heads"]
        self.eps = cfg["layer_norm_eps"]

    def w(self, name):
        return self.p[name.replace(".", "_")]

    def ln(self, x, name):
        return F.layer_norm(x, x.shape[-1:], self.w(name + ".weight"), self.w(name + ".bias"), self.eps)

    def lin(self, x, name):
        return F.linear(x, self.w(name + ".weight"), self.w(name + ".bias"))

    def forward(self, ids):
        mask = (ids != 0).float()
        b, s = ids.shape
        h = F.embedding(ids, self.w("embeddings.word_embeddings.weight"))
        h = h + self.w("embeddings.position_embeddings.weight")[:s] + self.w("embeddings.token_type_embeddings.weight")[0]
        h = self.ln(h, "embeddings.LayerNorm")
        bias = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        d = h.shape[-1] // self.heads
        for i in range(cfg["num_hidden_layers"]):
            p = "encoder.layer.%d." % i
            q, k, v = (self.lin(h, p + "attention.self." + n).view(b, s, self.heads, d).transpose(1, 2)
                       for n in ("query", "key", "value"))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
            ctx = (att @ v).transpose(1, 2).reshape(b, s, -1)
            h = self.ln(self.lin(ctx, p + "attention.output.dense") + h, p + "attention.output.LayerNorm")
            inner = F.gelu(self.lin(h, p + "intermediate.dense"))
            h = self.ln(self.lin(inner, p + "output.dense") + h, p + "output.LayerNorm")
        pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
        return F.normalize(pooled, p=2, dim=1), h


bert = Bert(read_safetensors(model_dir + "/model.safetensors"))
head = torch.nn.Linear(cfg["hidden_size"], 2)
ids = torch.tensor(req["ids"])
labels = torch.arange(ids.shape[0]) % 2

check = None
try:  # the oracle environment has transformers: compare with its BertModel
    from transformers import BertModel

    ref = BertModel.from_pretrained(model_dir).eval()
    with torch.no_grad():
        check = float((ref(input_ids=ids[:2], attention_mask=(ids[:2] != 0).long()).last_hidden_state - bert(ids[:2])[1]).abs().max())
except ImportError:
    pass

params = list(bert.parameters()) + list(head.parameters())
opt = torch.optim.SGD(params, lr=1e-4)


def step():
    if mode == "forward":
        with torch.no_grad():
            head(bert(ids)[0])
    else:
        opt.zero_grad()
        F.cross_entropy(head(bert(ids)[0]), labels).backward()
        opt.step()


t0 = time.perf_counter()
step()
first = time.perf_counter() - t0
times, cpus = [], []
for _ in range(iters):
    t, c = time.perf_counter(), time.process_time()
    step()
    times.append(time.perf_counter() - t)
    cpus.append(time.process_time() - c)
times.sort()
cpus.sort()
med = times[len(times) // 2]
print(json.dumps({"impl": "PyTorch " + torch.__version__, "mode": mode, "batch": ids.shape[0], "seq": ids.shape[1],
                  "step_s": med, "cpu_s": cpus[len(cpus) // 2], "first_s": first, "tokens_per_s": ids.numel() / med,
                  "cpu_capability": (torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else "?"),
                  "vs_transformers_max_abs": check}))
