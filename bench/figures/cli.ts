/**
 * Figure 9: the `metacaptioner` CLI's openai engine against the local
 * OpenAI-compatible test server (bench/cli/node.ts): images/s at 1, 8 and 32
 * requests in flight, each request held 100 ms at the server as by a serving
 * engine with room to spare. The server's measured peak of requests in
 * flight must equal the bound asked for.
 */
import { commands } from 'vitest/browser';
import { expect, test } from 'vitest';
import { ratioRow, valueRow } from '../rows';
import { record, settings } from '../support';

test(
  'figure 9: CLI throughput against an OpenAI-compatible server, by requests in flight',
  { timeout: 600_000 },
  async () => {
    const figures = await commands.benchCliNode(settings.quick);
    for (const run of figures.runs) expect(run.maxInFlight).toBe(run.concurrency);
    const at = (c: number) => figures.runs.find((r) => r.concurrency === c)?.imagesPerSecond ?? 0;
    const what = `${figures.images} images, single pass, ${figures.delayMs} ms a request at the server`;
    await record(
      ...figures.runs.map((r) =>
        valueRow('9 CLI throughput', `${what}; peak in flight ${r.maxInFlight}`, {
          label: `images/s at --concurrency ${r.concurrency}`,
          value: r.imagesPerSecond,
        }),
      ),
      ratioRow(
        '9 CLI throughput',
        'images/s, 8 in flight ÷ 1',
        { label: '8', value: at(8) },
        { label: '1', value: at(1) },
        4,
        true,
      ),
      ratioRow(
        '9 CLI throughput',
        'images/s, 32 in flight ÷ 8',
        { label: '32', value: at(32) },
        { label: '8', value: at(8) },
        null,
      ),
    );
  },
);
