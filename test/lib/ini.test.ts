import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IniError, parseIni, splitSectionName } from '../../src/lib/ini.js';

/** Expects an IniError and returns it for further checks. */
function iniError(fn: () => unknown): IniError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof IniError, `expected IniError, got ${err}`);
    return err;
  }
  assert.fail('expected an IniError');
}

describe('parseIni: layout', () => {
  it('keeps ; and # inside values (Gerrit gitweb template survives)', () => {
    const ini = parseIni(
      [
        '[connection gerrit]',
        'gitweb_url_template={baseurl}/gitweb?p={project.name}.git;a=commitdiff;h={sha}',
        'key: v # not a comment',
      ].join('\n'),
    );
    assert.equal(
      ini.get('connection gerrit', 'gitweb_url_template'),
      '{baseurl}/gitweb?p={project.name}.git;a=commitdiff;h={sha}',
    );
    assert.equal(ini.get('connection gerrit', 'key'), 'v # not a comment');
  });

  it('accepts = and :, strips around them, splits at the first one', () => {
    const ini = parseIni('[s]\na = 1\nb: 2\nc:d=e\nf=g:h\n');
    assert.deepEqual(ini.items('s'), { a: '1', b: '2', c: 'd=e', f: 'g:h' });
  });

  it('lower-cases keys; lookups are case-insensitive; section names are not', () => {
    const ini = parseIni('[Web]\nRoot=https://x/\n');
    assert.equal(ini.get('Web', 'ROOT'), 'https://x/');
    assert.deepEqual(Object.keys(ini.items('Web')), ['root']);
    assert.equal(ini.get('web', 'root'), undefined);
  });

  it('skips whole-line comments starting with # or ; (also indented)', () => {
    const ini = parseIni('# top\n; top\n[s]\n  # indented\na=1\n;b=2\n');
    assert.deepEqual(ini.items('s'), { a: '1' });
  });

  it('joins indented continuation lines with newlines, keeping inner blank lines', () => {
    // Same result as CPython: 'a\nb\n\nc\n\nd' (the comment line is dropped).
    const ini = parseIni('[s]\nurl = a\n  b\n\n  c\n\n# c\n  d\n\nnext=1\n');
    assert.equal(ini.get('s', 'url'), 'a\nb\n\nc\n\nd');
    assert.equal(ini.get('s', 'next'), '1');
  });

  it('a key line may be indented; continuation must be deeper than it', () => {
    const ini = parseIni('[s]\n  indented = 1\nnext=2\n');
    assert.deepEqual(ini.items('s'), { indented: '1', next: '2' });
  });

  it('keeps empty values and reads CRLF files', () => {
    const ini = parseIni('[s]\r\nempty=\r\nb = x \r\n');
    assert.equal(ini.get('s', 'empty'), '');
    assert.equal(ini.get('s', 'b'), 'x');
  });

  it('records the line of every section and key, and keeps section order', () => {
    const ini = parseIni('# c\n[b]\nx=1\n\n[a]\ny=2\n  more\nz=3\n');
    assert.deepEqual(ini.sectionNames(), ['b', 'a']);
    assert.equal(ini.sections.get('b')?.line, 2);
    assert.equal(ini.entry('b', 'x')?.line, 3);
    assert.equal(ini.entry('a', 'y')?.line, 6);
    assert.equal(ini.entry('a', 'z')?.line, 8);
  });

  it('takes the header up to the last ] like configparser', () => {
    const ini = parseIni('[ansible_callback "nocows = True"]\n[a] trailing\nk=v\n');
    assert.deepEqual(ini.sectionNames(), ['ansible_callback "nocows = True"', 'a']);
    assert.equal(ini.get('a', 'k'), 'v');
  });
});

