// "Ajouter un message vocal" in the board's post form: the phone's
// microphone through MediaRecorder (Opus in WebM, or AAC in MP4, whichever
// the browser records), a stop button with the time elapsed, an automatic
// stop at MAX_RECORDING_S, then the recording handed over as a file (the
// form uploads it like any other; the server sniffs it as sound). Hidden
// where the browser cannot record; a refused microphone is said in words.

import { h } from '../dom';
import { t } from '../i18n';

/** The longest recording, in seconds. */
export const MAX_RECORDING_S = 300;

/** The container and codec to ask for, the first the browser records. */
export const RECORDING_TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus'] as const;

export interface AudioRecorder {
  root: HTMLElement;
  dispose(): void;
}

/** What the recorder needs of the browser (a test gives its own). */
export interface RecordingDevice {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  MediaRecorder: typeof MediaRecorder;
}

function browserDevice(): RecordingDevice | null {
  const media = globalThis.navigator?.mediaDevices;
  const Recorder = globalThis.MediaRecorder;
  if (!media?.getUserMedia || !Recorder) return null;
  return { getUserMedia: (c) => media.getUserMedia(c), MediaRecorder: Recorder };
}

/** "m:ss". */
export function formatElapsed(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** The file name of a recording made at `at`: "message-audio-2026-12-03-09h30.webm". */
export function recordingName(type: string, at: Date): string {
  const extension = type.startsWith('audio/mp4') ? 'm4a' : type.startsWith('audio/ogg') ? 'ogg' : 'webm';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `message-audio-${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}-${pad(at.getHours())}h${pad(at.getMinutes())}.${extension}`;
}

/** `onRecorded` gets the finished recording. */
export function audioRecorder(onRecorded: (file: File) => void, device: RecordingDevice | null = browserDevice()): AudioRecorder {
  const button = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--sm fr-btn--icon-left fr-icon-mic-line', 'data-testid': 'record-audio' },
    t('board.audio.record'));
  const status = h('p', { class: 'fr-text--sm fr-mb-1w', role: 'status', 'data-testid': 'record-status' });
  const root = h('div', { class: 'amphi-recorder fr-mb-2w', hidden: !device }, button, status);
  let recorder: MediaRecorder | null = null;
  let stream: MediaStream | null = null;
  let started = 0;
  let ticker: ReturnType<typeof setInterval> | null = null;
  let disposed = false;

  const release = () => {
    if (ticker) clearInterval(ticker);
    ticker = null;
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
  };
  const showIdle = () => {
    button.textContent = t('board.audio.record');
    button.classList.replace('fr-icon-stop-circle-line', 'fr-icon-mic-line');
    button.setAttribute('aria-pressed', 'false');
  };

  async function start(): Promise<void> {
    if (!device) return;
    status.textContent = t('board.audio.asking');
    try {
      stream = await device.getUserMedia({ audio: true });
    } catch (e) {
      status.textContent = e instanceof DOMException && (e.name === 'NotAllowedError' || e.name === 'SecurityError')
        ? t('board.audio.refused') : t('board.audio.noMicrophone');
      return;
    }
    if (disposed) return release();
    const type = RECORDING_TYPES.find((candidate) => device.MediaRecorder.isTypeSupported?.(candidate));
    const chunks: Blob[] = [];
    recorder = new device.MediaRecorder(stream, type ? { mimeType: type } : undefined);
    recorder.addEventListener('dataavailable', (ev) => { if (ev.data.size > 0) chunks.push(ev.data); });
    recorder.addEventListener('stop', () => {
      const recorded = recorder;
      recorder = null;
      release();
      showIdle();
      if (disposed) return;
      const mime = (recorded?.mimeType || type || 'audio/webm').split(';')[0];
      const blob = new Blob(chunks, { type: mime });
      if (blob.size === 0) {
        status.textContent = t('board.audio.empty');
        return;
      }
      status.textContent = t('board.audio.recorded', { time: formatElapsed((Date.now() - started) / 1000) });
      onRecorded(new File([blob], recordingName(mime, new Date()), { type: mime }));
    });
    started = Date.now();
    recorder.start(1000);
    button.textContent = t('board.audio.stop', { time: formatElapsed(0) });
    button.classList.replace('fr-icon-mic-line', 'fr-icon-stop-circle-line');
    button.setAttribute('aria-pressed', 'true');
    status.textContent = t('board.audio.recording', { max: formatElapsed(MAX_RECORDING_S) });
    ticker = setInterval(() => {
      const elapsed = (Date.now() - started) / 1000;
      button.textContent = t('board.audio.stop', { time: formatElapsed(elapsed) });
      // Past the longest, or its form gone (the screen left): the microphone is released.
      if (elapsed >= MAX_RECORDING_S || !root.isConnected) recorder?.stop();
    }, 500);
  }

  button.addEventListener('click', () => {
    if (recorder) recorder.stop();
    else void start();
  });

  return {
    root,
    dispose() {
      disposed = true;
      if (recorder && recorder.state !== 'inactive') recorder.stop();
      release();
    },
  };
}
