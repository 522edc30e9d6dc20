// Which files of a project branch hold configuration (semantics §C.0):
// the four roots in precedence order, the first with data wins, `zuul.d/`
// style directories read recursively and sorted (`*.yaml` only, minus
// `.zuul.ignore` subtrees), then extra-config-paths.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONFIG_ROOTS,
  candidateConfigFiles,
  filesUnderDirectory,
  selectConfigFiles,
} from '../../src/config/project-files.js';

const JOB = '- job:\n    name: x\n';

/** A branch: path → content (undefined = listed in the tree but unreadable). */
function branch(files: Record<string, string | undefined>) {
  const paths = Object.keys(files);
  const contents = new Map<string, string>();
  for (const [p, c] of Object.entries(files)) if (c !== undefined) contents.set(p, c);
  return {
    paths,
    contents,
    select: (extra: string[] = []) => selectConfigFiles(paths, contents, extra),
  };
}

describe('config roots', () => {
  test('the roots and their order', () => {
    assert.deepEqual([...CONFIG_ROOTS], ['zuul.yaml', 'zuul.d/', '.zuul.yaml', '.zuul.d/']);
  });

  test('zuul.yaml wins over every other root; the others are reported', () => {
    const b = branch({
      '.zuul.d/a.yaml': JOB,
      '.zuul.yaml': JOB,
      'zuul.d/a.yaml': JOB,
      'zuul.yaml': JOB,
    });
    assert.deepEqual(b.select(), {
      files: ['zuul.yaml'],
      root: 'zuul.yaml',
      ignoredRoots: ['zuul.d/', '.zuul.yaml', '.zuul.d/'],
    });
  });

  test('zuul.d/ wins over .zuul.yaml and .zuul.d/', () => {
    const b = branch({ '.zuul.yaml': JOB, 'zuul.d/b.yaml': JOB, '.zuul.d/a.yaml': JOB });
    const s = b.select();
    assert.equal(s.root, 'zuul.d/');
    assert.deepEqual(s.files, ['zuul.d/b.yaml']);
    assert.deepEqual(s.ignoredRoots, ['.zuul.yaml', '.zuul.d/']);
  });

  test('.zuul.yaml wins over .zuul.d/', () => {
    const s = branch({ '.zuul.d/a.yaml': JOB, '.zuul.yaml': JOB }).select();
    assert.equal(s.root, '.zuul.yaml');
    assert.deepEqual(s.files, ['.zuul.yaml']);
    assert.deepEqual(s.ignoredRoots, ['.zuul.d/']);
  });

  test('.zuul.d/ alone', () => {
    const s = branch({ '.zuul.d/b.yaml': JOB, '.zuul.d/a.yaml': JOB, README: 'x' }).select();
    assert.equal(s.root, '.zuul.d/');
    assert.deepEqual(s.files, ['.zuul.d/a.yaml', '.zuul.d/b.yaml']);
    assert.deepEqual(s.ignoredRoots, []);
  });

  test('no configuration at all', () => {
    const s = branch({ README: 'x', 'src/main.c': '' }).select();
    assert.equal(s.root, undefined);
    assert.deepEqual(s.files, []);
    assert.deepEqual(s.ignoredRoots, []);
  });

  test('only an empty file is a root without data', () => {
    const s = branch({ 'zuul.yaml': '', '.zuul.yaml': JOB }).select();
    assert.equal(s.root, '.zuul.yaml');
    assert.deepEqual(s.files, ['.zuul.yaml']);
    assert.deepEqual(s.ignoredRoots, [], 'an empty root is not reported as ignored');
  });

  test('a blank or comment-only file still claims the branch, as in Zuul', () => {
    for (const text of ['\n\n  \n', '# only a comment\n', '  # indented comment\n#\n']) {
      const s = branch({ 'zuul.yaml': text, '.zuul.yaml': JOB }).select();
      assert.equal(s.root, 'zuul.yaml', JSON.stringify(text));
      assert.deepEqual(s.ignoredRoots, ['.zuul.yaml']);
    }
  });

  test('an ignored root with only empty files is not reported', () => {
    const s = branch({ 'zuul.yaml': JOB, 'zuul.d/a.yaml': '' }).select();
    assert.equal(s.root, 'zuul.yaml');
    assert.deepEqual(s.ignoredRoots, []);
  });

  test('a directory root counts if any of its files has data, and all its files are read', () => {
    const s = branch({
      'zuul.d/a.yaml': '',
      'zuul.d/b.yaml': JOB,
      '.zuul.yaml': JOB,
    }).select();
    assert.equal(s.root, 'zuul.d/');
    assert.deepEqual(s.files, ['zuul.d/a.yaml', 'zuul.d/b.yaml']);
  });

  test('a directory whose files are all empty is no root', () => {
    const s = branch({
      'zuul.d/a.yaml': '',
      'zuul.d/b.yaml': '',
      '.zuul.yaml': JOB,
    }).select();
    assert.equal(s.root, '.zuul.yaml');
  });

  test('an unreadable file has no data', () => {
    const s = branch({ 'zuul.yaml': undefined, '.zuul.yaml': JOB }).select();
    assert.equal(s.root, '.zuul.yaml');
  });

  test('a root is matched exactly, not by prefix', () => {
    const s = branch({ 'zuul.yaml.orig': JOB, 'zuul.dx/a.yaml': JOB, 'x/zuul.yaml': JOB }).select();
    assert.equal(s.root, undefined);
    assert.deepEqual(s.files, []);
  });
});

