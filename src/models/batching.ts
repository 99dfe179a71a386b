/**
 * Several prompts about the same image as one batched generation. The VLM
 * processors of transformers.js 4.3 tokenise a batch without padding (the
 * Idefics3 processor calls its tokenizer on the prompt list with no
 * options), so each prompt is processed on its own and the rows are joined
 * here: token ids padded on the left (decoder-only generation continues
 * from the last column), attention masks zero over the padding, image
 * tensors concatenated along the batch axis. transformers.js keeps
 * generating for rows that ended until every row has, so each row is cut
 * at its first end-of-text token and at its own token budget.
 */
import { BaseStreamer, type PreTrainedTokenizer, Tensor, cat } from '@huggingface/transformers';
import type { ModelInputs } from './generation';

/** Joins per-prompt inputs into one left-padded batch; tensors other than ids and mask are concatenated. */
export function joinRows(rows: readonly ModelInputs[], padId: number): ModelInputs {
  const lengths = rows.map((r) => r.input_ids.dims.at(-1) ?? 0);
  const width = Math.max(...lengths);
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    const offset = r * width + width - (lengths[r] ?? 0);
    ids.set(row.input_ids.data as BigInt64Array, offset);
    mask.fill(1n, offset, (r + 1) * width);
  });
  const joined: Record<string, unknown> = {
    input_ids: new Tensor('int64', ids, [rows.length, width]),
    attention_mask: new Tensor('int64', mask, [rows.length, width]),
  };
  const [first] = rows;
  for (const key of Object.keys(first ?? {})) {
    if (key === 'input_ids' || key === 'attention_mask') continue;
    const values = rows.map((r) => r[key]);
    if (values.every((v): v is Tensor => v instanceof Tensor)) joined[key] = cat(values, 0);
  }
  return joined as unknown as ModelInputs;
}

/** The new tokens of each row: after the padded prompt, up to the first end token, at most `budgets[row]`. */
export function rowTokens(output: Tensor, promptWidth: number, eos: ReadonlySet<bigint>, budgets: readonly number[]) {
  const [rows = 0, width = 0] = output.dims;
  const data = output.data as BigInt64Array;
  return Array.from({ length: rows }, (_, r) => {
    const tokens: bigint[] = [];
    for (let c = promptWidth; c < width && tokens.length < (budgets[r] ?? 0); c++) {
      const id = data[r * width + c] ?? 0n;
      if (eos.has(id)) return { tokens, ended: true };
      tokens.push(id);
    }
    return { tokens, ended: false };
  });
}

/** Streams each row's text as it grows (TextStreamer takes one row only). */
export class RowStreamer extends BaseStreamer {
  private promptSeen = false;
  private readonly tokens: bigint[][];
  private readonly sent: string[];
  private readonly done: boolean[];

  constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly eos: ReadonlySet<bigint>,
    private readonly budgets: readonly number[],
    private readonly onText: (row: number, text: string) => void,
  ) {
    super();
    this.tokens = budgets.map(() => []);
    this.sent = budgets.map(() => '');
    this.done = budgets.map(() => false);
  }

  override put(value: bigint[][]): void {
    // The first call carries the prompt.
    if (!this.promptSeen) {
      this.promptSeen = true;
      return;
    }
    value.forEach(([id], row) => {
      const tokens = this.tokens[row];
      if (id === undefined || !tokens || this.done[row]) return;
      if (this.eos.has(id) || tokens.length >= (this.budgets[row] ?? 0)) {
        this.done[row] = true;
        return;
      }
      tokens.push(id);
      const text = this.tokenizer.decode(tokens, { skip_special_tokens: true });
      const before = this.sent[row] ?? '';
      // Only whole characters: a multi-byte character split over tokens decodes to U+FFFD until complete.
      if (text.length > before.length && !text.endsWith('\uFFFD')) {
        this.onText(row, text.slice(before.length));
        this.sent[row] = text;
      }
    });
  }

  override end(): void {}
}
