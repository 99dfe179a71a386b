/**
 * The pure parts of the CLI's staying power: durations, what a readiness
 * probe's answer means, the polling schedule, the breaker's states, retries
 * through a gate, and notes above the progress bar. Fetch and the clock are
 * injected: nothing here touches the network or waits on time.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { Breaker, EndpointDownError } from '../../src/cli/breaker';
import { formatDuration, parseDuration } from '../../src/cli/durations';
import { EndpointError } from '../../src/cli/openai-client';
import { createProgress } from '../../src/cli/progress';
import { NotReadyError, classifyProbe, waitReady } from '../../src/cli/readiness';
import { DEFAULT_RETRY, type RetryGate, TransientError, describeRetry, withRetries } from '../../src/cli/retry';

const ENDPOINT = { url: 'http://gpu-1:8000/v1', model: 'qwen2.5-vl' };
/** llama.cpp's answer while it loads its model (tools/server/server.cpp; see readiness.ts). */
const LOADING = JSON.stringify({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });

/** A fetch that answers from a list (a status and body, or 'refused' for a connection refused), and counts. */
function scriptedFetch(answers: (readonly [number, string] | 'refused')[]) {
  const seen: string[] = [];
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push(`${String(url)} ${String(init?.body)}`);
    const next = answers.shift() ?? [200, '{}'];
    if (next === 'refused') {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 10.0.0.1:8000') });
    }
    return new Response(next[1], { status: next[0] });
  }) as typeof fetch;
  return { impl, seen };
}

function fakeClock() {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

describe('durations', () => {
  test('read as typed on a command line, printed short', () => {
    expect(['0', '45', '90s', '10m', '1h30m', '2m30s', '1.5'].map((d) => parseDuration(d, '--wait-ready'))).toEqual([
      0, 45_000, 90_000, 600_000, 5_400_000, 150_000, 1500,
    ]);
    for (const bad of ['', 'soon', '10 minutes', '-5', 'm'])
      expect(() => parseDuration(bad, '--wait-ready')).toThrow(`--wait-ready must be a duration such as 90s`);
    expect([0, 999, 45_000, 80_000, 600_000, 3_900_000].map(formatDuration)).toEqual([
      '0s',
      '1s',
      '45s',
      '1m20s',
      '10m',
      '1h5m',
    ]);
  });
});

describe('the readiness probe', () => {
  test('what an answer means: ready, wait (loading, overloaded, a proxy before a starting server), or refused', () => {
    expect(classifyProbe(200, '{}')).toEqual({ kind: 'ready' });
    expect(classifyProbe(503, LOADING)).toEqual({ kind: 'waiting', last: 'HTTP 503 Loading model', state: 'loading' });
    for (const status of [500, 502, 504, 424, 429, 408]) expect(classifyProbe(status, '').kind).toBe('waiting');
    // vLLM's api-key middleware: {"error": "Unauthorized"}; its unknown model: a top-level message.
    expect(classifyProbe(401, '{"error":"Unauthorized"}')).toEqual({
      kind: 'refused',
      status: 401,
      last: 'HTTP 401 Unauthorized',
    });
    expect(classifyProbe(404, '{"object":"error","message":"The model `x` does not exist."}')).toMatchObject({
      kind: 'refused',
      last: 'HTTP 404 The model `x` does not exist.',
    });
    expect(classifyProbe(400, 'bad\n  request')).toMatchObject({ kind: 'refused', last: 'HTTP 400 bad request' });
  });

  test('polls with backoff (1 s, 2 s, 4 s … at most 10 s), says how long of how long, and sends one token', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const fetch = scriptedFetch([
      'refused',
      'refused',
      [503, LOADING],
      [503, LOADING],
      [503, LOADING],
      [503, LOADING],
      [200, '{}'],
    ]);
    const done = await waitReady(ENDPOINT, {
      limitMs: 600_000,
      timeoutMs: 5000,
      fetch: fetch.impl,
      ...clock,
      report: (l) => lines.push(l),
    });
    expect(done).toEqual({ waitedMs: 35_000, probes: 7 });
    expect(clock.waits).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(lines[0]).toBe(
      'waiting for http://gpu-1:8000/v1 to come up: 0s of 10m, last answer connect ECONNREFUSED 10.0.0.1:8000',
    );
    expect(lines[4]).toBe(
      'waiting for http://gpu-1:8000/v1 to load the model: 15s of 10m, last answer HTTP 503 Loading model',
    );
    const sent = JSON.parse(fetch.seen[0]?.split(' ').slice(1).join(' ') ?? '{}') as Record<string, unknown>;
    expect(fetch.seen[0]).toMatch(/^http:\/\/gpu-1:8000\/v1\/chat\/completions /);
    expect(sent).toMatchObject({ model: 'qwen2.5-vl', max_tokens: 1 });
  });

  test('stops at the limit (the last pause cut to fit it), and with a limit of 0 after one probe', async () => {
    const clock = fakeClock();
    const fetch = scriptedFetch(Array(20).fill([503, LOADING]));
    const wait = waitReady(ENDPOINT, { limitMs: 5000, timeoutMs: 5000, fetch: fetch.impl, ...clock });
    await expect(wait).rejects.toBeInstanceOf(NotReadyError);
    await expect(wait).rejects.toThrow(
      'http://gpu-1:8000/v1 was not ready after 5s (last answer: HTTP 503 Loading model)',
    );
    expect(clock.waits).toEqual([1000, 2000, 2000]);
    const once = scriptedFetch(['refused']);
    await expect(
      waitReady(ENDPOINT, { limitMs: 0, timeoutMs: 5000, fetch: once.impl, ...fakeClock() }),
    ).rejects.toThrow(
      'Cannot reach http://gpu-1:8000/v1 (connect ECONNREFUSED 10.0.0.1:8000; waited 0s). Is the server running, and is the URL its /v1 base?',
    );
    expect(once.seen).toHaveLength(1);
  });

  test('a refusal ends the wait at once with the reason and what to check', async () => {
    const fetch = scriptedFetch([
      [503, LOADING],
      [401, '{"error":"Unauthorized"}'],
    ]);
    const wait = waitReady(ENDPOINT, { limitMs: 600_000, timeoutMs: 5000, fetch: fetch.impl, ...fakeClock() });
    await expect(wait).rejects.toBeInstanceOf(EndpointError);
    await expect(wait).rejects.toThrow(
      'http://gpu-1:8000/v1 refused a one-token completion for "qwen2.5-vl": HTTP 401 Unauthorized. Check the API key',
    );
  });
});

