// One pointer drag, for the two screens that move things by hand (the
// ordering question, the board's cards): the pointer is captured by the
// handle (the drag goes on when it leaves the handle, the list or the
// frame), the page scrolls by itself while the pointer stays near the top
// or bottom edge (a long list on a phone), and the drag ends once, on
// release or cancel. Keyboard users have buttons for the same moves.

/** Where the pointer is; `onMove` hears it after each move and each auto-scroll step. */
export interface DragPoint {
  clientX: number;
  clientY: number;
}

export interface DragHandlers {
  onMove(point: DragPoint): void;
  /** `cancelled`: the system took the pointer (a call, a gesture): nothing is to be dropped. */
  onEnd(point: DragPoint, cancelled: boolean): void;
}

/** The band along the viewport's top and bottom edges where the page scrolls, in px. */
export const EDGE_PX = 48;
/** The fastest scroll, in px per frame, with the pointer on the edge itself. */
export const MAX_SCROLL_PX = 18;

/** How far to scroll this frame for a pointer at `y` in a viewport `height` tall: negative up, 0 outside the bands. */
export function edgeScroll(y: number, height: number): number {
  if (y < EDGE_PX) return -Math.ceil(MAX_SCROLL_PX * Math.min(1, (EDGE_PX - y) / EDGE_PX));
  if (y > height - EDGE_PX) return Math.ceil(MAX_SCROLL_PX * Math.min(1, (y - (height - EDGE_PX)) / EDGE_PX));
  return 0;
}

/**
 * Follows the pointer of `start` (a `pointerdown` on `handle`) until it is
 * released. Returns a function that stops following (the screen went away).
 */
export function followPointer(start: PointerEvent, handle: Element, handlers: DragHandlers): () => void {
  const id = start.pointerId;
  let point: DragPoint = { clientX: start.clientX, clientY: start.clientY };
  let frame = 0;
  let done = false;
  try {
    handle.setPointerCapture?.(id);
  } catch {
    // the pointer is already gone: the pointerup will not come either, pointercancel may
  }
  const scrollStep = () => {
    frame = 0;
    const by = edgeScroll(point.clientY, window.innerHeight);
    if (done || by === 0) return;
    const before = window.scrollY;
    window.scrollBy(0, by);
    if (window.scrollY !== before) handlers.onMove(point); // what lies under the pointer changed
    frame = requestAnimationFrame(scrollStep);
  };
  const onMove = (e: PointerEvent) => {
    if (e.pointerId !== id) return;
    point = { clientX: e.clientX, clientY: e.clientY };
    handlers.onMove(point);
    if (!frame && edgeScroll(point.clientY, window.innerHeight) !== 0) frame = requestAnimationFrame(scrollStep);
  };
  const stop = () => {
    done = true;
    if (frame) cancelAnimationFrame(frame);
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onEnd);
    window.removeEventListener('pointercancel', onEnd);
  };
  const onEnd = (e: PointerEvent) => {
    if (e.pointerId !== id || done) return;
    stop();
    handlers.onEnd({ clientX: e.clientX, clientY: e.clientY }, e.type === 'pointercancel');
  };
  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onEnd);
  window.addEventListener('pointercancel', onEnd);
  return stop;
}
