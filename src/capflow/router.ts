/**
 * Domain routing: a pinned domain wins; videos take the video workflow;
 * otherwise a zero-shot image–text model scores every domain (several text
 * prompts each, softmax over domains) and, when it is unsure, the VLM
 * answers the multiple-choice question with the domain definitions. An
 * unreadable answer falls back to the zero-shot winner, never crashes.
 */
import { IMAGE_DOMAINS, parseDomainAnswer, routerQuestion } from './prompts';
import type { AgentTrace, DomainResult, DomainId } from '../shared/record';
import { DOMAINS, ROUTER_CONFIDENCE_THRESHOLD, ROUTER_LOGIT_SCALE } from './spec';
import { type CapflowInput, type CapflowModels, type WorkflowContext, step } from './context';

type Router = NonNullable<CapflowModels<unknown>['router']>;

/** Prompt embeddings per router model: the prompts are fixed, so embed them once. */
const promptEmbeddings = new WeakMap<object, Promise<number[][]>>();

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Softmax over per-domain scores (the best prompt of each domain), highest first. */
export function domainProbabilities(similarities: readonly number[], promptDomains: readonly DomainId[]) {
  const best = new Map<DomainId, number>();
  similarities.forEach((s, i) => {
    const d = promptDomains[i];
    if (d) best.set(d, Math.max(best.get(d) ?? -Infinity, s));
  });
  const entries = [...best.entries()];
  const max = Math.max(...entries.map(([, s]) => s));
  const exps = entries.map(([id, s]) => [id, Math.exp(ROUTER_LOGIT_SCALE * (s - max))] as const);
  const sum = exps.reduce((acc, [, e]) => acc + e, 0);
  return exps.map(([id, e]) => ({ id, p: e / sum })).sort((a, b) => b.p - a.p);
}

async function zeroShot<I>(router: Router & { embedImage(image: I): Promise<number[]> }, image: I) {
  const prompts = IMAGE_DOMAINS.flatMap((id) => DOMAINS[id].routerPrompts.map((p) => [id, p] as const));
  let texts = promptEmbeddings.get(router);
  if (!texts) {
    texts = router.embedTexts(prompts.map(([, p]) => p));
    promptEmbeddings.set(router, texts);
  }
  const imageEmbedding = await router.embedImage(image);
  const similarities = (await texts).map((t) => cosine(t, imageEmbedding));
  return domainProbabilities(
    similarities,
    prompts.map(([id]) => id),
  );
}

const result = (id: DomainId, decidedBy: DomainResult['decidedBy'], top: DomainResult['top'] = []): DomainResult => ({
  id,
  label: DOMAINS[id].label,
  confidence: top.find((t) => t.id === id)?.p ?? null,
  decidedBy,
  top: top.slice(0, 3),
});

/** Decides the domain of an input, recording each step in `trace`. */
export async function route<I>(
  input: CapflowInput<I>,
  models: CapflowModels<I>,
  pinned: DomainId | undefined,
  ctx: WorkflowContext,
  trace: AgentTrace[],
): Promise<DomainResult> {
  if (input.kind === 'video') {
    // An image domain's agents would read the frames as one picture: a video takes the video workflow.
    const video = result('video', pinned === 'video' ? 'pinned' : 'video');
    return pinned && pinned !== 'video' ? { ...video, setAside: pinned } : video;
  }
  if (pinned) return result(pinned, 'pinned');
  const image = input.image;
  let top: DomainResult['top'] = [];
  const router = models.router;
  if (router) {
    const meta = { agent: 'router', role: 'router', model: router.name, prompt: '(zero-shot domain prompts)' };
    await step(ctx, trace, meta, async () => {
      top = await zeroShot(router, image);
      const output = top
        .slice(0, 3)
        .map((t) => `${t.id} ${t.p.toFixed(3)}`)
        .join(', ');
      return { text: output, tokens: 0 };
    });
    const winner = top[0];
    if (winner && winner.p >= ROUTER_CONFIDENCE_THRESHOLD) return result(winner.id, 'zero-shot', top);
  }
  const prompt = routerQuestion();
  const meta = { agent: 'router-vlm', role: 'router', model: models.vlm.name, prompt };
  const answer = await step(ctx, trace, meta, () =>
    models.vlm.generate([image], prompt, { maxNewTokens: 8, stopping: ctx.stopping }),
  );
  const chosen = parseDomainAnswer(answer.text);
  if (chosen) return result(chosen, 'vlm', top);
  return result(top[0]?.id ?? 'natural', top.length ? 'zero-shot-fallback' : 'default', top);
}
