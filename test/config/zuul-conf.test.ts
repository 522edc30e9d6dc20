import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  loadZuulConf,
  parseZuulConf,
  type ZuulConf,
  ZuulConfError,
} from '../../src/config/zuul-conf.js';
import { IniError } from '../../src/lib/ini.js';

const FIXTURES = '/work/shared/corpus/zuul-test-fixtures/conf';
const fixture = (name: string) => loadZuulConf(join(FIXTURES, name), {});

function confError(fn: () => unknown): ZuulConfError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ZuulConfError, `expected ZuulConfError, got ${err}`);
    return err;
  }
  assert.fail('expected a ZuulConfError');
}

const conf = (text: string, env: Record<string, string> = {}): ZuulConf =>
  parseZuulConf(text, '/etc/zuul/zuul.conf', env);

describe("Zuul's own test configurations", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.conf'));

  it('are all there (46 files)', () => {
    assert.equal(files.length, 46);
  });

  for (const file of files) {
    it(`${file} loads, and every [connection] section becomes a connection`, () => {
      const c = fixture(file);
      const declared = c
        .sectionNames()
        .filter((s) => s.startsWith('connection '))
        .map((s) => s.slice('connection '.length));
      assert.deepEqual(
        c.connections().map((x) => x.name),
        declared,
      );
      for (const x of c.connections()) {
        assert.equal(x.driver, c.get(`connection ${x.name}`, 'driver'));
      }
    });
  }

  it('warn only about what Zuul 14 does not read', () => {
    const warned = Object.fromEntries(
      files.map((f) => [f, fixture(f).warnings]).filter(([, w]) => w.length),
    );
    assert.deepEqual(Object.keys(warned).sort(), [
      'zuul-prometheus.conf',
      'zuul-sql-driver-prefix-postgres.conf',
    ]);
    assert.match(warned['zuul-prometheus.conf'][0], /:1: unknown section \[gearman\] is ignored$/);
    assert.match(
      warned['zuul-sql-driver-prefix-postgres.conf'][0],
      /:20: unknown key "driver" in \[database\] is ignored$/,
    );
  });

  it('keep the gitweb template with its ; intact', () => {
    const gerrit = fixture('zuul-connections-cgit.conf')
      .connections()
      .find((c) => c.name === 'gerrit');
    assert.equal(
      gerrit?.options.gitweb_url_template,
      'https://cgit.example.com/cgit/{project.name}/commit/?id={sha}',
    );
  });

  it('read ansible_callback names literally and unescape %%', () => {
    const cbs = fixture('zuul-executor-ansible-callback.conf').ansibleCallbacks();
    assert.deepEqual(
      cbs.map((c) => c.name),
      [
        'nocows = True',
        'nocows = False',
        '\\nnocows = True',
        '\\nnocows = False',
        'ansible_interpolation',
        'test_callback',
      ],
    );
    assert.deepEqual(cbs[4].options, { test_field: 'test-%-value' });
    assert.deepEqual(cbs[5].options, { file_name: 'callback-success' });
  });

  it('list authenticators with their options', () => {
    const auths = fixture('zuul-admin-web-oidc.conf').authenticators();
    assert.deepEqual(
      auths.map((a) => [a.name, a.driver]),
      [
        ['zuul_operator', 'HS256'],
        ['myOIDC1', 'OpenIDConnect'],
        ['myOIDC2', 'OpenIDConnect'],
      ],
    );
    assert.equal(auths[2].options.scope, 'openid profile email special-scope');
    assert.equal(auths[1].options.default, 'true');
  });

  it('resolve tenant_config relative to the conf file directory', () => {
    assert.deepEqual(fixture('zuul-git-driver.conf').tenantConfigSource(), {
      kind: 'file',
      path: join(FIXTURES, 'config/zuul-connections-same-gerrit/main.yaml'),
    });
  });

  it('without [scheduler], only asking for the tenant file fails', () => {
    const c = fixture('zuul-github-driver.conf');
    assert.equal(c.connections().length, 3);
    const e = confError(() => c.tenantConfigSource());
    assert.equal(e.file, join(FIXTURES, 'zuul-github-driver.conf'));
    assert.match(
      e.message,
      /zuul-github-driver\.conf: \[scheduler\] must set tenant_config or tenant_config_script/,
    );
  });

  it('give typed values from real files', () => {
    const c = fixture('zuul-hold-expiration.conf');
    assert.equal(c.getBool('scheduler', 'relative_priority', false), true);
    assert.equal(c.getInt('scheduler', 'max_hold_expiration', 0), 3600);
    assert.equal(c.getInt('scheduler', 'default_hold_expiration', 0), 1800);
    assert.equal(c.getInt('web', 'static_cache_expiry', 3600), 1200);
    assert.equal(c.get('web', 'listen_address', '127.0.0.1'), '127.0.0.1');
    assert.equal(fixture('zuul-git-driver.conf').get('connection git', 'baseurl'), '""');
    assert.deepEqual(fixture('zuul-tracing.conf').items('tracing'), {
      enabled: 'true',
      endpoint: 'http://localhost:port',
      service_name: 'zuultest',
    });
  });
});

