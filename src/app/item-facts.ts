/**
 * What an item card says about its caption: the facts in one line (who
 * wrote it, the domain, where it ran, how long it took, its length), the
 * judge's verdict and scores, and the panels its menu opens — the details
 * (every fact in full, with the technical forms that are only tooltips on
 * the card, for touch screens too) and the earlier versions.
 */
import { html, nothing } from 'lit';
import type { CaptionRecord } from '../shared/record';
import { type SessionItem, finalCaption, madeBy } from '../session/item';
import { describeRuntime } from './format';
import type { ItemAction } from './item-actions';
import { barText, domainText, domainTitle, lengthOf, modeText } from './item-text';

const EDIT_NOTE = 'Your edit is the caption: kept and exported (the generated one is under Details)';

/** The facts, one line that the card cuts with an ellipsis where it is narrow: the Details panel has them all. */
export function renderFacts(item: SessionItem, record: CaptionRecord) {
  const length = lengthOf(finalCaption(item) ?? '', record.trace);
  return html`<p class="facts">
    ${item.edited !== null ? html`<span class="chip edited" data-testid="edited" title=${EDIT_NOTE}>Your edit</span>` : nothing}
    <span class="chip" data-testid="made-by" title="Written by ${madeBy(record)}">${modeText(record)}</span>
    ${
      record.domain
        ? html`<span class="chip domain" data-testid="domain" title=${domainTitle(record.domain)}
            >${domainText(record.domain)}</span
          >`
        : nothing
    }
    <span class="chip" data-testid="length" title=${length.title}>${length.text}</span>
    <span class="chip">${(record.totalMs / 1000).toFixed(1)} s</span>
    ${
      record.runtime
        ? html`<span class="chip" data-testid="runtime" title=${describeRuntime(record.runtime)}
            >${record.runtime.device === 'webgpu' ? 'ran on the GPU' : 'ran on the CPU'}</span
          >`
        : nothing
    }
  </p>`;
}

/** Every fact in full, the technical forms beside the words. */
export function renderDetails(item: SessionItem, record: CaptionRecord) {
  const length = lengthOf(finalCaption(item) ?? '', record.trace);
  const row = (term: string, value: unknown) =>
    html`<div>
      <dt>${term}</dt>
      <dd>${value}</dd>
    </div>`;
  return html`<dl class="details" aria-label="Details of ${item.name}">
    ${row('File', item.path)} ${row('Caption', item.edited !== null ? EDIT_NOTE : 'As the models wrote it')}
    ${item.edited !== null ? row('Generated', record.caption) : nothing} ${row('Written by', madeBy(record))}
    ${record.domain ? row('Domain', `${domainText(record.domain)} — ${domainTitle(record.domain)}`) : nothing}
    ${row('Length', `${length.text} (${length.title.toLowerCase()})`)}
    ${row('Time', `${(record.totalMs / 1000).toFixed(1)} s`)}
    ${
      record.runtime
        ? row(
            'Ran on',
            `${record.runtime.device === 'webgpu' ? 'the GPU' : 'the CPU'} (${describeRuntime(record.runtime)})`,
          )
        : nothing
    }
  </dl>`;
}

/** The judge's verdict, then its scores in the same run of text. */
export function renderJudge(item: SessionItem, record: CaptionRecord) {
  const judge = record.judge;
  if (!judge) return nothing;
  // A judge whose answer could not be read has no scores to list.
  const unread = Object.values(judge.scores).every((v) => v === null);
  return html`<div class="judge">
    <p class="judge-title" data-testid="verdict">
      Judge,
      1–3${
        unread
          ? html` <span class="muted">— its answer could not be read</span>`
          : judge.topOnAll
            ? html` <span class="ok">— top score on every dimension</span>`
            : judge.accepted === false
              ? html` <span class="muted">— below the bar (${barText(judge.minScore)})</span>`
              : nothing
      }${
        judge.attempts.length > 1
          ? html` <span class="muted">· attempt ${judge.kept ?? 1} of ${judge.attempts.length} kept</span>`
          : nothing
      }
    </p>
    ${
      unread
        ? nothing
        : html`<dl class="scores" data-testid="scores" aria-label="Judge scores of ${item.name}, 1 to 3">
            ${Object.entries(judge.scores).map(
              ([dim, score]) =>
                html`<div class="score s${score ?? 'x'}">
                  <dt>${dim}</dt>
                  <dd>${score ?? '—'}</dd>
                </div>`,
            )}
          </dl>`
    }
  </div>`;
}

/** Earlier captions, newest first, each with who wrote it and a way to show it again. */
export function renderVersions(item: SessionItem, act: (action: ItemAction) => void) {
  const versions = item.versions ?? [];
  return html`<ol reversed class="versions" data-testid="versions" aria-label="Earlier versions of ${item.name}">
    ${versions
      .map((version, index) => ({ version, index }))
      .reverse()
      .map(
        ({ version, index }) =>
          html`<li data-testid="version">
            <p class="muted small">${version.kind === 'edited' ? 'Your edit' : `Written by ${version.madeBy}`}</p>
            <p class="version-text">${version.text}</p>
            <button
              class="linkish"
              aria-label="Use this version as the caption of ${item.name}"
              @click=${() => act({ kind: 'use-version', index })}
            >
              Use this version
            </button>
          </li>`,
      )}
  </ol>`;
}
