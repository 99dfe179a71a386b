/**
 * Reading a chat-completions answer, whole (JSON) or streamed (server-sent
 * events), into one shape, without trusting it: servers differ in where
 * thinking goes (`reasoning` in vLLM, SGLang and Ollama, `reasoning_content`
 * in llama.cpp and older vLLM), give `content` as a string, null or a list
 * of parts, and may leave `usage` out. What the answer means (thinking,
 * empty, cut) is decided by the client; this only reads it.
 */
import { TransientError } from './retry';

/** One answer as read. */
export interface Answer {
  /** The text of `content` ('' when null or absent). */
  readonly text: string;
  /** Whether `content` was null or absent (not even ""). */
  readonly contentNull: boolean;
  /** The thinking the server split off, when it did. */
  readonly reasoning: string | null;
  /** `finish_reason`: `stop`, `length`, …; null when not given. */
  readonly finish: string | null;
  /** Token counts, when the server reported them. */
  readonly usage: { readonly prompt: number; readonly completion: number } | null;
  /** The thinking came inline in `content` (`<think>…</think>`, no reasoning parser) and was taken out of `text`. */
  readonly inlineThinking: boolean;
}

/**
 * Takes a thinking model's inline thinking out of the text: a server without
 * a reasoning parser (TGI; vLLM or llama.cpp started without one) returns
 * Qwen3/DeepSeek-R1 style `<think>…</think>` in `content`, or only the
 * closing tag when the chat template opened the block in the prompt. An
 * unclosed block is all thinking (cut before the answer).
 */
export function splitThinking(text: string): { text: string; thinking: string | null } {
  const open = /^\s*<think>/.exec(text);
  const close = text.indexOf('</think>');
  if (open) {
    if (close < 0) return { text: '', thinking: text.slice(open[0].length) };
    return { text: text.slice(close + '</think>'.length).trimStart(), thinking: text.slice(open[0].length, close) };
  }
  if (close >= 0 && !text.slice(0, close).includes('<think>')) {
    return { text: text.slice(close + '</think>'.length).trimStart(), thinking: text.slice(0, close) };
  }
  return { text, thinking: null };
}

/** The answer as read, its inline thinking (if any) moved to `reasoning`. */
function finish(
  text: string | null,
  reasoning: string | null,
  finishReason: string | null,
  usage: Answer['usage'],
): Answer {
  const split = splitThinking(text ?? '');
  return {
    text: split.text,
    contentNull: text === null,
    reasoning: split.thinking === null ? reasoning : (reasoning ?? '') + split.thinking,
    finish: finishReason,
    usage,
    inlineThinking: split.thinking !== null,
  };
}

/** The text of `content`: a string, or the text parts of a list of parts (some servers send those). */
function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  return content
    .map((part: unknown) =>
      typeof part === 'string'
        ? part
        : part && typeof part === 'object' && 'text' in part && typeof part.text === 'string'
          ? part.text
          : '',
    )
    .join('');
}

/** Thinking under either name servers use. */
function reasoningOf(message: Record<string, unknown>): string | null {
  const value = message.reasoning ?? message.reasoning_content;
  return typeof value === 'string' ? value : null;
}

function usageOf(usage: unknown): Answer['usage'] {
  if (!usage || typeof usage !== 'object') return null;
  const { prompt_tokens: prompt, completion_tokens: completion } = usage as Record<string, unknown>;
  return typeof completion === 'number' ? { prompt: typeof prompt === 'number' ? prompt : 0, completion } : null;
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/** The error object some servers send with a 200 (in a body or a stream event). */
function serverError(json: Record<string, unknown>): string | null {
  const error = json.error;
  if (error === undefined || error === null) return null;
  return typeof error === 'string' ? error : String(record(error).message ?? JSON.stringify(error));
}

/** A whole answer's body; a body that is not a chat completion is a malformed-answer TransientError. */
export function readAnswer(body: string): Answer {
  let json: Record<string, unknown>;
  try {
    json = record(JSON.parse(body));
  } catch {
    throw new TransientError('malformed', `the answer is not JSON (${body.slice(0, 80)})`);
  }
  const failed = serverError(json);
  if (failed) throw new TransientError('server-error', `the server answered with an error: ${failed.slice(0, 200)}`);
  const choices = json.choices;
  const choice = Array.isArray(choices) ? record(choices[0]) : null;
  if (!choice || !choice.message) throw new TransientError('malformed', 'the answer has no choices[0].message');
  const message = record(choice.message);
  const text = contentText(message.content);
  const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : null;
  return finish(text, reasoningOf(message), finishReason, usageOf(json.usage));
}

/**
 * A streamed answer (`stream: true`): `data:` lines of chunks whose
 * `choices[0].delta` carry pieces of content and thinking, `finish_reason`
 * on the last, `usage` on a final chunk when asked for, then `data: [DONE]`.
 * A stream that ends before a finish reason was cut off (TransientError).
 */
export function readStream(body: string): Answer {
  let text: string | null = null;
  let reasoning: string | null = null;
  let finishReason: string | null = null;
  let usage: Answer['usage'] = null;
  let done = false;
  for (const line of body.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    let chunk: Record<string, unknown>;
    try {
      chunk = record(JSON.parse(data));
    } catch {
      throw new TransientError('malformed', `a streamed chunk is not JSON (${data.slice(0, 80)})`);
    }
    const failed = serverError(chunk);
    if (failed) throw new TransientError('server-error', `the stream ended with an error: ${failed.slice(0, 200)}`);
    usage = usageOf(chunk.usage) ?? usage;
    const choices = chunk.choices;
    const choice = Array.isArray(choices) ? record(choices[0]) : {};
    const delta = record(choice.delta);
    const piece = contentText(delta.content);
    if (piece !== null) text = (text ?? '') + piece;
    const thought = reasoningOf(delta);
    if (thought !== null) reasoning = (reasoning ?? '') + thought;
    if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
  }
  if (finishReason === null && !done) {
    throw new TransientError('connection', 'the stream ended before the answer did (no finish_reason, no [DONE])');
  }
  return finish(text, reasoning, finishReason, usage);
}
