import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DbUriError, parseDbUri, redactDbUri } from '../../src/store/uri.js';

describe('parseDbUri: SQLite', () => {
  it('three slashes: a path relative to the zuul.conf directory', () => {
    assert.deepEqual(parseDbUri('sqlite:///state/zuul.db', '/etc/zuul'), {
      dialect: 'sqlite',
      path: '/etc/zuul/state/zuul.db',
    });
  });

  it('four slashes: an absolute path', () => {
    assert.deepEqual(parseDbUri('sqlite:////var/lib/zuul/zuul.db', '/etc/zuul'), {
      dialect: 'sqlite',
      path: '/var/lib/zuul/zuul.db',
    });
  });

  it('no path, or :memory:, is an in-memory database', () => {
    for (const uri of ['sqlite://', 'sqlite:///:memory:']) {
      assert.deepEqual(parseDbUri(uri), { dialect: 'sqlite', path: ':memory:' });
    }
  });

  it('a host part is an error that explains the slashes', () => {
    assert.throws(() => parseDbUri('sqlite://zuul.db'), /three slashes/);
  });
});

describe('parseDbUri: servers', () => {
  it('postgresql with user, password, host, port and database', () => {
    assert.deepEqual(parseDbUri('postgresql://zuul:s3cret@db.example.com:5433/zuul'), {
      dialect: 'postgresql',
      scheme: 'postgresql',
      user: 'zuul',
      password: 's3cret',
      host: 'db.example.com',
      port: 5433,
      database: 'zuul',
      params: {},
    });
  });

  it('percent-escapes in the password, an unescaped @, IPv6 hosts', () => {
    const a = parseDbUri('postgresql://zuul:p%40ss%2Fw@db/zuul');
    assert.equal(a.dialect === 'postgresql' && a.password, 'p@ss/w');
    const b = parseDbUri('postgresql://zuul:p@ss@db/zuul');
    assert.equal(b.dialect === 'postgresql' && b.password, 'p@ss');
    const c = parseDbUri('postgresql://zuul@[::1]:5432/zuul');
    assert.equal(c.dialect === 'postgresql' && c.host, '::1');
  });

  it('a Unix socket given as ?host=, other parameters kept', () => {
    const u = parseDbUri('postgresql://zuul@/zuul?host=/run/postgresql&sslmode=disable');
    assert.equal(u.dialect, 'postgresql');
    if (u.dialect !== 'postgresql') return;
    assert.equal(u.host, '/run/postgresql');
    assert.deepEqual(u.params, { sslmode: 'disable' });
  });

  it('SQLAlchemy driver suffixes; mysql and mariadb are accepted for the build database', () => {
    const pg = parseDbUri('postgresql+psycopg2://z@h/db');
    assert.equal(pg.dialect === 'postgresql' && pg.driver, 'psycopg2');
    const my = parseDbUri('mysql+pymysql://zuul:pw@mysql.example.com/zuul');
    assert.equal(my.dialect, 'mysql');
    const maria = parseDbUri('mariadb+pymysql://zuul:pw@mariadb/zuul');
    assert.equal(maria.dialect, 'mysql');
    assert.equal(maria.dialect === 'mysql' && maria.scheme, 'mariadb');
  });

  it('unsupported schemes and bad ports are errors that do not echo the password', () => {
    for (const uri of ['postgres://u:topsecret@h/db', 'oracle://u:topsecret@h/db', 'nonsense']) {
      assert.throws(
        () => parseDbUri(uri),
        (e: Error) => e instanceof DbUriError && !e.message.includes('topsecret'),
      );
    }
    assert.throws(() => parseDbUri('postgresql://u:topsecret@h:99999/db'), /port/);
  });

  it('redactDbUri masks the password', () => {
    const s = redactDbUri(parseDbUri('postgresql://zuul:topsecret@db:5432/zuul?sslmode=require'));
    assert.equal(s, 'postgresql://zuul:***@db:5432/zuul?sslmode=require');
  });
});
