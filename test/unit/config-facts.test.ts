/**
 * What a model's config.json says about its files (shared/model-files.ts),
 * read alike by the page's download plan and by `distill check`: the family
 * by `model_type`, and the external-data setting of `transformers.js_config`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { configFileFacts } from '../../src/shared/model-files';
import { STUDENT } from '../support/student-fixture';

describe('configFileFacts', () => {
  test("the exported student's config: SmolVLM's family, no external data", () => {
    expect(configFileFacts(JSON.parse(readFileSync(`${STUDENT}/config.json`, 'utf8')))).toEqual({
      external: undefined,
      family: 'idefics3',
    });
  });

  test('model types: both SmolVLM names, Qwen3.5; another type, none or not an object says no family', () => {
    expect(configFileFacts({ model_type: 'smolvlm' }).family).toBe('idefics3');
    expect(configFileFacts({ model_type: 'qwen3_5' }).family).toBe('qwen3_5');
    expect(configFileFacts({ model_type: 'florence2' }).family).toBeNull();
    expect(configFileFacts({ model_type: 'toString' }).family).toBeNull();
    expect(configFileFacts({}).family).toBeNull();
    expect(configFileFacts(null)).toEqual({ external: undefined, family: null });
    expect(configFileFacts([1])).toEqual({ external: undefined, family: null });
  });

  test('the external-data setting: a flag, a count, per file; anything else is ignored', () => {
    const facts = (setting: unknown) =>
      configFileFacts({ model_type: 'qwen3_5', 'transformers.js_config': { use_external_data_format: setting } });
    expect(facts(true).external).toBe(true);
    expect(facts(2).external).toBe(2);
    expect(facts({ 'decoder_model_merged_q4.onnx': 3, vision_encoder: true }).external).toEqual({
      'decoder_model_merged_q4.onnx': 3,
      vision_encoder: true,
    });
    expect(facts('yes').external).toBeUndefined();
    expect(facts({ decoder_model_merged: 'yes' }).external).toBeUndefined();
    expect(configFileFacts({ model_type: 'qwen3_5', 'transformers.js_config': 'x' }).external).toBeUndefined();
  });
});
