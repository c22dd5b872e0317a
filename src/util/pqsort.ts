// Partial quicksort, as Redis's pqsort (SORT ... BY ... LIMIT, GEORADIUS ...
// COUNT): the Bentley-McIlroy quicksort of BSD qsort that skips partitions
// lying wholly outside the wanted range of positions. It is not stable, so
// replies only match Redis's for equal elements when the very same steps are
// taken: this follows the algorithm step for step (median-of-3 / ninther
// pivot, split-end partitioning, insertion sort below 7 elements).

type Compare<T> = (a: T, b: T) => number;

function swap<T>(items: T[], i: number, j: number): void {
  const t = items[i];
  items[i] = items[j];
  items[j] = t;
}

/** Swaps the n items from i with the n items from j. */
function swapRuns<T>(items: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(items, i + k, j + k);
}

function median3<T>(items: T[], a: number, b: number, c: number, compare: Compare<T>): number {
  return compare(items[a], items[b]) < 0
    ? (compare(items[b], items[c]) < 0 ? b : compare(items[a], items[c]) < 0 ? c : a)
    : (compare(items[b], items[c]) > 0 ? b : compare(items[a], items[c]) < 0 ? a : c);
}

/** True when the partition [first, last] holds no position of [lrange, rrange]. */
function outside(first: number, last: number, lrange: number, rrange: number): boolean {
  return (lrange < first && rrange < first) || (lrange > last && rrange > last);
}

/**
 * Reorders items so that positions lrange..rrange hold the elements a full sort
 * would put there, exactly as Redis's pqsort(items, compare, lrange, rrange) does.
 */
export function partialSort<T>(items: T[], compare: Compare<T>, lrange: number, rrange: number): void {
  sortRange(items, 0, items.length, compare, lrange, rrange);
}

function sortRange<T>(items: T[], a: number, n: number, compare: Compare<T>, lrange: number, rrange: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = a + 1; m < a + n; m++) {
        for (let l = m; l > a && compare(items[l - 1], items[l]) > 0; l--) swap(items, l, l - 1);
      }
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(items, pl, pl + d, pl + 2 * d, compare);
        pm = median3(items, pm - d, pm, pm + d, compare);
        pn = median3(items, pn - 2 * d, pn - d, pn, compare);
      }
      pm = median3(items, pl, pm, pn, compare);
    }
    swap(items, a, pm);
    // Split-end partitioning: items equal to the pivot gather at both ends, then move to the middle.
    let pa = a + 1;
    let pb = pa;
    let pc = a + n - 1;
    let pd = pc;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = compare(items[pb], items[a])) <= 0) {
        if (c === 0) swap(items, pa++, pb);
        pb++;
      }
      while (pb <= pc && (c = compare(items[pc], items[a])) >= 0) {
        if (c === 0) swap(items, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(items, pb++, pc--);
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    swapRuns(items, a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    swapRuns(items, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && !outside(a, a + r - 1, lrange, rrange)) sortRange(items, a, r, compare, lrange, rrange);
    r = pd - pc;
    if (r <= 1) return;
    a = pn - r;
    n = r;
    if (outside(a, a + r - 1, lrange, rrange)) return;
  }
}
