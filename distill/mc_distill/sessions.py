"""
The three ONNX sessions of the SmolVLM (Idefics3) family as transformers.js
4.3 runs them (models/idefics3, llava and modeling_utils.js there):

- `vision_encoder`: pixel_values [batch, num_images, 3, H, W] float32 and
  pixel_attention_mask [batch, num_images, H, W] bool → image_features
  [batch·num_images, image_seq_len, hidden];
- `embed_tokens`: input_ids [batch, seq] int64 → inputs_embeds;
- `decoder_model_merged`: inputs_embeds, attention_mask [batch, total]
  int64, position_ids [batch, seq] int64, past_key_values.N.key/value
  [batch, kv_heads, past, head_dim] → logits, present.N.key/value. One graph
  serves the prompt and every later step: an empty past (length 0) is a
  valid input, which is how transformers.js starts.

Each wrapper calls the fine-tuned model's own modules, so the graphs are
the model's maths traced by torch.onnx.export, nothing re-implemented.
"""
import torch
from transformers import DynamicCache


class VisionEncoder(torch.nn.Module):
    """Vision tower and connector. The pixel mask becomes the patch mask as the model itself computes it."""

    def __init__(self, model):
        super().__init__()
        self.inner = model.model
        self.patch = model.config.vision_config.patch_size

    def forward(self, pixel_values, pixel_attention_mask):
        b, n, c, h, w = pixel_values.shape
        pixels = pixel_values.reshape(b * n, c, h, w)
        mask = pixel_attention_mask.reshape(b * n, h, w)
        # Idefics3Model.get_image_features: a patch counts when any of its pixels is real (its unfold,
        # as a reshape: the ONNX exporter cannot unfold a tensor of symbolic size).
        p = self.patch
        tiles = mask.reshape(b * n, h // p, p, w // p, p).to(torch.float32)
        patch_mask = tiles.sum(dim=(2, 4)) > 0
        hidden = self.inner.vision_model(pixel_values=pixels, patch_attention_mask=patch_mask).last_hidden_state
        return self.inner.connector(hidden)


class EmbedTokens(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.embed = model.get_input_embeddings()

    def forward(self, input_ids):
        return self.embed(input_ids)


class Decoder(torch.nn.Module):
    """The language model and its head over a key/value cache passed in and out as tensors."""

    def __init__(self, model):
        super().__init__()
        self.text = model.model.text_model
        self.head = model.lm_head
        self.layers = model.config.text_config.num_hidden_layers
        self.config = model.config.text_config

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        cache = DynamicCache(config=self.config)
        for i in range(self.layers):
            cache.update(past[2 * i], past[2 * i + 1], i)
        out = self.text(
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
        )
        present = []
        for layer in out.past_key_values.layers:
            present += [layer.keys, layer.values]
        return (self.head(out.last_hidden_state), *present)


def kv_names(layers: int, prefix: str) -> list[str]:
    return [f"{prefix}.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
