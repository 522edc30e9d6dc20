// The other in-repo objects through parseConfigFile: nodeset, secret,
// semaphore, queue, pragma and the launcher objects (semantics §C.5–C.10,
// zuul14 §C.5–C.10). Each bad stanza gives one placed error and is the only
// stanza dropped.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EncryptedValue } from '../../src/config/yaml.js';
import type { Nodeset } from '../../src/model/nodeset.js';
import { assertIsolatedError, parse, parseClean, SOURCE, y } from './parsers-helpers.js';

function nodeset(text: string): Nodeset {
  const r = parseClean(text);
  assert.equal(r.nodesets.length, 1);
  return r.nodesets[0]!;
}

/** `- kind:` with `body` indented for the stanza. */
function stanza(kind: string, body: string): string {
  return `- ${kind}:\n${body.replace(/^/gm, '    ')}\n`;
}

describe('nodeset', () => {
  test('nodes with single and list names, and groups', () => {
    const n = nodeset(y`
      - nodeset:
          name: two-node
          nodes:
            - name: controller
              label: ubuntu-noble
            - name: [compute1, web]
              label: ubuntu-jammy
          groups:
            - name: computes
              nodes: compute1
            - name: all
              nodes: [controller, compute1, web]
    `);
    assert.equal(n.name, 'two-node');
    assert.deepEqual(n.nodes, [
      { names: ['controller'], label: 'ubuntu-noble' },
      { names: ['compute1', 'web'], label: 'ubuntu-jammy' },
    ]);
    assert.deepEqual(n.groups, [
      { name: 'computes', nodes: ['compute1'] },
      { name: 'all', nodes: ['controller', 'compute1', 'web'] },
    ]);
    assert.deepEqual(n.alternatives, []);
    assert.deepEqual(n.sourceContext, SOURCE);
  });

  test('an empty node list is a valid (executor-only) nodeset', () => {
    assert.deepEqual(nodeset('- nodeset:\n    name: empty\n    nodes: []\n').nodes, []);
  });

  test('nodes and groups may be a single mapping (as Zuul accepts)', () => {
    const n = nodeset(y`
      - nodeset:
          name: single
          nodes:
            name: only
            label: l
          groups:
            name: g
            nodes: only
    `);
    assert.deepEqual(n.nodes, [{ names: ['only'], label: 'l' }]);
    assert.deepEqual(n.groups, [{ name: 'g', nodes: ['only'] }]);
  });

  test('duplicate node → "Duplicate Node"', () => {
    assertIsolatedError(
      stanza(
        'nodeset',
        'name: n\nnodes:\n  - name: a\n    label: l\n  - name: [b, a]\n    label: l',
      ),
      { name: 'Duplicate Node', message: /Duplicate node name: a/, at: '[b, a]' },
    );
  });

  test('unknown group member → "Node From Group Not Found"', () => {
    assertIsolatedError(
      stanza(
        'nodeset',
        'name: n\nnodes:\n  - name: a\n    label: l\ngroups:\n  - name: g\n    nodes: [a, z]',
      ),
      { name: 'Node From Group Not Found', message: /"g".*z|z.*"g"/, at: 'name: g' },
    );
  });

  test('duplicate group → "Duplicate Nodeset Group"', () => {
    assertIsolatedError(
      stanza(
        'nodeset',
        'name: n\nnodes:\n  - name: a\n    label: l\ngroups:\n  - name: g\n    nodes: a\n  - name: g\n    nodes: [a]',
      ),
      { name: 'Duplicate Nodeset Group', message: /Duplicate nodeset group name: g/, at: 9 },
    );
  });

  test('a node named localhost is forbidden, also inside a list name', () => {
    assertIsolatedError(stanza('nodeset', 'name: n\nnodes:\n  - name: localhost\n    label: l'), {
      message: /localhost/,
      at: 'localhost',
    });
    assertIsolatedError(
      stanza('nodeset', 'name: n\nnodes:\n  - name: [a, localhost]\n    label: l'),
      { message: /localhost/, at: 'localhost' },
    );
  });

  test('a group named localhost is forbidden', () => {
    assertIsolatedError(
      stanza(
        'nodeset',
        'name: n\nnodes:\n  - name: a\n    label: l\ngroups:\n  - name: localhost\n    nodes: a',
      ),
      { message: /localhost/, at: 'name: localhost' },
    );
  });

  test('alternatives: named and inline', () => {
    const n = nodeset(y`
      - nodeset:
          name: big-or-small
          alternatives:
            - big-node
            - nodes:
                - name: node
                  label: small
    `);
    assert.deepEqual(n.nodes, []);
    assert.deepEqual(n.groups, []);
    assert.deepEqual(n.alternatives, [
      'big-node',
      { nodes: [{ names: ['node'], label: 'small' }], groups: [], alternatives: [] },
    ]);
  });

  test('alternatives and nodes are mutually exclusive', () => {
    assertIsolatedError(
      stanza('nodeset', 'name: n\nnodes:\n  - name: a\n    label: l\nalternatives:\n  - other'),
      { message: /either alternatives or nodes/, at: 'alternatives' },
    );
  });

  test('alternatives and groups are mutually exclusive', () => {
    assertIsolatedError(
      stanza('nodeset', 'name: n\ngroups:\n  - name: g\n    nodes: []\nalternatives:\n  - other'),
      { message: /either alternatives or nodes/, at: 'alternatives' },
    );
  });

  test('errors inside an inline alternative point into it', () => {
    assertIsolatedError(
      stanza(
        'nodeset',
        'name: n\nalternatives:\n  - a\n  - nodes:\n      - name: x\n        label: l\n      - name: x\n        label: l',
      ),
      { name: 'Duplicate Node', message: /Duplicate node name: x/, at: 7 + 1 },
    );
  });

  test('an inline alternative may not have a name', () => {
    assertIsolatedError(stanza('nodeset', 'name: n\nalternatives:\n  - name: x\n    nodes: []'), {
      message: /extra keys not allowed @ data\['alternatives'\]\[0\]\['name'\]/,
      at: 'name: x',
    });
  });

  test('a nodeset needs nodes or alternatives', () => {
    assertIsolatedError(stanza('nodeset', 'name: n'), {
      message: /required key not provided @ data\['nodes'\]/,
      at: '- nodeset:',
    });
  });

  test('a top-level nodeset needs a name', () => {
    assertIsolatedError(stanza('nodeset', 'nodes: []'), {
      message: /required key not provided @ data\['name'\]/,
      at: '- nodeset:',
    });
  });

  test('a node needs a label; unknown node keys are rejected', () => {
    assertIsolatedError(stanza('nodeset', 'name: n\nnodes:\n  - name: a'), {
      message: /required key not provided @ data\['nodes'\]\[0\]\['label'\]/,
      at: 'name: a',
    });
    assertIsolatedError(
      stanza('nodeset', 'name: n\nnodes:\n  - name: a\n    label: l\n    bogus: 1'),
      {
        message: /extra keys not allowed @ data\['nodes'\]\[0\]\['bogus'\]/,
        at: 'bogus',
      },
    );
  });

  test('an unknown nodeset attribute', () => {
    assertIsolatedError(stanza('nodeset', 'name: n\nnodes: []\nlabel: x'), {
      message: /extra keys not allowed @ data\['label'\]/,
      at: 'label',
    });
  });
});

