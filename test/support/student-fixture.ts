/**
 * The committed distilled student (test/fixtures/distill/: a tiny SmolVLM
 * trained and exported by distill/'s recipe) and what the recipe recorded
 * for it: the greedy token ids of its reference image and single-pass
 * prompt, per dtype plan, with onnxruntime in Python.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixture's folder. */
export const STUDENT_FIXTURE = join(process.cwd(), 'test/fixtures/distill');
/** The student's model folder (the page's import names the model after it: `imported/student`). */
export const STUDENT = join(STUDENT_FIXTURE, 'student');

/** student-reference.json. */
export interface StudentReference {
  /** The image, in the fixture's folder. */
  readonly image: string;
  readonly prompt: string;
  readonly max_new_tokens: number;
  /** Token ids by run: `torch`, `onnxruntime:fp32`, `onnxruntime:wasm` (the CPU plan), … */
  readonly tokens: Readonly<Record<string, readonly number[]>>;
}

/** What the recipe recorded. */
export const STUDENT_REFERENCE = JSON.parse(
  readFileSync(join(STUDENT_FIXTURE, 'student-reference.json'), 'utf8'),
) as StudentReference;
