// The loader's memory of last good files (LastGoodConfigs): a file that
// fails as a whole (YAML syntax error, not a list, undecodable bytes) keeps
// its last good objects in effect while its new error is reported; a bad
// stanza in a readable file is dropped as in Zuul; without a previous good
// parse a broken file contributes nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryFileReader, type InMemoryFiles } from '../../src/config/file-reader.js';
import { LastGoodConfigs } from '../../src/config/last-good.js';
import { parseOptionsFor } from '../../src/config/system.js';
import { parseTenantFile } from '../../src/config/tenant-file.js';
import { type LoadedTenant, TenantLoader } from '../../src/config/tenant-loader.js';
import { testConnections } from '../helpers/layout.js';

const TENANT = `
- tenant:
    name: t
    source:
      gerrit:
        config-projects: [common-config]
        untrusted-projects: [org/project]
`;

const BASE = '- job:\n    name: base\n    parent: null\n';
const job = (name: string, description: string) =>
  `- job:\n    name: ${name}\n    description: ${description}\n`;

function files(project: Record<string, string | Buffer>): InMemoryFiles {
  return {
    gerrit: {
      'common-config': { master: { 'zuul.yaml': BASE } },
      'org/project': { master: project },
    },
  };
}

/** One reconfiguration: a fresh loader, as the server makes, sharing `lastGood`. */
async function load(
  project: Record<string, string | Buffer>,
  lastGood?: LastGoodConfigs,
): Promise<LoadedTenant> {
  const connections = testConnections();
  const tf = parseTenantFile(TENANT, {
    fileName: 'main.yaml',
    connectionNames: new Set(connections.keys()),
  });
  const loader = new TenantLoader({
    connections,
    reader: new InMemoryFileReader(files(project)),
    parseOptions: parseOptionsFor(connections),
    ...(lastGood ? { lastGood } : {}),
  });
  return loader.loadTenant(tf.tenants[0]!);
}

const descriptions = (l: LoadedTenant) =>
  Object.fromEntries(l.config.jobs.map((j) => [j.name, j.description]));
const projectErrors = (l: LoadedTenant) =>
  l.errors.filter((e) => e.sourceContext?.project === 'org/project');

test('a YAML syntax error keeps the last good objects of the file and reports the error', async () => {
  const cache = new LastGoodConfigs();
  const good = await load({ 'zuul.yaml': job('job1', 'good') }, cache);
  assert.deepEqual(projectErrors(good), []);
  const broken = await load(
    { 'zuul.yaml': '- job:\n    name: job1\n    description: [x\n' },
    cache,
  );
  assert.equal(descriptions(broken).job1, 'good');
  const errs = projectErrors(broken);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.sourceContext?.path, 'zuul.yaml');
  // Broken twice in a row: still the same good version.
  const again = await load({ 'zuul.yaml': 'job: [\n' }, cache);
  assert.equal(descriptions(again).job1, 'good');
  assert.equal(projectErrors(again).length, 1);
  // Fixed: the new version replaces it and the error goes away.
  const fixed = await load({ 'zuul.yaml': job('job1', 'fixed') }, cache);
  assert.equal(descriptions(fixed).job1, 'fixed');
  assert.deepEqual(projectErrors(fixed), []);
});

test('not-a-list and undecodable files are file-level failures too', async () => {
  const cache = new LastGoodConfigs();
  await load({ 'zuul.yaml': job('job1', 'good') }, cache);
  const notList = await load({ 'zuul.yaml': 'job:\n  name: job1\n' }, cache);
  assert.equal(descriptions(notList).job1, 'good');
  assert.equal(projectErrors(notList).length, 1);
  const bytes = await load({ 'zuul.yaml': Buffer.from([0x2d, 0x20, 0xff, 0xfe, 0x0a]) }, cache);
  assert.equal(descriptions(bytes).job1, 'good');
  assert.equal(projectErrors(bytes).length, 1);
});

test('a bad stanza in a readable file is dropped; the others load (no fallback)', async () => {
  const cache = new LastGoodConfigs();
  await load({ 'zuul.yaml': job('job1', 'good') + job('job2', 'good') }, cache);
  const l = await load(
    { 'zuul.yaml': `${job('job1', 'new')}- job:\n    name: job2\n    bogus: 1\n` },
    cache,
  );
  assert.deepEqual(descriptions(l).job1, 'new');
  assert.equal(descriptions(l).job2, undefined, 'the bad stanza is dropped, not kept from before');
  assert.equal(projectErrors(l).length, 1);
});

test('first load of a broken file: nothing from it, the error reported', async () => {
  const cache = new LastGoodConfigs();
  const l = await load({ 'zuul.yaml': '- job: [\n' }, cache);
  assert.equal(descriptions(l).job1, undefined);
  assert.equal(projectErrors(l).length, 1);
});

test('without a cache the loader behaves as before: a broken file contributes nothing', async () => {
  await load({ 'zuul.yaml': job('job1', 'good') });
  const l = await load({ 'zuul.yaml': '- job: [\n' });
  assert.equal(descriptions(l).job1, undefined);
  assert.equal(projectErrors(l).length, 1);
});

test('the fallback is per file: other files of the branch load their new versions', async () => {
  const cache = new LastGoodConfigs();
  await load({ 'zuul.d/a.yaml': job('job-a', 'a1'), 'zuul.d/b.yaml': job('job-b', 'b1') }, cache);
  const l = await load(
    { 'zuul.d/a.yaml': '- job: [\n', 'zuul.d/b.yaml': job('job-b', 'b2') },
    cache,
  );
  assert.deepEqual(descriptions(l), { base: undefined, 'job-a': 'a1', 'job-b': 'b2' });
  assert.equal(projectErrors(l)[0]?.sourceContext?.path, 'zuul.d/a.yaml');
});

test('a deleted file is forgotten: re-adding it broken brings nothing back', async () => {
  const cache = new LastGoodConfigs();
  await load({ 'zuul.d/a.yaml': job('job-a', 'a1'), 'zuul.d/b.yaml': job('job-b', 'b1') }, cache);
  await load({ 'zuul.d/b.yaml': job('job-b', 'b1') }, cache);
  const l = await load(
    { 'zuul.d/a.yaml': '- job: [\n', 'zuul.d/b.yaml': job('job-b', 'b1') },
    cache,
  );
  assert.equal(descriptions(l)['job-a'], undefined);
  assert.equal(projectErrors(l).length, 1);
});