describe('secret', () => {
  test('data with encrypted scalars and lists, plain values and nesting', () => {
    const r = parseClean(y`
      - secret:
          name: pypi-credentials
          data:
            username: ci-bot
            port: 443
            password: !encrypted/pkcs1-oaep
              - kJ1vAAAA
              - kJ1vBBBB
            token: !encrypted/pkcs1-oaep kJ1vCCCC
            nested:
              list: [1, !encrypted/pkcs1-oaep kJ1vDDDD]
    `);
    assert.equal(r.secrets.length, 1);
    const s = r.secrets[0]!;
    assert.equal(s.name, 'pypi-credentials');
    assert.equal(s.oidc, undefined);
    assert.deepEqual(s.sourceContext, SOURCE);
    const data = s.data as Record<string, unknown>;
    assert.equal(data.username, 'ci-bot');
    assert.equal(data.port, 443);
    assert.ok(data.password instanceof EncryptedValue);
    assert.deepEqual((data.password as EncryptedValue).ciphertext, ['kJ1vAAAA', 'kJ1vBBBB']);
    assert.ok(data.token instanceof EncryptedValue);
    assert.deepEqual((data.token as EncryptedValue).ciphertext, ['kJ1vCCCC']);
    const inner = (data.nested as { list: unknown[] }).list[1];
    assert.ok(inner instanceof EncryptedValue);
    assert.deepEqual(inner.ciphertext, ['kJ1vDDDD']);
  });

  test('a multi-line encrypted scalar keeps its text', () => {
    const r = parseClean(y`
      - secret:
          name: s
          data:
            key: !encrypted/pkcs1-oaep |
              line1
              line2
    `);
    const key = (r.secrets[0]!.data as Record<string, EncryptedValue>).key!;
    assert.deepEqual(key.ciphertext, ['line1\nline2\n']);
  });

  test('the fingerprint tells different data apart and matches identical data', () => {
    const a = parseClean(
      '- secret:\n    name: s\n    data:\n      k: !encrypted/pkcs1-oaep AAAA\n',
    );
    const b = parseClean(
      '- secret:\n    name: s\n    data:\n      k: !encrypted/pkcs1-oaep AAAA\n',
    );
    const c = parseClean(
      '- secret:\n    name: s\n    data:\n      k: !encrypted/pkcs1-oaep AAAB\n',
    );
    assert.equal(a.secrets[0]!.fingerprint, b.secrets[0]!.fingerprint);
    assert.notEqual(a.secrets[0]!.fingerprint, c.secrets[0]!.fingerprint);
  });

  test('oidc with no value takes every default', () => {
    const s = parseClean('- secret:\n    name: token\n    oidc:\n').secrets[0]!;
    assert.equal(s.data, undefined);
    assert.deepEqual(s.oidc, { ttl: undefined, iss: undefined, algorithm: undefined, claims: {} });
  });

  test('oidc with every key', () => {
    const s = parseClean(y`
      - secret:
          name: token
          oidc:
            ttl: 600
            iss: https://zuul.example.com
            algorithm: RS256
            claims:
              aud: sts.example.com
    `).secrets[0]!;
    assert.deepEqual(s.oidc, {
      ttl: 600,
      iss: 'https://zuul.example.com',
      algorithm: 'RS256',
      claims: { aud: 'sts.example.com' },
    });
  });

  test('both data and oidc is an error', () => {
    assertIsolatedError(stanza('secret', 'name: s\ndata:\n  a: 1\noidc:\n  ttl: 60'), {
      message: /Either 'data' or 'oidc' must be present, but not both/,
      at: '- secret:',
    });
  });

  test('neither data nor oidc is an error', () => {
    assertIsolatedError(stanza('secret', 'name: s'), {
      message: /Either 'data' or 'oidc' must be present/,
      at: '- secret:',
    });
  });

  test('data must be a mapping', () => {
    assertIsolatedError(stanza('secret', 'name: s\ndata: [a, b]'), {
      message: /expected a dictionary.*data\['data'\]/,
      at: 'data',
    });
  });

  test('oidc keys are checked', () => {
    assertIsolatedError(stanza('secret', 'name: s\noidc:\n  bogus: 1'), {
      message: /extra keys not allowed @ data\['oidc'\]\['bogus'\]/,
      at: 'bogus',
    });
    assertIsolatedError(stanza('secret', 'name: s\noidc:\n  ttl: 0'), {
      message: /data\['oidc'\]\['ttl'\]/,
      at: 'ttl',
    });
    assertIsolatedError(stanza('secret', 'name: s\noidc:\n  claims: [aud]'), {
      message: /data\['oidc'\]\['claims'\]/,
      at: 'claims',
    });
  });

  test('a name is required; unknown keys are rejected', () => {
    assertIsolatedError(stanza('secret', 'data:\n  a: 1'), {
      message: /required key not provided @ data\['name'\]/,
      at: '- secret:',
    });
    assertIsolatedError(stanza('secret', 'name: s\ndata:\n  a: 1\nbogus: 1'), {
      message: /extra keys not allowed @ data\['bogus'\]/,
      at: 'bogus',
    });
  });

  test('an encrypted value must be a string or a list of strings', () => {
    for (const bad of ['{a: 1}', '[a, [b]]']) {
      const r = parse(stanza('secret', `name: s\ndata:\n  k: !encrypted/pkcs1-oaep ${bad}`));
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0]!.shortError, /!encrypted\/pkcs1-oaep/);
      assert.equal(r.errors[0]!.mark!.line + 1, 4);
    }
  });

  test('override tags have no meaning in secret data', () => {
    assertIsolatedError(stanza('secret', 'name: s\ndata:\n  a: !override x'), {
      message: /!override tag is only supported on job attributes/,
      at: 'a: !override',
    });
  });
});