describe('the breaker', () => {
  const down = new TransientError('connection', 'http://gpu-1:8000/v1/chat/completions: other side closed');
  const breaker = (answers: Parameters<typeof scriptedFetch>[0], limitMs = 60_000, lines: string[] = []) =>
    new Breaker(ENDPOINT, {
      maxFailures: 3,
      ready: { limitMs, timeoutMs: 5000, fetch: scriptedFetch(answers).impl, ...fakeClock() },
      report: (l) => lines.push(l),
    });

  test('counts endpoint-down failures in a row; an answer, a refusal or a malformed answer resets the count', () => {
    const b = breaker([]);
    expect([b.exhausted(down), b.exhausted(down)]).toEqual(['fail', 'fail']);
    b.answered();
    expect([b.exhausted(down), b.exhausted(down)]).toEqual(['fail', 'fail']);
    expect(b.exhausted(new TransientError('malformed', 'not JSON'))).toBe('fail');
    expect([b.exhausted(down), b.exhausted(down)]).toEqual(['fail', 'fail']);
    expect(b.stopped).toBeNull();
  });

  test('the Nth pauses the endpoint: requests are held until a probe is answered, then go on', async () => {
    const lines: string[] = [];
    const b = breaker(['refused', [503, LOADING], [200, '{}']], 60_000, lines);
    expect([b.exhausted(down), b.exhausted(down), b.exhausted(down)]).toEqual(['fail', 'fail', 'wait']);
    // Paused: a later failure waits too, and admission waits for the recovery.
    expect(b.exhausted(down)).toBe('wait');
    await expect(Promise.all([b.admit(), b.admit()])).resolves.toEqual([undefined, undefined]);
    expect(lines[0]).toBe(
      'pausing http://gpu-1:8000/v1: 3 requests in a row failed every try (last: http://gpu-1:8000/v1/chat/completions: other side closed); ' +
        'no new requests go to it until it answers again (waiting up to 1m)',
    );
    expect(lines.at(-1)).toBe('http://gpu-1:8000/v1 answers again after 3s: resuming, the 2 held requests first');
    expect(b.pauses).toMatchObject([{ url: ENDPOINT.url, startedMs: 0, endedMs: 3000 }]);
    // Closed again, the count from zero.
    expect(b.exhausted(down)).toBe('fail');
  });

  test('an endpoint that does not come back within the wait is given up: held and later requests fail with EndpointDownError', async () => {
    const b = breaker(Array(10).fill('refused'), 5000);
    for (let i = 0; i < 3; i++) b.exhausted(down);
    const held = b.admit();
    await expect(held).rejects.toBeInstanceOf(EndpointDownError);
    await expect(held).rejects.toThrow(
      'http://gpu-1:8000/v1 stopped answering and was still not answering after 5s (last answer: connect ECONNREFUSED 10.0.0.1:8000). Check the server (its log; was it killed, or out of memory?); a longer --wait-ready (e.g. 30m) waits out a restart.',
    );
    await expect(b.admit()).rejects.toBe(b.stopped);
  });

  test('a held request ends when the run is stopped', async () => {
    const b = breaker(Array(100).fill('refused'), 600_000);
    for (let i = 0; i < 3; i++) b.exhausted(down);
    const abort = new AbortController();
    const held = b.admit(abort.signal);
    abort.abort(new Error('stopped'));
    await expect(held).rejects.toThrow('stopped');
  });
});

