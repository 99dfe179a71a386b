#!/usr/bin/env python3
"""
MetaCaptioner's distillation recipe (docs/distill.md, distill/README.md).

  distill.py train DATA --out RUN [--base REPO] [--method full|lora] [--tiny] [...]
  distill.py export RUN --out MODEL_DIR
  distill.py tiny-loop [--fixtures DIR]

`train` fine-tunes on a `metacaptioner distill prepare` output; `export`
writes the browser model folder (ONNX sessions and dtype variants, the
family's small files, a model card) and checks every file against torch;
`tiny-loop` runs the whole loop on a CPU with a toy student and writes the
committed test fixture.
"""
import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

EXPORTABLE = ("idefics3", "smolvlm")  # the families whose browser layout export.py writes


def _train(args) -> None:
    from mc_distill.train import TrainSettings, train

    lr = args.lr if args.lr is not None else (1e-4 if args.method == "lora" else 2e-5)
    settings = TrainSettings(
        base=args.base,
        method=args.method,
        epochs=args.epochs,
        max_steps=args.max_steps,
        learning_rate=lr,
        batch_size=args.batch_size,
        grad_accum=args.grad_accum,
        bf16=not args.fp32,
        gradient_checkpointing=not args.no_gradient_checkpointing,
        max_length=args.max_length,
        seed=args.seed,
        tiny=False,
    )
    if args.tiny:
        settings = tiny_settings(args.max_steps if args.max_steps > 0 else 3, args.seed, args.method)
    _check_data(args.data)
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out}: not empty; give a new folder for the training run")
    args.out.mkdir(parents=True, exist_ok=True)
    result = train(args.data, args.out, settings)
    result["data"] = str(args.data.resolve())
    (args.out / "training.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"trained {result['steps']} steps in {result['wall_s']} s; model in {args.out / 'model'}")


def tiny_settings(steps: int, seed: int = 0, method: str = "full"):
    """A CPU run of the toy: a few steps at a high rate, float32, nothing a GPU needs."""
    from mc_distill.train import TrainSettings

    return TrainSettings(
        base="tiny",
        method=method,
        max_steps=steps,
        learning_rate=1e-3,
        batch_size=2,
        grad_accum=1,
        warmup=0.0,
        bf16=False,
        gradient_checkpointing=False,
        max_length=1024,
        seed=seed,
        tiny=True,
    )


def _check_data(data: Path) -> None:
    for name in ("summary.json", "train.jsonl", "val.jsonl"):
        if not (data / name).is_file():
            raise SystemExit(f"{data}: no {name}; give the folder `metacaptioner distill prepare --out` wrote")


def export_run(run: Path, out: Path) -> dict:
    """Exports a training run's model to `out`, checks every file, writes the card; returns the diffs."""
    import torch
    from transformers import AutoModelForImageTextToText

    from mc_distill.card import write_card
    from mc_distill.export import export
    from mc_distill.verify import check_sessions

    model_dir = run / "model"
    config = json.loads((model_dir / "config.json").read_text())
    if config.get("model_type") not in EXPORTABLE:
        raise SystemExit(
            f"{model_dir / 'config.json'}: model_type {config.get('model_type')!r}; export writes the SmolVLM "
            f"(Idefics3) layout only. Export a Qwen3.5 student with onnx-community's Qwen3.5 conversion."
        )
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out}: not empty; give a new folder for the exported model")
    out.mkdir(parents=True, exist_ok=True)
    export(model_dir, out)
    model = AutoModelForImageTextToText.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32)
    print("onnxruntime against torch:")
    diffs = check_sessions(model.eval(), out / "onnx")
    training = json.loads((run / "training.json").read_text())
    write_card(out, Path(training["data"]), training, diffs)
    return diffs


def _export(args) -> None:
    export_run(args.run, args.out)
    print(f"exported to {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="fine-tune on a distill prepare output")
    t.add_argument("data", type=Path, help="the folder `metacaptioner distill prepare --out` wrote")
    t.add_argument("--out", type=Path, required=True, help="a new folder for the run (model/ and training.json)")
    t.add_argument("--base", default="HuggingFaceTB/SmolVLM-256M-Instruct",
                   help="base repo or folder: SmolVLM-256M/500M-Instruct, or Qwen/Qwen3.5-0.8B (train only)")
    t.add_argument("--method", choices=("full", "lora"), default="full", help="full fine-tuning, or LoRA merged after")
    t.add_argument("--tiny", action="store_true", help="a random toy of the SmolVLM family, on the CPU (3 steps)")
    t.add_argument("--epochs", type=float, default=2.0)
    t.add_argument("--max-steps", type=int, default=-1, help="stop after N optimizer steps (default: the epochs)")
    t.add_argument("--lr", type=float, default=None, help="learning rate (default 2e-5 full, 1e-4 LoRA)")
    t.add_argument("--batch-size", type=int, default=4)
    t.add_argument("--grad-accum", type=int, default=4)
    t.add_argument("--max-length", type=int, default=2048)
    t.add_argument("--fp32", action="store_true", help="train in float32 (default bf16)")
    t.add_argument("--no-gradient-checkpointing", action="store_true")
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(func=_train)

    e = sub.add_parser("export", help="export a training run for the browser (SmolVLM family)")
    e.add_argument("run", type=Path, help="the folder `train --out` wrote")
    e.add_argument("--out", type=Path, required=True, help="a new folder for the browser model")
    e.set_defaults(func=_export)

    loop = sub.add_parser("tiny-loop", help="the whole loop on a CPU with a toy student; writes the test fixture")
    loop.add_argument("--fixtures", type=Path, default=Path(__file__).resolve().parent.parent / "test/fixtures/distill")
    loop.add_argument("--work", type=Path, default=None, help="scratch folder (default: a new temporary one)")
    loop.set_defaults(func=lambda a: __import__("mc_distill.loop", fromlist=["run"]).run(a.fixtures, a.work))

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