describe('semaphore', () => {
  test('max defaults to 1', () => {
    const s = parseClean('- semaphore:\n    name: sem\n').semaphores[0]!;
    assert.deepEqual(s, { name: 'sem', max: 1, sourceContext: SOURCE });
  });

  test('explicit max', () => {
    assert.equal(parseClean('- semaphore:\n    name: sem\n    max: 5\n').semaphores[0]!.max, 5);
  });

  test('errors', () => {
    assertIsolatedError(stanza('semaphore', 'name: s\nmax: many'), {
      message: /expected int for dictionary value @ data\['max'\]/,
      at: 'max',
    });
    assertIsolatedError(stanza('semaphore', 'max: 2'), {
      message: /required key not provided @ data\['name'\]/,
      at: '- semaphore:',
    });
    assertIsolatedError(stanza('semaphore', 'name: s\nmin: 2'), {
      message: /extra keys not allowed @ data\['min'\]/,
      at: 'min',
    });
  });
});

describe('queue', () => {
  test('defaults', () => {
    const q = parseClean('- queue:\n    name: integrated\n').queues[0]!;
    assert.deepEqual(q, {
      name: 'integrated',
      perBranch: false,
      allowCircularDependencies: false,
      dependenciesByTopic: false,
      sourceContext: SOURCE,
    });
  });

  test('every option', () => {
    const q = parseClean(y`
      - queue:
          name: integrated
          per-branch: true
          allow-circular-dependencies: true
          dependencies-by-topic: true
    `).queues[0]!;
    assert.equal(q.perBranch, true);
    assert.equal(q.allowCircularDependencies, true);
    assert.equal(q.dependenciesByTopic, true);
  });

  test('dependencies-by-topic requires allow-circular-dependencies', () => {
    assertIsolatedError(stanza('queue', 'name: q\ndependencies-by-topic: true'), {
      message: /dependencies-by-topic.*allow-circular-dependencies/,
      at: 'dependencies-by-topic',
    });
    assertIsolatedError(
      stanza('queue', 'name: q\nallow-circular-dependencies: false\ndependencies-by-topic: true'),
      { message: /allow-circular-dependencies/, at: 'dependencies-by-topic' },
    );
  });

  test('errors', () => {
    assertIsolatedError(stanza('queue', 'name: q\nper-branch: sometimes'), {
      message: /expected bool for dictionary value @ data\['per-branch'\]/,
      at: 'per-branch',
    });
    assertIsolatedError(stanza('queue', 'name: q\nwindow: 3'), {
      message: /extra keys not allowed @ data\['window'\]/,
      at: 'window',
    });
  });
});

