// Compiled history queries, kept by the shape of their filters. Building
// and compiling a Kysely query costs more CPU than SQLite takes to run it
// (docs/benchmarks.md), and a dashboard asks the same few shapes over and
// over with different values. So each query is built with Kysely once per
// shape; later requests of that shape reuse its SQL text with their own
// parameter values, which the caller lists in the order the query uses
// them. The first compilation checks that list against Kysely's own: a
// shape whose list differs is never cached, only compiled every time.

import { type Compilable, CompiledQuery, type Kysely, PostgresAdapter } from 'kysely';
import type { StoreDialect } from '../db.js';
import type { Database } from '../schema.js';
import { globPattern, likePattern } from './match.js';

type Db = Kysely<Database>;

/** Shapes kept per database; ample for the endpoints' filter combinations. */
const MAX_SHAPES = 1000;

/** SQL texts run as named statements at most (see namedStatement). */
const MAX_NAMED = 500;

/** Statement names by SQL text, the same for every connection of the process. */
const statementNames = new Map<string, string>();

/**
 * A compiled query that pg runs as a named prepared statement: PostgreSQL
 * then parses and plans it once per connection instead of on every
 * request (measured: 1.5 → 0.5 ms for a page of /builds). Kysely passes
 * the query's `sql` to pg's `client.query` as it is, and pg takes a query
 * config object there, so the object stands in for the text. A fresh
 * object each time: pg writes the values into it.
 */
function namedStatement(text: string, params: readonly unknown[]): CompiledQuery {
  let name = statementNames.get(text);
  if (name === undefined) {
    // Each connection keeps its prepared statements until it closes: past
    // this many texts (distinct paging offsets add up), run them unnamed.
    if (statementNames.size >= MAX_NAMED) return CompiledQuery.raw(text, params as unknown[]);
    name = `zuul_ts_history_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  const raw = CompiledQuery.raw(text, params as unknown[]);
  return { ...raw, sql: { name, text } as unknown as string };
}

class CompiledQueries {
  /** SQL text by shape key; null: the shape is compiled every time. */
  private readonly sqlByKey = new Map<string, string | null>();
  private readonly named: boolean;

  constructor(db: Db) {
    this.named = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async rows<R>(
    db: Db,
    key: string,
    params: readonly unknown[],
    build: () => Compilable<R>,
    prepare: boolean,
  ): Promise<R[]> {
    const text = this.sqlByKey.get(key);
    if (text === null) return (await db.executeQuery(build())).rows;
    if (text !== undefined) {
      const q =
        this.named && prepare
          ? namedStatement(text, params)
          : CompiledQuery.raw(text, params as unknown[]);
      return (await db.executeQuery(q)).rows as R[];
    }
    const compiled = build().compile();
    if (this.sqlByKey.size >= MAX_SHAPES) this.sqlByKey.clear();
    this.sqlByKey.set(key, sameValues(compiled.parameters, params) ? compiled.sql : null);
    return (await db.executeQuery(compiled)).rows;
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const byDb = new WeakMap<Db, CompiledQueries>();

/**
 * The rows of the query that `build` makes, reusing the SQL of an earlier
 * query with the same `key`; `params` are this query's parameter values in
 * SQL order. The key must determine the SQL text completely. `prepare:
 * false` keeps PostgreSQL planning the query for each request's values, for
 * queries whose best plan depends on them (a generic plan was 4× slower for
 * the badge's busy-or-quiet project).
 */
export function cachedRows<R>(
  db: Db,
  key: string,
  params: readonly unknown[],
  build: () => Compilable<R>,
  { prepare = true }: { prepare?: boolean } = {},
): Promise<R[]> {
  let c = byDb.get(db);
  if (!c) {
    c = new CompiledQueries(db);
    byDb.set(db, c);
  }
  return c.rows(db, key, params, build, prepare);
}

/**
 * A key for the SQL that filters produce: which filters are set, and per
 * value only what changes the SQL text (whether a string has a wildcard,
 * the value of a boolean flag), never the value itself. It may tell apart
 * filters that give the same SQL; it never confuses two that do not.
 */
export function shapeOf(filters: object): string {
  let key = '';
  for (const [name, v] of Object.entries(filters)) {
    if (v === undefined) continue;
    key += `${name}:`;
    if (Array.isArray(v)) {
      for (const x of v) key += valueShape(x);
    } else key += valueShape(v);
    key += ';';
  }
  return key;
}

function valueShape(x: unknown): string {
  if (typeof x === 'string') return x.includes('*') ? 'w' : 'e';
  if (typeof x === 'boolean') return x ? 'T' : 'F';
  return 'n';
}

/** The parameters of match.ts's fuzzy(): exact values first, then each pattern. */
export function fuzzyParams(
  dialect: StoreDialect,
  values: readonly string[],
  out: unknown[],
): void {
  for (const v of values) if (!v.includes('*')) out.push(v);
  for (const v of values) {
    if (v.includes('*')) out.push(dialect === 'sqlite' ? globPattern(v) : likePattern(v));
  }
}
