// The session's downloads for the trainer: quiz results (CSV, JSON) and
// attendance (CSV); the board's exports use the same buttons. The files need
// the trainer's bearer token, so a plain link would not do: each button
// fetches its file with the token and saves it from a Blob. The outcome is
// written in a status line (role="status").

import type { App } from '../app';
import { ApiError, fetchSessionFile, type CsvDialect, type SessionFile } from '../api';
import { h } from '../dom';
import { errorText, lang, t, type MessageKey } from '../i18n';
import type { RoomId } from '../protocol';
import { loadTrainerToken } from '../session';

const LABEL: Record<SessionFile, MessageKey> = {
  'results.csv': 'quiz.resultsCsv',
  'results.json': 'quiz.resultsJson',
  'attendance.csv': 'downloads.attendanceCsv',
};

/** A file the trainer can download with their token. */
export interface Download {
  label: string;
  testId: string;
  fetch(token: string): Promise<{ blob: Blob; filename: string }>;
}

/** A button that fetches `file` with the trainer's token and saves it; `status` tells how it went. */
export function downloadButton(app: App, file: Download, status: HTMLElement): HTMLButtonElement {
  return h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line',
    'data-testid': file.testId,
    onclick: () => void download(),
  }, file.label);

  async function download(): Promise<void> {
    const token = loadTrainerToken(app.store);
    if (!token) {
      status.textContent = t('quiz.noToken');
      return;
    }
    status.textContent = t('quiz.downloading');
    try {
      const saved = await file.fetch(token);
      const url = URL.createObjectURL(saved.blob);
      const a = h('a', { href: url, download: saved.filename, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.textContent = t('quiz.downloaded', { file: saved.filename });
    } catch (e) {
      const code = e instanceof ApiError ? e.code : 'network';
      status.textContent = code === 'network' ? t('home.unreachable') : code === 'not_found' ? t('downloads.notFound') : errorText(code);
    }
  }
}

/** The status line of a downloads panel. */
export function downloadStatus(): HTMLElement {
  return h('p', { class: 'fr-text--sm fr-mt-1w', role: 'status', 'data-testid': 'download-status' });
}

/**
 * A section with one download button per file; `hint` introduces them. The
 * CSVs come in the dialect of the page's language (French spreadsheets:
 * `;`, decimal commas, local times); the results CSV also in the other one.
 */
export function downloadsPanel(app: App, roomId: RoomId, files: SessionFile[], hint: MessageKey): HTMLElement {
  const status = downloadStatus();
  const mine: CsvDialect = lang() === 'fr' ? 'fr' : 'en';
  const other: CsvDialect = mine === 'fr' ? 'en' : 'fr';
  const buttons = files.flatMap((file) => {
    const testId = `download-${file.replace('.', '-')}`;
    if (file !== 'results.csv') {
      // Other CSVs in the page's dialect; JSON has none.
      const dialect = file.endsWith('.csv') ? mine : undefined;
      return [downloadButton(app, { label: t(LABEL[file]), testId, fetch: (token) => fetchSessionFile(token, roomId, file, fetch, dialect) }, status)];
    }
    return [
      downloadButton(app, { label: t(LABEL[file]), testId, fetch: (token) => fetchSessionFile(token, roomId, file, fetch, mine) }, status),
      downloadButton(app, { label: t('quiz.resultsCsvOther'), testId: `${testId}-${other}`, fetch: (token) => fetchSessionFile(token, roomId, file, fetch, other) }, status),
    ];
  });
  return h('section', { class: 'fr-mt-4w amphi-trainer-only', 'aria-labelledby': 'downloads-title', 'data-testid': 'downloads' },
    h('h2', { id: 'downloads-title', class: 'fr-h4' }, t('downloads.title')),
    h('p', { class: 'fr-text--sm' }, t(hint)),
    h('div', { class: 'amphi-buttons' }, ...buttons),
    status);
}
