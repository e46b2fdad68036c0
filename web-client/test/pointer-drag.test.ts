// @vitest-environment happy-dom
// The pointer drag shared by the ordering question and the board: the
// pointer followed until released (once), other pointers ignored, a cancel
// said as such, the page scrolled near its edges.

import { describe, expect, it, vi } from 'vitest';
import { EDGE_PX, MAX_SCROLL_PX, edgeScroll, followPointer, type DragPoint } from '../src/views/pointer-drag';

function pointer(type: string, pointerId: number, clientY: number, clientX = 10): PointerEvent {
  return new PointerEvent(type, { pointerId, clientX, clientY, bubbles: true });
}

function drag() {
  const handle = document.createElement('button');
  document.body.append(handle);
  const moves: DragPoint[] = [];
  const ends: { point: DragPoint; cancelled: boolean }[] = [];
  const stop = followPointer(pointer('pointerdown', 7, 300), handle, {
    onMove: (point) => moves.push(point),
    onEnd: (point, cancelled) => ends.push({ point, cancelled }),
  });
  return { moves, ends, stop };
}

describe('edgeScroll', () => {
  it('scrolls up near the top, down near the bottom, faster closer to the edge, not in between', () => {
    expect(edgeScroll(300, 740)).toBe(0);
    expect(edgeScroll(EDGE_PX, 740)).toBe(0);
    expect(edgeScroll(740 - EDGE_PX, 740)).toBe(0);
    expect(edgeScroll(0, 740)).toBe(-MAX_SCROLL_PX);
    expect(edgeScroll(740, 740)).toBe(MAX_SCROLL_PX);
    expect(edgeScroll(EDGE_PX / 2, 740)).toBeLessThan(0);
    expect(edgeScroll(EDGE_PX / 2, 740)).toBeGreaterThan(-MAX_SCROLL_PX);
    expect(edgeScroll(-50, 740)).toBe(-MAX_SCROLL_PX); // captured pointers can leave the window
  });
});

describe('followPointer', () => {
  it('follows its own pointer until released, then ends once', () => {
    const { moves, ends } = drag();
    window.dispatchEvent(pointer('pointermove', 7, 320));
    window.dispatchEvent(pointer('pointermove', 8, 500)); // another finger
    window.dispatchEvent(pointer('pointermove', 7, 340));
    expect(moves.map((p) => p.clientY)).toEqual([320, 340]);
    window.dispatchEvent(pointer('pointerup', 8, 500));
    expect(ends).toEqual([]);
    window.dispatchEvent(pointer('pointerup', 7, 345));
    window.dispatchEvent(pointer('pointermove', 7, 400));
    window.dispatchEvent(pointer('pointerup', 7, 400));
    expect(moves).toHaveLength(2);
    expect(ends).toEqual([{ point: { clientX: 10, clientY: 345 }, cancelled: false }]);
  });

  it('says when the system cancelled the pointer', () => {
    const { ends } = drag();
    window.dispatchEvent(pointer('pointercancel', 7, 310));
    expect(ends.map((e) => e.cancelled)).toEqual([true]);
  });

  it('stops following when the screen goes away', () => {
    const { moves, ends, stop } = drag();
    stop();
    window.dispatchEvent(pointer('pointermove', 7, 320));
    window.dispatchEvent(pointer('pointerup', 7, 320));
    expect(moves).toEqual([]);
    expect(ends).toEqual([]);
  });

  it('scrolls the page while the pointer stays near the bottom edge, telling the drag each step', () => {
    const frames: FrameRequestCallback[] = [];
    const raf = vi.spyOn(window, 'requestAnimationFrame').mockImplementation((callback) => frames.push(callback));
    const scrollBy = vi.spyOn(window, 'scrollBy').mockImplementation(((_x: number, y: number) => {
      Object.defineProperty(window, 'scrollY', { value: window.scrollY + y, configurable: true });
    }) as typeof window.scrollBy);
    try {
      const { moves, ends } = drag();
      window.dispatchEvent(pointer('pointermove', 7, window.innerHeight - 1));
      expect(frames).toHaveLength(1);
      frames.shift()!(0);
      frames.shift()!(0);
      expect(scrollBy).toHaveBeenCalledTimes(2);
      expect(scrollBy.mock.calls[0][1]).toBeGreaterThan(0);
      expect(moves).toHaveLength(3); // the move, then one per scroll step
      window.dispatchEvent(pointer('pointerup', 7, window.innerHeight - 1));
      expect(ends).toHaveLength(1);
      frames.shift()?.(0); // a frame already asked for does nothing once released
      expect(scrollBy).toHaveBeenCalledTimes(2);
    } finally {
      raf.mockRestore();
      scrollBy.mockRestore();
    }
  });
});
