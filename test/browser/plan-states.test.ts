/**
 * A tier whose download cannot be planned says why on the page (the preset
 * menu's label and the plan panel), rather than "checking size…" for ever.
 */
import { expect, test } from 'vitest';
import type { Captioner } from '../../src/client/captioner';
import { planLabel } from '../../src/app/mc-plan';
import { planPresets } from '../../src/app/preset-plans';
import { DEFAULT_SETTINGS } from '../../src/app/settings';

test('a plan that fails is a failure with its reason, in the menu and the panel', async () => {
  const failing = { plan: () => Promise.reject(new Error('the weight cache could not be opened')) };
  const plans = await planPresets(failing as unknown as Captioner, DEFAULT_SETTINGS, 'balanced');
  const state = plans.get('balanced');
  expect(state).toEqual({ kind: 'failed', reason: 'the weight cache could not be opened' });
  expect(planLabel(state)).toBe('size unknown: the weight cache could not be opened');
  expect(planLabel(undefined)).toBe('checking size…');

  const panel = document.createElement('mc-plan');
  panel.state = state;
  document.body.append(panel);
  await panel.updateComplete;
  const text = panel.shadowRoot?.querySelector('[data-testid="plan-failed"]')?.textContent;
  expect(text?.replace(/\s+/g, ' ').trim()).toBe(
    'What this choice downloads could not be checked: the weight cache could not be opened',
  );
  panel.remove();
});