describe('parseIni: errors name file and line', () => {
  it('a duplicate section (strict mode)', () => {
    const e = iniError(() => parseIni('[s]\na=1\n\n[s]\nb=2\n', { file: 'zuul.conf' }));
    assert.equal(e.file, 'zuul.conf');
    assert.equal(e.line, 4);
    assert.match(e.message, /^zuul\.conf:4: section \[s\] already appeared on line 1/);
  });

  it('a duplicate key, even in another case', () => {
    const e = iniError(() => parseIni('[s]\na=1\nA=2\n', { file: 'zuul.conf' }));
    assert.equal(e.line, 3);
    assert.match(e.message, /key "a" in \[s\] is already set on line 2/);
  });

  it('a line that is neither key nor section', () => {
    const e = iniError(() => parseIni('[s]\nnovalue\n', { file: 'f.conf' }));
    assert.match(e.message, /^f\.conf:2: cannot parse "novalue" in \[s\]/);
  });

  it('an empty key', () => {
    assert.equal(iniError(() => parseIni('[s]\n=v\n')).line, 2);
  });

  it('a key before any section', () => {
    const e = iniError(() => parseIni('\na=1\n', { file: 'f.conf' }));
    assert.match(e.message, /^f\.conf:2: "a=1" comes before any \[section\] header/);
  });
});

describe('parseIni: interpolation', () => {
  it('expands %(name)s from the section and ZUUL_* environment, %% to %', () => {
    const ini = parseIni('[s]\nx=%(ZUUL_DB)s and %(y)s 100%%\ny=%(z)s\nz=Z\n', {
      env: { ZUUL_DB: 'pw', HOME: '/root' },
    });
    assert.equal(ini.get('s', 'x'), 'pw and Z 100%');
  });

  it('accepts the environment name in any case', () => {
    const ini = parseIni('[database]\ndburi=mysql://u:%(zuul_db_password)s@h/db\n', {
      env: { ZUUL_DB_PASSWORD: 'secret' },
    });
    assert.equal(ini.get('database', 'dburi'), 'mysql://u:secret@h/db');
  });

  it('ignores environment variables without the ZUUL_ prefix', () => {
    const ini = parseIni('[s]\ndir=%(HOME)s\n', { env: { HOME: '/root' }, file: 'z.conf' });
    const e = iniError(() => ini.get('s', 'dir'));
    assert.match(e.message, /^z\.conf:2: \[s\]: %\(HOME\)s .*names no key of this section/);
  });

  it('falls back to [DEFAULT] for lookups and references', () => {
    const ini = parseIni('[DEFAULT]\nbase=/srv\n[s]\npath=%(base)s/x\n');
    assert.equal(ini.get('s', 'path'), '/srv/x');
    assert.equal(ini.get('s', 'base'), '/srv');
    assert.deepEqual(ini.sectionNames(), ['s']);
  });

  it('rejects a lone %, naming the line', () => {
    const ini = parseIni('[s]\n\nx=50%\n', { file: 'z.conf' });
    const e = iniError(() => ini.get('s', 'x'));
    assert.equal(e.line, 3);
    assert.match(e.message, /'%' must be followed by '%' or '\('/);
  });

  it('rejects an unterminated reference', () => {
    const ini = parseIni('[s]\nx=%(nope\n');
    assert.match(iniError(() => ini.get('s', 'x')).message, /bad interpolation reference/);
  });

  it('stops reference loops', () => {
    const ini = parseIni('[s]\na=%(b)s\nb=%(a)s\n');
    assert.match(iniError(() => ini.items('s')).message, /nested more than 10 levels/);
  });

  it('does not interpolate at parse time: a bad value only fails when read', () => {
    const ini = parseIni('[s]\nbad=50%\ngood=1\n');
    assert.equal(ini.get('s', 'good'), '1');
  });
});

describe('splitSectionName', () => {
  it('splits kind and name, stripping matching quotes, kind case-insensitive', () => {
    assert.deepEqual(splitSectionName('connection gerrit'), { kind: 'connection', name: 'gerrit' });
    assert.deepEqual(splitSectionName('Connection "gerrit"'), {
      kind: 'connection',
      name: 'gerrit',
    });
    assert.deepEqual(splitSectionName("auth 'ops'"), { kind: 'auth', name: 'ops' });
    assert.deepEqual(splitSectionName('connection "half'), {
      kind: 'connection',
      name: '"half',
    });
    assert.deepEqual(splitSectionName('scheduler'), { kind: 'scheduler' });
  });
});
