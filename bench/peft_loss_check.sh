#!/usr/bin/env bash
# Loss equality with PyTorch + PEFT (issue 4): the same base, the same initial LoRA A/B (exported by
# `tunebench train --export-initial-adapter`), the same batches (`--export-order`), 20 AdamW steps of
# batch 4, r=16 on q,k,v,o, dropout 0, constant LR 1e-4, no warm-up, no weight decay, no clipping;
# then bench/compare_losses.py prints both losses per step and the largest relative difference
# (target 1e-3). See bench/README-training.md. The torch side takes a few minutes on 2 cores.
#
# Usage: bench/peft_loss_check.sh [WORKDIR]      (default /tmp/tb-peft-loss; emptied first)
# Environment: TUNEBENCH (default .build/release/tunebench), PY (default: bench/peft_venv.sh's
# python), MODEL (default: the cached SmolLM2-135M-Instruct.Q4_1.gguf), THREADS (default 2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TB=${TUNEBENCH:-$ROOT/.build/release/tunebench}
PY=${PY:-$("$ROOT/bench/peft_venv.sh")}
MODEL=${MODEL:-$HOME/.cache/tunebench/models/SmolLM2-135M-Instruct.Q4_1.gguf}
THREADS=${THREADS:-2}
WORK=${1:-/tmp/tb-peft-loss}
STEPS=20 BATCH=4 LR=1e-4

rm -rf "$WORK"
mkdir -p "$WORK"
echo "== dataset: the sample book, 256-token windows" >&2
"$TB" extract samples/pride-and-prejudice-a5.pdf --auto --out "$WORK/pages.jsonl" </dev/null >/dev/null 2>&1
"$TB" prepare "$WORK/pages.jsonl" --ctx 256 --test-size 0.1 --out "$WORK/dataset" </dev/null | grep '^windows' >&2

echo "== tunebench train: $STEPS steps" >&2
"$TB" train --model "$MODEL" --dataset "$WORK/dataset" --out "$WORK/run" --threads "$THREADS" --seed 42 \
    --max-steps "$STEPS" --batch-size "$BATCH" --grad-accumulation 1 \
    --lora-r 16 --lora-alpha 32 --lora-dropout 0 --lora-targets q,k,v,o \
    --learning-rate "$LR" --schedule constant --warmup-steps 0 --weight-decay 0 --max-grad-norm 0 \
    --eval-every 0 --save-every 0 --sample-every 0 \
    --export-initial-adapter "$WORK/init-adapter" --export-order "$WORK/order.json" </dev/null >&2

echo "== PyTorch + PEFT: the same $STEPS steps" >&2
"$PY" bench/peft_train_steps.py --model "$MODEL" --dataset "$WORK/dataset" --adapter-init "$WORK/init-adapter" \
    --order "$WORK/order.json" --steps "$STEPS" --batch "$BATCH" --lr "$LR" --weight-decay 0.0 \
    --threads "$THREADS" --out "$WORK/peft.jsonl" >/dev/null

echo "== per-step loss: PyTorch + PEFT vs TuneBench" >&2
python3 bench/compare_losses.py "$WORK/peft.jsonl" "$WORK/run/metrics.jsonl" --tolerance 1e-3
