// OpenDev's real in-repo configuration must load without errors, and every
// stanza in it must come out as an object (nothing silently dropped).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  appendParsedConfig,
  emptyParsedConfig,
  parseConfigFile,
} from '../../src/config/config-file.js';
import { parseOptionsFor } from '../../src/config/system.js';
import type { Connection } from '../../src/drivers/driver.js';
import { CORPUS } from '../helpers/fixtures.js';

const connections = new Map(
  Object.entries({
    gerrit: 'gerrit',
    github: 'github',
    googlesource: 'gerrit',
    smtp: 'smtp',
    timer: 'timer',
    zuul: 'zuul',
  }).map(([name, driverName]) => [name, { driverName } as Connection]),
);

function loadProject(project: string, trusted: boolean) {
  const dir = join(CORPUS, 'opendev', project, 'zuul.d');
  const all = emptyParsedConfig();
  const expected = new Map<string, number>();
  for (const name of readdirSync(dir).sort()) {
    const bytes = readFileSync(join(dir, name));
    // Count the stanzas independently of our loader.
    for (const item of (parse(bytes.toString('utf8'), { customTags: tags }) as object[]) ?? []) {
      const kind = Object.keys(item)[0]!;
      expected.set(kind, (expected.get(kind) ?? 0) + 1);
    }
    const parsed = parseConfigFile(
      bytes,
      {
        project,
        projectCanonical: `review.opendev.org/openstack/${project}`,
        connection: 'gerrit',
        branch: 'master',
        path: `zuul.d/${name}`,
        trusted,
      },
      parseOptionsFor(connections),
    );
    appendParsedConfig(all, parsed);
  }
  return { all, expected };
}

// Only for counting stanzas: the tags' values do not matter here.
const tags = ['!encrypted/pkcs1-oaep', '!override', '!inherit'].flatMap((tag) => [
  { tag, resolve: (v: unknown) => v },
  { tag, collection: 'seq' as const, resolve: (v: unknown) => v },
  { tag, collection: 'map' as const, resolve: (v: unknown) => v },
]);

describe("OpenDev's in-repo configuration", () => {
  for (const [project, trusted] of [
    ['project-config', true],
    ['openstack-zuul-jobs', false],
  ] as const) {
    test(`${project}/zuul.d parses with no error-severity entries and keeps every stanza`, () => {
      const { all, expected } = loadProject(project, trusted);
      const errors = all.errors.filter((e) => e.severity === 'error');
      assert.deepEqual(
        errors.map((e) => `${e.sourceContext?.path}:${(e.mark?.line ?? -1) + 1}: ${e.shortError}`),
        [],
      );
      const got: Record<string, number> = {
        pipeline: all.pipelines.length,
        job: all.jobs.length,
        project: all.projects.length,
        'project-template': all.projectTemplates.length,
        nodeset: all.nodesets.length,
        secret: all.secrets.length,
        semaphore: all.semaphores.length,
        queue: all.queues.length,
      };
      for (const [kind, count] of expected) assert.equal(got[kind], count, `${kind} count`);
      assert.ok(all.jobs.length > 50, 'the corpus has many jobs');
    });
  }

  test('attributes come through as written (spot checks)', () => {
    const { all } = loadProject('openstack-zuul-jobs', false);
    const withBranches = all.jobs.find((j) => j.branches?.some((b) => b.pattern.startsWith('^*/')));
    assert.ok(withBranches, 'a job with an RE2-only branch regex is kept');
    const pipelines = loadProject('project-config', true).all.pipelines;
    const gate = pipelines.find((p) => p.name === 'gate');
    assert.ok(gate);
    assert.equal(gate.manager, 'dependent');
    assert.ok(gate.triggers.some((t) => t.connection === 'gerrit'));
  });
});
