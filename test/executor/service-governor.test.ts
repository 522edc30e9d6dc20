// The executor's governor with Zuul's limits, on readings the test picks,
// and the service settings it is configured from.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadZuulConf } from '../../src/config/zuul-conf.js';
import { Governor, type Measurement } from '../../src/executor/governor.js';
import { hostSensors } from '../../src/executor/governor-sensors.js';
import {
  buildKindFor,
  executorKinds,
  executorServiceSettings,
} from '../../src/executor/service-settings.js';

const calm: Measurement = { loadAvg: 0.5, availMemPct: 60, availHddPct: 70, availInodesPct: 80 };

function governor(reading: Partial<Measurement>, cpus = 2) {
  const limits = {
    loadMultiplier: 2.5,
    minAvailMem: 5,
    minAvailHdd: 5,
    minAvailInodes: 5,
    cpus,
  };
  return new Governor(limits, async () => ({ ...calm, ...reading }));
}

describe('executor governor', () => {
  it('takes builds on a calm host and names each limit that stops it', async () => {
    assert.equal((await governor({}).check({ starting: 0, running: 0 })).ok, true);
    const cases: [Partial<Measurement>, RegExp][] = [
      [{ loadAvg: 5.01 }, /^high system load 5\.01 > 5$/],
      [{ availMemPct: 4.9 }, /^low memory 4\.9% < 5$/],
      [{ availHddPct: 1 }, /^low disk space 1\.0% < 5$/],
      [{ availInodesPct: 2 }, /^low inodes 2\.0% < 5$/],
    ];
    for (const [reading, reason] of cases) {
      const v = await governor(reading).check({ starting: 0, running: 0 });
      assert.equal(v.ok, false, JSON.stringify(reading));
      assert.equal(v.reasons.length, 1);
      assert.match(v.reasons[0]!, reason);
    }
    // Exactly at the limit is still fine (Zuul compares strictly).
    assert.equal((await governor({ loadAvg: 5 }).check({ starting: 0, running: 0 })).ok, true);
  });

  it('limits starting builds as Zuul does: twice the safe load on small hosts, never below half the CPUs', async () => {
    const small = governor({}, 2);
    assert.equal(small.maxStartingBuilds, 10);
    assert.equal(small.minStartingBuilds, 1);
    assert.equal((await small.check({ starting: 9, running: 9 })).ok, false);
    assert.match(
      (await small.check({ starting: 9, running: 9 })).reasons[0]!,
      /too many starting builds 9 >= 1/,
    );
    assert.equal((await small.check({ starting: 4, running: 5 })).ok, true);
    const big = governor({}, 8);
    assert.equal(big.maxStartingBuilds, 20);
    assert.equal(big.minStartingBuilds, 4);
    assert.equal((await big.check({ starting: 3, running: 30 })).ok, true);
    assert.equal((await big.check({ starting: 4, running: 30 })).ok, false);
  });

  it('says no while paused, and yes again once resumed', async () => {
    const g = governor({});
    g.setPaused(true);
    assert.deepEqual((await g.check({ starting: 0, running: 0 })).reasons, ['paused']);
    g.setPaused(false);
    assert.equal((await g.check({ starting: 0, running: 0 })).ok, true);
  });

  it("reads this host's state_dir filesystem, and calls a missing one full", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zuul-ts-gov-'));
    try {
      const m = await hostSensors(dir)();
      assert.ok(m.availHddPct > 0 && m.availHddPct <= 100, String(m.availHddPct));
      assert.ok(m.availMemPct > 0 && m.availMemPct <= 100, String(m.availMemPct));
      assert.equal((await hostSensors(join(dir, 'missing'))()).availHddPct, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('executor service settings', () => {
  const conf = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'zuul-ts-execconf-'));
    const path = join(dir, 'zuul.conf');
    writeFileSync(path, text);
    try {
      return executorServiceSettings(loadZuulConf(path));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("has Zuul's defaults and reads every key", () => {
    const d = conf('[executor]\nstate_dir=/srv/zuul\n');
    assert.deepEqual(d, {
      zone: null,
      allowUnzoned: false,
      loadMultiplier: 2.5,
      minAvailMem: 5,
      minAvailHdd: 5,
      minAvailInodes: 5,
      diskLimitPerJob: 250,
      pausedOnStart: false,
      sigtermMethod: 'graceful',
      commandSocket: '/srv/zuul/executor.socket',
    });
    const s = conf(
      [
        '[executor]',
        'zone=eu-central',
        'allow_unzoned=true',
        'load_multiplier=4',
        'min_avail_mem=10',
        'max_starting_builds=3',
        'disk_limit_per_job=-1',
        'paused_on_start=true',
        'sigterm_method=stop',
        'command_socket=/run/exec.sock',
        '',
      ].join('\n'),
    );
    assert.equal(s.zone, 'eu-central');
    assert.equal(s.allowUnzoned, true);
    assert.equal(s.loadMultiplier, 4);
    assert.equal(s.minAvailMem, 10);
    assert.equal(s.maxStartingBuilds, 3);
    assert.equal(s.diskLimitPerJob, -1);
    assert.equal(s.pausedOnStart, true);
    assert.equal(s.sigtermMethod, 'stop');
    assert.equal(s.commandSocket, '/run/exec.sock');
  });

  it('refuses bad values with the key named', () => {
    assert.throws(() => conf('[executor]\nsigterm_method=later\n'), /sigterm_method must be/);
    assert.throws(() => conf('[executor]\nload_multiplier=lots\n'), /load_multiplier/);
    assert.throws(() => conf('[executor]\nzone=a:b\n'), /zone must be/);
  });

  it('queues builds per zone, and zoned executors take unzoned builds only when allowed', () => {
    assert.equal(buildKindFor(null), 'executor:build');
    assert.equal(buildKindFor('eu'), 'executor:build:eu');
    assert.deepEqual(executorKinds(null, false), ['executor:build']);
    assert.deepEqual(executorKinds('eu', false), ['executor:build:eu']);
    assert.deepEqual(executorKinds('eu', true), ['executor:build:eu', 'executor:build']);
  });
});
