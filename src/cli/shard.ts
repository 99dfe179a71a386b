/**
 * Deterministic sharding: every machine of a run computes the same shard for
 * a file from its path alone (FNV-1a), so `--shard 2/3` needs no
 * coordination and the shards never overlap. `--shard auto` takes the shard
 * from the scheduler that started the process (a Slurm array task, a
 * Kubernetes Indexed Job's pod): see {@link shardFromEnv}.
 */

/** One shard of a run: 1-based `index` of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Reads `i/n` (1 ≤ i ≤ n); anything else is a RangeError saying the form. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count) {
    throw new RangeError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/3), or auto; got "${text}".`);
  }
  return { index, count };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: fast, stable across machines and Node versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Is `path` in `shard`? */
export function inShard(path: string, shard: Shard): boolean {
  return (fnv1a(path) % shard.count) + 1 === shard.index;
}

/** A shard read from the scheduler's environment, and the words saying where it came from. */
export interface ScheduledShard {
  readonly shard: Shard;
  /** e.g. `SLURM_ARRAY_TASK_ID=4 of SLURM_ARRAY_TASK_MIN=0…SLURM_ARRAY_TASK_MAX=7` */
  readonly from: string;
}

/** The scheduler's variables are missing, malformed or contradict each other (or `--shards`). */
export class ShardEnvError extends Error {
  override readonly name = 'ShardEnvError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** A variable as a whole number ≥ 0, undefined when unset; anything else is a ShardEnvError. */
function whole(env: Env, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) throw new ShardEnvError(`${name} must be a whole number; it is "${text}".`);
  return Number(text);
}

const SLURM_VARS = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT'] as const;

/**
 * A Slurm array task's shard. Slurm sets, for each task of `sbatch --array`
 * (https://slurm.schedmd.com/job_array.html, and sbatch(1) "OUTPUT
 * ENVIRONMENT VARIABLES"): SLURM_ARRAY_TASK_ID (this task's index),
 * SLURM_ARRAY_TASK_COUNT (tasks in the array), SLURM_ARRAY_TASK_MIN/_MAX
 * (lowest and highest index) and SLURM_ARRAY_TASK_STEP. Indices are what
 * the user wrote: `--array=0-7` starts at 0, `--array=1-8` at 1,
 * `--array=0-14:2` steps by 2, so the shard is the task's position in the
 * range, never the raw id. A list with gaps (`--array=1,2,9`) has no
 * position every task can compute alone: it is refused.
 */
function slurmShard(env: Env): ScheduledShard {
  const id = whole(env, 'SLURM_ARRAY_TASK_ID');
  const count = whole(env, 'SLURM_ARRAY_TASK_COUNT');
  const min = whole(env, 'SLURM_ARRAY_TASK_MIN');
  const max = whole(env, 'SLURM_ARRAY_TASK_MAX');
  if (id === undefined || count === undefined || min === undefined) {
    const missing = [...SLURM_VARS, 'SLURM_ARRAY_TASK_MIN'].filter((n) => !env[n]);
    throw new ShardEnvError(
      `--shard auto found a Slurm array task without ${missing.join(', ')}: run it under \`sbatch --array=…\`, or give --shard i/n.`,
    );
  }
  if (count < 1) throw new ShardEnvError(`SLURM_ARRAY_TASK_COUNT is ${count}: an array has at least one task.`);
  const given = whole(env, 'SLURM_ARRAY_TASK_STEP');
  const last = max ?? min + (count - 1) * (given ?? 1);
  // The step the range implies; Slurm's own SLURM_ARRAY_TASK_STEP, when set, must agree.
  const step = count === 1 ? 1 : (last - min) / (count - 1);
  const described = `SLURM_ARRAY_TASK_ID=${id} in ${min}…${last} (${count} tasks${step === 1 ? '' : `, step ${step}`})`;
  if (!Number.isInteger(step) || step < 1 || (given !== undefined && count > 1 && given !== step)) {
    throw new ShardEnvError(
      `--shard auto needs a Slurm array of evenly spaced indices (--array=0-N or 1-N, with an optional :step); ` +
        `this one has ${count} tasks from ${min} to ${last}${given !== undefined ? ` with step ${given}` : ''}, ` +
        'so its tasks cannot tell their positions apart. Use a range, or give --shard i/n.',
    );
  }
  if (id < min || id > last || (id - min) % step !== 0) {
    throw new ShardEnvError(
      `SLURM_ARRAY_TASK_ID=${id} is not one of the evenly spaced indices ${min}…${last} (step ${step}) that ` +
        `SLURM_ARRAY_TASK_MIN, _MAX and _COUNT describe: --shard auto needs an array without gaps ` +
        '(--array=0-N or 1-N, with an optional :step), or give --shard i/n.',
    );
  }
  return { shard: { index: (id - min) / step + 1, count }, from: described };
}