describe('ZuulConf: scheduler tenant source', () => {
  it('refuses both tenant_config and tenant_config_script, naming both', () => {
    const c = conf('[scheduler]\ntenant_config=main.yaml\ntenant_config_script=gen.sh\n');
    const e = confError(() => c.tenantConfigSource());
    assert.equal(e.section, 'scheduler');
    assert.match(
      e.message,
      /^\/etc\/zuul\/zuul\.conf: \[scheduler\] sets both tenant_config \(line 2\) and tenant_config_script \(line 3\)/,
    );
  });

  it('treats an empty value as unset, like Zuul', () => {
    const c = conf('[scheduler]\ntenant_config=\ntenant_config_script=/usr/bin/gen\n');
    assert.deepEqual(c.tenantConfigSource(), { kind: 'script', path: '/usr/bin/gen' });
  });

  it('expands ~ in paths', () => {
    const c = conf('[scheduler]\ntenant_config=~/zuul/main.yaml\n');
    assert.deepEqual(c.tenantConfigSource(), {
      kind: 'file',
      path: join(homedir(), 'zuul/main.yaml'),
    });
  });
});

describe('ZuulConf: getters', () => {
  const c = conf(
    [
      '[executor]',
      'merge_jobs=Off',
      'paused_on_start=YES',
      'manage_ansible=1',
      'allow_unzoned=maybe',
      'finger_port= 7901 ',
      'disk_limit_per_job=-1',
      'load_multiplier=2.5',
      'hostname=',
      '[merger]',
      'git_timeout=5m',
      'git_dir=git',
    ].join('\n'),
  );

  it('parses booleans like Python getboolean, in any case', () => {
    assert.equal(c.getBool('executor', 'merge_jobs', true), false);
    assert.equal(c.getBool('executor', 'paused_on_start', false), true);
    assert.equal(c.getBool('executor', 'manage_ansible', false), true);
    assert.equal(c.getBool('executor', 'sigterm_method', true), true);
    const e = confError(() => c.getBool('executor', 'allow_unzoned', false));
    assert.equal(e.key, 'allow_unzoned');
    assert.match(
      e.message,
      /^\/etc\/zuul\/zuul\.conf:5: \[executor\] allow_unzoned=maybe is not a boolean/,
    );
  });

  it('parses integers and numbers, rejecting units', () => {
    assert.equal(c.getInt('executor', 'finger_port', 7900), 7901);
    assert.equal(c.getInt('executor', 'disk_limit_per_job', 250), -1);
    assert.equal(c.getFloat('executor', 'load_multiplier', 1), 2.5);
    assert.equal(c.getInt('merger', 'git_http_low_speed_time', 30), 30);
    assert.match(
      confError(() => c.getInt('merger', 'git_timeout', 300)).message,
      /:11: \[merger\] git_timeout=5m is not an integer/,
    );
  });

  it('require() names file, section and key', () => {
    const e1 = confError(() => c.require('executor', 'hostname'));
    assert.deepEqual(
      [e1.file, e1.section, e1.key],
      ['/etc/zuul/zuul.conf', 'executor', 'hostname'],
    );
    assert.match(e1.message, /\[executor\] \(line 1\) must set "hostname"/);
    const e2 = confError(() => c.require('keystore', 'password'));
    assert.match(
      e2.message,
      /^\/etc\/zuul\/zuul\.conf: \[keystore\] \(the section is missing\) must set "password"/,
    );
  });

  it('resolvePath() anchors relative paths at the conf directory', () => {
    assert.equal(c.resolvePath('merger', 'git_dir'), '/etc/zuul/git');
    assert.equal(
      c.resolvePath('executor', 'job_dir', '/var/lib/zuul/builds'),
      '/var/lib/zuul/builds',
    );
    assert.equal(c.resolvePath('executor', 'variables'), undefined);
  });
});

