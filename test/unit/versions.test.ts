/**
 * The runtime versions the fixes on loaded models were written for: pinned
 * exactly in package.json, checked at every load.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { WRITTEN_FOR, checkRuntimeVersions, runtimeVersions } from '../../src/models/runtime/versions';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string>>;

describe('runtime versions', () => {
  test('package.json pins transformers.js and onnxruntime exactly, at the versions the fixes were written for', () => {
    // Bundled into the library build (devDependencies); the CLI's optional peers at the same versions.
    expect(pkg.devDependencies?.['@huggingface/transformers']).toBe(WRITTEN_FOR['@huggingface/transformers']);
    expect(pkg.devDependencies?.['onnxruntime-web']).toBe(WRITTEN_FOR['onnxruntime-web']);
    expect(pkg.devDependencies?.['onnxruntime-node']).toBe(WRITTEN_FOR['onnxruntime-node']);
    expect(pkg.peerDependencies?.['@huggingface/transformers']).toBe(WRITTEN_FOR['@huggingface/transformers']);
    expect(pkg.peerDependencies?.['onnxruntime-node']).toBe(WRITTEN_FOR['onnxruntime-node']);
    // onnxruntime-node comes with transformers.js, which pins it exactly.
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    expect(lock.packages['node_modules/@huggingface/transformers']?.dependencies?.['onnxruntime-node']).toBe(
      WRITTEN_FOR['onnxruntime-node'],
    );
  });

  test('the running versions here are those; another version fails by name', () => {
    expect(runtimeVersions()).toEqual({
      '@huggingface/transformers': WRITTEN_FOR['@huggingface/transformers'],
      'onnxruntime-node': WRITTEN_FOR['onnxruntime-node'],
    });
    expect(() => checkRuntimeVersions()).not.toThrow();
    expect(() =>
      checkRuntimeVersions({ '@huggingface/transformers': '4.4.0', 'onnxruntime-web': WRITTEN_FOR['onnxruntime-web'] }),
    ).toThrow(/runs @huggingface\/transformers 4\.4\.0 \(expected 4\.3\.2\)/);
  });
});
