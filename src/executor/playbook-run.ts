// Running one playbook of a build: its own ansible/<phase>_playbook_<n>
// directory (ansible.cfg, inventory without the names its secrets define,
// group_vars/all.yaml with the secrets), the banners in job-output.txt, and
// ansible-playbook started in the sandbox of its trust context.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExtraCallback } from './ansible-cfg.js';
import { ansibleCfg } from './ansible-cfg.js';
import type { AnsibleInstall } from './ansible-install.js';
import { type AnsibleRunResult, type CallbackEvent, runAnsible } from './ansible-process.js';
import { markUnsafe, toAnsibleYaml } from './ansible-yaml.js';
import type { BuildPaths, Phase, PreparedPlaybook } from './build-dir.js';
import type { JobOutput } from './job-output.js';
import { ensurePlaybookRecord } from './job-output-json.js';
import { bwrapArgs } from './sandbox.js';

export interface PlaybookContext {
  paths: BuildPaths;
  ansible: AnsibleInstall;
  plugins: string;
  /** `bwrap` (default) or `none` (no isolation; development only). */
  sandbox: 'bwrap' | 'none';
  bwrap: string;
  inventory: Record<string, unknown>;
  /** Extra-vars files for every playbook (zuul_vars.yaml, site variables). */
  extraVarsFiles: string[];
  failureOutput: string[];
  callbacks: readonly ExtraCallback[];
  trustedRoPaths: readonly string[];
  trustedRwPaths: readonly string[];
  untrustedRoPaths: readonly string[];
  untrustedRwPaths: readonly string[];
  sshAuthSock?: string;
  jobOutput: JobOutput;
  signal: AbortSignal;
  onEvent?: (ev: CallbackEvent) => void;
}

export interface PlaybookRun {
  phase: Phase;
  index: number;
  playbook: PreparedPlaybook;
  /** Milliseconds left for this playbook; null = no limit. */
  timeoutMs: number | null;
  /** Post-run playbooks: `zuul_success` and `zuul_will_retry`. */
  success?: boolean;
  willRetry?: boolean;
  /** Overrides the build's abort signal (cleanup playbooks run to the end). */
  signal?: AbortSignal;
}

const DIR_PREFIX: Record<Phase, string> = {
  pre: 'pre_playbook',
  run: 'playbook',
  post: 'post_playbook',
};
/** The playbook's own directory under ansible/ (its config, inventory and role links). */
export function playbookDir(paths: BuildPaths, phase: Phase, index: number): string {
  return join(paths.ansible, `${DIR_PREFIX[phase]}_${index}`);
}

const BANNER: Record<Phase, string> = { pre: 'PRE-RUN', run: 'RUN', post: 'POST-RUN' };

/** Variables that make SSH ignore local commands from untrusted inventories or playbooks. */
export const UNTRUSTED_HARDENING = {
  ansible_ssh_executable: 'ssh',
  ansible_ssh_common_args: '-o PermitLocalCommand=no',
  ansible_sftp_extra_args: '-o PermitLocalCommand=no',
  ansible_scp_extra_args: '-o PermitLocalCommand=no',
  ansible_ssh_extra_args: '-o PermitLocalCommand=no',
};

/** The inventory with every top-level variable the secrets define removed (the secret must win). */
function inventoryWithout(inv: Record<string, unknown>, names: Set<string>): unknown {
  if (names.size === 0) return inv;
  const strip = (vars: unknown): unknown => {
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) return vars;
    return Object.fromEntries(Object.entries(vars).filter(([k]) => !names.has(k)));
  };
  const walkGroup = (group: unknown): unknown => {
    if (typeof group !== 'object' || group === null) return group;
    const g = { ...(group as Record<string, unknown>) };
    if (g.vars) g.vars = strip(g.vars);
    if (g.hosts && typeof g.hosts === 'object') {
      g.hosts = Object.fromEntries(
        Object.entries(g.hosts as Record<string, unknown>).map(([h, v]) => [h, strip(v)]),
      );
    }
    if (g.children && typeof g.children === 'object') {
      g.children = Object.fromEntries(
        Object.entries(g.children as Record<string, unknown>).map(([n, c]) => [n, walkGroup(c)]),
      );
    }
    return g;
  };
  return Object.fromEntries(Object.entries(inv).map(([n, g]) => [n, walkGroup(g)]));
}

function banner(run: PlaybookRun, what: string): string {
  const pb = run.playbook;
  const ctx = pb.trusted ? 'trusted' : 'untrusted';
  return `${BANNER[run.phase]} ${what}: [${ctx} : ${pb.canonicalNameAndPath}@${pb.branch}]`;
}

