// OpenDev's `openstack` tenant, built from the real tenant file, the real
// project-config (config project) and openstack-zuul-jobs (untrusted), with
// every other listed project an empty repository. The only errors allowed
// are "not found" errors for objects that the repositories missing from the
// corpus define (zuul/zuul-jobs, opendev/base-jobs, opendev/zuul-providers,
// and the project repositories that define templates such as
// check-requirements), each naming the missing object.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatErrorLine } from '../../src/config/errors.js';
import type { Layout } from '../../src/model/layout.js';
import { CORPUS } from '../helpers/fixtures.js';
import { layoutFromFiles } from '../helpers/layout.js';

function configDir(project: string): Record<string, string> {
  const dir = join(CORPUS, 'opendev', project, 'zuul.d');
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) out[`zuul.d/${f}`] = readFileSync(join(dir, f), 'utf8');
  return out;
}

/** The error categories a missing repository can cause, and how each names the object. */
const ALLOWED: Record<string, RegExp> = {
  Unknown: /^Job (\S+) not defined$/,
  'Nodeset Not Found': /^The nodeset "([^"]+)" was not found\.$/,
  'Label Not Found': /^The label "([^"]+)" was not found\.$/,
  'Template Not Found': /^The project template "([^"]+)" was not found\.$/,
};

async function openstack(): Promise<Layout> {
  return layoutFromFiles(
    readFileSync(join(CORPUS, 'opendev/tenant-config/main.yaml'), 'utf8'),
    {
      gerrit: {
        'openstack/project-config': { master: configDir('project-config') },
        'openstack/openstack-zuul-jobs': { master: configDir('openstack-zuul-jobs') },
      },
    },
    {
      tenant: 'openstack',
      connections: {
        gerrit: { driver: 'gerrit', canonicalHostname: 'review.opendev.org' },
        github: 'github',
        googlesource: { driver: 'gerrit', canonicalHostname: 'gerrit.googlesource.com' },
        smtp: 'smtp',
      },
    },
  );
}

test("OpenDev's openstack tenant builds; every error names an object of a missing repository", async () => {
  const layout = await openstack();
  const errors = layout.errors.filter((e) => e.severity === 'error');
  for (const e of errors) {
    const pattern = ALLOWED[e.name];
    assert.ok(pattern, `unexpected error: ${formatErrorLine(e)}`);
    const m = pattern.exec(e.shortError);
    assert.ok(m, `unexpected error: ${formatErrorLine(e)}`);
    const missing = m[1]!;
    // The object is really absent from the layout (not a lookup bug).
    const present =
      layout.jobs.has(missing) ||
      layout.nodesets.has(missing) ||
      layout.labels.has(missing) ||
      layout.projectTemplates.has(missing);
    assert.ok(!present, `"${missing}" exists but was reported missing: ${formatErrorLine(e)}`);
  }
  // Objects the two repositories define are there.
  for (const p of ['check', 'gate', 'post', 'periodic']) assert.ok(layout.pipelines.has(p), p);
  assert.ok(layout.projectTemplates.has('openstack-python3-jobs'));
  assert.ok(layout.jobs.has('openstack-tox-py312') || layout.jobs.size > 100);
  assert.ok(layout.projectConfigs.size > 1000, `${layout.projectConfigs.size} configured projects`);
  assert.ok(layout.projectMetadata.get('review.opendev.org/openstack/nova'));
});
