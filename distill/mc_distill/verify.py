"""
Checks an exported folder against the torch model with onnxruntime: each
session file's outputs on fixed inputs (max abs difference printed), and
greedy decoding per dtype plan on the app's own inputs for one image,
recorded as the reference the Node test compares with.
"""
import base64
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from .export import SESSIONS, SUFFIX, VARIANTS, _dummy, _io
from .sessions import Decoder, EmbedTokens, VisionEncoder

# The plans of SMOLVLM_DTYPES (src/shared/presets.ts) and the fp32 files.
PLANS = {
    "fp32": {"vision_encoder": "fp32", "embed_tokens": "fp32", "decoder_model_merged": "fp32"},
    "wasm": {"vision_encoder": "q8", "embed_tokens": "q8", "decoder_model_merged": "q8"},
    "webgpu": {"vision_encoder": "fp32", "embed_tokens": "fp32", "decoder_model_merged": "q4"},
    "webgpuF16": {"vision_encoder": "fp16", "embed_tokens": "fp16", "decoder_model_merged": "q4f16"},
}
NUMPY = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _feed(session: ort.InferenceSession, values: dict) -> dict:
    """Inputs in the types the session declares (a half-precision cache takes float16)."""
    feed = {}
    for spec in session.get_inputs():
        value = values[spec.name]
        feed[spec.name] = value.astype(NUMPY[spec.type]) if spec.type in NUMPY else value
    return feed


def check_sessions(model, onnx_dir: Path) -> dict:
    """Max abs difference of every output of every file against torch, on the export's example inputs."""
    wrappers = {"vision_encoder": VisionEncoder, "embed_tokens": EmbedTokens, "decoder_model_merged": Decoder}
    dummy, io = _dummy(model), _io(model)
    diffs = {}
    for name in SESSIONS:
        inputs, _, _ = io[name]
        with torch.no_grad():
            expected = wrappers[name](model).eval()(*dummy[name])
        expected = expected if isinstance(expected, tuple) else (expected,)
        values = {n: t.numpy() for n, t in zip(inputs, dummy[name])}
        for dtype in VARIANTS[name]:
            file = f"{name}{SUFFIX[dtype]}.onnx"
            got = _session(onnx_dir / file).run(None, _feed(_session(onnx_dir / file), values))
            diff = max(float(np.abs(g.astype(np.float32) - e.numpy()).max()) for g, e in zip(got, expected))
            diffs[file] = diff
            print(f"  {file}: max abs diff against torch {diff:.3g}")
    return diffs


def load_inputs(path: Path) -> dict:
    """The app's inputs written by distill/student-inputs.ts."""
    raw = json.loads(path.read_text())
    pixels = np.frombuffer(base64.b64decode(raw["pixel_values"]["float32_base64"]), dtype=np.float32)
    mask = np.array(raw["pixel_attention_mask"]["data"], dtype=bool)
    return {
        "input_ids": np.array([raw["input_ids"]], dtype=np.int64),
        "attention_mask": np.array([raw["attention_mask"]], dtype=np.int64),
        "pixel_values": pixels.reshape(raw["pixel_values"]["dims"]).copy(),
        "pixel_attention_mask": mask.reshape(raw["pixel_attention_mask"]["dims"]),
        "pixel_values_sha256": raw["pixel_values_sha256"],
        "input_ids_sha256": raw["input_ids_sha256"],
    }


def torch_greedy(model, inputs: dict, new_tokens: int) -> list[int]:
    with torch.no_grad():
        out = model.generate(
            input_ids=torch.from_numpy(inputs["input_ids"]),
            attention_mask=torch.from_numpy(inputs["attention_mask"]),
            pixel_values=torch.from_numpy(inputs["pixel_values"]),
            pixel_attention_mask=torch.from_numpy(inputs["pixel_attention_mask"]),
            max_new_tokens=new_tokens,
            do_sample=False,
        )
    return out[0, inputs["input_ids"].shape[1] :].tolist()


def ort_greedy(onnx_dir: Path, plan: dict, inputs: dict, image_token_id: int, eos: set, new_tokens: int) -> list[int]:
    """Greedy decoding over the three sessions the way transformers.js 4.3 runs them (modeling_utils.js)."""
    files = {s: onnx_dir / f"{s}{SUFFIX[plan[s]]}.onnx" for s in SESSIONS}
    vision, embed, decoder = (_session(files[s]) for s in SESSIONS)
    features = vision.run(None, _feed(vision, inputs))[0].astype(np.float32)
    ids = inputs["input_ids"]
    embeds = embed.run(None, {"input_ids": ids})[0].astype(np.float32)
    # default_merge_input_ids_with_image_features: the image tokens take the features in order.
    embeds[ids == image_token_id] = features.reshape(-1, features.shape[-1])
    past = {}
    for spec in decoder.get_inputs():
        if spec.name.startswith("past_key_values."):
            _, heads, _, dim = spec.shape
            past[spec.name] = np.zeros((1, heads, 0, dim), dtype=NUMPY[spec.type])
    mask = inputs["attention_mask"]
    positions = np.arange(ids.shape[1], dtype=np.int64)[None]
    out = []
    names = [o.name for o in decoder.get_outputs()]
    for _ in range(new_tokens):
        values = {"inputs_embeds": embeds, "attention_mask": mask, "position_ids": positions, **past}
        results = dict(zip(names, decoder.run(None, _feed(decoder, values))))
        token = int(results["logits"][0, -1].astype(np.float32).argmax())
        out.append(token)
        if token in eos:
            break
        past = {n.replace("present", "past_key_values"): v for n, v in results.items() if n.startswith("present")}
        embeds = embed.run(None, {"input_ids": np.array([[token]], dtype=np.int64)})[0].astype(np.float32)
        mask = np.concatenate([mask, np.ones((1, 1), dtype=np.int64)], axis=1)
        positions = np.array([[mask.shape[1] - 1]], dtype=np.int64)
    return out


def reference(model, onnx_dir: Path, inputs: dict, new_tokens: int) -> dict:
    """Greedy token ids from torch and from onnxruntime on each plan's files."""
    eos_ids = model.generation_config.eos_token_id
    eos = set(eos_ids if isinstance(eos_ids, list) else [eos_ids])
    tokens = {"torch": torch_greedy(model, inputs, new_tokens)}
    print(f"  torch: {tokens['torch']}")
    for name, plan in PLANS.items():
        try:
            tokens[f"onnxruntime:{name}"] = ort_greedy(onnx_dir, plan, inputs, model.config.image_token_id, eos, new_tokens)
        except Exception as err:  # a plan CPU onnxruntime cannot run (fp16 kernels) is recorded, not fatal
            tokens[f"onnxruntime:{name}"] = f"not run here: {err}"
        print(f"  onnxruntime {name}: {tokens[f'onnxruntime:{name}']}")
    return tokens