describe('pragma', () => {
  test('is never an object of the layout', () => {
    const r = parseClean('- pragma:\n    implied-branch-matchers: false\n');
    assert.equal(r.errors.length, 0);
    for (const [key, list] of Object.entries(r)) {
      assert.equal((list as unknown[]).length, 0, key);
    }
  });

  test('implied-branches: a regex, a list, and regex mappings', () => {
    const one = parseClean('- pragma:\n    implied-branches: master\n- job:\n    name: j\n');
    assert.deepEqual(
      one.jobs[0]!.pragmaImpliedBranches?.map((b) => [b.pattern, b.negate]),
      [['master', false]],
    );
    const list = parseClean(y`
      - job:
          name: j
      - pragma:
          implied-branches:
            - ^stable/.*
            - regex: ^feature/
              negate: true
    `);
    assert.deepEqual(
      list.jobs[0]!.pragmaImpliedBranches?.map((b) => [b.pattern, b.negate]),
      [
        ['^stable/.*', false],
        ['^feature/', true],
      ],
    );
    assert.equal(list.jobs[0]!.pragmaImpliedBranchMatchers, undefined);
  });

  test('several pragmas in a file are combined', () => {
    const r = parseClean(y`
      - pragma:
          implied-branch-matchers: true
      - job:
          name: j
      - pragma:
          implied-branches: master
    `);
    assert.equal(r.jobs[0]!.pragmaImpliedBranchMatchers, true);
    assert.deepEqual(
      r.jobs[0]!.pragmaImpliedBranches?.map((b) => b.pattern),
      ['master'],
    );
  });

  test("a pragma does not set a job's own branches", () => {
    const r = parseClean('- job:\n    name: j\n- pragma:\n    implied-branches: master\n');
    assert.equal(r.jobs[0]!.branches, undefined);
  });

  test('a bad pragma is an error; the rest of the file still loads without it', () => {
    const r = assertIsolatedError(stanza('pragma', 'implied-branch-matchers: true\nbogus: 1'), {
      message: /extra keys not allowed @ data\['bogus'\]/,
      at: 'bogus',
    });
    assert.equal(r.jobs[0]!.pragmaImpliedBranchMatchers, undefined);
  });

  test('an invalid implied-branches regex', () => {
    assertIsolatedError(stanza('pragma', "implied-branches:\n  - master\n  - '(bad'"), {
      message: /Invalid regular expression "\(bad"/,
      at: '(bad',
    });
  });

  test('wrong type of implied-branch-matchers', () => {
    assertIsolatedError(stanza('pragma', 'implied-branch-matchers: sometimes'), {
      message: /expected bool for dictionary value @ data\['implied-branch-matchers'\]/,
      at: 'implied-branch-matchers',
    });
  });
});

