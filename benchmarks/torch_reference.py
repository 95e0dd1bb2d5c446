"""PyTorch eager baseline for TrainBenchmark: the identical Llama architecture and training step.

Same model as io.instructlake.train.LlamaModel (RMSNorm, RoPE, GQA with causal mask, SwiGLU, untied
LM head), same batch shape, AdamW, global-norm clipping, fp32, N threads. Prints one JSON line:
{"tokens_per_s": ..., "step_s": ..., "torch": ...}. Run with Debian's /usr/bin/python3 (python3-torch
+ libopenblas0-pthread).
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, h, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(h))
        self.eps = eps

    def forward(self, x):
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Layer(nn.Module):
    def __init__(self, a):
        super().__init__()
        d = a.hidden // a.heads
        self.a, self.d = a, d
        self.input_layernorm = RMSNorm(a.hidden)
        qkv_bias = getattr(a, "qkv_bias", False)
        self.q = nn.Linear(a.hidden, a.heads * d, bias=qkv_bias)
        self.k = nn.Linear(a.hidden, a.kv_heads * d, bias=qkv_bias)
        self.v = nn.Linear(a.hidden, a.kv_heads * d, bias=qkv_bias)
        self.o = nn.Linear(a.heads * d, a.hidden, bias=False)
        self.post = RMSNorm(a.hidden)
        self.gate = nn.Linear(a.hidden, a.inter, bias=False)
        self.up = nn.Linear(a.hidden, a.inter, bias=False)
        self.down = nn.Linear(a.inter, a.hidden, bias=False)

    def forward(self, h, cos, sin, mask):
        a, d = self.a, self.d
        b, t, _ = h.shape
        rep = a.heads // a.kv_heads
        x = self.input_layernorm(h)
        q = self.q(x).view(b, t, a.kv_heads, rep, d).permute(0, 2, 3, 1, 4)
        k = self.k(x).view(b, t, a.kv_heads, 1, d).permute(0, 2, 3, 1, 4)
        v = self.v(x).view(b, t, a.kv_heads, 1, d).permute(0, 2, 3, 1, 4)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        s = q.matmul(k.transpose(-1, -2)) * (1.0 / math.sqrt(d)) + mask
        o = s.softmax(-1).matmul(v).permute(0, 3, 1, 2, 4).reshape(b, t, a.heads * d)
        h = h + self.o(o)
        x = self.post(h)
        g = self.gate(x)
        return h + self.down(g * torch.sigmoid(g) * self.up(x))


class Model(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embed = nn.Embedding(a.vocab, a.hidden)
        self.layers = nn.ModuleList(Layer(a) for _ in range(a.layers))
        self.norm = RMSNorm(a.hidden)
        self.lm_head = nn.Linear(a.hidden, a.vocab, bias=False)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids, cos, sin, mask):
        h = self.embed(ids)
        for l in self.layers:
            h = l(h, cos, sin, mask)
        return self.lm_head(self.norm(h))


def read_safetensors(path):
    """Minimal safetensors reader (F32 only): 8-byte LE header length, JSON header, raw data."""
    import struct
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32", v["dtype"]
        a, b = v["data_offsets"]
        out[k] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(v["shape"])
    return out


def check(model_dir, probe):
    """Loads an exported HF dir (Llama or Qwen2, tied or not) into this reference and prints the max
    absolute difference between its logits and the engine's logits stored in probe (JSON with ids
    and logits)."""
    import os
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    a = argparse.Namespace(hidden=cfg["hidden_size"], inter=cfg["intermediate_size"],
                           layers=cfg["num_hidden_layers"], heads=cfg["num_attention_heads"],
                           kv_heads=cfg["num_key_value_heads"], vocab=cfg["vocab_size"],
                           qkv_bias=cfg.get("model_type") == "qwen2" or cfg.get("attention_bias", False))
    m = Model(a)
    w = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    names = {"model.embed_tokens.weight": "embed.weight", "model.norm.weight": "norm.weight",
             "lm_head.weight": "lm_head.weight"}
    short = {"self_attn.q_proj": "q", "self_attn.k_proj": "k", "self_attn.v_proj": "v",
             "self_attn.o_proj": "o", "mlp.gate_proj": "gate", "mlp.up_proj": "up",
             "mlp.down_proj": "down", "input_layernorm": "input_layernorm",
             "post_attention_layernorm": "post"}
    state = {}
    for k, v in w.items():
        if k in names:
            state[names[k]] = v
        else:
            parts = k.split(".")  # model.layers.N.<module...>.weight|bias
            mod = ".".join(parts[3:-1])
            state["layers.%s.%s.%s" % (parts[2], short[mod], parts[-1])] = v
    if cfg.get("tie_word_embeddings"):
        state["lm_head.weight"] = state["embed.weight"]
    m.load_state_dict(state, strict=True)
    for l in m.layers:
        l.input_layernorm.eps = cfg["rms_norm_eps"]
        l.post.eps = cfg["rms_norm_eps"]
    m.norm.eps = cfg["rms_norm_eps"]
    p = json.load(open(probe))
    ids = torch.tensor([p["ids"]])
    t = ids.shape[1]
    d = a.hidden // a.heads
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2).double() / d))
    ang = torch.arange(t).double()[:, None] * inv[None, :]
    emb = torch.cat((ang, ang), -1)
    cos = emb.cos().float().view(1, 1, 1, t, d)
    sin = emb.sin().float().view(1, 1, 1, t, d)
    mask = torch.full((t, t), -1e9).triu(1).view(1, 1, 1, t, t)
    with torch.no_grad():
        logits = m(ids, cos, sin, mask).reshape(-1)
    want = torch.tensor(p["logits"])
    print(json.dumps({"max_abs_diff": (logits - want).abs().max().item(),
                      "max_abs_logit": want.abs().max().item()}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--check", nargs=2, metavar=("MODEL_DIR", "PROBE_JSON"))
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--inter", type=int, default=1376)
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--vocab", type=int, default=8192)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.check:
        check(*a.check)
        return
    torch.manual_seed(0)
    m = Model(a)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, weight_decay=0.01)
    d = a.hidden // a.heads
    inv = 1.0 / (10000.0 ** (torch.arange(0, d, 2).double() / d))
    ang = torch.arange(a.seq).double()[:, None] * inv[None, :]
    emb = torch.cat((ang, ang), -1)
    cos = emb.cos().float().view(1, 1, 1, a.seq, d)
    sin = emb.sin().float().view(1, 1, 1, a.seq, d)
    mask = torch.full((a.seq, a.seq), -1e9).triu(1).view(1, 1, 1, a.seq, a.seq)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq + 1))
    x, y = ids[:, :-1], ids[:, 1:]

    def step():
        logits = m(x, cos, sin, mask)
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)
        return loss.item()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = (time.perf_counter() - t0) / a.steps
    print(json.dumps({"tokens_per_s": a.batch * a.seq / dt, "step_s": dt, "torch": torch.__version__,
                      "params": sum(p.numel() for p in m.parameters())}))


if __name__ == "__main__":
    main()