describe('retries through a gate', () => {
  const policy = { ...DEFAULT_RETRY, attempts: 2, sleep: async () => {} };

  test('a request out of tries whose endpoint was paused starts its tries again after admission, instead of failing', async () => {
    const calls: string[] = [];
    let admits = 0;
    const gate: RetryGate = {
      admit: async () => void (admits += 1),
      answered: () => void calls.push('answered'),
      exhausted: () => (calls.push('exhausted'), calls.filter((c) => c === 'exhausted').length === 1 ? 'wait' : 'fail'),
    };
    let n = 0;
    const result = await withRetries(
      async (attempt) => {
        n += 1;
        calls.push(`try ${attempt}`);
        if (n <= 2) throw new TransientError('connection', 'dropped');
        return 'ok';
      },
      { ...policy, gate },
    );
    expect(result).toBe('ok');
    expect(calls).toEqual(['try 1', 'try 2', 'exhausted', 'try 1', 'answered']);
    expect(admits).toBe(3);
    // A refusal is an answer; a gate that says 'fail' fails the request with the last reason.
    await expect(
      withRetries(
        async () => {
          throw new EndpointError(400, 'bad image');
        },
        { ...policy, gate },
      ),
    ).rejects.toThrow('bad image');
    expect(calls.at(-1)).toBe('answered');
    await expect(
      withRetries(
        async () => {
          throw new TransientError('timeout', 'slow');
        },
        { ...policy, gate },
      ),
    ).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 2 });
  });

  test('a request is held through one pause at most: out of tries again after it, it fails its image', async () => {
    let tries = 0;
    const always: RetryGate = { admit: async () => {}, answered: () => {}, exhausted: () => 'wait' };
    await expect(
      withRetries(
        async () => {
          tries += 1;
          throw new TransientError('server-error', 'HTTP 500');
        },
        { ...policy, gate: always },
      ),
    ).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 2 });
    expect(tries).toBe(4);
  });

  test('each retry is reported before its wait, with the try, the tries, the wait and the reason', async () => {
    const seen: string[] = [];
    let n = 0;
    await withRetries(
      async () => {
        if ((n += 1) < 3)
          throw new TransientError('server-error', 'http://gpu-1:8000/v1/chat/completions answered HTTP 503');
        return 'ok';
      },
      {
        ...DEFAULT_RETRY,
        attempts: 6,
        random: () => 1,
        sleep: async (ms) => void seen.push(`slept ${ms}`),
        onRetry: (e) => seen.push(describeRetry(e)),
      },
    );
    expect(seen).toEqual([
      'retry 2 of 6 in 500 ms: http://gpu-1:8000/v1/chat/completions answered HTTP 503 (server-error)',
      'slept 500',
      'retry 3 of 6 in 1.0 s: http://gpu-1:8000/v1/chat/completions answered HTTP 503 (server-error)',
      'slept 1000',
    ]);
  });
});

describe('notes with the progress', () => {
  test('in a log, one line each; on a terminal, a line above the bar and the bar drawn again below it', () => {
    const log = new PassThrough();
    let text = '';
    log.on('data', (c: Buffer) => (text += c.toString()));
    const plain = createProgress(log as unknown as NodeJS.WriteStream);
    plain.start(2, 0);
    plain.note('retry 2 of 6 in 500 ms: x answered HTTP 503 (server-error)');
    plain.image('a.png', { ok: true, ms: 1200 });
    expect(text).toBe(
      '2 images to caption\nretry 2 of 6 in 500 ms: x answered HTTP 503 (server-error)\n[1/2] a.png ok 1.2 s\n',
    );

    const tty = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let screen = '';
    tty.on('data', (c: Buffer) => (screen += c.toString()));
    const bar = createProgress(tty as unknown as NodeJS.WriteStream);
    bar.start(2, 0);
    screen = '';
    bar.note('pausing http://gpu-1:8000/v1');
    bar.stop();
    const at = screen.indexOf('\r\x1b[Kpausing http://gpu-1:8000/v1\n');
    expect(at).toBe(0);
    // The bar's line moved below the note: that is where the cursor goes back when the bar stops.
    expect(screen.slice(at)).toMatch(/^\r\x1b\[Kpausing http:\/\/gpu-1:8000\/v1\n\x1b7.*0\/2 \| 0\.00 images\/s/);
  });
});
