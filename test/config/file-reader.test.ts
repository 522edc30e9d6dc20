// The in-memory configuration file reader used by tests and, later, by
// speculative layouts: what it answers for listed and unlisted projects.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryFileReader } from '../../src/config/file-reader.js';

const reader = new InMemoryFileReader(
  {
    gerrit: {
      'org/a': { stable: { 'zuul.yaml': '- job: {name: x}\n' }, main: { README: 'hi' } },
      'org/b': { master: {}, feature: {} },
    },
  },
  { 'gerrit/org/a': 'main' },
);
const a = { connection: 'gerrit', project: 'org/a' };
const b = { connection: 'gerrit', project: 'org/b' };
const unlisted = { connection: 'gerrit', project: 'org/none' };

test('branches and default branch: explicit, else master, else the first listed', async () => {
  assert.deepEqual(await reader.branches(a), ['stable', 'main']);
  assert.equal(await reader.defaultBranch(a), 'main');
  assert.equal(await reader.defaultBranch(b), 'master');
  const noMaster = new InMemoryFileReader({ g: { p: { dev: {}, alt: {} } } });
  assert.equal(await noMaster.defaultBranch({ connection: 'g', project: 'p' }), 'dev');
});

test('an unlisted project is an empty repository with a master branch', async () => {
  assert.deepEqual(await reader.branches(unlisted), ['master']);
  assert.deepEqual(await reader.listFiles(unlisted, 'master'), []);
});

test('files: listing, reading (missing paths left out), unknown branches rejected', async () => {
  assert.deepEqual(await reader.listFiles(a, 'stable'), ['zuul.yaml']);
  const files = await reader.readFiles(a, 'stable', ['zuul.yaml', 'nope.yaml']);
  assert.deepEqual([...files.keys()], ['zuul.yaml']);
  assert.equal(files.get('zuul.yaml')?.toString('utf8'), '- job: {name: x}\n');
  await assert.rejects(reader.listFiles(a, 'gone'), /no branch gone in gerrit\/org\/a/);
});
