"""The model card (README.md) of a trained and exported student: where its data came from and how it was trained."""
import json
from pathlib import Path


def _table(rows: dict) -> str:
    lines = ["| setting | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows.items()]
    return "\n".join(lines)


def write_card(out: Path, data_dir: Path, training: dict, export: dict | None) -> None:
    summary_path = data_dir / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    base = "a randomly initialised toy of the SmolVLM (Idefics3) family (`--tiny`)" if training["settings"]["tiny"] else training["settings"]["base"]
    parts = [
        "---",
        "library_name: transformers.js",
        "pipeline_tag: image-text-to-text",
        "tags: [metacaptioner, capflow, distillation, idefics3]",
        "---",
        "# MetaCaptioner student",
        "",
        f"A single-pass captioner distilled from CapFlow's captions: {base}, fine-tuned with",
        "`distill/distill.py train` on a `metacaptioner distill prepare` output, exported for",
        "transformers.js with `distill/distill.py export` (ONNX: vision_encoder, embed_tokens,",
        "decoder_model_merged; fp32, fp16, q8 (`_quantized`), q4 and q4f16 files as SmolVLM's tiers load them).",
        "",
        "Load it as the app's `vlm` (a model folder, or a hosted copy) and caption in the single-pass mode:",
        "it was trained on exactly that mode's instruction per domain.",
        "",
        "## Data (summary.json of the prepare output)",
        "",
        "```json",
        json.dumps(summary, indent=2, ensure_ascii=False),
        "```",
        "",
        "## Training",
        "",
        _table(
            {
                **training["settings"],
                "train examples": training["train_examples"],
                "validation examples": training["val_examples"],
                "optimizer steps": training["steps"],
                "loss per logged step": ", ".join(str(x) for x in training["losses"]),
                "training time (s)": training["train_runtime_s"],
            }
        ),
    ]
    if export:
        parts += [
            "",
            "## Export check (onnxruntime against torch, max abs difference of each file's outputs)",
            "",
            _table({k: f"{v:.3g}" for k, v in export.items()}),
        ]
    (out / "README.md").write_text("\n".join(parts) + "\n")
