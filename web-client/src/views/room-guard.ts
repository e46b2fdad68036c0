// A leader's guard over who is in the room, in every console: the switch that
// locks the room to new guests (`lock` / `unlock`: those who read the code
// off the projector after the start cannot come in; members already in, and
// platform users, still can) and the "Retirer" button that removes someone
// (`remove_member`: their connection closes, they may not come back).

import type { AmphiClient } from '../client';
import { h } from '../dom';
import { errorText, t } from '../i18n';
import type { MemberView, RoomId } from '../protocol';

let controls = 0;

/** The lock switch and its explanation; `update()` follows the room's state. */
export function lockSwitch(client: AmphiClient, roomId: RoomId): { root: HTMLElement; update(): void } {
  const id = `room-lock-${++controls}`;
  const input = h('input', {
    type: 'checkbox',
    class: 'fr-toggle__input',
    id,
    'aria-describedby': `${id}-hint`,
    'data-testid': 'room-lock',
  });
  const hint = h('p', { class: 'fr-hint-text', id: `${id}-hint`, 'data-testid': 'room-lock-status' });
  const problem = h('p', { class: 'fr-error-text', role: 'alert', hidden: true });
  const root = h('div', { class: 'fr-toggle fr-toggle--label-left amphi-room-lock' },
    input,
    h('label', {
      class: 'fr-toggle__label',
      for: id,
      'data-fr-checked-label': t('room.lock.on'),
      'data-fr-unchecked-label': t('room.lock.off'),
    }, t('room.lock.label')),
    hint,
    problem);
  // What the leader asked for, until the room says so (its `room_locked`
  // event may come after the command's ack).
  let asked: boolean | null = null;
  let pending = false;

  function update(): void {
    const locked = client.room(roomId)?.locked ?? false;
    if (asked === locked) asked = null;
    const shown = asked ?? locked;
    input.checked = shown;
    input.disabled = pending || client.status !== 'online';
    hint.textContent = t(shown ? 'room.lock.lockedHint' : 'room.lock.openHint');
  }

  input.addEventListener('change', async () => {
    const lock = input.checked;
    asked = lock;
    pending = true;
    problem.hidden = true;
    update();
    const result = await client.command({ type: lock ? 'lock' : 'unlock', room: roomId });
    pending = false;
    if (!result.ok) {
      asked = null;
      problem.textContent = errorText(result.code);
      problem.hidden = false;
    }
    update();
  });
  update();
  return { root, update };
}

/** Whether `member` may be removed by this client's member (a participant, not oneself). */
export function removable(client: AmphiClient, member: MemberView): boolean {
  return member.role === 'participant' && member.id !== client.me?.id;
}

/** Removes `member` once the trainer confirms; `button` is disabled meanwhile, and says why if refused. */
export async function removeMember(client: AmphiClient, roomId: RoomId, member: MemberView, button: HTMLButtonElement): Promise<void> {
  if (!window.confirm(t('room.remove.confirm', { name: member.name }))) return;
  button.disabled = true;
  const result = await client.command({ type: 'remove_member', room: roomId, member: member.id });
  if (!result.ok) {
    button.disabled = false;
    button.after(h('p', { class: 'fr-error-text', role: 'alert' }, errorText(result.code)));
  }
}

/** "Retirer" for one member, after a confirmation; null for someone who cannot be removed. */
export function removeMemberButton(client: AmphiClient, roomId: RoomId, member: MemberView): HTMLButtonElement | null {
  if (!removable(client, member)) return null;
  const button = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--sm fr-btn--tertiary-no-outline',
    'aria-label': t('room.remove.label', { name: member.name }),
    'data-testid': 'remove-member',
    disabled: client.status !== 'online',
  }, t('room.remove'));
  button.addEventListener('click', () => void removeMember(client, roomId, member, button));
  return button;
}
