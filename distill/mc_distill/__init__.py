"""MetaCaptioner's distillation recipe: fine-tune a small VLM on `distill prepare` output and export it for the browser."""
