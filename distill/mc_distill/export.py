"""
Export for the browser: the family's three sessions with torch.onnx.export,
the dtype variants our tiny tier's plans load (src/shared/presets.ts,
SMOLVLM_DTYPES: fp32 and q4 on WebGPU, fp16 and q4f16 with shader-f16, q8
on WASM), quantised with onnxruntime's own tools, and the small files in
the layout of the SmolVLM-Instruct repos. Every file written is run with
onnxruntime against the torch model (verify.py).

Exporters: the decoder and embeddings go through the TorchScript exporter
(`dynamo=False`: it traces the DynamicCache built from tensor inputs, and a
zero-length past works); the vision tower through the dynamo exporter (the
TorchScript one types Idefics3's position-id scatter as float and the graph
does not load).
"""
import json
import logging
import shutil
from pathlib import Path

import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
from onnxruntime.transformers.float16 import convert_float_to_float16

from . import family
from .sessions import Decoder, EmbedTokens, VisionEncoder, kv_names

# onnxruntime's quantiser sets the root logger to INFO at import (a line per node, a thousand here), and
# the float16 converter prints every node it leaves in float32 as a warning: what matters is checked
# afterwards, file by file, against torch (verify.py).
logging.getLogger().setLevel(logging.WARNING)
logging.getLogger("onnxruntime.transformers.float16").setLevel(logging.ERROR)

OPSET = 18
SESSIONS = ("vision_encoder", "embed_tokens", "decoder_model_merged")
# File suffix per dtype, as transformers.js 4.3 names them (DEFAULT_DTYPE_SUFFIX_MAPPING; model-files.ts).
SUFFIX = {"fp32": "", "fp16": "_fp16", "q8": "_quantized", "q4": "_q4", "q4f16": "_q4f16"}
# The dtypes written per session: each plan of SMOLVLM_DTYPES, and fp32 of each (the reference).
VARIANTS = {
    "vision_encoder": ("fp32", "fp16", "q8"),
    "embed_tokens": ("fp32", "fp16", "q8"),
    "decoder_model_merged": ("fp32", "q8", "q4", "q4f16"),
}
# Float tensors at a half-precision session's boundary that stay float32: pixels (transformers.js never
# converts them), and the decoder's inputs_embeds (the embeddings and image features merged on the CPU side
# arrive as float32). The decoder's cache and logits, and the vision tower's features, become float16.
KEEP_FLOAT32 = {
    "vision_encoder": ["pixel_values"],
    "embed_tokens": ["input_ids", "inputs_embeds"],
    "decoder_model_merged": ["inputs_embeds"],
}


def _dummy(model):
    """Example inputs: two 64 px tiles, five tokens after three cached ones."""
    tc = model.config.text_config
    tile = model.config.vision_config.image_size
    past = [torch.randn(1, tc.num_key_value_heads, 3, tc.head_dim) for _ in range(2 * tc.num_hidden_layers)]
    return {
        "vision_encoder": (torch.randn(1, 2, 3, tile, tile), torch.ones(1, 2, tile, tile, dtype=torch.bool)),
        "embed_tokens": (torch.tensor([[1, 2, 3, 4, 5]]),),
        "decoder_model_merged": (
            torch.randn(1, 5, tc.hidden_size),
            torch.ones(1, 8, dtype=torch.int64),
            torch.arange(3, 8)[None],
            *past,
        ),
    }


def _io(model):
    """Input names, output names and symbolic axes per session (transformers.js's names)."""
    layers = model.config.text_config.num_hidden_layers
    past, present = kv_names(layers, "past_key_values"), kv_names(layers, "present")
    seq = {0: "batch_size", 1: "sequence_length"}
    decoder_axes = {
        "inputs_embeds": seq,
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": seq,
        "logits": seq,
        **{n: {0: "batch_size", 2: "past_sequence_length"} for n in past},
        **{n: {0: "batch_size", 2: "total_sequence_length"} for n in present},
    }
    return {
        "vision_encoder": (
            ["pixel_values", "pixel_attention_mask"],
            ["image_features"],
            {
                "pixel_values": {0: "batch_size", 1: "num_images", 3: "height", 4: "width"},
                "pixel_attention_mask": {0: "batch_size", 1: "num_images", 2: "height", 3: "width"},
                "image_features": {0: "batch_size"},
            },
        ),
        "embed_tokens": (["input_ids"], ["inputs_embeds"], {"input_ids": seq, "inputs_embeds": seq}),
        "decoder_model_merged": (["inputs_embeds", "attention_mask", "position_ids", *past], ["logits", *present], decoder_axes),
    }


def export_fp32(model, onnx_dir: Path) -> None:
    wrappers = {"vision_encoder": VisionEncoder, "embed_tokens": EmbedTokens, "decoder_model_merged": Decoder}
    dummy, io = _dummy(model), _io(model)
    for name in SESSIONS:
        inputs, outputs, axes = io[name]
        dynamo = name == "vision_encoder"
        extra = {"external_data": False} if dynamo else {}
        with torch.no_grad():
            torch.onnx.export(
                wrappers[name](model).eval(),
                dummy[name],
                str(onnx_dir / f"{name}.onnx"),
                input_names=inputs,
                output_names=outputs,
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=dynamo,
                **extra,
            )
        if dynamo:
            _strip_metadata(onnx_dir / f"{name}.onnx")


