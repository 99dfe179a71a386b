"""
The tiny loop, one command: 16 forge images with CapFlow records →
`metacaptioner distill prepare` → 3 training steps of a toy SmolVLM on the
CPU → export and checks → the reference tokens → the committed fixture
(test/fixtures/distill/student/, student-reference.json/.png, VERSIONS.md).
Node steps run the project's own code (bundled with rolldown: Node 20 runs
no TypeScript); `npm run build:cli` must have been run for `prepare`.
"""
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "distill" / ".build"
NEW_TOKENS = 12
PACKAGES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "tokenizers", "safetensors",
            "onnx", "onnxruntime", "onnxscript", "numpy", "pillow")


def _node(*args: str) -> None:
    subprocess.run(["node", *args], cwd=REPO, check=True)


def _bundle(name: str) -> Path:
    out = BUILD / f"{name}.mjs"
    subprocess.run(
        ["npx", "rolldown", f"distill/{name}.ts", "--platform", "node", "--format", "esm", "-o", str(out),
         "--external", "sharp", "--external", "@huggingface/transformers",
         "--external", "onnxruntime-node", "--external", "onnxruntime-web"],
        cwd=REPO, check=True, stdout=subprocess.DEVNULL,
    )
    return out


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


def run(fixtures: Path, work: Path | None) -> None:
    import torch
    from transformers import AutoModelForImageTextToText

    sys.path.insert(0, str(REPO / "distill"))
    from distill import export_run, tiny_settings
    from mc_distill.train import train
    from mc_distill.verify import load_inputs, reference

    if not (REPO / "dist-cli" / "metacaptioner.js").exists():
        raise SystemExit("dist-cli/metacaptioner.js is missing: run `npm run build:cli` first")
    work = work or Path(tempfile.mkdtemp(prefix="mc-tiny-loop-"))
    work.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}

    def step(name: str, fn):
        started = time.time()
        result = fn()
        times[name] = round(time.time() - started, 2)
        print(f"[tiny-loop] {name}: {times[name]} s", flush=True)
        return result

    step("bundle node scripts", lambda: [_bundle("forge-run"), _bundle("student-inputs")])
    step("forge 16 images and a CapFlow run log", lambda: _node(str(BUILD / "forge-run.mjs"), str(work / "forge")))
    data = work / "data"
    step("distill prepare", lambda: _node("bin/metacaptioner.js", "distill", "prepare", str(work / "forge/run.jsonl"),
                                          "--out", str(data), "--val-fraction", "0.25"))
    training = step("train (3 steps, --tiny, CPU)", lambda: train(data, work / "run", tiny_settings(3)))
    training["data"] = str(data)
    (work / "run" / "training.json").write_text(json.dumps(training, indent=2) + "\n")
    models = work / "models"
    diffs = step("export and check", lambda: export_run(work / "run", models / "student"))

    # The reference: the first validation image with its single-pass prompt, through the app's processor.
    example = json.loads((data / "val.jsonl").read_text().splitlines()[0])
    prompt = example["messages"][0]["content"][1]["text"]
    image = data / example["images"][0]
    inputs_json = work / "inputs.json"
    step("app inputs (Node)", lambda: _node(str(BUILD / "student-inputs.mjs"), str(models), "student", str(image),
                                            prompt, str(inputs_json)))
    inputs = load_inputs(inputs_json)
    model = AutoModelForImageTextToText.from_pretrained(
        work / "run" / "model", attn_implementation="eager", dtype=torch.float32
    ).eval()
    tokens = step("reference tokens (torch, onnxruntime)", lambda: reference(model, models / "student" / "onnx", inputs, NEW_TOKENS))
    if tokens["torch"] != tokens["onnxruntime:fp32"]:
        raise SystemExit(f"fp32 export disagrees with torch: {tokens}")

    # The fixture, replaced whole.
    student = fixtures / "student"
    if student.exists():
        shutil.rmtree(student)
    fixtures.mkdir(parents=True, exist_ok=True)
    shutil.copytree(models / "student", student)
    shutil.copyfile(image, fixtures / "student-reference.png")
    ref = {
        "about": "Greedy token ids for student-reference.png with its single-pass prompt, written by "
        "`python distill/distill.py tiny-loop`: torch on the trained model, and onnxruntime (Python) on each "
        "dtype plan's exported files (src/shared/presets.ts SMOLVLM_DTYPES; fp32: every session fp32), from the "
        "app's own processor inputs (their hashes below).",
        "image": "student-reference.png",
        "image_sha256": hashlib.sha256(image.read_bytes()).hexdigest(),
        "prompt": prompt,
        "max_new_tokens": NEW_TOKENS,
        "input_ids_sha256": inputs["input_ids_sha256"],
        "pixel_values_sha256": inputs["pixel_values_sha256"],
        "prompt_tokens": int(inputs["input_ids"].shape[1]),
        "tokens": tokens,
    }
    (fixtures / "student-reference.json").write_text(json.dumps(ref, indent=2) + "\n")
    _versions(fixtures, training, diffs, times, student)
    print(f"[tiny-loop] fixture: {student} ({_size(student)} bytes); scratch left in {work}")


def _versions(fixtures: Path, training: dict, diffs: dict, times: dict, student: Path) -> None:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# The tiny student: how it was made",
        "",
        "Written by `python distill/distill.py tiny-loop` (after `npm run build:cli`), on "
        f"{platform.platform()}, Python {platform.python_version()}, Node {node}; CPU only.",
        "",
        "## Package versions",
        "",
        *[f"- {p} {version(p)}" for p in PACKAGES],
        "",
        "## Steps and times (seconds)",
        "",
        *[f"- {k}: {v}" for k, v in times.items()],
        f"- total: {round(sum(times.values()), 2)}",
        "",
        "## Training",
        "",
        f"- {training['steps']} optimizer steps, batch 2, lr 1e-3, float32, on {training['train_examples']} training "
        f"examples; loss per step: {', '.join(str(x) for x in training['losses'])}",
        "",
        "## Files (bytes)",
        "",
        *[f"- {f.relative_to(student)}: {f.stat().st_size}" for f in sorted(student.rglob('*')) if f.is_file()],
        f"- total: {_size(student)}",
        "",
        "## Export check: onnxruntime against torch, max abs difference",
        "",
        *[f"- {k}: {v:.3g}" for k, v in diffs.items()],
        "",
    ]
    (student / "VERSIONS.md").write_text("\n".join(lines))
