// Data playbooks return with zuul_return (semantics §F.9), read back from
// work/results.json after every playbook. `secret_data` is taken out of the
// file as soon as the playbook ends and kept in memory only, so a later
// playbook that collects work/ as logs cannot publish it.

import { readFileSync, writeFileSync } from 'node:fs';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface Artifact {
  name: string;
  url: string;
  metadata?: JsonObject;
}

export interface FileComment {
  line?: number;
  message: string;
  level?: 'info' | 'warning' | 'error';
  range?: { start_line: number; start_character: number; end_line: number; end_character: number };
}

export interface Returned {
  /** Everything returned as `data` (including its `zuul` key). */
  data: JsonObject;
  /** Everything returned as `secret_data`. */
  secretData: JsonObject;
}

/** The `zuul` keys of returned data that the executor and scheduler act on. */
export interface ReturnedZuul {
  artifacts: Artifact[];
  warnings: string[];
  /** Present when a playbook set it; `[]` skips every child job. */
  childJobs?: string[];
  retry?: boolean;
  pause?: boolean;
  logUrl?: string;
  fileComments?: Record<string, FileComment[]>;
  disableFileCommentLineMapping?: boolean;
}

const CONCAT = new Set(['artifacts', 'warnings']);

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** zuul_return's merge: deep merge, later wins; zuul.artifacts/warnings and file comments concatenate. */
export function mergeReturned(base: JsonObject, add: JsonObject, path: string[] = []): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(add)) {
    const here = [...path, key];
    const old = out[key];
    const inZuul = here.length === 2 && here[0] === 'zuul';
    if (inZuul && CONCAT.has(key) && Array.isArray(old) && Array.isArray(value)) {
      out[key] = [...old, ...value];
    } else if (inZuul && key === 'file_comments' && isObject(old) && isObject(value)) {
      const merged: JsonObject = { ...old };
      for (const [file, list] of Object.entries(value)) {
        const prev = merged[file];
        merged[file] = Array.isArray(prev) && Array.isArray(list) ? [...prev, ...list] : list;
      }
      out[key] = merged;
    } else if (isObject(old) && isObject(value)) {
      out[key] = mergeReturned(old, value, here);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export class ResultsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

/**
 * Reads results.json, moves its `secret_data` into `acc.secretData` and
 * rewrites the file with `data` only. Returns the updated accumulation.
 */
export function takeResults(file: string, acc: Returned): Returned {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return acc;
  }
  if (!text.trim()) return acc;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ResultsFileError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new ResultsFileError(`${file} must hold a JSON object`);
  const data = isObject(parsed.data) ? parsed.data : {};
  let secretData = acc.secretData;
  if (isObject(parsed.secret_data)) {
    secretData = mergeReturned(secretData, parsed.secret_data);
    writeFileSync(file, `${JSON.stringify({ data }, null, 2)}\n`);
  }
  return { data, secretData };
}

/** Joins a relative artifact URL to the build's log URL, like Python's urljoin. */
function joinUrl(url: string, base: string | undefined): string {
  if (!base) return url;
  try {
    return new URL(url, base).toString();
  } catch {
    return url;
  }
}

/** The special `zuul` keys of returned data, checked. Bad shapes throw (the build errs). */
export function returnedZuul(data: JsonObject): ReturnedZuul {
  const z = data.zuul;
  const out: ReturnedZuul = { artifacts: [], warnings: [] };
  if (z === undefined || z === null) return out;
  if (!isObject(z)) throw new ResultsFileError('returned "zuul" must be a mapping');
  if (typeof z.log_url === 'string') out.logUrl = z.log_url;
  if (z.artifacts !== undefined) {
    if (!Array.isArray(z.artifacts)) throw new ResultsFileError('zuul.artifacts must be a list');
    for (const a of z.artifacts) {
      if (!isObject(a) || typeof a.name !== 'string' || typeof a.url !== 'string') {
        throw new ResultsFileError(`artifact needs "name" and "url": ${JSON.stringify(a)}`);
      }
      if (a.metadata !== undefined && !isObject(a.metadata)) {
        throw new ResultsFileError(`artifact metadata must be a mapping: ${JSON.stringify(a)}`);
      }
      out.artifacts.push({
        name: a.name,
        url: joinUrl(a.url, out.logUrl),
        ...(a.metadata !== undefined ? { metadata: a.metadata as JsonObject } : {}),
      });
    }
  }
  if (z.warnings !== undefined) {
    if (!Array.isArray(z.warnings) || !z.warnings.every((w) => typeof w === 'string')) {
      throw new ResultsFileError('zuul.warnings must be a list of strings');
    }
    out.warnings = z.warnings as string[];
  }
  if (z.child_jobs !== undefined && z.child_jobs !== null) {
    if (!Array.isArray(z.child_jobs) || !z.child_jobs.every((j) => typeof j === 'string')) {
      throw new ResultsFileError('zuul.child_jobs must be a list of job names');
    }
    out.childJobs = z.child_jobs as string[];
  }
  if (typeof z.retry === 'boolean') out.retry = z.retry;
  if (typeof z.pause === 'boolean') out.pause = z.pause;
  if (isObject(z.file_comments)) {
    out.fileComments = z.file_comments as unknown as Record<string, FileComment[]>;
  }
  if (z.disable_file_comment_line_mapping === true) out.disableFileCommentLineMapping = true;
  return out;
}
