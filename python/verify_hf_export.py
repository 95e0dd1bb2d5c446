"""Checks that the engine's exports load in Python's Hugging Face stack.

Given a base HF directory, the HF directory of a LoRA run (merged weights) and its PEFT adapter
directory, all written by `bin/pipeline train`:

1. transformers' AutoModelForCausalLM loads the base and the merged directory (fp32);
2. peft's PeftModel.from_pretrained loads the adapter onto the base with every adapter tensor of
   the file present in the model (same values) and no adapter weight left at its init;
3. the PEFT model's logits equal the merged model's logits (max abs diff <= --atol), and differ
   from the base model's (so the check is not vacuous);
4. with --java-base / --java-merged (JSON from `bin/pipeline logits`), transformers' logits of the
   base and merged directories on those token ids equal the logits the Java engine computed
   (max abs diff <= --atol).

Prints one JSON line with the figures and exits 1 if a check fails. Run by python/verify-export.sh.
"""
import argparse
import json
import sys

import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--merged", required=True)
    p.add_argument("--adapter", required=True)
    p.add_argument("--atol", type=float, default=1e-4)
    p.add_argument("--java-base", help="bin/pipeline logits output for the base directory")
    p.add_argument("--java-merged", help="bin/pipeline logits output for the merged directory")
    a = p.parse_args()

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(a.base, torch_dtype=torch.float32).eval()
    vocab = base.config.vocab_size
    ids = torch.randint(0, vocab, (3, 24))
    with torch.no_grad():
        base_logits = base(input_ids=ids).logits

    merged = AutoModelForCausalLM.from_pretrained(a.merged, torch_dtype=torch.float32).eval()
    with torch.no_grad():
        merged_logits = merged(input_ids=ids).logits

    # A fresh base: PeftModel wraps (and modifies) the module it is given.
    base2 = AutoModelForCausalLM.from_pretrained(a.base, torch_dtype=torch.float32)
    model = PeftModel.from_pretrained(base2, a.adapter).eval()
    # Every tensor of the adapter file is in the model with the same values. PEFT names them
    # base_model.model.<module>.lora_A.weight in the file and ...lora_A.default.weight in the model.
    stored = load_file(a.adapter + "/adapter_model.safetensors")
    state = model.state_dict()
    missing, max_param_diff = [], 0.0
    for k, v in stored.items():
        mk = k.replace(".lora_A.weight", ".lora_A.default.weight").replace(
            ".lora_B.weight", ".lora_B.default.weight")
        if mk not in state:
            missing.append(k)
            continue
        max_param_diff = max(max_param_diff, (state[mk].float() - v.float()).abs().max().item())
    lora_in_model = [k for k in state if ".lora_" in k]
    with torch.no_grad():
        peft_logits = model(input_ids=ids).logits

    diff_merged = (peft_logits - merged_logits).abs().max().item()
    diff_base = (peft_logits - base_logits).abs().max().item()
    result = {
        "torch": torch.__version__,
        "peft": __import__("peft").__version__,
        "transformers": __import__("transformers").__version__,
        "adapter_tensors_in_file": len(stored),
        "lora_tensors_in_model": len(lora_in_model),
        "missing_in_model": missing,
        "max_adapter_param_diff": max_param_diff,
        "max_abs_logit_diff_peft_vs_merged": diff_merged,
        "max_abs_logit_diff_peft_vs_base": diff_base,
    }
    ok = (
        not missing
        and len(stored) == len(lora_in_model)
        and max_param_diff == 0.0
        and diff_merged <= a.atol
        and diff_base > 100 * a.atol
    )
    for name, path, m in (("base", a.java_base, base), ("merged", a.java_merged, merged)):
        if not path:
            continue
        with open(path) as f:
            probe = json.load(f)
        java = torch.tensor(probe["logits"], dtype=torch.float32)
        with torch.no_grad():
            ours = m(input_ids=torch.tensor(probe["ids"])).logits
        diff = (java - ours).abs().max().item()
        result["max_abs_logit_diff_java_vs_transformers_" + name] = diff
        result["java_logits_shape_" + name] = list(java.shape)
        ok = ok and java.shape == ours.shape and diff <= a.atol
    result["ok"] = ok
    print(json.dumps(result))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
