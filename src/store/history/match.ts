// SQL conditions for the history filters, the same on SQLite, PostgreSQL
// and MySQL/MariaDB.
//
// Fuzzy filters follow Zuul: a value without `*` is an exact match; with
// `*`, each `*` matches any run of characters and everything else matches
// literally (Zuul escapes `%`, `_` and its escape character `$`). LIKE is
// case-insensitive on SQLite, so there the pattern becomes a GLOB, which is
// case-sensitive as LIKE is on PostgreSQL; GLOB's own `?` and `[` are
// bracketed to stay literal.

import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { StoreDialect } from '../db.js';

type Cond = RawBuilder<SqlBool>;

/** `column = v` or `column IN (…)`; the list is never empty. */
export function inList(column: string, values: readonly (string | number)[]): Cond {
  if (values.length === 1) return sql<SqlBool>`${sql.ref(column)} = ${values[0]}`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
}

/** `column NOT IN (…)`: like SQL (and Zuul), a NULL column never passes. */
export function notInList(column: string, values: readonly string[]): Cond {
  if (values.length === 1) return sql<SqlBool>`${sql.ref(column)} <> ${values[0]}`;
  return sql<SqlBool>`${sql.ref(column)} not in (${sql.join(values)})`;
}

/** Zuul's LIKE pattern for a value with `*`: `%`, `_` and `$` escaped with `$`. */
export function likePattern(value: string): string {
  return value.replace(/[$%_]/g, (c) => `$${c}`).replace(/\*/g, '%');
}

/** The same pattern as a SQLite GLOB: only `*` is special. */
export function globPattern(value: string): string {
  return value.replace(/[?[]/g, (c) => `[${c}]`);
}

function wildcard(dialect: StoreDialect, column: string, value: string): Cond {
  // SQLite would use the column's index for a pattern's fixed prefix and
  // then sort every match by id: a million rows for `tempest-*`. The
  // unary `+` keeps it on the id-ordered walk, which stops after a page
  // of matches. (A pattern matching almost nothing then walks far; that is
  // the rare case.) PostgreSQL and MySQL weigh both plans by statistics.
  if (dialect === 'sqlite') return sql<SqlBool>`+${sql.ref(column)} glob ${globPattern(value)}`;
  return sql<SqlBool>`${sql.ref(column)} like ${likePattern(value)} escape '$'`;
}

/** A fuzzy filter: exact values in one IN, each wildcard value a pattern; OR'ed. */
export function fuzzy(dialect: StoreDialect, column: string, values: readonly string[]): Cond {
  const exact = values.filter((v) => !v.includes('*'));
  const parts: Cond[] = values
    .filter((v) => v.includes('*'))
    .map((v) => wildcard(dialect, column, v));
  if (exact.length) parts.unshift(inList(column, exact));
  return anyOf(parts);
}

export function anyOf(parts: readonly Cond[]): Cond {
  if (parts.length === 1) return parts[0]!;
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

export function allOf(parts: readonly Expression<SqlBool>[]): Cond {
  if (parts.length === 0) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/** 0/1 flag columns compared with booleans. */
export function flags(column: string, values: readonly boolean[]): Cond {
  return inList(
    column,
    [...new Set(values)].map((v) => (v ? 1 : 0)),
  );
}
