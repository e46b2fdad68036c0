// Pure helpers of the ordering answer: moving an item by one place (the
// up/down buttons), or to any place (drag and drop), and where a dragged item
// lands given the pointer's position and the midpoints of the other items.

/** Moves the item at `from` by `delta` places; an unchanged copy when it cannot. */
export function moveItem<T>(list: readonly T[], from: number, delta: number): T[] {
  const to = from + delta;
  if (to < 0 || to >= list.length || from < 0 || from >= list.length) return [...list];
  const next = [...list];
  [next[from], next[to]] = [next[to], next[from]];
  return next;
}

/** Takes the item at `from` out and puts it back at `to` (clamped). */
export function moveTo<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(Math.max(0, Math.min(to, next.length)), 0, item);
  return next;
}

/**
 * Where a dragged item goes: the number of the other items whose vertical
 * midpoint is above the pointer (`midpoints` in list order, the dragged item
 * left out).
 */
export function dropIndex(midpoints: readonly number[], y: number): number {
  return midpoints.filter((m) => m < y).length;
}