describe('launcher objects', () => {
  test('image: zuul and cloud types', () => {
    const r = parseClean(y`
      - image:
          name: debian-bookworm
          type: zuul
          description: Built by a job.
      - image:
          name: ubuntu-cloud
          type: cloud
    `);
    assert.deepEqual(r.images, [
      {
        name: 'debian-bookworm',
        type: 'zuul',
        description: 'Built by a job.',
        sourceContext: SOURCE,
      },
      { name: 'ubuntu-cloud', type: 'cloud', description: undefined, sourceContext: SOURCE },
    ]);
  });

  test('image errors', () => {
    assertIsolatedError(stanza('image', 'name: i\ntype: docker'), {
      message: /not a valid value for dictionary value @ data\['type'\]/,
      at: 'type',
    });
    assertIsolatedError(stanza('image', 'name: i'), {
      message: /required key not provided @ data\['type'\]/,
      at: '- image:',
    });
    assertIsolatedError(stanza('image', 'name: i\ntype: zuul\nformat: qcow2'), {
      message: /extra keys not allowed @ data\['format'\]/,
      at: 'format',
    });
  });

  test('flavor', () => {
    assert.deepEqual(parseClean('- flavor:\n    name: large\n    description: Big.\n').flavors, [
      { name: 'large', description: 'Big.', sourceContext: SOURCE },
    ]);
    assertIsolatedError(stanza('flavor', 'name: large\nram: 8192'), {
      message: /extra keys not allowed @ data\['ram'\]/,
      at: 'ram',
    });
  });

  test('label with every attribute', () => {
    const r = parseClean(y`
      - label:
          name: debian-large
          image: debian-bookworm
          flavor: large
          description: A label.
          min-ready: 2
          max-ready-age: 3600
          max-nodes: 10
    `);
    assert.deepEqual(r.labels, [
      {
        name: 'debian-large',
        image: 'debian-bookworm',
        flavor: 'large',
        description: 'A label.',
        minReady: 2,
        maxReadyAge: 3600,
        maxNodes: 10,
        sourceContext: SOURCE,
      },
    ]);
  });

  test('label errors', () => {
    assertIsolatedError(stanza('label', 'name: l\nimage: i'), {
      message: /required key not provided @ data\['flavor'\]/,
      at: '- label:',
    });
    assertIsolatedError(stanza('label', 'name: l\nimage: i\nflavor: f\nmin-ready: lots'), {
      message: /data\['min-ready'\]/,
      at: 'min-ready',
    });
  });

  test('section: known attributes, and driver keys kept as data', () => {
    const r = parseClean(y`
      - section:
          name: aws-base
          parent: base
          abstract: true
          connection: aws
          description: AWS.
          region: us-east-1
          launch-timeout: 600
          images:
            - debian-bookworm
            - name: ubuntu
              image-id: ami-123
          flavors: [large]
          labels: [debian-large]
          label-defaults:
            boot-timeout: 300
    `);
    assert.deepEqual(r.sections, [
      {
        name: 'aws-base',
        parent: 'base',
        abstract: true,
        connection: 'aws',
        description: 'AWS.',
        config: {
          region: 'us-east-1',
          'launch-timeout': 600,
          images: ['debian-bookworm', { name: 'ubuntu', 'image-id': 'ami-123' }],
          flavors: ['large'],
          labels: ['debian-large'],
          'label-defaults': { 'boot-timeout': 300 },
        },
        sourceContext: SOURCE,
      },
    ]);
  });

  test('section defaults and errors', () => {
    const s = parseClean('- section:\n    name: s\n').sections[0]!;
    assert.equal(s.abstract, false);
    assert.equal(s.parent, undefined);
    assert.deepEqual(s.config, {});
    assertIsolatedError(stanza('section', 'name: s\nimages: debian'), {
      message: /expected a list for dictionary value @ data\['images'\]/,
      at: 'images',
    });
    assertIsolatedError(stanza('section', 'name: s\nabstract: maybe'), {
      message: /expected bool for dictionary value @ data\['abstract'\]/,
      at: 'abstract',
    });
  });

  test('provider: driver keys kept as data', () => {
    const r = parseClean(y`
      - provider:
          name: aws-us-east-1
          section: aws-base
          region: us-east-1
          images: [debian-bookworm]
          labels:
            - name: debian-large
              max-age: 3600
          flavors: [large]
    `);
    assert.deepEqual(r.providers, [
      {
        name: 'aws-us-east-1',
        section: 'aws-base',
        config: {
          region: 'us-east-1',
          images: ['debian-bookworm'],
          labels: [{ name: 'debian-large', 'max-age': 3600 }],
          flavors: ['large'],
        },
        sourceContext: SOURCE,
      },
    ]);
  });

  test('provider: a "flavor" key is rejected ("only Section")', () => {
    assertIsolatedError(stanza('provider', 'name: p\nsection: s\nflavor:\n  name: large'), {
      message: /Flavor configuration not permitted in Provider, only Section/,
      at: 'flavor:',
    });
  });

  test('provider errors', () => {
    assertIsolatedError(stanza('provider', 'name: p'), {
      message: /required key not provided @ data\['section'\]/,
      at: '- provider:',
    });
    assertIsolatedError(stanza('provider', 'name: p\nsection: [a, b]'), {
      message: /expected str for dictionary value @ data\['section'\]/,
      at: 'section',
    });
    assertIsolatedError(stanza('provider', 'name: p\nsection: s\nconnection: aws'), {
      message: /connection/,
      at: 'connection',
    });
  });

  test('override tags have no meaning in launcher objects', () => {
    assertIsolatedError(stanza('section', 'name: s\nregion: !override us-east-1'), {
      message: /!override tag is only supported on job attributes/,
      at: 'region',
    });
  });
});

describe('every kind: a tag on the whole stanza', () => {
  for (const kind of ['job', 'nodeset', 'secret', 'semaphore', 'queue', 'project']) {
    test(`- ${kind}: !override {…}`, () => {
      assertIsolatedError(`- ${kind}: !override\n    name: x\n`, {
        message: new RegExp(`!override tag may not be applied to a whole ${kind} item`),
        at: 1,
      });
    });
  }
});
