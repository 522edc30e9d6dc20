// Zuul's own test scenarios must load with exactly the configuration errors
// Zuul reports for them: same count, order, severity, category, project,
// branch, file and message. The expectations come from running Zuul on the
// same fixtures (docs/research/fixture-errors.md); where zuul-ts differs on
// purpose (docs/compatibility.md) or Zuul 14 differs from the Zuul that
// produced the fixtures, the entry says so.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ConfigError } from '../../src/model/config-error.js';
import { fixtureLayouts } from '../helpers/fixture-layouts.js';

/** `severity name project@branch:path` plus a pattern for the short error, and optionally the 1-based line. */
type Expected = [where: string, message: RegExp, line?: number];

interface Scenario {
  /** Errors per tenant; tenants not listed must have none. */
  tenants: Record<string, Expected[]>;
  /** Zuul test conf the scenario's test class uses. */
  conf?: string;
  /** Projects that have no repository at all in Zuul's fixtures either. */
  missingRepos?: [connection: string, project: string][];
}

const REGEX_DEPRECATION =
  /^All regular expressions must conform to RE2 syntax, but an expression using the deprecated Perl-style syntax has been detected/;
const CLEANUP_RUN =
  /^The cleanup-run job attribute is deprecated\. {2}Replace it with post-run playbooks with the `cleanup` attribute set\.$/;
const REQUIRE_APPROVAL =
  /^The 'require-approval' trigger attribute is deprecated\. {2}Use 'require' instead\.$/;
const REJECT_APPROVAL =
  /^The 'reject-approval' trigger attribute is deprecated\. {2}Use 'reject' instead\.$/;
const MULTIPLE_CONFIGS = /ignored because project-branch is already configured\.$/;

const CLEAN = { tenants: { 'tenant-one': [] } };

const SCENARIOS: Record<string, Scenario> = {
  // Scenarios that load without any error or warning.
  abstract: CLEAN,
  'allowed-projects': CLEAN,
  'base-jobs': CLEAN,
  'branch-variants': CLEAN,
  'central-jobs': CLEAN,
  'dependency-graph': CLEAN,
  'duplicate-pipeline': { tenants: { 'tenant-duplicate': [] } },
  'empty-config': CLEAN,
  'empty-config-file': CLEAN,
  final: CLEAN,
  'implicit-project': CLEAN,
  'include-vars': CLEAN,
  intermediate: CLEAN,
  nodesets: CLEAN,
  'parse-errors': CLEAN,
  'pass-to-parent': CLEAN,
  pragma: CLEAN,
  'pragma-multibranch': CLEAN,
  protected: CLEAN,
  'regex-project': CLEAN,
  secrets: CLEAN,
  semaphore: CLEAN,
  shadow: CLEAN,
  'unsafe-vars': CLEAN,
  'multi-tenant': { tenants: { 'tenant-one': [], 'tenant-two': [], 'tenant-three': [] } },
  'two-tenant': { tenants: { 'tenant-one': [], 'tenant-two': [] } },
  'ambiguous-names': { ...CLEAN, conf: 'zuul-connections-multiple-gerrits.conf' },
  'wrong-connection-in-pipeline': { ...CLEAN, conf: 'zuul-connections-multiple-gerrits.conf' },

  // Scenarios with errors.
  broken: {
    missingRepos: [['gerrit', 'org/project3']],
    tenants: {
      'tenant-broken': [
        [
          'error Unknown org/project3@:',
          /^Zuul encountered an error while accessing the repo org\/project3\. {2}The error was:/,
        ],
        // zuul-ts refuses the invalid timer spec `*/30 * * * * 300` (seconds
        // out of range), which Zuul only logs: see docs/compatibility.md.
        [
          'error Unknown common-config@master:zuul.yaml',
          /^Invalid timer time "\*\/30 \* \* \* \* 300"/,
        ],
        [
          'error Unknown org/project2@master:.zuul.yaml',
          /^expected a dictionary for dictionary value @ data\['error'\]$/,
        ],
      ],
      'tenant-good': [],
    },
  },
  'broken-trusted': {
    tenants: {
      'tenant-one': [
        ['error Unknown org/project@master:.zuul.yaml', /^Job undefined-job not defined$/],
      ],
    },
  },
  'broken-multi-tenant': {
    tenants: {
      'tenant-one': [],
      'tenant-two': [
        ['error Unknown org/project2@master:zuul.yaml', /^Job parent-job not defined$/],
      ],
    },
  },
  'allowed-projects-trusted': {
    missingRepos: [['gerrit', 'org/project3']],
    tenants: {
      'tenant-one': [
        [
          'error Unknown org/project3@:',
          /^Zuul encountered an error while accessing the repo org\/project3\./,
        ],
      ],
    },
  },
  'secret-inheritance': {
    tenants: {
      'tenant-one': [
        [
          'error Unknown org/project@master:.zuul.yaml',
          /^Variable names may only contain letters, numbers, and underscores$/,
        ],
      ],
    },
  },
  'change-queues': {
    tenants: {
      'tenant-one': [
        [
          'error Unknown org/project@master:.zuul.yaml',
          /^Queue integrated already defined in project common-config$/,
        ],
      ],
    },
  },
  'job-update-broken': {
    tenants: {
      'tenant-one': [
        [
          'error Unknown org/project@master:zuul.d/existing.yaml',
          /^extra keys not allowed @ data\['foo'\]$/,
        ],
        [
          'error Template Not Found org/project@master:zuul.d/project.yaml',
          /^The project template "files-template" was not found\.$/,
        ],
      ],
    },
  },
  'global-semaphores-config': {
    tenants: {
      'tenant-one': [
        [
          'error Unknown org/project1@master:zuul.yaml',
          /^Semaphore global-semaphore shadows a global semaphore and will be ignored$/,
        ],
      ],
      'tenant-two': [],
      'tenant-three': [],
    },
  },
  'ansible-versions': {
    tenants: {
      // Zuul 14 removed Ansible 8, which this scenario's jobs still request
      // (the fixtures come from a Zuul that supported it).
      // The job stanza is dropped, so the project pipelines naming it fail too.
      'tenant-one': [
        [
          'error Unknown common-config@master:zuul.yaml',
          /^Requested Ansible version "8" is not supported/,
        ],
        ['error Unknown common-config@master:zuul.yaml', /^Job ansible-8 not defined$/],
        ['error Unknown common-config@master:zuul.yaml', /^Job ansible-8 not defined$/],
      ],
    },
  },

  // Scenarios with warnings only.
  'conflict-config': {
    tenants: {
      'tenant-one': [
        ['warning Multiple Project Configurations common-config@master:zuul.d/', MULTIPLE_CONFIGS],
        [
          'warning Multiple Project Configurations common-config@master:.zuul.yaml',
          MULTIPLE_CONFIGS,
        ],
        ['warning Multiple Project Configurations common-config@master:.zuul.d/', MULTIPLE_CONFIGS],
        ['warning Multiple Project Configurations org/project@master:.zuul.yaml', MULTIPLE_CONFIGS],
      ],
    },
  },
  'cleanup-playbook': {
    tenants: {
      'tenant-one': [
        ['warning Cleanup Run Deprecation common-config@master:zuul.yaml', CLEANUP_RUN],
        ['warning Cleanup Run Deprecation common-config@master:zuul.yaml', CLEANUP_RUN],
      ],
    },
  },
  'single-tenant': {
    tenants: {
      'tenant-one': [
        ['warning Regex Deprecation common-config@master:zuul.yaml', REGEX_DEPRECATION],
        ['warning Cleanup Run Deprecation common-config@master:zuul.yaml', CLEANUP_RUN],
      ],
    },
  },
  'templated-project': {
    tenants: {
      'tenant-one': [
        ['warning Regex Deprecation common-config@master:zuul.d/pipelines.yaml', REGEX_DEPRECATION],
      ],
    },
  },
  'branch-negative': {
    tenants: {
      'tenant-one': [
        ['warning Regex Deprecation org/project@master:.zuul.yaml', REGEX_DEPRECATION],
      ],
    },
  },
  'config-project-branch-matcher': {
    tenants: {
      'tenant-one': [
        ['warning Regex Deprecation common-config@master:zuul.d/pipelines.yaml', REGEX_DEPRECATION],
      ],
    },
  },
  'requirements/email': {
    tenants: {
      'tenant-one': [
        [
          'warning Gerrit require-approval Deprecation common-config@master:zuul.yaml',
          REQUIRE_APPROVAL,
        ],
      ],
    },
  },
  'requirements/reject': {
    tenants: {
      'tenant-one': [
        [
          'warning Gerrit require-approval Deprecation common-config@master:zuul.yaml',
          REQUIRE_APPROVAL,
        ],
        [
          'warning Gerrit reject-approval Deprecation common-config@master:zuul.yaml',
          REJECT_APPROVAL,
        ],
      ],
    },
  },
};

