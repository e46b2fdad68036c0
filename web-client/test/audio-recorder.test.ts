// @vitest-environment happy-dom
// Voice messages on the board: the recorder (a fake microphone and
// MediaRecorder) hands over a named file once stopped, says a refused
// microphone in words, hides where nothing can record, stops when its form
// is gone; a post whose file is sound gets a player.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setLang } from '../src/i18n';
import { audioRecorder, formatElapsed, recordingName, type RecordingDevice } from '../src/views/audio-recorder';
import { postCard, type CardActions, type CardContext } from '../src/views/board-card';
import { post } from './board-fixtures';

/** A MediaRecorder that records "voice" chunks when asked. */
class FakeRecorder extends EventTarget {
  static isTypeSupported = (type: string) => type === 'audio/webm;codecs=opus';
  state: 'inactive' | 'recording' = 'inactive';
  readonly mimeType: string;
  constructor(readonly stream: MediaStream, options?: { mimeType?: string }) {
    super();
    this.mimeType = options?.mimeType ?? '';
  }
  start(): void {
    this.state = 'recording';
  }
  stop(): void {
    if (this.state === 'inactive') return;
    this.state = 'inactive';
    const data = new Event('dataavailable') as Event & { data: Blob };
    data.data = new Blob(['voice'], { type: 'audio/webm' });
    this.dispatchEvent(data);
    this.dispatchEvent(new Event('stop'));
  }
}

function device(stopped: string[], refuse?: string): RecordingDevice {
  return {
    async getUserMedia() {
      if (refuse) throw new DOMException('no', refuse);
      return { getTracks: () => [{ stop: () => stopped.push('track') }] } as unknown as MediaStream;
    },
    MediaRecorder: FakeRecorder as unknown as typeof MediaRecorder,
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
});

describe('audioRecorder', () => {
  it('records, shows the stop button, and hands over a named WebM file; the microphone is released', async () => {
    const files: File[] = [];
    const stopped: string[] = [];
    const recorder = audioRecorder((f) => files.push(f), device(stopped));
    document.body.append(recorder.root);
    const button = recorder.root.querySelector('button')!;
    expect(recorder.root.hidden).toBe(false);
    button.click();
    await flush();
    expect(button.getAttribute('aria-pressed')).toBe('true');
    expect(button.textContent).toBe('Arrêter l’enregistrement (0:00)');
    button.click();
    expect(files).toHaveLength(1);
    expect(files[0].type).toBe('audio/webm');
    expect(files[0].name).toMatch(/^message-audio-\d{4}-\d\d-\d\d-\d\dh\d\d\.webm$/);
    expect(stopped).toEqual(['track']);
    expect(button.textContent).toBe('Ajouter un message vocal');
    recorder.dispose();
  });

  it('says a refused microphone in words, and hides where the browser cannot record', async () => {
    const recorder = audioRecorder(() => {}, device([], 'NotAllowedError'));
    recorder.root.querySelector('button')!.click();
    await flush();
    expect(recorder.root.querySelector('[role="status"]')!.textContent).toContain('Micro refusé');
    expect(audioRecorder(() => {}, null).root.hidden).toBe(true);
  });

  it('stops and releases the microphone once its form is gone', async () => {
    vi.useFakeTimers();
    const files: File[] = [];
    const stopped: string[] = [];
    const recorder = audioRecorder((f) => files.push(f), device(stopped));
    document.body.append(recorder.root);
    recorder.root.querySelector('button')!.click();
    await vi.advanceTimersByTimeAsync(10);
    recorder.root.remove();
    await vi.advanceTimersByTimeAsync(600);
    expect(stopped).toEqual(['track']);
    vi.useRealTimers();
  });

  it('names and times recordings', () => {
    expect(formatElapsed(65.4)).toBe('1:05');
    expect(recordingName('audio/mp4', new Date(2026, 11, 3, 9, 5))).toBe('message-audio-2026-12-03-09h05.m4a');
  });
});

describe('a post with a sound file', () => {
  it('gets a player, besides the download link', () => {
    const noop = () => {};
    const actions = { like: noop, comment: noop, deleteComment: noop, edit: noop, remove: noop, approve: noop, hide: noop, move: noop, uploads: {}, announce: noop } as unknown as CardActions;
    const ctx: CardContext = { me: 'm-bob', leader: false, projector: false, liked: false, canLike: true, canWrite: true, busy: false };
    const withSound = { ...post('p1'), file: { blob: 'abc', name: 'message.webm', content_type: 'audio/webm', size: 1200 } };
    const card = postCard(withSound, ctx, actions);
    const player = card.root.querySelector<HTMLAudioElement>('[data-testid="post-audio"]')!;
    expect(player.getAttribute('src')).toContain('/api/v1/blobs/abc');
    expect(player.getAttribute('aria-label')).toBe('Écouter message.webm');
    expect(card.root.querySelector('[data-testid="post-file"]')).not.toBeNull();
    const withPdf = { ...post('p2'), file: { blob: 'def', name: 'a.pdf', content_type: 'application/pdf', size: 10 } };
    expect(postCard(withPdf, ctx, actions).root.querySelector('[data-testid="post-audio"]')).toBeNull();
  });
});
