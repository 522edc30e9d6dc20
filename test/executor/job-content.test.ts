// What a job's playbooks get, run for real through `zuul-ts run-job`:
// roles from other repositories (`roles:`, a collection and a bare role),
// a role repository written in the style of zuul-jobs (zuul.projects,
// zuul.executor.log_root, zuul_return), zuul_return data, secret data and
// artifacts passed from a parent job to its child, and a secret that its
// playbook sees but no log file contains.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runJobCommand } from '../../src/cli/run-job.js';
import { loadZuulConf } from '../../src/config/zuul-conf.js';
import { encryptSecret, formatSecretStanza } from '../../src/lib/crypto/secrets.js';
import { openStore, storeOptionsFromConf } from '../../src/store/db.js';
import { Keystore } from '../../src/store/keystore.js';
import { BASE_CONFIG, deploy, HOST, type TestDeployment } from './deployment.js';

const SECRET = 'sup3r-s3cret-value';
const SECRET_RETURN = 'tok-secret-xyz';

async function runJob(d: TestDeployment, job: string, extra: Record<string, unknown> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runJobCommand(
    {
      config: d.confPath,
      tenant: 'tenant-one',
      project: 'org/project',
      branch: 'master',
      job,
      ...extra,
    },
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
  );
  const logDirs = [...stderr.matchAll(/: [A-Z_]+(?: \(.*\))?; logs: file:\/\/(\S+)\//g)].map(
    (m) => m[1]!,
  );
  return { code, stdout, stderr, logDirs };
}

/** Every file below `dir`, recursively. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...files(p));
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

const PROJECT = `- job:
    name: role-user
    run: playbooks/role-user.yaml
    roles:
      - zuul: org/roles
      - zuul: org/bare-role

- job:
    name: returner
    run: playbooks/returner.yaml

- job:
    name: receiver
    dependencies: [returner]
    run: playbooks/receiver.yaml

- project:
    check:
      jobs:
        - role-user
        - zj-list
        - returner
        - receiver
        - secret-user
`;

const ROLE_USER = `- hosts: localhost
  gather_facts: false
  roles:
    - greet
    - bare-role
`;

const RETURNER = `- hosts: localhost
  gather_facts: false
  tasks:
    - zuul_return:
        data:
          built:
            flavour: vanilla
            count: 3
          zuul:
            artifacts:
              - name: docs
                url: docs/index.html
                metadata:
                  type: docs_site
        secret_data:
          deploy_token: ${SECRET_RETURN}
`;

const RECEIVER = `- hosts: localhost
  gather_facts: false
  tasks:
    - name: parent data arrived
      assert:
        that:
          - built.flavour == 'vanilla'
          - built.count == 3
          - deploy_token == '${SECRET_RETURN}'
          - zuul.artifacts | length == 1
          - zuul.artifacts[0].name == 'docs'
          - zuul.artifacts[0].job == 'returner'
          - zuul.artifacts[0].metadata.type == 'docs_site'
          - zuul.artifacts[0].url.endswith('/docs/index.html')
    - debug:
        msg: "artifact {{ zuul.artifacts[0].name }} at {{ zuul.artifacts[0].url }}"
`;

// A role repository the way zuul-jobs writes roles: plays on all hosts,
// files put into the executor's log root, data handed back with zuul_return.
const ZJ_CONFIG = `- job:
    name: zj-list
    run: playbooks/list.yaml
    required-projects:
      - org/roles
    nodeset:
      nodes:
        - name: controller
          label: ubuntu-noble
`;

const ZJ_PLAYBOOK = `- hosts: all
  roles:
    - list-projects
`;

const ZJ_ROLE = `- name: Write the projects of this build into the logs
  copy:
    dest: "{{ zuul.executor.log_root }}/projects.txt"
    content: |
      {% for name, p in zuul.projects.items() | sort %}
      {{ p.canonical_name }} {{ p.src_dir }} {{ p.checkout }} {{ p.commit }} {{ p.required }}
      {% endfor %}
  delegate_to: localhost

- name: Find the commit under test
  command: git rev-parse HEAD
  args:
    chdir: "{{ zuul.executor.work_root }}/{{ zuul.project.src_dir }}"
  register: head

- name: Hand the list back to Zuul
  zuul_return:
    data:
      zuul:
        artifacts:
          - name: Project list
            url: projects.txt
      checked_commit: "{{ head.stdout }}"
`;

describe('job content through run-job', () => {
  let d: TestDeployment;
  before(async () => {
    d = deploy({
      config: { files: { 'zuul.yaml': BASE_CONFIG } },
      'org/project': {
        files: {
          '.zuul.yaml': PROJECT,
          'playbooks/role-user.yaml': ROLE_USER,
          'playbooks/returner.yaml': RETURNER,
          'playbooks/receiver.yaml': RECEIVER,
        },
      },
      'org/roles': {
        files: {
          'roles/greet/tasks/main.yaml': `- copy:
    dest: "{{ zuul.executor.log_root }}/greeting.txt"
    content: "greetings from the greet role of {{ zuul.job }}\\n"
`,
        },
      },
      'org/bare-role': {
        files: {
          'tasks/main.yaml': `- copy:
    dest: "{{ zuul.executor.log_root }}/bare.txt"
    content: "bare role ran\\n"
`,
        },
      },
      'org/zj': {
        files: {
          'zuul.yaml': ZJ_CONFIG,
          'playbooks/list.yaml': ZJ_PLAYBOOK,
          'roles/list-projects/tasks/main.yaml': ZJ_ROLE,
        },
      },
    });
    // The secret is encrypted with the config project's key from the keystore.
    const conf = loadZuulConf(d.confPath);
    const store = await openStore(storeOptionsFromConf(conf));
    try {
      const key = await new Keystore(store, 'keystore-password', {
        secretsKeyBits: 2048,
      }).getProjectSecretsKey('git', 'config');
      const stanza = formatSecretStanza(encryptSecret(SECRET, key.publicKey), {
        secretName: 'site-password',
        fieldName: 'password',
      });
      d.repo('config').commit('master', {
        'zuul.yaml': `${BASE_CONFIG}\n${stanza}
- job:
    name: secret-user
    run: playbooks/secret.yaml
    secrets:
      - name: site_password
        secret: site-password
`,
        'playbooks/secret.yaml': `- hosts: localhost
  gather_facts: false
  tasks:
    - name: the secret is there
      assert:
        that:
          - site_password.password | hash('sha1') == '${sha1(SECRET)}'
    - name: it is not templated
      assert:
        that:
          - site_password.password | length == ${SECRET.length}
    - name: a log file the job writes itself
      copy:
        dest: "{{ zuul.executor.log_root }}/note.txt"
        content: "secret has {{ site_password.password | length }} characters\\n"
`,
      });
    } finally {
      await store.close();
    }
  });
  after(() => d.cleanup());

  it('uses roles from other repositories, a collection and a bare role', async () => {
    const r = await runJob(d, 'role-user');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [logs] = r.logDirs;
    assert.equal(
      readFileSync(join(logs!, 'greeting.txt'), 'utf8'),
      'greetings from the greet role of role-user\n',
    );
    assert.equal(readFileSync(join(logs!, 'bare.txt'), 'utf8'), 'bare role ran\n');
  });

  it('runs a zuul-jobs style role repository unmodified', async () => {
    const r = await runJob(d, 'zj-list');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [logs] = r.logDirs;
    const listed = readFileSync(join(logs!, 'projects.txt'), 'utf8').trim().split('\n');
    const head = (name: string) => gitHead(d, name);
    assert.deepEqual(listed, [
      `${HOST}/org/project src/${HOST}/org/project master ${head('org/project')} False`,
      `${HOST}/org/roles src/${HOST}/org/roles master ${head('org/roles')} True`,
    ]);
    assert.match(r.stdout, /controller \| .*(ok|changed)/);
  });

  it('passes zuul_return data, secret data and artifacts from a parent to its child', async () => {
    const r = await runJob(d, 'receiver');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /returner: SUCCESS/);
    assert.match(r.stderr, /receiver: SUCCESS/);
    const parentLogs = r.logDirs[0]!;
    assert.ok(
      r.stdout.includes(`artifact docs at file://${parentLogs}/docs/index.html`),
      'the relative artifact URL points into the parent build logs',
    );
    for (const dir of r.logDirs) {
      for (const f of files(dir)) {
        assert.ok(!readFileSync(f, 'utf8').includes(SECRET_RETURN), `${f} holds the secret data`);
      }
    }
    // Without its parent, the child has nothing to check.
    const alone = await runJob(d, 'receiver', { deps: false });
    assert.equal(alone.code, 1);
    assert.doesNotMatch(alone.stderr, /returner:/);
  });

  it('gives a secret to its playbook and keeps it out of every log file', async () => {
    const r = await runJob(d, 'secret-user', { keep: true });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [logs] = r.logDirs;
    assert.equal(
      readFileSync(join(logs!, 'note.txt'), 'utf8'),
      `secret has ${SECRET.length} characters\n`,
    );
    const uuid = logs!.split('/').pop()!;
    const buildDir = join(d.root, 'state', 'builds', uuid);
    const all = [...files(logs!), ...files(buildDir)];
    assert.ok(all.some((f) => f.endsWith('job-output.json')));
    for (const f of all) {
      assert.ok(!readFileSync(f).includes(SECRET), `${f} holds the secret`);
    }
  });
});

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function gitHead(d: TestDeployment, name: string): string {
  return readFileSync(
    join(d.root, 'upstream', name, '.git', 'refs', 'heads', 'master'),
    'utf8',
  ).trim();
}
