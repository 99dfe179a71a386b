/**
 * What an answer without text means, as an error that says why and the way
 * out: a thinking model that gave only its thinking (the server kind's
 * switch not sent, overridden, or not read by the model's template; or the
 * thinking ate the token budget), or an answer with nothing at all. Neither
 * is retried: the same request gives the same answer.
 */
import type { Answer } from './answer';
import { SERVER_KINDS, type ServerKind } from './server-kinds';

/** A thinking model's answer that holds only its thinking. */
export class ThinkingAnswerError extends Error {
  override readonly name = 'ThinkingAnswerError';
}

/** An answer with no text and no thinking: never a caption. */
export class EmptyAnswerError extends Error {
  override readonly name = 'EmptyAnswerError';
}

/** The endpoint as the error needs it. */
interface Asked {
  readonly url: string;
  readonly model: string;
  readonly server: ServerKind;
  readonly request?: Readonly<Record<string, unknown>>;
}

type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether the user's fields (laid over the switch, one level deep) left the kind's switch as it was. */
function switchKept(switchFields: Json, request: Json): boolean {
  return Object.entries(switchFields).every(([key, value]) => {
    const got = key in request ? request[key] : value;
    return isObject(value)
      ? !isObject(got) || Object.entries(value).every(([k, v]) => (k in got ? got[k] : v) === v)
      : got === value;
  });
}

/** How to get an answer from a thinking model at this endpoint: what was sent, and what to send. */
function thinkingWayOut(asked: Asked): string {
  const spec = SERVER_KINDS[asked.server];
  if (Object.keys(spec.thinkingOff).length === 0) {
    return (
      `Nothing was sent to turn thinking off (server: ${spec.label}). Name the server with --server vllm|sglang|ollama|llamacpp ` +
      `so its switch is sent, or add the field yourself, e.g. --request-json '{"chat_template_kwargs":{"enable_thinking":false}}'.`
    );
  }
  if (!switchKept(spec.thinkingOff, asked.request ?? {})) {
    return `${spec.label}'s switch (${spec.thinkingOffWords}) was overridden by the request fields (--request-json, --<role>-request-json or "request" in --config): remove that field.`;
  }
  return (
    `${spec.label}'s switch (${spec.thinkingOffWords}) was sent, yet the model thinks: its chat template may read another field; ` +
    `add it with --request-json '{…}' (or --vlm-request-json …), or serve an instruct (non-thinking) model.`
  );
}

/**
 * The error for an answer with no text: ThinkingAnswerError when it holds
 * thinking (`cutAt`: the budget it reached, when it was cut), else
 * EmptyAnswerError.
 */
export function noAnswerError(answer: Answer, asked: Asked, cutAt: number | null): Error {
  const where = `"${asked.model}" at ${asked.url}`;
  const content = answer.contentNull ? 'content null' : 'content empty';
  if (answer.reasoning === null || answer.reasoning.trim() === '') {
    return new EmptyAnswerError(
      `${where} answered with no text (${content}, finish_reason ${answer.finish ?? 'none'}). ` +
        'An empty answer is never kept as a caption; check the model and its chat template.',
    );
  }
  const how = cutAt
    ? `it was still thinking when it reached max_tokens (${cutAt}, after a retry with a larger budget)`
    : `the text is only in its reasoning (${answer.reasoning.length} characters)`;
  return new ThinkingAnswerError(
    `${where} is a thinking model and gave no answer (${content}): ${how}. ${thinkingWayOut(asked)}`,
  );
}