/**
 * A Kubernetes Indexed Job pod's shard. The Job controller sets
 * JOB_COMPLETION_INDEX, 0-based, from 0 to `.spec.completions` − 1
 * (https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode);
 * the count is not in the pod's environment, so `--shards N` gives it.
 */
function kubernetesShard(env: Env, shards: number | undefined): ScheduledShard {
  const index = whole(env, 'JOB_COMPLETION_INDEX');
  if (index === undefined) throw new ShardEnvError('JOB_COMPLETION_INDEX is set but empty.');
  if (shards === undefined) {
    throw new ShardEnvError(
      `--shard auto found JOB_COMPLETION_INDEX=${index} (a Kubernetes Indexed Job) but not the number of shards: ` +
        "add --shards N, N being the Job's .spec.completions.",
    );
  }
  if (index >= shards) {
    throw new ShardEnvError(
      `JOB_COMPLETION_INDEX=${index} is not below --shards ${shards}: make --shards the Job's .spec.completions.`,
    );
  }
  return { shard: { index: index + 1, count: shards }, from: `JOB_COMPLETION_INDEX=${index} of ${shards}` };
}

/**
 * `--shard auto`: the shard from the scheduler's environment (a Slurm array
 * task, or a Kubernetes Indexed Job's pod with `--shards N`). Missing or
 * contradictory variables (both schedulers at once, `--shards` against
 * Slurm's count) are ShardEnvErrors saying which.
 */
export function shardFromEnv(env: Env, shards?: number): ScheduledShard {
  const slurm = env.SLURM_ARRAY_TASK_ID !== undefined || env.SLURM_ARRAY_TASK_COUNT !== undefined;
  const kubernetes = env.JOB_COMPLETION_INDEX !== undefined;
  if (slurm && kubernetes) {
    throw new ShardEnvError(
      `--shard auto found both a Slurm array task (SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID ?? ''}) and a Kubernetes ` +
        `Indexed Job (JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX}): unset the one that does not apply, or give --shard i/n.`,
    );
  }
  if (slurm) {
    const found = slurmShard(env);
    if (shards !== undefined && shards !== found.shard.count) {
      throw new ShardEnvError(
        `--shards ${shards} contradicts SLURM_ARRAY_TASK_COUNT=${found.shard.count}: leave --shards out under Slurm.`,
      );
    }
    return found;
  }
  if (kubernetes) return kubernetesShard(env, shards);
  throw new ShardEnvError(
    '--shard auto found no scheduler: it reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (a Slurm array job) ' +
      'or JOB_COMPLETION_INDEX with --shards N (a Kubernetes Indexed Job). Elsewhere give --shard i/n.',
  );
}

/**
 * The shard of `--shard` (`i/n` or `auto`) with `--shards N` (auto only), and
 * where it came from; null: no sharding.
 */
export function chosenShard(flag: string | undefined, shards: number | undefined, env: Env): ScheduledShard | null {
  if (flag === undefined) {
    if (shards !== undefined) throw new RangeError('--shards N goes with --shard auto (a Kubernetes Indexed Job).');
    return null;
  }
  if (flag.trim() === 'auto') return shardFromEnv(env, shards);
  if (shards !== undefined) throw new RangeError(`--shards N goes with --shard auto, not --shard ${flag}.`);
  return { shard: parseShard(flag), from: `--shard ${flag}` };
}
