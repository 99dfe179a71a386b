/**
 * The session layer's pure parts: exports (JSONL, fine-tuning JSONL, CSV
 * safe against formula injection, sidecar names and zip), progress counts
 * and ETA, stage names and the download plan's file list.
 */
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { singlePassPrompt } from '../../src/capflow/prompts';
import type { CaptionRecord } from '../../src/shared/record';
import { csvCell, toCsv } from '../../src/session/csv';
import {
  sidecarNames,
  toCsvExport,
  toFineTuneJsonl,
  toJsonl,
  toPlainText,
  toSidecarZip,
} from '../../src/session/exports';
import type { SessionItem } from '../../src/session/item';
import { countItems, countsText, etaMs, formatEta, stageOf } from '../../src/session/progress';
import { FAMILY_FILES, familyOfModelType, plannedFiles } from '../../src/shared/model-files';
import { PRESETS } from '../../src/shared/presets';

const record: CaptionRecord = {
  version: 3,
  caption: 'A red square.',
  mode: 'capflow',
  style: 'short',
  language: 'English',
  domain: { id: 'natural', label: 'natural', confidence: 0.91, decidedBy: 'zero-shot', top: [] },
  timestamps: null,
  trace: [
    { agent: 'summary', role: 'summary', model: 'm/llm', prompt: 'p', output: 'A red square.', tokens: 4, ms: 12 },
  ],
  judge: {
    scores: { 'factual accuracy': 3, completeness: 2, 'reasoning rigor': null, 'core intent': 3, professionalism: 3 },
    topOnAll: false,
    attempts: [],
    kept: 1,
    minScore: { 'factual accuracy': 2, completeness: 2, 'reasoning rigor': 1, 'core intent': 2, professionalism: 2 },
    accepted: true,
  },
  totalMs: 1234.4,
  runtime: { device: 'webgpu', dtypes: { vlm: 'q4' }, models: { vlm: 'm/vlm', llm: 'm/llm' } },
};

function item(patch: Partial<SessionItem>): SessionItem {
  return {
    id: 'x',
    name: 'cat.png',
    path: 'trip/cat.png',
    type: 'image/png',
    size: 10,
    addedAt: 1,
    status: 'done',
    error: null,
    record,
    edited: null,
    pinnedDomain: null,
    blobKept: true,
    ...patch,
  };
}

const batch = [
  item({}),
  item({ id: 'y', name: 'dog.png', path: 'dog.png', edited: '=1+1 "quoted"\nline 🎉' }),
  item({ id: 'z', name: 'bad.png', path: 'bad.png', status: 'failed', record: null }),
];