function where(e: ConfigError): string {
  const s = e.sourceContext;
  return `${e.severity} ${e.name} ${s?.project ?? ''}@${s?.branch ?? ''}:${s?.path ?? ''}`;
}

async function loadErrors(name: string, scenario: Scenario): Promise<Map<string, ConfigError[]>> {
  const layouts = await fixtureLayouts(name, { conf: scenario.conf }, (d) => {
    for (const [connection, project] of scenario.missingRepos ?? []) {
      rmSync(d.repoPath(connection, project), { recursive: true, force: true });
    }
  });
  return new Map([...layouts].map(([tenant, layout]) => [tenant, [...layout.errors]]));
}

describe("Zuul's fixture scenarios load with Zuul's errors", () => {
  test('the table covers at least 30 scenarios', () => {
    assert.ok(Object.keys(SCENARIOS).length >= 30);
  });

  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    test(name, async () => {
      const errors = await loadErrors(name, scenario);
      assert.deepEqual([...errors.keys()].sort(), Object.keys(scenario.tenants).sort(), 'tenants');
      for (const [tenant, expected] of Object.entries(scenario.tenants)) {
        const actual = errors.get(tenant)!;
        const shown = actual.map((e) => `${where(e)} :: ${e.shortError.split('\n')[0]}`);
        assert.equal(
          actual.length,
          expected.length,
          `${tenant}: ${JSON.stringify(shown, null, 1)}`,
        );
        expected.forEach(([loc, message, line], i) => {
          const e = actual[i]!;
          assert.equal(where(e), loc, `${tenant} #${i + 1}`);
          assert.match(e.shortError, message, `${tenant} #${i + 1}`);
          if (line !== undefined)
            assert.equal((e.mark?.line ?? -1) + 1, line, `${tenant} #${i + 1} line`);
          // Every error carries Zuul's full text with its intro.
          assert.match(e.error, /^Zuul encountered /);
        });
      }
    });
  }
});
