/** The session gate: one session's files read at a time, in the order asked, per load. */
import { describe, expect, test } from 'vitest';
import { type GateEvent, SessionGate, reportCreations, sessionOf } from '../../src/models/cache/session-gate';

const folder = 'https://h/forge/m/resolve/main/';
const file = (name: string) => `${folder}onnx/${name}`;

/** A gate that hears creations (as reportCreations makes it), so it may hold reads back. */
function hearingGate(watch?: (e: GateEvent) => void): SessionGate {
  const gate = new SessionGate(watch);
  gate.hear();
  return gate;
}

/** Whether a promise has settled by the time queued microtasks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
  return done;
}

describe('sessionOf', () => {
  test('an ONNX file and its external data share a session; other files have none', () => {
    const stem = `${folder}onnx/decoder_model_merged_q4`;
    expect(sessionOf(file('decoder_model_merged_q4.onnx'))).toBe(stem);
    expect(sessionOf(file('decoder_model_merged_q4.onnx_data'))).toBe(stem);
    expect(sessionOf(file('decoder_model_merged_q4.onnx_data_1'))).toBe(stem);
    expect(sessionOf(file('decoder_model_merged.onnx'))).not.toBe(stem);
    expect(sessionOf(`${folder}config.json`)).toBeNull();
    expect(sessionOf(`${folder}onnx/model.onnx.json`)).toBeNull();
  });
});

describe('SessionGate', () => {
  test('the first session reads at once, the others wait, each until the session before it was created', async () => {
    const events: GateEvent[] = [];
    const gate = hearingGate((e) => events.push(e));
    gate.begin(folder);
    const a = [gate.enter(file('vision_encoder.onnx')), gate.enter(file('vision_encoder.onnx_data'))];
    const b = [gate.enter(file('embed_tokens.onnx')), gate.enter(file('embed_tokens.onnx_data'))];
    const c = gate.enter(file('decoder_model_merged.onnx'));
    expect(await settled(Promise.all(a))).toBe(true);
    expect(await settled(Promise.race(b))).toBe(false);
    expect(await settled(c)).toBe(false);
    gate.created();
    expect(await settled(Promise.all(b))).toBe(true);
    expect(await settled(c)).toBe(false);
    gate.created();
    expect(await settled(c)).toBe(true);
    gate.created();
    expect(events.map((e) => (e.type === 'read' ? `read ${e.session.split('/').pop()}` : e.type))).toEqual([
      'read vision_encoder',
      'created',
      'read embed_tokens',
      'created',
      'read decoder_model_merged',
      'created',
    ]);
  });

  test('files outside the loading folder, other files and reads outside a load never wait', async () => {
    const gate = hearingGate();
    expect(await settled(gate.enter(file('a.onnx')))).toBe(true);
    expect(await settled(gate.enter(file('b.onnx')))).toBe(true);
    const round = gate.begin(folder);
    await gate.enter(file('a.onnx'));
    expect(await settled(gate.enter(file('b.onnx')))).toBe(false);
    expect(await settled(gate.enter(`${folder}tokenizer.json`))).toBe(true);
    expect(await settled(gate.enter('https://h/forge/ocr/resolve/main/onnx/det.onnx'))).toBe(true);
    gate.end(round);
    expect(await settled(gate.enter(file('c.onnx')))).toBe(true);
  });

  test('after an unreadable file nothing more of that attempt is read, and the next attempt starts clean', async () => {
    const gate = hearingGate();
    const first = gate.begin(folder);
    await gate.enter(file('a.onnx'));
    const b = gate.enter(file('b.onnx'));
    gate.unreadable(file('a.onnx_data'));
    gate.created();
    expect(await settled(b)).toBe(false);
    expect(await settled(gate.enter(file('c.onnx')))).toBe(false);
    gate.end(first);
    gate.begin(folder);
    expect(await settled(gate.enter(file('b.onnx')))).toBe(true);
    expect(await settled(gate.enter(file('a.onnx')))).toBe(false);
  });

  test('a creation that fails passes the turn on, as the failure may be another model’s', async () => {
    const gate = hearingGate();
    gate.begin(folder);
    await gate.enter(file('a.onnx'));
    const b = gate.enter(file('b.onnx'));
    gate.failed();
    expect(await settled(b)).toBe(true);
  });

  test('a load that begins while another runs lets the other’s reads go on; ending the old one ends nothing new', async () => {
    const gate = hearingGate();
    const old = gate.begin(folder);
    await gate.enter(file('a.onnx'));
    const b = gate.enter(file('b.onnx'));
    const other = 'https://h/forge/other/resolve/main/';
    const current = gate.begin(other);
    expect(await settled(b)).toBe(true);
    gate.end(old);
    await gate.enter(`${other}onnx/x.onnx`);
    expect(await settled(gate.enter(`${other}onnx/y.onnx`))).toBe(false);
    gate.end(current);
  });

  test('a gate that hears no creations never holds a read back (it would wait forever)', async () => {
    const gate = new SessionGate();
    gate.begin(folder);
    await gate.enter(file('a.onnx'));
    expect(await settled(gate.enter(file('b.onnx')))).toBe(true);
  });
});

describe('reportCreations', () => {
  test('each creation or failure of the wrapped factory reaches every gate given, wrapped once', async () => {
    const events: GateEvent[] = [];
    const gate = new SessionGate((e) => events.push(e));
    const factory = {
      made: 0,
      async create(fail: boolean): Promise<string> {
        if (fail) throw new Error('cannot create');
        this.made += 1;
        return `session ${this.made}`;
      },
    };
    const other: GateEvent[] = [];
    reportCreations(factory as never, gate);
    reportCreations(factory as never, new SessionGate((e) => other.push(e)));
    expect(await factory.create(false)).toBe('session 1');
    await expect(factory.create(true)).rejects.toThrow('cannot create');
    // Wrapped once (each creation reported once to each gate), and each gate hears it.
    expect(events.map((e) => e.type)).toEqual(['created', 'failed']);
    expect(other.map((e) => e.type)).toEqual(['created', 'failed']);
  });
});
