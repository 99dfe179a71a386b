/**
 * Resolving which model fills each role: a preset's choice, or the user's
 * override by repo id, by custom host, or by a folder imported from disk.
 */
import { ModelLoadError } from './errors';
import type { ModelSpec } from './model-spec';
import { type Preset, TEXT_LLM_BASE } from './presets';

/** Roles the engine loads through transformers.js (OCR is the app's own bundled model). */
export type LoadableRole = 'vlm' | 'llm' | 'router';

/** The user's replacement for a preset's model in one role. */
export type RoleOverride =
  /** Another repo from the captioner's configured source (the hub by default). */
  | { readonly kind: 'repo'; readonly repo: string; readonly revision?: string }
  /** A repo on a specific host (mirror), with its path template. */
  | {
      readonly kind: 'host';
      readonly repo: string;
      readonly revision?: string;
      readonly host: string;
      readonly pathTemplate: string;
    }
  /** A model folder the user imported into the weight cache (see `importModel`). */
  | { readonly kind: 'imported'; readonly repo: string };

/** Overrides by role. */
export type RoleOverrides = Readonly<Partial<Record<LoadableRole, RoleOverride>>>;

/** A role and the model that fills it; `sharedWith` means "reuse that role's loaded model". */
export type ResolvedRole =
  | { readonly role: LoadableRole; readonly spec: ModelSpec; readonly sharedWith?: undefined }
  | { readonly role: 'llm'; readonly spec: ModelSpec; readonly sharedWith: 'vlm' };

const REPO_ID = /^[\w.-]+(\/[\w.-]+)?$/;

/** What marks a user's model: its config, not the tier, names its family (see followFamily). */
const USERS = { familyFromConfig: true } as const;

/** Applies an override to a role's preset model (same loader, dtype plan and size estimate until its config is read). */
export function applyOverride(base: ModelSpec, override: RoleOverride | undefined): ModelSpec {
  if (!override) return base;
  if (!REPO_ID.test(override.repo) || override.repo.includes('..')) {
    throw new ModelLoadError(`"${override.repo}" is not a model repo id: use the form org/name.`);
  }
  switch (override.kind) {
    case 'repo':
      return { ...base, ...USERS, repo: override.repo, revision: override.revision ?? 'main', source: undefined };
    case 'host':
      return {
        ...base,
        ...USERS,
        repo: override.repo,
        revision: override.revision ?? 'main',
        source: { kind: 'host', host: override.host, pathTemplate: override.pathTemplate },
      };
    case 'imported':
      return { ...base, ...USERS, repo: override.repo, revision: 'main', source: { kind: 'imported' } };
  }
}

/** The models to load for `roles`, in load order (VLM first, so a shared LLM can reuse it). */
export function resolveRoles(preset: Preset, overrides: RoleOverrides, roles: readonly LoadableRole[]): ResolvedRole[] {
  const wanted = new Set(roles);
  const vlm = applyOverride(preset.vlm, overrides.vlm);
  const resolved: ResolvedRole[] = [];
  if (wanted.has('vlm') || (wanted.has('llm') && preset.llm === 'vlm' && !overrides.llm)) {
    resolved.push({ role: 'vlm', spec: vlm });
  }
  if (wanted.has('llm')) {
    if (preset.llm === 'vlm' && !overrides.llm) resolved.push({ role: 'llm', spec: vlm, sharedWith: 'vlm' });
    else {
      // A preset whose VLM also writes the summary has no text-LLM plan of its own: an overriding
      // text model gets the plan and size estimate of the text-LLM family, not the VLM's session map.
      const base = preset.llm === 'vlm' ? TEXT_LLM_BASE : preset.llm;
      resolved.push({ role: 'llm', spec: applyOverride(base, overrides.llm) });
    }
  }
  if (wanted.has('router')) resolved.push({ role: 'router', spec: applyOverride(preset.router, overrides.router) });
  return resolved;
}
