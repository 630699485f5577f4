"""The tlx/text tests' oracle: sentence-transformers and HF tokenizers.

Reads a JSON request on stdin, writes a JSON answer on stdout. Run with
.tlx/oracle/bin/python (scripts/python/oracle.sh), HF_HUB_OFFLINE=1.

  {"op": "embed", "dir": D, "seq_len": N, "texts": [...]}
      -> {"embeddings": [[...]...], "ids": [[...]...]}   (ids: truncated to N, unpadded)
  {"op": "tokens", "dir": D, "texts": [...]}
      -> {"ids": [[...]...]}   (HF tokenizers, no truncation, with [CLS]/[SEP])
  {"op": "grad", "dir": D, "seq_len": N, "texts": [...], "labels": [...],
   "head_w": [[in x out]], "head_b": [...], "names": [...]}
      -> {"loss": L, "grads": {name: flat list}}   (eval mode: no dropout)
"""
import json
import sys

import torch

req = json.load(sys.stdin)
torch.set_num_threads(2)
torch.manual_seed(0)

if req["op"] == "tokens":
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(req["dir"] + "/tokenizer.json")
    tok.no_truncation()
    tok.no_padding()
    out = {"ids": [e.ids for e in tok.encode_batch(req["texts"])]}
    json.dump(out, sys.stdout)
    sys.exit(0)

from sentence_transformers import SentenceTransformer

st = SentenceTransformer(req["dir"], device="cpu")
st.max_seq_length = req["seq_len"]
st.eval()
texts = req["texts"]
features = st.tokenize(texts)
ids = [
    [int(i) for i, m in zip(row, mask) if m]
    for row, mask in zip(features["input_ids"].tolist(), features["attention_mask"].tolist())
]

if req["op"] == "embed":
    with torch.no_grad():
        emb = st.encode(texts, batch_size=len(texts), convert_to_numpy=True, normalize_embeddings=False)
    json.dump({"embeddings": emb.astype(float).tolist(), "ids": ids}, sys.stdout)
elif req["op"] == "grad":
    # tlx's variable names of the tensors asked for, mapped to torch's.
    bert = st[0].auto_model
    params = dict(bert.named_parameters())
    head = torch.nn.Linear(len(req["head_w"]), len(req["head_b"]))
    with torch.no_grad():
        head.weight.copy_(torch.tensor(req["head_w"]).T)
        head.bias.copy_(torch.tensor(req["head_b"]))
    emb = st(features)["sentence_embedding"]
    logits = head(emb)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(req["labels"]))
    loss.backward()
    grads = {}
    for name in req["names"]:
        if name == "head.weight":
            g = head.weight.grad.T  # tlx's [in, out]
        elif name == "head.bias":
            g = head.bias.grad
        else:
            g = params[name].grad
            if g.dim() == 2 and "embeddings" not in name:
                g = g.T  # dense kernels: tlx's [in, out]
        grads[name] = g.contiguous().reshape(-1).double().tolist()
    json.dump({"loss": loss.item(), "grads": grads}, sys.stdout)
else:
    sys.exit("unknown op " + req["op"])
