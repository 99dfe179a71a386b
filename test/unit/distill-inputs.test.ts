/**
 * `distill prepare` reads the CLI's run logs and the page's two exports
 * (written here by the page's real `toJsonl` and `toFineTuneJsonl`) into
 * one shape, and names the file and line of anything else.
 */
import { describe, expect, test } from 'vitest';
import { DOMAIN_IDS } from '../../src/capflow/spec';
import { singlePassPrompt } from '../../src/capflow/prompts';
import { CAPTION_STYLE_IDS } from '../../src/capflow/styles';
import { DistillInputError, instructionSettings, parseInputText } from '../../src/cli/distill/inputs';
import { toFineTuneJsonl, toJsonl } from '../../src/session/exports';
import { failedLine, okLine, runLog, sessionItem } from '../support/distill-fixture';

describe('formats', () => {
  test('a run log: captions with domain, style, scores and verdict; failures as failures', () => {
    const text = runLog([
      okLine('imgs/a.png', { domain: 'ui', style: 'short', scores: [3, 2, 3, 3, 3], accepted: false }),
      failedLine('imgs/b.png'),
    ]);
    const [a, b] = parseInputText(text, 'run.jsonl');
    expect(a).toMatchObject({
      kind: 'caption',
      format: 'run-log',
      line: 1,
      file: 'imgs/a.png',
      domain: 'ui',
      style: 'short',
      accepted: false,
      edited: false,
      video: false,
    });
    expect(a?.kind === 'caption' && a.scores?.completeness).toBe(2);
    expect(b).toMatchObject({ kind: 'failure', line: 2, file: 'imgs/b.png', message: 'could not be decoded' });
  });

  test("the page's JSONL export: the user's edit is the caption, and it says it was edited", () => {
    const text = toJsonl([
      sessionItem('trip/cat.png', { caption: 'model words', domain: 'knowledge' }, 'my words'),
      sessionItem('trip/dog.png', { caption: 'dog words', scores: null }),
    ]);
    const [cat, dog] = parseInputText(text, 'page.jsonl');
    expect(cat).toMatchObject({ format: 'page-jsonl', caption: 'my words', edited: true, domain: 'knowledge' });
    expect(cat?.kind === 'caption' && cat.accepted).toBe(true);
    expect(dog).toMatchObject({ caption: 'dog words', edited: false, accepted: null, scores: null });
  });

  test("the page's fine-tuning export: domain, style and language told back by the instruction; no verdict", () => {
    const text = toFineTuneJsonl([
      sessionItem('x/chart.png', { domain: 'infographic-document', style: 'alt', language: 'German' }, 'Ein Chart.'),
      sessionItem('x/clip.mp4', { video: true, domain: 'video' }),
    ]);
    const [chart, clip] = parseInputText(text, 'tune.jsonl');
    expect(chart).toMatchObject({
      format: 'page-fine-tune',
      file: 'x/chart.png',
      caption: 'Ein Chart.',
      domain: 'infographic-document',
      style: 'alt',
      language: 'German',
      accepted: null,
      video: false,
    });
    expect(clip).toMatchObject({ file: 'x/clip.mp4', video: true });
  });

  test('every single-pass instruction is read back to the settings that wrote it; others are not', () => {
    for (const domain of [null, ...DOMAIN_IDS])
      for (const style of CAPTION_STYLE_IDS)
        expect(instructionSettings(singlePassPrompt(domain, 'Brazilian Portuguese', style))).toEqual({
          domain,
          style,
          language: 'Brazilian Portuguese',
        });
    expect(instructionSettings('Describe this image in English, as a poem.')).toBeNull();
  });
});

describe('malformed input', () => {
  test('a line that is not JSON names the file and the line', () => {
    const text = `${runLog([okLine('a.png')])}\n{"version":1,"file":"b.png",\n`;
    expect(() => parseInputText(text, 'runs/day1.jsonl')).toThrow(DistillInputError);
    expect(() => parseInputText(text, 'runs/day1.jsonl')).toThrow('runs/day1.jsonl, line 3: not JSON.');
  });

  test('a cut-off last line (no newline) is named as a run stopped mid-write', () => {
    const text = `${runLog([okLine('a.png')])}{"version":1,"file":"b.p`;
    expect(() => parseInputText(text, 'run.jsonl')).toThrow(
      /run\.jsonl, line 2: not JSON, and the file ends without a newline: a run stopped mid-write\?/,
    );
  });

  test('JSON of no known format, and a run-log line without its record, are refused by line', () => {
    expect(() => parseInputText('{"hello":1}\n', 'x.jsonl')).toThrow(/x\.jsonl, line 1: not a record of a run log/);
    expect(() => parseInputText('[1]\n', 'x.jsonl')).toThrow('x.jsonl, line 1: not a JSON object.');
    expect(() => parseInputText('{"version":1,"file":"a.png","ok":true}\n', 'y.jsonl')).toThrow(
      /y\.jsonl, line 1: .*no record with a caption/,
    );
  });
});
