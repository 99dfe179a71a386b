"""
`--tiny`: a randomly initialised model of the SmolVLM (Idefics3) family,
small enough to train and export on a CPU in seconds, with a processor
built here (no hub): a byte-level BPE trained on the training set's prompts
and captions, with the family's special tokens and chat template, and the
family's image processor settings at 64 px tiles.
"""
import json
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    Idefics3Config,
    Idefics3ForConditionalGeneration,
    Idefics3ImageProcessor,
    Idefics3Processor,
    PreTrainedTokenizerFast,
)

from . import family

# Sizes: a 64 px tile of 8 px patches is 8×8 patches; pixel shuffle by 2 leaves 16 image tokens a tile.
TILE = 64
LONGEST_EDGE = 128  # up to 2×2 tiles and the global image (the real 256M: 512 px tiles, 2048 px)
PATCH = 8
SCALE_FACTOR = 2
IMAGE_SEQ_LEN = (TILE // PATCH) ** 2 // SCALE_FACTOR**2
VOCAB_SIZE = 512
# Weights far larger than a real model's 0.02: a toy with near-uniform logits answers every prompt with the
# same most frequent token after three steps; at this scale its greedy tokens depend on the image, the
# positions and the mask, so a test comparing them catches a wrong one.
INIT_STD = 0.3


def _texts(data_dir: Path):
    """Every prompt and caption of the training set (train.jsonl and val.jsonl), for the BPE's merges."""
    for name in ("train.jsonl", "val.jsonl"):
        for line in (data_dir / name).read_text().splitlines():
            for message in json.loads(line)["messages"]:
                for part in message["content"]:
                    if part["type"] == "text":
                        yield part["text"]
    # The template's own words, so "User:" and "Assistant:" are short.
    yield "User: Assistant:\n"


def build_tokenizer(data_dir: Path) -> PreTrainedTokenizerFast:
    """A byte-level BPE (SmolLM's kind) with the family's special tokens at the first ids."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=[*family.SPECIAL_TOKENS, *family.ADDED_TOKENS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_texts(data_dir), trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=family.IM_START,
        eos_token=family.END_OF_UTTERANCE,
        pad_token=family.IM_END,
        unk_token=family.ENDOFTEXT,
        additional_special_tokens=[family.FAKE_IMAGE, family.IMAGE, family.END_OF_UTTERANCE],
        chat_template=family.CHAT_TEMPLATE,
        model_max_length=2048,
    )


def build_processor(data_dir: Path) -> Idefics3Processor:
    tokenizer = build_tokenizer(data_dir)
    settings = family.preprocessor_config(TILE, LONGEST_EDGE)
    images = Idefics3ImageProcessor(
        **{k: v for k, v in settings.items() if k not in ("image_processor_type", "processor_class")}
    )
    return Idefics3Processor(
        image_processor=images, tokenizer=tokenizer, image_seq_len=IMAGE_SEQ_LEN, chat_template=family.CHAT_TEMPLATE
    )


def build_model(tokenizer: PreTrainedTokenizerFast, seed: int) -> Idefics3ForConditionalGeneration:
    """SmolVLM's architecture (SigLIP tower, pixel-shuffle connector, Llama decoder) at toy sizes, random weights."""
    import torch

    torch.manual_seed(seed)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in family.SPECIAL_TOKENS + family.ADDED_TOKENS}
    config = Idefics3Config(
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": TILE,
            "patch_size": PATCH,
            "initializer_range": INIT_STD,
        },
        text_config={
            "model_type": "llama",
            "vocab_size": len(tokenizer),
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "head_dim": 16,
            "max_position_embeddings": 2048,
            "rope_theta": 100000.0,
            "rms_norm_eps": 1e-5,
            "initializer_range": INIT_STD,
            "tie_word_embeddings": True,
            "bos_token_id": ids[family.IM_START],
            "eos_token_id": ids[family.END_OF_UTTERANCE],
            "pad_token_id": ids[family.IM_END],
        },
        scale_factor=SCALE_FACTOR,
        image_token_id=ids[family.IMAGE],
        pad_token_id=ids[family.IM_END],
        tie_word_embeddings=True,
        initializer_range=INIT_STD,
    )
    model = Idefics3ForConditionalGeneration(config)
    model.generation_config.eos_token_id = [ids[family.IM_END], ids[family.END_OF_UTTERANCE]]
    model.generation_config.pad_token_id = ids[family.IM_END]
    model.generation_config.bos_token_id = ids[family.IM_START]
    return model