describe('exports', () => {
  test('JSONL: one versioned record per finished file, edits in place of the generated caption', () => {
    const lines = toJsonl(batch).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      version: 1,
      file: 'trip/cat.png',
      caption: 'A red square.',
      generated: null,
      mode: 'capflow',
      style: 'short',
      language: 'English',
      domain: { id: 'natural', confidence: 0.91, decidedBy: 'zero-shot' },
      scores: record.judge?.scores,
      accepted: true, // the record's bar (2; none on reasoning rigor) was reached, though not the top score on all
      models: { vlm: 'm/vlm', llm: 'm/llm' },
      device: 'webgpu',
      ms: 1234,
    });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ caption: '=1+1 "quoted"\nline 🎉', generated: 'A red square.' });
    expect(JSON.parse(toJsonl(batch, { trace: true }).split('\n')[0] ?? '').trace).toEqual(record.trace);
  });

  test('fine-tuning JSONL: the single-pass instruction for the record’s domain and style, and the caption', () => {
    const [first] = toFineTuneJsonl(batch).split('\n');
    expect(JSON.parse(first ?? '')).toEqual({
      images: ['trip/cat.png'],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', image: 'trip/cat.png' },
            { type: 'text', text: singlePassPrompt('natural', 'English', 'short') },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'A red square.' }] },
      ],
    });
  });

  test('CSV: quoted, CRLF, BOM; cells a spreadsheet would run are neutralised, numbers are not', () => {
    expect(csvCell('=SUM(A1)')).toBe(`"'=SUM(A1)"`);
    for (const start of ['+', '-', '@', '\t', '\r']) expect(csvCell(`${start}x`)).toBe(`"'${start}x"`);
    expect(csvCell(-3)).toBe('"-3"');
    expect(csvCell(null)).toBe('');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(toCsv(['a'], [['b']])).toBe('\uFEFF"a"\r\n"b"\r\n');
    const csv = toCsvExport(batch);
    expect(csv.split('\r\n')).toHaveLength(4);
    expect(csv).toContain(`"'=1+1 ""quoted""\nline 🎉"`);
    expect(csv.split('\r\n')[1]).toBe(
      [
        '"trip/cat.png"',
        '"A red square."',
        '"natural"',
        '"0.91"',
        '"zero-shot"',
        '"capflow"',
        '"short"',
        '"English"',
        '"3"',
        '"2"',
        '',
        '"3"',
        '"3"',
        // The video rubric's own dimensions: empty for an image.
        '',
        '',
        '',
        '"true"',
        '"m/vlm m/llm"',
        '"webgpu"',
        '"1234"',
        '',
      ].join(','),
    );
  });

  test('a video exports its frame times: in its JSONL record and as the CSV frames column', () => {
    const clip = item({
      id: 'v',
      name: 'clip.webm',
      path: 'clip.webm',
      media: 'video',
      record: { ...record, timestamps: [0.375, 1.125, 2.2] },
    });
    expect(JSON.parse(toJsonl([clip]))).toMatchObject({ file: 'clip.webm', timestamps: [0.375, 1.125, 2.2] });
    expect(JSON.parse(toJsonl([batch[0] as SessionItem]))).not.toHaveProperty('timestamps');
    expect(toCsvExport([clip]).split('\r\n')[1]?.endsWith(',"0.375 1.125 2.2"')).toBe(true);
    const videoRecord = {
      ...record,
      domain: { ...record.domain, id: 'video', label: 'video & temporal' },
    } as CaptionRecord;
    const tune = JSON.parse(toFineTuneJsonl([{ ...clip, record: videoRecord }]));
    expect(tune.videos).toEqual(['clip.webm']);
    expect(tune).not.toHaveProperty('images');
    expect(tune.messages[0].content[0]).toEqual({ type: 'video', video: 'clip.webm' });
    expect(tune.messages[0].content[1].text).toMatch(/^Describe this video, from its frames,/);
  });

  test('a video’s judge scores fill the video rubric’s columns, an image’s the image rubric’s, under one header', () => {
    const videoScores = {
      'temporal and factual accuracy': 3,
      'event and detail coverage': 2,
      'temporal causal logic': 1,
      'core intent': 3,
      professionalism: 2,
    };
    const judge = { ...record.judge, scores: videoScores } as CaptionRecord['judge'];
    const clip = item({ id: 'v', name: 'clip.webm', path: 'clip.webm', media: 'video', record: { ...record, judge } });
    const [header, image, video] = toCsvExport([batch[0] as SessionItem, clip]).split('\r\n');
    const columns =
      header
        ?.replace(/^\uFEFF/, '')
        .split(',')
        .map((c) => c.replaceAll('"', '')) ?? [];
    const cellsOf = (row: string | undefined) =>
      row?.match(/("(?:[^"]|"")*"|)(?:,|$)/g)?.map((c) => c.replace(/,$/, '')) ?? [];
    const at = (row: string | undefined, dim: string) => cellsOf(row)[columns.indexOf(dim)];
    for (const [dim, score] of Object.entries(videoScores)) expect(at(video, dim), dim).toBe(`"${score}"`);
    expect(at(video, 'factual accuracy')).toBe('');
    expect(at(image, 'factual accuracy')).toBe('"3"');
    expect(at(image, 'temporal causal logic')).toBe('');
  });

  test('sidecars are named like their images; clashing names keep the extension', () => {
    expect(sidecarNames(['a/cat.png', 'dog.jpeg', 'x/y.png', 'x/y.jpg', 'noext'])).toEqual([
      'a/cat.txt',
      'dog.txt',
      'x/y.png.txt',
      'x/y.jpg.txt',
      'noext.txt',
    ]);
    const files = unzipSync(toSidecarZip(batch));
    expect(Object.fromEntries(Object.entries(files).map(([n, b]) => [n, strFromU8(b)]))).toEqual({
      'trip/cat.txt': 'A red square.',
      'dog.txt': '=1+1 "quoted"\nline 🎉',
    });
    expect(toSidecarZip(batch)).toEqual(toSidecarZip(batch));
    expect(toPlainText(batch)).toBe('trip/cat.png\nA red square.\n\ndog.png\n=1+1 "quoted"\nline 🎉');
  });
});

