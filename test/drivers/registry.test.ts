import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadZuulConf, parseZuulConf } from '../../src/config/zuul-conf.js';
import type { DriverDeps } from '../../src/drivers/driver.js';
import {
  createConnections,
  getDriver,
  registerDriver,
  registeredDrivers,
} from '../../src/drivers/registry.js';
import { RepoCache } from '../../src/merger/repo-cache.js';
import { tempDir } from '../helpers/git-repos.js';

const FIXTURES = '/work/shared/corpus/zuul-test-fixtures/conf';
const tmp = tempDir('registry-');
after(() => tmp.cleanup());
const deps: DriverDeps = { repos: new RepoCache({ gitDir: tmp.path }) };
const build = (text: string) =>
  createConnections(parseZuulConf(text, '/etc/zuul/zuul.conf', {}), deps);

describe('createConnections', () => {
  it("builds Zuul's default test configuration plus the built-in zuul and timer", () => {
    const { connections, errors } = createConnections(
      loadZuulConf(join(FIXTURES, 'zuul.conf'), {}),
      deps,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(
      [...connections.values()].map((c) => [c.name, c.driverName]),
      [
        ['gerrit', 'gerrit'],
        ['smtp', 'smtp'],
        ['timer', 'timer'],
        ['zuul', 'zuul'],
      ],
    );
    assert.equal(connections.get('gerrit')?.source?.canonicalHostname, 'review.example.com');
    assert.equal(connections.get('smtp')?.source, undefined);
    assert.equal(connections.get('timer')?.source, undefined);
  });

  it("accepts every connection of Zuul's test files whose driver exists here", () => {
    const known = new Set(registeredDrivers().map((d) => d.name));
    const unknown = new Set<string>();
    for (const file of readdirSync(FIXTURES)) {
      const conf = loadZuulConf(join(FIXTURES, file), {});
      const { connections, errors } = createConnections(conf, deps);
      for (const e of errors) {
        const driver = conf.get(e.section!, 'driver')!;
        assert.ok(!known.has(driver), `${file}: ${e.message}`);
        assert.match(
          e.message,
          new RegExp(`^${conf.path}:\\d+: \\[${e.section}\\]: Unknown driver "${driver}"`),
        );
        unknown.add(driver);
      }
      for (const c of conf.connections()) {
        if (known.has(c.driver)) assert.ok(connections.has(c.name), `${file}: ${c.name}`);
      }
    }
    // Drivers of Zuul 14 this port does not have yet (and the removed elasticsearch).
    assert.deepEqual([...unknown].sort(), ['aws', 'elasticsearch', 'openstack', 'pagure']);
  });

  it('rejects driver=sql as an unknown driver and says where the database goes', () => {
    const { connections, errors } = build(
      '[connection gerrit]\ndriver=gerrit\nserver=r\nuser=u\n\n[connection mysql]\ndriver=sql\ndburi=mysql://x\n',
    );
    assert.deepEqual([...connections.keys()], ['gerrit', 'timer', 'zuul']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].section, 'connection mysql');
    assert.equal(errors[0].key, 'driver');
    assert.match(
      errors[0].message,
      /^\/etc\/zuul\/zuul\.conf:6: \[connection mysql\]: Unknown driver "sql" \(the build database is configured in \[database\]/,
    );
  });

  it('reports a missing required option with file, line and section, and builds the rest', () => {
    const { connections, errors } = build(
      '[connection review]\ndriver=gerrit\nserver=review.example.com\n\n[connection up]\ndriver=git\nbaseurl=https://opendev.org\n',
    );
    assert.ok(connections.has('up'));
    assert.ok(!connections.has('review'));
    assert.deepEqual(
      errors.map((e) => e.message),
      ['/etc/zuul/zuul.conf:1: [connection review]: "user" is required for gerrit connections'],
    );
  });

  it('reports a section without driver and still adds the built-ins', () => {
    const { connections, errors } = build('[connection review]\nserver=r\n');
    assert.deepEqual([...connections.keys()], ['timer', 'zuul']);
    assert.match(errors[0].message, /:1: \[connection review\] must set "driver"/);
  });

  it('refuses to declare the built-in connections or reuse their names', () => {
    const { connections, errors } = build(
      '[connection timer]\ndriver=timer\n[connection zuul]\ndriver=git\nbaseurl=https://x\n',
    );
    assert.equal(connections.get('zuul')?.driverName, 'zuul');
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        '/etc/zuul/zuul.conf:1: [connection timer]: the timer connection is built in and takes no section; remove it',
        '/etc/zuul/zuul.conf:3: [connection zuul]: the name "zuul" belongs to a built-in connection; rename the section',
      ],
    );
  });

  it('uses a driver registered later, and refuses a second driver of the same name', () => {
    registerDriver({
      name: 'test-registry-driver',
      pipelineSchemas: {},
      createConnection: (config) => ({
        name: config.name,
        driverName: 'test-registry-driver',
        config,
      }),
    });
    assert.equal(getDriver('test-registry-driver')?.name, 'test-registry-driver');
    const { connections } = build('[connection x]\ndriver=test-registry-driver\nfoo=bar\n');
    assert.equal(connections.get('x')?.config.options.foo, 'bar');
    assert.throws(
      () =>
        registerDriver({ name: 'git', pipelineSchemas: {}, createConnection: () => assert.fail() }),
      /driver "git" is already registered/,
    );
  });
});

describe('github and gitlab connections', () => {
  const urls = (file: string) => {
    const { connections, errors } = createConnections(loadZuulConf(join(FIXTURES, file), {}), deps);
    assert.deepEqual(errors, []);
    return Object.fromEntries(
      [...connections.values()]
        .filter((c) => c.source)
        .map((c) => [
          c.name,
          [
            c.source!.canonicalHostname,
            c.source!.gitUrl('org/project'),
            c.source!.defaultMergeMode,
          ],
        ]),
    );
  };

  it('github: https by default, ssh with an sshkey, server sets the host', () => {
    assert.deepEqual(urls('zuul-github-driver.conf'), {
      github: ['github.com', 'https://github.com/org/project', 'merge-ort'],
      github_ssh: ['github.com', 'ssh://git@github.com/org/project.git', 'merge-ort'],
      github_ent: [
        'github.enterprise.io',
        'ssh://git@github.enterprise.io/org/project.git',
        'merge-ort',
      ],
    });
  });

  it('gitlab: clone URL from cloneurl/baseurl, token name put in HTTP URLs without credentials', () => {
    assert.deepEqual(urls('zuul-gitlab-driver.conf'), {
      gitlab: ['gitlab', 'https://gitlab/org/project.git', 'merge'],
      gitlab2: ['gitlabtwo', 'http://myusername:2222@gitlab/org/project.git', 'merge'],
      gitlab3: ['gitlabthree', 'http://myusername:2222@gitlabthree/org/project.git', 'merge'],
      gitlab4: ['gitlabfour', 'https://tokenname4:444@gitlabfour/org/project.git', 'merge'],
      gitlab5: ['gitlabfive', 'http://tokenname5:555@gitlabfivvve/org/project.git', 'merge'],
    });
  });

  it('defaults to github.com and gitlab.com', () => {
    const { connections } = build(
      '[connection gh]\ndriver=github\n[connection gl]\ndriver=gitlab\n',
    );
    assert.equal(connections.get('gh')?.source?.gitUrl('a/b'), 'https://github.com/a/b');
    assert.equal(connections.get('gl')?.source?.gitUrl('a/b'), 'https://gitlab.com/a/b.git');
    assert.equal(connections.get('gl')?.source?.canonicalHostname, 'gitlab.com');
  });
});