describe('zuul.d/-style directories', () => {
  test('recursive, sorted by full path, *.yaml only (not .yml)', () => {
    const paths = [
      'zuul.d/projects.yaml',
      'zuul.d/jobs/b.yaml',
      'zuul.d/jobs/a.yaml',
      'zuul.d/01-jobs.yaml',
      'zuul.d/jobs.yaml',
      'zuul.d/pipelines.yml',
      'zuul.d/README.md',
      'zuul.d/jobs/deep/x.yaml',
      'zuul.d/yaml',
      'zuul.yaml.d/x.yaml',
    ];
    assert.deepEqual(filesUnderDirectory(paths, 'zuul.d/'), [
      'zuul.d/01-jobs.yaml',
      'zuul.d/jobs.yaml',
      'zuul.d/jobs/a.yaml',
      'zuul.d/jobs/b.yaml',
      'zuul.d/jobs/deep/x.yaml',
      'zuul.d/projects.yaml',
    ]);
  });

  test('the directory may be given with or without a trailing slash', () => {
    const paths = ['extra/a.yaml', 'extra-other/b.yaml'];
    assert.deepEqual(filesUnderDirectory(paths, 'extra'), ['extra/a.yaml']);
    assert.deepEqual(filesUnderDirectory(paths, 'extra/'), ['extra/a.yaml']);
  });

  test('a sub-directory holding .zuul.ignore is skipped with everything below it', () => {
    const paths = [
      'zuul.d/jobs.yaml',
      'zuul.d/playbooks/.zuul.ignore',
      'zuul.d/playbooks/run.yaml',
      'zuul.d/playbooks/roles/x/tasks/main.yaml',
      'zuul.d/playbooks-not-ignored/a.yaml',
      'zuul.d/projects.yaml',
    ];
    assert.deepEqual(filesUnderDirectory(paths, 'zuul.d/'), [
      'zuul.d/jobs.yaml',
      'zuul.d/playbooks-not-ignored/a.yaml',
      'zuul.d/projects.yaml',
    ]);
  });

  test('.zuul.ignore at the top of the directory skips all of it', () => {
    const b = branch({
      'zuul.d/.zuul.ignore': '',
      'zuul.d/jobs.yaml': JOB,
      '.zuul.yaml': JOB,
    });
    assert.deepEqual(filesUnderDirectory(b.paths, 'zuul.d/'), []);
    assert.equal(b.select().root, '.zuul.yaml');
  });

  test('.zuul.ignore only affects its own tree', () => {
    const paths = ['.zuul.d/x/.zuul.ignore', '.zuul.d/x/a.yaml', 'zuul.d/x/a.yaml'];
    assert.deepEqual(filesUnderDirectory(paths, 'zuul.d/'), ['zuul.d/x/a.yaml']);
    assert.deepEqual(filesUnderDirectory(paths, '.zuul.d/'), []);
  });

  test('the selected directory root lists its files in sorted order', () => {
    const s = branch({
      'zuul.d/z.yaml': JOB,
      'zuul.d/a/b.yaml': JOB,
      'zuul.d/a.yaml': JOB,
      'zuul.d/notes.yml': JOB,
    }).select();
    assert.deepEqual(s.files, ['zuul.d/a.yaml', 'zuul.d/a/b.yaml', 'zuul.d/z.yaml']);
  });
});

