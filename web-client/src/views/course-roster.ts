// "Participants du cours": in a console opened from a course (LTI), who is
// enrolled, who is here now, who came and left, who has not come; for
// ateliers, a button that spreads the course's participants over them ahead
// of time. Hidden when the session was not opened from a course.

import { ApiError } from '../api';
import { distributeRoster, fetchRoster, type CourseMember } from '../course-api';
import { h, setChildren } from '../dom';
import { errorText, t, type MessageKey, tn } from '../i18n';
import type { RoomId } from '../protocol';
import { loadTrainerToken } from '../session';
import type { App } from '../app';

export function courseRosterPanel(app: App, roomId: RoomId, options: { ateliers: boolean }): HTMLElement {
  const status = h('p', { class: 'fr-text--sm', role: 'status' });
  const body = h('tbody');
  const table = h('div', { class: 'fr-table fr-table--no-caption fr-mb-1w' },
    h('table', {},
      h('caption', {}, t('roster.title')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('roster.name')), h('th', { scope: 'col' }, t('roster.role')), h('th', { scope: 'col' }, t('roster.state')))),
      body));
  const refresh = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-refresh-line' }, t('roster.refresh'));
  const distribute = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary', 'data-testid': 'roster-distribute' }, t('roster.distribute'));
  const buttons = h('div', { class: 'amphi-buttons' }, refresh, ...(options.ateliers ? [distribute] : []));
  const summary = h('summary', {}, t('roster.title'));
  const root = h('details', { class: 'amphi-details fr-mt-3w', 'data-testid': 'course-roster', hidden: true }, summary, status, table, buttons);

  const token = () => loadTrainerToken(app.store) ?? '';
  const failed = (e: unknown) => {
    const code = e instanceof ApiError ? e.code : 'network';
    return code === 'network' ? t('home.unreachable') : errorText(code);
  };

  async function load(): Promise<void> {
    let members: CourseMember[];
    try {
      members = await fetchRoster(token(), roomId);
    } catch (e) {
      // Not opened from a course (or no roster service): nothing to show.
      if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return;
      root.hidden = false;
      status.textContent = failed(e);
      return;
    }
    root.hidden = false;
    const learners = members.filter((m) => m.role === 'participant');
    summary.textContent = t('roster.summary', { present: learners.filter((m) => m.present).length, enrolled: learners.length });
    status.textContent = '';
    setChildren(body, ...members.map((m) => h('tr', {},
      h('td', {}, m.name ?? m.user_id),
      h('td', {}, t(`roster.role.${m.role}` as MessageKey)),
      h('td', {}, m.present ? t('roster.present') : m.came ? t('roster.left') : t('roster.notYet')))));
  }

  refresh.addEventListener('click', () => void load());
  distribute.addEventListener('click', async () => {
    distribute.disabled = true;
    try {
      const result = await distributeRoster(token(), roomId);
      status.textContent = tn('roster.distributed', result.assigned.length, { refused: result.not_assigned.length });
    } catch (e) {
      status.textContent = failed(e);
    } finally {
      distribute.disabled = false;
    }
  });
  void load();
  return root;
}
