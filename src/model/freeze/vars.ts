// Variable merging as Zuul's Job._deepUpdate does it.

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Merges `b` over `a` without changing either: mappings present on both
 * sides merge recursively, anything else (lists included) is taken from
 * `b`. Keys of `a` that `b` lacks keep their place first, as in Zuul.
 */
export function deepMerge<T extends Record<string, unknown>>(a: T, b: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, av] of Object.entries(a)) {
    if (!Object.hasOwn(b, k)) out[k] = av;
  }
  for (const [k, bv] of Object.entries(b)) {
    const av = a[k];
    out[k] = isMapping(av) && isMapping(bv) ? deepMerge(av, bv) : bv;
  }
  return out as T;
}

/** True when a mapping-valued attribute was given with content (Zuul ignores `{}`). */
export function hasEntries(v: Record<string, unknown> | undefined): v is Record<string, unknown> {
  return v !== undefined && Object.keys(v).length > 0;
}
