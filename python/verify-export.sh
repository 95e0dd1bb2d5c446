#!/usr/bin/env bash
# python/verify-export.sh [WORK_DIR]
#
# End-to-end check that the engine's exports load in Python: generates a small corpus, ingests it,
# trains a tiny base model (full fine-tuning from random init), then a LoRA run on that base, and
# runs verify_hf_export.py (transformers + peft) on the base, merged and adapter directories.
# Needs a Python with torch, transformers, peft and safetensors: PYTHON (default python3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d)}"
PY="${PYTHON:-python3}"
"$PY" -c "import torch, transformers, peft, safetensors" || {
  echo "verify-export: $PY lacks torch/transformers/peft/safetensors; set PYTHON to one that has them" >&2
  exit 2
}
P="$ROOT/bin/pipeline"
LAKE="$WORK/lake"
"$P" generate-corpus --output "$WORK/corpus" --records 400 >/dev/null
"$P" ingest --input "$WORK/corpus" --lake "$LAKE" >/dev/null
newest() { ls -1dt "$LAKE"/_state/models/*/ | head -1; }
"$P" train --lake "$LAKE" --set train.input-table=bronze.records --set train.steps=20 \
  --set train.log-every=10
BASE="$(newest)hf"
"$P" train --lake "$LAKE" --set train.input-table=bronze.records --set train.steps=30 \
  --set train.method=lora --set "train.base-model=$BASE" --set train.learning-rate=1e-2 \
  --set 'train.lora.targets=[q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]' \
  --set train.log-every=10
RUN="$(newest)"
# The Java engine's logits of both exports on the same random ids, for comparison with transformers.
IDS="$("$PY" -c "import json, random, sys; v = json.load(open(sys.argv[1]))['vocab_size']; r = random.Random(0); print(';'.join(','.join(str(r.randrange(v)) for _ in range(24)) for _ in range(3)))" "$BASE/config.json")"
"$P" logits --model "$BASE" --ids "$IDS" --out "$WORK/java-logits-base.json"
"$P" logits --model "${RUN}hf" --ids "$IDS" --out "$WORK/java-logits-merged.json"
"$PY" "$ROOT/python/verify_hf_export.py" --base "$BASE" --merged "${RUN}hf" --adapter "${RUN}adapter" \
  --java-base "$WORK/java-logits-base.json" --java-merged "$WORK/java-logits-merged.json"