describe('extra-config-paths', () => {
  const b = branch({
    'zuul.yaml': JOB,
    'zuul-extra.yaml': JOB,
    'extra.d/b.yaml': JOB,
    'extra.d/a.yaml': JOB,
    'extra.d/sub/c.yaml': JOB,
    'extra.d/notes.yml': JOB,
    'extra.d/ignored/.zuul.ignore': '',
    'extra.d/ignored/x.yaml': JOB,
    'other.yaml': JOB,
  });

  test('files and directories are added after the root: files first, then directories', () => {
    // Zuul reads ZUUL_CONF_ROOT + extra_config_files + extra_config_dirs.
    const s = b.select(['extra.d/', 'zuul-extra.yaml']);
    assert.equal(s.root, 'zuul.yaml');
    assert.deepEqual(s.files, [
      'zuul.yaml',
      'zuul-extra.yaml',
      'extra.d/a.yaml',
      'extra.d/b.yaml',
      'extra.d/sub/c.yaml',
    ]);
    assert.deepEqual(s.ignoredRoots, []);
  });

  test('missing extra paths are skipped', () => {
    assert.deepEqual(b.select(['missing.yaml', 'missing.d/']).files, ['zuul.yaml']);
  });

  test('extra paths load even when no standard root has data', () => {
    const s = branch({ 'zuul-extra.yaml': JOB, 'extra.d/a.yaml': JOB }).select([
      'zuul-extra.yaml',
      'extra.d/',
    ]);
    assert.equal(s.root, undefined);
    assert.deepEqual(s.files, ['zuul-extra.yaml', 'extra.d/a.yaml']);
  });

  test('a file reached twice is read once', () => {
    const s = b.select(['zuul-extra.yaml', 'zuul-extra.yaml', 'extra.d/', 'extra.d/']);
    assert.deepEqual(s.files, [
      'zuul.yaml',
      'zuul-extra.yaml',
      'extra.d/a.yaml',
      'extra.d/b.yaml',
      'extra.d/sub/c.yaml',
    ]);
  });
});

describe('candidateConfigFiles', () => {
  test('every file that might be read, once, and nothing else', () => {
    const paths = [
      'zuul.yaml',
      'zuul.d/b.yaml',
      'zuul.d/a.yaml',
      'zuul.d/x.yml',
      '.zuul.yaml',
      '.zuul.d/c.yaml',
      'extra.yaml',
      'extra.d/e.yaml',
      'playbooks/run.yaml',
      'README',
    ];
    const got = candidateConfigFiles(paths, ['extra.yaml', 'extra.d/', 'missing.yaml']);
    assert.deepEqual(got, [
      'zuul.yaml',
      'zuul.d/a.yaml',
      'zuul.d/b.yaml',
      '.zuul.yaml',
      '.zuul.d/c.yaml',
      'extra.yaml',
      'extra.d/e.yaml',
    ]);
  });

  test('with no extra paths', () => {
    assert.deepEqual(candidateConfigFiles(['.zuul.yaml', 'x.yaml']), ['.zuul.yaml']);
  });
});