def _strip_metadata(path: Path) -> None:
    """Drops the dynamo exporter's per-node source locations (three quarters of a small tower's bytes)."""
    model = onnx.load(str(path))
    for node in model.graph.node:
        del node.metadata_props[:]
    onnx.save(model, str(path))


def _q8(src: Path, dst: Path) -> None:
    # MatMul and Gather only: ConvInteger (a dynamically quantised Conv) has no kernel in onnxruntime-web.
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QUInt8, op_types_to_quantize=["MatMul", "Gather"])


def _q4(model: onnx.ModelProto) -> onnx.ModelProto:
    quantizer = MatMulNBitsQuantizer(model, bits=4, block_size=32, is_symmetric=True)
    quantizer.process()
    return quantizer.model.model


def _fp16(model: onnx.ModelProto, session: str) -> onnx.ModelProto:
    half = convert_float_to_float16(model, keep_io_types=KEEP_FLOAT32[session])
    # The converter adds one Cast per consumer of a value it keeps in float32, all with the same name and
    # output (the dynamo graph shares scalars between such nodes); onnxruntime refuses the repeats. They
    # are identical, so the first stays.
    seen: set[str] = set()
    kept = []
    for node in half.graph.node:
        if node.op_type == "Cast" and node.name in seen:
            continue
        seen.add(node.name)
        kept.append(node)
    del half.graph.node[:]
    half.graph.node.extend(kept)
    return half


def write_variants(onnx_dir: Path) -> list[Path]:
    """Every dtype file of every session, made from its fp32 graph; returns the files written."""
    written = []
    for session in SESSIONS:
        fp32 = onnx_dir / f"{session}.onnx"
        written.append(fp32)
        for dtype in VARIANTS[session]:
            out = onnx_dir / f"{session}{SUFFIX[dtype]}.onnx"
            if dtype == "q8":
                _q8(fp32, out)
            elif dtype == "fp16":
                onnx.save(_fp16(onnx.load(str(fp32)), session), str(out))
            elif dtype == "q4":
                onnx.save(_q4(onnx.load(str(fp32))), str(out))
            elif dtype == "q4f16":
                onnx.save(_fp16(_q4(onnx.load(str(fp32))), session), str(out))
            if dtype != "fp32":
                written.append(out)
    return written


def _write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def write_small_files(model_dir: Path, out: Path, image_seq_len: int) -> None:
    """
    config, generation config, processor and tokenizer files as the SmolVLM-Instruct repos lay them out.
    transformers 5 saves the image processor inside processor_config.json and the template in
    chat_template.jinja; transformers.js 4.3 reads preprocessor_config.json, and for this family the
    template only from tokenizer_config.json.
    """
    for name in ("config.json", "generation_config.json", "tokenizer.json"):
        shutil.copyfile(model_dir / name, out / name)
    saved = json.loads((model_dir / "processor_config.json").read_text())
    images = saved.get("image_processor", {})
    tile, longest = images["max_image_size"]["longest_edge"], images["size"]["longest_edge"]
    _write_json(out / "preprocessor_config.json", family.preprocessor_config(tile, longest))
    _write_json(out / "processor_config.json", {"image_seq_len": image_seq_len, "processor_class": "Idefics3Processor"})
    tokenizer = json.loads((model_dir / "tokenizer_config.json").read_text())
    template = (model_dir / "chat_template.jinja").read_text() if (model_dir / "chat_template.jinja").exists() else family.CHAT_TEMPLATE
    special = {k: tokenizer[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token") if tokenizer.get(k)}
    extra = tokenizer.get("extra_special_tokens") or tokenizer.get("additional_special_tokens") or []
    _write_json(
        out / "tokenizer_config.json",
        {
            "add_prefix_space": False,
            "added_tokens_decoder": tokenizer.get("added_tokens_decoder", {}),
            "additional_special_tokens": extra,
            **special,
            "chat_template": template,
            "clean_up_tokenization_spaces": False,
            "model_max_length": tokenizer.get("model_max_length", 8192),
            "processor_class": "Idefics3Processor",
            "tokenizer_class": "GPT2Tokenizer",
            "vocab_size": json.loads((model_dir / "config.json").read_text())["text_config"]["vocab_size"],
        },
    )
    _write_json(out / "special_tokens_map.json", {**special, "additional_special_tokens": extra})
    _write_json(out / "chat_template.json", {"chat_template": template})


def export(model_dir: Path, out: Path) -> list[Path]:
    """The fine-tuned model in `model_dir` as a browser model folder in `out` (onnx/ and the small files)."""
    from transformers import AutoModelForImageTextToText

    model = AutoModelForImageTextToText.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32)
    model.eval()
    onnx_dir = out / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    export_fp32(model, onnx_dir)
    files = write_variants(onnx_dir)
    processor = json.loads((model_dir / "processor_config.json").read_text())
    write_small_files(model_dir, out, processor["image_seq_len"])
    return files
