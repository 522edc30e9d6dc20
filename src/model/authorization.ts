// Authorization rules of the tenant file and how a token's claims are
// matched against them, following Zuul's ClaimRule / AndRule / OrRule.

/** Decoded JWT claims. */
export type Claims = Readonly<Record<string, unknown>>;

/** One condition mapping: every claim in it must match. */
export type ClaimCondition = Readonly<Record<string, unknown>>;

export interface AuthorizationRule {
  name: string;
  /** The rule matches when any mapping matches (a single mapping is a one-element list). */
  conditions: readonly ClaimCondition[];
}

/** The condition key that stands for the authenticator's `uid_claim`. */
const ZUUL_UID = 'zuul_uid';

/**
 * Whether a token's claims satisfy a rule for a tenant.
 *
 * `tenantName` fills `{tenant.name}` in condition strings; without it (rules
 * used by api-root) such a condition cannot match, as in Zuul where the
 * template fails. `uidClaim` is the name of the authenticator's `uid_claim`
 * (default `sub`), which a `zuul_uid` condition key refers to.
 */
export function ruleMatches(
  rule: AuthorizationRule,
  claims: Claims,
  tenantName: string | undefined,
  uidClaim = 'sub',
): boolean {
  return rule.conditions.some((cond) =>
    Object.entries(cond).every(([key, value]) =>
      claimMatches(key, value, claims, tenantName, uidClaim),
    ),
  );
}

function claimMatches(
  key: string,
  value: unknown,
  claims: Claims,
  tenant: string | undefined,
  uidClaim: string,
): boolean {
  const isUid = key === ZUUL_UID;
  if (isPlainObject(value)) {
    // Mapping conditions compare against one top-level claim, not a path.
    const name = isUid ? uidClaim : key;
    return compareNested(value, Object.hasOwn(claims, name) ? claims[name] : {}, tenant);
  }
  const found = isUid
    ? Object.hasOwn(claims, uidClaim)
      ? [claims[uidClaim]]
      : []
    : findPath(claims, key);
  // Zuul requires exactly one value at the path; none or several → no match.
  if (found.length !== 1) return false;
  const claim = found[0];
  if (typeof value === 'boolean') {
    // Zuul 13.0: boolean conditions match boolean claims (or lists holding them).
    return Array.isArray(claim) ? claim.includes(value) : claim === value;
  }
  if (typeof value !== 'string') return false;
  const wanted = template(value, tenant);
  if (wanted === undefined) return false;
  if (Array.isArray(claim)) return claim.includes(wanted);
  if (typeof claim === 'string') return claim === wanted;
  return false;
}

/** Zuul's recursive comparison for mapping conditions. */
function compareNested(value: unknown, claim: unknown, tenant: string | undefined): boolean {
  if (Array.isArray(value)) {
    const wanted = value.map((v) => (typeof v === 'string' ? template(v, tenant) : v));
    if (Array.isArray(claim)) {
      // Every claimed element must be allowed by the condition. An empty claim
      // list only satisfies an empty condition list.
      if (claim.length === 0) return wanted.length === 0;
      return claim.every((c) => wanted.includes(c));
    }
    return wanted.includes(claim);
  }
  if (isPlainObject(value)) {
    if (!isPlainObject(claim)) return false;
    const keys = Object.keys(value);
    if (keys.length === 0) return Object.keys(claim).length === 0;
    // A key missing from the claim compares as an empty mapping (Zuul's `get(k, {})`).
    return keys.every((k) =>
      compareNested(value[k], Object.hasOwn(claim, k) ? claim[k] : {}, tenant),
    );
  }
  if (typeof value === 'string') {
    const wanted = template(value, tenant);
    return wanted !== undefined && wanted === claim;
  }
  return value === claim;
}

/**
 * Python `str.format` restricted to what Zuul provides: `{tenant.name}`,
 * plus `{{` / `}}` escapes. Any other field (or no tenant) makes the value
 * unusable, which here means "does not match".
 */
function template(value: string, tenant: string | undefined): string | undefined {
  let failed = false;
  const out = value.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    if (field === 'tenant.name' && tenant !== undefined) return tenant;
    failed = true;
    return m;
  });
  return failed ? undefined : out;
}

/**
 * Values at a JSONPath-like key: dot-separated fields (each optionally quoted
 * with '…' or "…" to contain dots), `[n]` list indices and `*` wildcards —
 * the subset of jsonpath_rw that claim names need.
 */
export function findPath(root: unknown, path: string): unknown[] {
  const steps = parsePath(path);
  if (!steps) return [];
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const node of current) {
      if (step === '*') {
        if (Array.isArray(node)) next.push(...node);
        else if (isPlainObject(node)) next.push(...Object.values(node));
      } else if (typeof step === 'number') {
        if (Array.isArray(node) && step < node.length) next.push(node[step]);
      } else if (isPlainObject(node) && Object.hasOwn(node, step)) {
        next.push(node[step]);
      }
    }
    current = next;
  }
  return current;
}

function parsePath(path: string): (string | number)[] | undefined {
  const steps: (string | number)[] = [];
  const re = /\s*(?:'([^']*)'|"([^"]*)"|\[(\d+|\*)\]|([^.[\]'"]+))\s*(\.)?/y;
  let pos = 0;
  while (pos < path.length) {
    re.lastIndex = pos;
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[3] !== undefined) steps.push(m[3] === '*' ? '*' : Number(m[3]));
    else steps.push((m[1] ?? m[2] ?? m[4]!).trim());
    pos = re.lastIndex;
  }
  return steps.length ? steps : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