describe('ZuulConf: connections', () => {
  it('strips quotes from names and matches the kind in any case', () => {
    const c = conf(
      '[connection "review"]\ndriver=gerrit\nserver=r\n[Connection git]\ndriver=git\n',
    );
    assert.deepEqual(
      c.connections().map((x) => [x.name, x.driver, x.section]),
      [
        ['review', 'gerrit', 'connection "review"'],
        ['git', 'git', 'Connection git'],
      ],
    );
  });

  it('a connection without driver is an error naming file, line, section and key', () => {
    const c = conf('[web]\nroot=x\n\n[connection review]\nserver=r\n');
    const e = confError(() => c.connections());
    assert.deepEqual([e.section, e.key], ['connection review', 'driver']);
    assert.match(e.message, /^\/etc\/zuul\/zuul\.conf:4: \[connection review\] must set "driver"/);
  });

  it('loads legacy [gerrit] and [smtp] sections as connections', () => {
    const c = conf('[gerrit]\nserver=review.example.com\nuser=zuul\n[smtp]\nserver=mail\n');
    assert.deepEqual(
      c.connections().map((x) => [x.name, x.driver, x.options.server]),
      [
        ['gerrit', 'gerrit', 'review.example.com'],
        ['smtp', 'smtp', 'mail'],
      ],
    );
  });

  it('prefers [connection gerrit] over a legacy [gerrit], with a warning', () => {
    const c = conf('[gerrit]\nserver=old\n[connection gerrit]\ndriver=gerrit\nserver=new\n');
    assert.deepEqual(
      c.connections().map((x) => x.options.server),
      ['new'],
    );
    assert.deepEqual(c.warnings, [
      '/etc/zuul/zuul.conf:1: legacy [gerrit] is ignored because [connection gerrit] exists',
    ]);
  });

  it('warns when a connection name is declared twice; the last wins', () => {
    const c = conf(
      '[connection a]\ndriver=git\nbaseurl=1\n[connection "a"]\ndriver=git\nbaseurl=2\n',
    );
    assert.deepEqual(
      c.connections().map((x) => [x.name, x.options.baseurl]),
      [['a', '2']],
    );
    assert.match(c.warnings[0], /:4: \[connection "a"\] declares connection "a" again/);
  });

  it('interpolates ZUUL_* environment variables into options', () => {
    const c = conf('[connection review]\ndriver=gerrit\npassword=%(ZUUL_GERRIT_PW)s\n', {
      ZUUL_GERRIT_PW: 's3cret',
    });
    assert.equal(c.connections()[0].options.password, 's3cret');
  });

  it('an [auth] section without driver is an error', () => {
    const e = confError(() => conf('[auth ops]\nrealm=x\n').authenticators());
    assert.deepEqual([e.section, e.key], ['auth ops', 'driver']);
  });
});

describe('ZuulConf: warnings', () => {
  it('names unknown sections and keys with their lines, and hints at case mistakes', () => {
    const c = conf(
      [
        '[web]',
        'root=https://zuul/',
        'status_url=https://old/',
        '[Scheduler]',
        'tenant_config=x',
        '[auth ops]',
        'driver=HS256',
        'secrett=x',
        '[ansible_callback mail]',
        'anything=goes',
        '[nodepool]',
        'x=1',
      ].join('\n'),
    );
    assert.deepEqual(c.warnings, [
      '/etc/zuul/zuul.conf:3: unknown key "status_url" in [web] is ignored',
      '/etc/zuul/zuul.conf:4: unknown section [Scheduler] is ignored (section names are case-sensitive; did you mean [scheduler]?)',
      '/etc/zuul/zuul.conf:8: unknown key "secrett" in [auth ops] is ignored',
      '/etc/zuul/zuul.conf:11: unknown section [nodepool] is ignored',
    ]);
    // Unknown content is kept.
    assert.equal(c.get('nodepool', 'x'), '1');
  });
});

describe('loadZuulConf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zuul-conf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file and fills %(ZUUL_…)s from the given environment', () => {
    const path = join(dir, 'zuul.conf');
    writeFileSync(path, '[database]\ndburi=postgresql://zuul:%(ZUUL_DB_PASSWORD)s@db/zuul\n');
    const c = loadZuulConf(path, { ZUUL_DB_PASSWORD: 'pw' });
    assert.equal(c.get('database', 'dburi'), 'postgresql://zuul:pw@db/zuul');
    assert.equal(c.dir, dir);
  });

  it('reports syntax errors with the file and line', () => {
    const path = join(dir, 'broken.conf');
    writeFileSync(path, '[scheduler]\ntenant_config=a\ntenant_config=b\n');
    assert.throws(
      () => loadZuulConf(path, {}),
      (err: unknown) =>
        err instanceof IniError && err.message.startsWith(`${path}:3: key "tenant_config"`),
    );
  });
});
