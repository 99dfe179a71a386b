"""
The SmolVLM (Idefics3) family's fixed parts: its special tokens, its chat
template, and the layout of its small files. The template is the one the
SmolVLM-Instruct repos ship (the project's forge writes the same one,
test/fixtures/forge/tokenizer.ts); transformers.js 4.3 reads it from
tokenizer_config.json for this family, so it goes there.
"""

CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{ message['role'] | capitalize }}"
    "{% if message['content'][0]['type'] == 'image' %}{{ ':' }}{% else %}{{ ': ' }}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{ line['text'] }}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n{% endfor %}"
    "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)

ENDOFTEXT = "<|endoftext|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
END_OF_UTTERANCE = "<end_of_utterance>"
FAKE_IMAGE = "<fake_token_around_image>"
IMAGE = "<image>"
GLOBAL_IMAGE = "<global-img>"

# Tile markers of a split image: SmolVLM's processor writes <row_R_col_C> for up to 6×6 tiles.
ROW_COL = [f"<row_{r}_col_{c}>" for r in range(1, 7) for c in range(1, 7)]

# In the order they get ids after the base vocabulary's first tokens (SmolVLM's are 0–2 for the first three).
SPECIAL_TOKENS = [ENDOFTEXT, IM_START, IM_END]
ADDED_TOKENS = [FAKE_IMAGE, IMAGE, *ROW_COL, GLOBAL_IMAGE, END_OF_UTTERANCE]

# What transformers.js's Idefics3 processor and the app's reference defaults read (processor-defaults.ts);
# the real 256M states the same keys with 512 px tiles and a 2048 px longest edge.
def preprocessor_config(tile: int, longest_edge: int) -> dict:
    return {
        "do_convert_rgb": True,
        "do_image_splitting": True,
        "do_normalize": True,
        "do_pad": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_processor_type": "Idefics3ImageProcessor",
        "image_std": [0.5, 0.5, 0.5],
        "max_image_size": {"longest_edge": tile},
        "processor_class": "Idefics3Processor",
        "resample": 1,
        "rescale_factor": 1 / 255,
        "size": {"longest_edge": longest_edge},
    }
