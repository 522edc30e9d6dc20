// The tenant config script: its output becomes the tenant file; when it
// cannot be used the scheduler gets an empty tenant list and an error to log.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTenantConfigScript } from '../../src/config/tenant-script.js';
import { parse } from './tenant-test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'zuul-ts-tenant-script-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string, mode = 0o755): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, mode);
  return p;
}

describe('tenant config script', () => {
  it('returns the script output, which parses as the tenant file', async () => {
    const p = script('ok.sh', "printf -- '- tenant:\\n    name: from-script\\n'");
    const res = await runTenantConfigScript(p, 10_000);
    assert.equal(res.error, undefined);
    assert.deepEqual(
      parse(res.text).tenants.map((t) => t.name),
      ['from-script'],
    );
  });

  it('yields no tenants and an error with stderr when the script fails', async () => {
    const p = script('fail.sh', "echo '- tenant: {name: half}'; echo 'backend down' >&2; exit 3");
    const res = await runTenantConfigScript(p, 10_000);
    assert.equal(res.text, '[]');
    assert.match(res.error ?? '', /exit status 3/);
    assert.match(res.error ?? '', /backend down/);
    assert.deepEqual(parse(res.text).tenants, []);
  });

  it('yields no tenants when the script is not executable', async () => {
    const p = script('noexec.sh', 'echo "[]"', 0o644);
    const res = await runTenantConfigScript(p, 10_000);
    assert.equal(res.text, '[]');
    assert.match(res.error ?? '', /non executable script/);
  });

  it('stops a script that runs too long', async () => {
    const p = script('slow.sh', 'exec sleep 30');
    const started = Date.now();
    const res = await runTenantConfigScript(p, 200);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(res.text, '[]');
    assert.match(res.error ?? '', /timed out after 200 ms/);
  });

  it('stops a script whose output is too large', async () => {
    const p = script('big.sh', 'exec yes spam');
    const res = await runTenantConfigScript(p, 10_000, 64 * 1024);
    assert.equal(res.text, '[]');
    assert.match(res.error ?? '', /exceeded 65536 bytes/);
  });

  it('refuses a path that does not exist', async () => {
    await assert.rejects(
      runTenantConfigScript(join(dir, 'missing.sh'), 1000),
      /Unable to read tenant config file/,
    );
  });
});
