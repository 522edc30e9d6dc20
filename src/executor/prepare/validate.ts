// Build requests arrive as JSON from the state store: before anything is
// done with one, its shape is checked, so a malformed request ends as an
// ERROR saying what is wrong rather than as a crash half-way through.

import type { BuildRequest } from '../protocol.js';

type Check = [path: string, ok: (v: unknown) => boolean, what: string];

const isStr = (v: unknown) => typeof v === 'string' && v !== '';
const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isArr = (v: unknown) => Array.isArray(v);
const isInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
const isRef = (v: unknown) =>
  isObj(v) &&
  isObj((v as { project?: unknown }).project) &&
  isStr((v as { ref?: unknown }).ref) &&
  isStr((v as { project: { name?: unknown } }).project.name);
const isPlaybooks = (v: unknown) =>
  isArr(v) &&
  (v as unknown[]).every(
    (p) =>
      isObj(p) &&
      isStr((p as { project?: unknown }).project) &&
      isStr((p as { path?: unknown }).path) &&
      isArr((p as { roles?: unknown }).roles) &&
      isArr((p as { secrets?: unknown }).secrets),
  );

const CHECKS: Check[] = [
  ['uuid', (v) => isStr(v) && /^[A-Za-z0-9_-]+$/.test(v as string), 'a build UUID'],
  ['buildsetUuid', isStr, 'a string'],
  ['tenant', isStr, 'a string'],
  ['pipeline', isObj, 'a mapping'],
  ['attempt', isInt, 'a positive integer'],
  ['job', isObj, 'a mapping'],
  ['job.name', isStr, 'a string'],
  ['job.attempts', isInt, 'a positive integer'],
  [
    'job.workspaceScheme',
    (v) => v === 'golang' || v === 'flat' || v === 'unique',
    'golang, flat or unique',
  ],
  ['job.vars', isObj, 'a mapping'],
  ['job.extraVars', isObj, 'a mapping'],
  ['job.hostVars', isObj, 'a mapping'],
  ['job.groupVars', isObj, 'a mapping'],
  ['job.includeVars', isArr, 'a list'],
  ['job.preRun', isPlaybooks, 'a list of playbooks'],
  ['job.run', isPlaybooks, 'a list of playbooks'],
  ['job.postRun', isPlaybooks, 'a list of playbooks'],
  ['job.cleanupRun', isPlaybooks, 'a list of playbooks'],
  ['job.tags', isArr, 'a list'],
  ['job.inheritancePath', isArr, 'a list'],
  ['job.failureOutput', isArr, 'a list'],
  ['projects', isObj, 'a mapping'],
  ['workspace', isArr, 'a list'],
  ['repoState', isObj, 'a mapping'],
  ['change', isRef, 'a ref with a project'],
  ['items', (v) => isArr(v) && (v as unknown[]).every(isRef), 'a list of refs'],
  ['buildsetRefs', (v) => isArr(v) && (v as unknown[]).every(isRef), 'a list of refs'],
  ['buildRefs', (v) => isArr(v) && (v as unknown[]).every(isRef), 'a list of refs'],
  ['nodes', isArr, 'a list'],
  ['groups', isArr, 'a list'],
  ['childJobs', isArr, 'a list'],
  ['parent', isObj, 'a mapping'],
  ['parent.data', isObj, 'a mapping'],
  ['parent.secretData', isObj, 'a mapping'],
  ['artifacts', isArr, 'a list'],
];

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) {
    if (!isObj(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** What is wrong with a request, or undefined when its shape is right. */
export function requestProblem(req: unknown): string | undefined {
  if (!isObj(req)) return 'Invalid build request: not a JSON object';
  for (const [path, ok, what] of CHECKS) {
    if (!ok(at(req, path))) return `Invalid build request: ${path} must be ${what}`;
  }
  const r = req as BuildRequest;
  for (const w of r.workspace) {
    if (!isObj(w) || !r.projects[w.project]) {
      return `Invalid build request: workspace project ${JSON.stringify(w?.project)} is not described in projects`;
    }
  }
  return undefined;
}
