// A badge's image drawn from a template when the trainer gives none: a
// round medal in the DSFR's colours (blue France ring, white field, red
// ribbon) with the badge's name and the activity's title in Marianne, as a
// 600 × 600 PNG made in the browser (a canvas) and uploaded like any image.

/** The image's side, in pixels. */
export const BADGE_IMAGE_SIZE = 600;
const BLUE = '#000091';
const RED = '#e1000f';
const GREY = '#3a3a3a';

/** Splits `text` into at most `max` lines of `width` pixels in the context's font (the last one cut with "…"). */
export function wrapLines(text: string, width: number, measure: (line: string) => number, max: number): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const tried = line ? `${line} ${word}` : word;
    if (measure(tried) <= width || !line) line = tried;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  let last = `${kept[max - 1]}…`;
  while (measure(last) > width && last.length > 1) last = `${last.slice(0, -2)}…`;
  kept[max - 1] = last;
  return kept;
}

/** The template's PNG for `name` (and the activity's `title`), or null where the browser cannot draw. */
export async function templateImage(name: string, title: string): Promise<Blob | null> {
  const canvas = document.createElement('canvas');
  canvas.width = BADGE_IMAGE_SIZE;
  canvas.height = BADGE_IMAGE_SIZE;
  const ctx = canvas.getContext?.('2d');
  if (!ctx) return null;
  await document.fonts?.load?.('700 48px Marianne').catch(() => undefined);
  const c = BADGE_IMAGE_SIZE / 2;
  // Ribbon behind the medal.
  ctx.fillStyle = RED;
  ctx.beginPath();
  ctx.moveTo(c - 130, c + 120);
  ctx.lineTo(c - 190, c + 290);
  ctx.lineTo(c - 120, c + 255);
  ctx.lineTo(c - 80, c + 300);
  ctx.lineTo(c - 30, c + 150);
  ctx.closePath();
  ctx.moveTo(c + 130, c + 120);
  ctx.lineTo(c + 190, c + 290);
  ctx.lineTo(c + 120, c + 255);
  ctx.lineTo(c + 80, c + 300);
  ctx.lineTo(c + 30, c + 150);
  ctx.closePath();
  ctx.fill();
  // The medal: blue ring, white field, thin inner ring.
  ctx.fillStyle = BLUE;
  ctx.beginPath();
  ctx.arc(c, c - 20, 240, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.beginPath();
  ctx.arc(c, c - 20, 210, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = BLUE;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(c, c - 20, 196, 0, Math.PI * 2);
  ctx.stroke();
  // The name, then the activity.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = BLUE;
  ctx.font = '700 44px Marianne, Arial, sans-serif';
  const nameLines = wrapLines(name, 330, (l) => ctx.measureText(l).width, 3);
  ctx.font = '400 24px Marianne, Arial, sans-serif';
  const titleLines = title ? wrapLines(title, 300, (l) => ctx.measureText(l).width, 2) : [];
  const height = nameLines.length * 52 + (titleLines.length ? 24 + titleLines.length * 30 : 0);
  let y = c - 20 - height / 2 + 26;
  ctx.font = '700 44px Marianne, Arial, sans-serif';
  for (const line of nameLines) {
    ctx.fillText(line, c, y);
    y += 52;
  }
  if (titleLines.length) {
    y += 24 - 26 + 15;
    ctx.fillStyle = GREY;
    ctx.font = '400 24px Marianne, Arial, sans-serif';
    for (const line of titleLines) {
      ctx.fillText(line, c, y);
      y += 30;
    }
  }
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob), 'image/png'));
}