describe('progress', () => {
  test('counts include refused files and skipped duplicates; the ETA is the median item time times what is pending', () => {
    const statuses = ['done', 'done', 'failed', 'queued', 'running', 'refused', 'cancelled'] as const;
    const items = [
      ...statuses.map((status) => ({ status, error: null })),
      { status: 'refused' as const, error: { name: 'DuplicateFileError', message: 'same' } },
    ];
    expect(countItems(items)).toEqual({
      total: 8,
      done: 2,
      failed: 1,
      cancelled: 1,
      pending: 2,
      refused: 1,
      duplicates: 1,
    });
    expect(countsText(countItems(items), '')).toBe(
      '2 of 8 done · 1 failed · 1 cancelled · 1 refused · 1 duplicate skipped',
    );
    expect(etaMs([], 3)).toBeNull();
    expect(etaMs([9000, 1000, 2000], 2)).toBe(4000);
    expect(etaMs([1000, 3000], 1)).toBe(2000);
    expect(etaMs([1000], 0)).toBe(0);
    expect(formatEta(null)).toBe('');
    expect(formatEta(0)).toBe('');
    expect(formatEta(40_000)).toBe('about 40 s left');
    expect(formatEta(5 * 60_000)).toBe('about 5 min left');
  });
  test('stages are named for people', () => {
    expect(
      [
        'router',
        'router-vlm',
        'natural-perception',
        'ocr',
        'summary',
        'judge-1',
        'judge-1-again',
        'natural-perception-2',
        'summary-2',
        'judge-2',
        'single-pass',
        'single-pass-3',
        'video-perception@3',
        'video-perception-2@5-8',
        'video-reasoning',
      ].map(stageOf),
    ).toEqual([
      'routing',
      'routing (asking the VLM)',
      'natural perception agent',
      'OCR agent',
      'summarising',
      'judging',
      'judging (asked again)',
      'natural perception agent (attempt 2)',
      'summarising (attempt 2)',
      'judging (attempt 2)',
      'captioning',
      'captioning (attempt 3)',
      'video perception agent, frame 3',
      'video perception agent (attempt 2), frames 5–8',
      'video reasoning agent',
    ]);
  });
});

describe('download plan files', () => {
  test('per family and dtype, with transformers.js suffixes and external data', () => {
    expect(plannedFiles('qwen3', 'q4f16', undefined)).toEqual([
      'config.json',
      'generation_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model_q4f16.onnx',
    ]);
    const vlm = plannedFiles(
      'idefics3',
      { vision_encoder: 'fp32', embed_tokens: 'fp16', decoder_model_merged: 'q4' },
      {
        'decoder_model_merged_q4.onnx': 2,
      },
    );
    expect(vlm.filter((f) => f.startsWith('onnx/'))).toEqual([
      'onnx/vision_encoder.onnx',
      'onnx/embed_tokens_fp16.onnx',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx_data',
      'onnx/decoder_model_merged_q4.onnx_data_1',
    ]);
    expect(plannedFiles('clip', 'q8', true).filter((f) => f.startsWith('onnx/'))).toEqual([
      'onnx/text_model_quantized.onnx',
      'onnx/text_model_quantized.onnx_data',
      'onnx/vision_model_quantized.onnx',
      'onnx/vision_model_quantized.onnx_data',
    ]);
  });
  test('a Qwen3.5 tier on a shader-f16 GPU: the export’s weights in .onnx_data files, the template file listed', () => {
    // One external-data file per graph, as every graph of the -ONNX-OPT exports has (test/fixtures/real/).
    const chunks = {
      'vision_encoder_fp16.onnx': 1,
      'embed_tokens_q4.onnx': 1,
      'decoder_model_merged_q4.onnx': 1,
    };
    expect(FAMILY_FILES.qwen3_5.configs).toContain('chat_template.jinja');
    expect(plannedFiles('qwen3_5', PRESETS.quality.vlm.dtypes.webgpuF16, chunks)).toEqual([
      ...FAMILY_FILES.qwen3_5.configs,
      'onnx/vision_encoder_fp16.onnx',
      'onnx/vision_encoder_fp16.onnx_data',
      'onnx/embed_tokens_q4.onnx',
      'onnx/embed_tokens_q4.onnx_data',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx_data',
    ]);
  });
  test('a repo’s own model_type decides its files, whatever the role’s preset model was', () => {
    expect(familyOfModelType('smolvlm')).toBe('idefics3');
    expect(familyOfModelType('idefics3')).toBe('idefics3');
    expect(familyOfModelType('qwen3_5')).toBe('qwen3_5');
    expect(familyOfModelType('florence2')).toBeNull();
    expect(familyOfModelType('constructor')).toBeNull();
    expect(familyOfModelType(undefined)).toBeNull();
  });
});
