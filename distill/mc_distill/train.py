"""
Fine-tuning on a `distill prepare` output with TRL's SFTTrainer: the
student learns the caption (the completion) given the image and the
single-pass instruction (the prompt); the prompt's tokens carry no loss.
Full fine-tuning, or LoRA merged back into the weights, so the export sees
a plain model either way.
"""
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from datasets import Dataset, Image, Sequence
from transformers import AutoModelForImageTextToText, AutoProcessor
from trl import SFTConfig, SFTTrainer

from . import tiny


@dataclass(frozen=True)
class TrainSettings:
    """Defaults for one 24 GB GPU and a 256M–0.8B model in bf16; `--tiny` overrides them for a CPU."""

    base: str = "HuggingFaceTB/SmolVLM-256M-Instruct"
    method: str = "full"  # or "lora"
    epochs: float = 2.0
    max_steps: int = -1
    learning_rate: float = 2e-5  # full; LoRA takes 1e-4 (see defaults_for)
    batch_size: int = 4
    grad_accum: int = 4
    warmup: float = 0.03  # a share of the steps (transformers 5: warmup_steps below 1)
    weight_decay: float = 0.0
    bf16: bool = True
    gradient_checkpointing: bool = True
    max_length: int = 2048
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    seed: int = 0
    tiny: bool = False


def load_split(data_dir: Path, name: str) -> Dataset:
    """A prepare split as TRL's prompt–completion vision rows; images stay paths until a batch needs them."""
    rows = []
    for line in (data_dir / name).read_text().splitlines():
        example = json.loads(line)
        user, assistant = example["messages"]
        rows.append(
            {
                "prompt": [user],
                "completion": [assistant],
                "images": [str(data_dir / p) for p in example["images"]],
            }
        )
    if not rows:
        raise SystemExit(f"{data_dir / name} has no examples")
    return Dataset.from_list(rows).cast_column("images", Sequence(Image()))


def load_base(settings: TrainSettings, data_dir: Path):
    """The processor and model to fine-tune: the base repo's, or (`--tiny`) the random toy of the family."""
    if settings.tiny:
        processor = tiny.build_processor(data_dir)
        return processor, tiny.build_model(processor.tokenizer, settings.seed)
    processor = AutoProcessor.from_pretrained(settings.base)
    dtype = torch.bfloat16 if settings.bf16 else torch.float32
    model = AutoModelForImageTextToText.from_pretrained(settings.base, dtype=dtype)
    return processor, model


def with_lora(model, settings: TrainSettings):
    """LoRA on the language model's projections (SmolVLM: text_model, Qwen3.5: language_model); the vision tower and connector stay as they are."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=r".*(text_model|language_model).*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


def train(data_dir: Path, out_dir: Path, settings: TrainSettings) -> dict:
    """Fine-tunes, merges LoRA if any, saves model and processor in `out_dir`; returns what happened (for the card)."""
    started = time.time()
    processor, model = load_base(settings, data_dir)
    if settings.method == "lora":
        model = with_lora(model, settings)
    train_set, val_set = load_split(data_dir, "train.jsonl"), None
    if (data_dir / "val.jsonl").read_text().strip():
        val_set = load_split(data_dir, "val.jsonl")
    config = SFTConfig(
        output_dir=str(out_dir / "checkpoints"),
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps,
        learning_rate=settings.learning_rate,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.batch_size,
        gradient_accumulation_steps=settings.grad_accum,
        warmup_steps=settings.warmup,
        weight_decay=settings.weight_decay,
        bf16=settings.bf16,
        gradient_checkpointing=settings.gradient_checkpointing,
        max_length=settings.max_length,
        completion_only_loss=True,
        seed=settings.seed,
        logging_steps=1,
        save_strategy="no",
        eval_strategy="epoch" if val_set is not None and not settings.tiny else "no",
        report_to=[],
        use_cpu=settings.tiny,
        dataloader_num_workers=0,
    )
    trainer = SFTTrainer(
        model=model, args=config, train_dataset=train_set, eval_dataset=val_set, processing_class=processor
    )
    result = trainer.train()
    model = trainer.model
    if settings.method == "lora":
        model = model.merge_and_unload()
    model = model.to(torch.float32)
    model.save_pretrained(out_dir / "model")
    processor.save_pretrained(out_dir / "model")
    losses = [round(h["loss"], 4) for h in trainer.state.log_history if "loss" in h]
    return {
        "settings": asdict(settings),
        "train_examples": len(train_set),
        "val_examples": len(val_set) if val_set is not None else 0,
        "steps": trainer.state.global_step,
        "losses": losses,
        "train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 2),
        "wall_s": round(time.time() - started, 2),
    }
