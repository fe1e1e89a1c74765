// Binary search over ascending string arrays: the id indexes stay sorted so that a page is a
// slice found in O(log n), never a scan.

/** The first index whose element is >= `value` (array length when none is). */
export function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose element is > `value` (array length when none is). */
export function upperBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function insertSorted(sorted: string[], value: string): void {
  // New ids are the largest, so the common case is a push.
  const last = sorted.at(-1);
  if (last === undefined || last < value) sorted.push(value);
  else sorted.splice(lowerBound(sorted, value), 0, value);
}

export function removeSorted(sorted: string[], value: string): void {
  const at = lowerBound(sorted, value);
  if (sorted[at] === value) sorted.splice(at, 1);
}
