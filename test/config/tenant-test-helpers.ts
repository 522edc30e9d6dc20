// Helpers shared by the tenant-file tests.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parseTenantFile, TenantFileError } from '../../src/config/tenant-file.js';
import type { TenantConfig, TenantFile, TenantProjectConfig } from '../../src/model/tenant.js';

/** The shared corpus: `../shared/corpus` next to the repository (override with ZUUL_TS_CORPUS). */
export const CORPUS =
  process.env.ZUUL_TS_CORPUS ??
  fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));

export const CONNECTIONS = new Set(['gerrit', 'github', 'review']);

export function parse(text: string, connections: ReadonlySet<string> = CONNECTIONS): TenantFile {
  return parseTenantFile(text, { fileName: 'main.yaml', connectionNames: connections });
}

/** Parses expecting failure; returns the error for further checks. */
export function parseError(
  text: string,
  connections: ReadonlySet<string> = CONNECTIONS,
): TenantFileError {
  try {
    parse(text, connections);
  } catch (e) {
    if (e instanceof TenantFileError) return e;
    throw e;
  }
  assert.fail('expected the tenant file to be rejected');
}

/** 1-based line of the nth line containing `needle`. */
export function lineOf(text: string, needle: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && ++seen === nth) return i + 1;
  }
  throw new Error(`"${needle}" (#${nth}) not in text`);
}

export function tenant(tf: TenantFile, name: string): TenantConfig {
  const t = tf.tenants.find((x) => x.name === name);
  assert.ok(t, `tenant ${name} missing`);
  return t;
}

export function project(t: TenantConfig, name: string, connection?: string): TenantProjectConfig {
  const p = t.projects.find(
    (x) => x.name === name && (connection === undefined || x.connectionName === connection),
  );
  assert.ok(p, `project ${name} missing from tenant ${t.name}`);
  return p;
}

export function sorted(s: Iterable<string>): string[] {
  return [...s].sort();
}