export async function runPlaybook(
  ctx: PlaybookContext,
  run: PlaybookRun,
): Promise<AnsibleRunResult> {
  const pb = run.playbook;
  const p = ctx.paths;
  const dir = playbookDir(p, run.phase, run.index);
  const groupVars = join(dir, 'group_vars');
  mkdirSync(groupVars, { recursive: true, mode: 0o700 });
  const inventory = join(dir, 'inventory.yaml');
  const secrets = pb.secrets ?? {};
  writeFileSync(
    inventory,
    toAnsibleYaml(inventoryWithout(ctx.inventory, new Set(Object.keys(secrets)))),
  );
  const cfg = join(dir, 'ansible.cfg');
  writeFileSync(
    cfg,
    ansibleCfg({
      paths: p,
      inventory,
      plugins: ctx.plugins,
      rolesPath: pb.rolesPath,
      callbacks: ctx.callbacks,
    }),
  );

  const extraVars: Record<string, string> = {
    zuul_execution_phase: run.phase,
    zuul_execution_phase_index: String(run.index),
    zuul_execution_trusted: pb.trusted ? 'True' : 'False',
    zuul_execution_canonical_name_and_path: pb.canonicalNameAndPath,
    zuul_execution_branch: pb.branch,
  };
  if (run.phase === 'post') {
    extraVars.zuul_success = run.success ? 'True' : 'False';
    extraVars.zuul_will_retry = run.willRetry ? 'True' : 'False';
  }
  const varsFiles = [...ctx.extraVarsFiles];
  if (!pb.trusted) varsFiles.push(p.varsBlacklist);
  const ansibleArgs = [
    ctx.ansible.playbook,
    pb.path,
    ...varsFiles.flatMap((f) => ['-e', `@${f}`]),
    '-e',
    JSON.stringify(extraVars),
  ];

  const secretsYaml = Object.keys(secrets).length ? toAnsibleYaml(markUnsafe(secrets)) : undefined;
  const secretsFile = join(groupVars, 'all.yaml');
  let argv = ansibleArgs;
  const fdContents: string[] = [];
  if (ctx.sandbox === 'bwrap') {
    if (secretsYaml) fdContents.push(secretsYaml);
    argv = [
      ctx.bwrap,
      ...bwrapArgs({
        paths: p,
        trusted: pb.trusted,
        playbookDir: dir,
        roFiles: varsFiles,
        ansibleRoots: ctx.ansible.roots,
        plugins: ctx.plugins,
        roPaths: pb.trusted ? ctx.trustedRoPaths : ctx.untrustedRoPaths,
        rwPaths: pb.trusted ? ctx.trustedRwPaths : ctx.untrustedRwPaths,
        memoryFiles: secretsYaml ? [{ fd: 3, dest: secretsFile, dir: groupVars }] : [],
        sshAuthSock: ctx.sshAuthSock,
      }),
      '--',
      ...ansibleArgs,
    ];
  } else if (secretsYaml) {
    writeFileSync(secretsFile, secretsYaml, { mode: 0o600 });
  }

  const env: Record<string, string> = {
    PATH: `${dirname(ctx.ansible.playbook)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: p.work,
    LANG: 'C.UTF-8',
    TMPDIR: ctx.sandbox === 'bwrap' ? '/tmp' : p.tmp,
    ANSIBLE_CONFIG: cfg,
    ANSIBLE_NOCOLOR: '1',
    ZUUL_JOBDIR: p.root,
    ZUUL_JOB_OUTPUT_FILE: p.jobOutput,
    ZUUL_TS_FAILURE_OUTPUT: JSON.stringify(ctx.failureOutput),
  };
  if (process.env.TZ) env.TZ = process.env.TZ;
  if (ctx.sshAuthSock) env.SSH_AUTH_SOCK = ctx.sshAuthSock;

  ctx.jobOutput.line(banner(run, 'START'));
  try {
    const result = await runAnsible({
      argv,
      env,
      cwd: p.work,
      timeoutMs: run.timeoutMs,
      fdContents,
      signal: run.signal ?? ctx.signal,
      onEvent: ctx.onEvent,
    });
    if (result.outcome === 'NORMAL' && result.exitCode !== 0 && result.exitCode !== 2) {
      // Ansible stopped before or outside the plays (syntax error, missing
      // role, sandbox failure): its own message is the only explanation.
      for (const line of result.output) ctx.jobOutput.line(line);
    }
    if (result.outcome !== 'NORMAL' || (result.exitCode !== 0 && result.exitCode !== 2)) {
      const reason =
        result.outcome === 'TIMED_OUT'
          ? 'Ansible timeout exceeded'
          : result.outcome === 'ABORTED'
            ? 'Build aborted'
            : `ansible-playbook exited with code ${result.exitCode}`;
      ensurePlaybookRecord(p.jobOutputJson, run.phase, run.index, pb, reason);
    }
    ctx.jobOutput.line(banner(run, `END RESULT_${result.outcome}`));
    return result;
  } finally {
    if (ctx.sandbox !== 'bwrap' && secretsYaml) rmSync(secretsFile, { force: true });
  }
}
