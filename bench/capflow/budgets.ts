/**
 * Figure 3's check on every caption it times: with the forge's endless
 * models every step runs to its real token budget (an agent's 96–160, the
 * caption style's up to 384, the judge's 128, the router question's 8), and
 * its text must be exactly the endless chain of that length. A step cut
 * short, run long, or decoded with wrong positions or masks (the forge then
 * writes '#') fails the bench. Plain functions: Chromium and Node use them.
 */
import { cleanCaption } from '../../src/capflow/prompts';
import { AGENTS, JUDGE_MAX_NEW_TOKENS } from '../../src/capflow/spec';
import { CAPTION_STYLES, shapeCaption } from '../../src/capflow/styles';
import type { CaptionRecord, CaptionStyle } from '../../src/shared/record';
import { endlessAnswer, tinyLlmAnswer } from '../../test/fixtures/forge/oracle';

/** The router question's budget (router.ts). */
const ROUTER_QUESTION_TOKENS = 8;

/** The token budget of a traced step, by its name (an attempt's `-n` suffix dropped); null: no tokens (CLIP). */
function budget(agent: string, style: CaptionStyle): number | null {
  const name = agent.replace(/-\d+$/, '');
  if (name === 'router') return null;
  if (name === 'router-vlm') return ROUTER_QUESTION_TOKENS;
  if (name.startsWith('judge')) return JUDGE_MAX_NEW_TOKENS;
  if (name === 'summary' || name === 'single-pass') return CAPTION_STYLES[style].maxNewTokens;
  const spec = AGENTS[name as keyof typeof AGENTS];
  if (!spec || spec.kind !== 'vlm') throw new Error(`figure 3: no token budget known for step ${agent}`);
  return spec.maxNewTokens;
}

/**
 * Throws unless every step of `record` wrote its whole budget as the endless
 * chain (VLM steps about the image from `vlmStart`, the text LLM's from the
 * letter its prompt selects) and the caption is a caption step's text,
 * shaped as the style shapes it. Returns the tokens the record generated.
 */
export function checkAtBudget(record: CaptionRecord, vlmStart: string): number {
  const style = record.style ?? 'detailed';
  let tokens = 0;
  const captions: string[] = [];
  for (const t of record.trace) {
    const want = budget(t.agent, style);
    if (want === null) continue;
    const start = t.role === 'summary' ? (tinyLlmAnswer(t.prompt)[0] ?? '') : vlmStart;
    const expected = endlessAnswer(start, want);
    if (t.tokens !== want || t.output !== expected) {
      throw new Error(
        `figure 3: step ${t.agent} wrote ${t.tokens} tokens ${JSON.stringify(t.output.slice(0, 40))}…, ` +
          `expected its budget of ${want}: ${JSON.stringify(expected.slice(0, 40))}…`,
      );
    }
    tokens += t.tokens;
    if (t.role === 'summary' || t.role === 'metacaptioner') captions.push(shapeCaption(cleanCaption(t.output), style));
  }
  // The judge keeps one of the attempts' captions.
  if (!captions.includes(record.caption)) {
    throw new Error(`figure 3: the caption ${JSON.stringify(record.caption.slice(0, 40))}… is no caption step's text`);
  }
  return tokens;
}
