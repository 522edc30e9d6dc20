// The `zuul-ts` command. Each subcommand lives in its own module and
// returns an exit code; this file only wires them to commander.

import { Command } from 'commander';
import { configCheck } from './config-check.js';
import { dbPruneCommand } from './db-prune.js';
import { encryptCommand } from './encrypt.js';
import { executorCommand, executorControlCommand } from './executor.js';
import { exportKeysCommand, importKeysCommand } from './keys.js';
import { mergerCommand } from './merger.js';
import { mergerCheckCommand } from './merger-check.js';
import { runJobCommand } from './run-job.js';
import { showJobsCommand } from './show-jobs.js';
import { tenantConfCheck } from './tenant-conf-check.js';
import { reconfigureCommand, serveCommand } from './web.js';

export const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('zuul-ts')
    .description('A project gating system that speaks Zuul')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('tenant-conf-check')
    .description('Validate the tenant file (main.yaml) named by zuul.conf')
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .action(async (opts: { config: string }) => {
      exitCode = await tenantConfCheck(opts.config);
    });

  program
    .command('config-check')
    .description("Load every tenant's projects from git and print every configuration error")
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--tenant <name>', 'check only this tenant')
    .option('--json', 'print the errors as JSON')
    .action(async (opts: { config: string; tenant?: string; json?: boolean }) => {
      exitCode = await configCheck(opts);
    });

  program
    .command('show-jobs')
    .description(
      "Print the job graph Zuul would freeze for a project's branch in a pipeline (freeze-jobs JSON)",
    )
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--files <list>', 'comma-separated changed files: freeze for a change to them')
    .option('--job <name>', "print this job's frozen parameters (freeze-job JSON)")
    .argument('<tenant>', 'tenant name')
    .argument('<pipeline>', 'pipeline name')
    .argument('<project>', 'project (short or canonical name)')
    .argument('<branch>', 'branch')
    .action(
      async (
        tenant: string,
        pipeline: string,
        project: string,
        branch: string,
        opts: { config: string; files?: string; job?: string },
      ) => {
        exitCode = await showJobsCommand({ ...opts, tenant, pipeline, project, branch });
      },
    );

  program
    .command('encrypt')
    .description("Encrypt a secret with a project's public key, as zuul-client encrypt does")
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--tenant <name>', 'tenant the project belongs to')
    .option('--project <name>', 'project (short or canonical name) whose key encrypts the secret')
    .option('--public-key <file>', 'use this PEM public key instead of the keystore')
    .option('--infile <file>', 'encrypt this file as it is (default: standard input, stripped)')
    .option('--outfile <file>', 'write the secret stanza here (default: standard output)')
    .option('--secret-name <name>', 'name of the secret in the stanza')
    .option('--field-name <name>', 'name of the data field in the stanza')
    .option('--no-strip', 'keep leading and trailing whitespace of standard input')
    .action(async (opts: Parameters<typeof encryptCommand>[0]) => {
      exitCode = await encryptCommand(opts);
    });

  program
    .command('export-keys')
    .description(
      'Back up every keystore key to a file (keys stay encrypted with the keystore password)',
    )
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--format <format>', 'zuul-ts, or zuul for zuul-admin import-keys', 'zuul-ts')
    .argument('<path>', 'file to write')
    .action(async (path: string, opts: { config: string; format: string }) => {
      exitCode = await exportKeysCommand({ ...opts, path });
    });

  program
    .command('import-keys')
    .description('Import keys from export-keys (or zuul-admin export-keys); existing keys are kept')
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--force', 'overwrite existing keys')
    .argument('<path>', 'file to read')
    .action(async (path: string, opts: { config: string; force?: boolean }) => {
      exitCode = await importKeysCommand({ ...opts, path });
    });

  program
    .command('web')
    .description('Run the web component (REST API) until SIGTERM/SIGINT; SIGHUP reconfigures')
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--tenant <name>', 'serve this tenant whitelabeled (/api/... without /tenant/<name>)')
    .action(async (opts: { config: string; tenant?: string }) => {
      exitCode = await serveCommand({ ...opts, version: VERSION, components: ['web'] });
    });

  program
    .command('serve')
    .description(
      'Run every component in one process (configuration loading, web, merger, executor) until SIGTERM/SIGINT',
    )
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--tenant <name>', 'serve this tenant whitelabeled (/api/... without /tenant/<name>)')
    .action(async (opts: { config: string; tenant?: string }) => {
      exitCode = await serveCommand({
        ...opts,
        version: VERSION,
        components: ['config-loader', 'web', 'merger', 'executor'],
      });
    });

  program
    .command('reconfigure')
    .description('Ask a running web/serve to reload the tenant file and every layout')
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .action(async (opts: { config: string }) => {
      exitCode = await reconfigureCommand(opts);
    });

  program
    .command('merger')
    .description('Run a merger: take merge requests from the state store until SIGTERM/SIGINT')
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option(
      '--lease <seconds>',
      'how long a request stays with this merger without a sign of life before another may take it over (default 60)',
    )
    .action(async (opts: { config: string; lease?: string }) => {
      exitCode = await mergerCommand({ ...opts, version: VERSION });
    });

  program
    .command('merger-check')
    .description('Merge REFs in order onto a branch; print each speculative commit and its files')
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--connection <name>', 'connection of the project (when several could serve it)')
    .option('--merge-mode <mode>', "merge mode (default: the connection driver's)")
    .option('--git-dir <dir>', 'use this cache directory instead of [merger] git_dir')
    .option('--json', 'print the merge result as JSON')
    .argument('<project>', 'project (name, or canonical name)')
    .argument('<branch>', 'target branch')
    .argument('<refs...>', 'change refs (or commits) to merge, head of the queue first')
    .action(
      async (
        project: string,
        branch: string,
        refs: string[],
        opts: {
          config: string;
          connection?: string;
          mergeMode?: string;
          gitDir?: string;
          json?: boolean;
        },
      ) => {
        exitCode = await mergerCheckCommand({ ...opts, project, branch, refs });
      },
    );

  program
    .command('db-prune')
    .description(
      'Delete build history older than a cutoff, in short batches (zuul-admin prune-database)',
    )
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option('--older-than <age>', 'relative cutoff, e.g. 90d or 24h')
    .option('--before <timestamp>', 'absolute UTC cutoff, e.g. "2025-01-31 12:00:00"')
    .option('--batch-size <n>', 'buildsets deleted per transaction (default 1000)')
    .action(
      async (opts: { config: string; olderThan?: string; before?: string; batchSize?: string }) => {
        exitCode = await dbPruneCommand(opts);
      },
    );

  program
    .command('executor')
    .description('Run an executor: take build requests from the state store until stopped')
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .option(
      '--lease <seconds>',
      'how long a build stays with this executor without a sign of life before another may take it over (default 60)',
    )
    .action(async (opts: { config: string; lease?: string }) => {
      exitCode = await executorCommand({ ...opts, version: VERSION });
    });

  for (const [name, command, description] of [
    ['executor-pause', 'pause', 'Tell the running executor to take no new builds'],
    ['executor-resume', 'unpause', 'Tell a paused executor to take builds again'],
    [
      'executor-graceful',
      'graceful',
      'Tell the running executor to take no new builds and exit once its running builds end',
    ],
  ] as const) {
    program
      .command(name)
      .description(description)
      .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
      .action(async (opts: { config: string }) => {
        exitCode = await executorControlCommand({ ...opts, command });
      });
  }

  program
    .command('run-job')
    .description(
      "Run a job of a project's job graph here, in the foreground, with its dependencies (exit 0 on SUCCESS)",
    )
    .requiredOption('-c, --config <path>', 'path to zuul.conf', '/etc/zuul/zuul.conf')
    .requiredOption('--tenant <name>', 'tenant name')
    .requiredOption('--project <name>', 'project (short or canonical name)')
    .requiredOption('--branch <name>', 'branch')
    .option('--pipeline <name>', 'pipeline whose job graph to use', 'check')
    .option('--ref <ref>', 'a change ref to merge into the branch, or refs/tags/… / refs/heads/…')
    .option('--no-deps', 'run only JOB, not the jobs it depends on')
    .option('--keep', 'keep the build directories')
    .option(
      '--work-dir <dir>',
      'where builds and logs go (default: [executor] state_dir, else a new temporary directory)',
    )
    .option('--no-sandbox', 'run Ansible without bubblewrap (only where it cannot run)')
    .argument('<job>', 'job name')
    .action(
      async (
        job: string,
        opts: {
          config: string;
          tenant: string;
          project: string;
          branch: string;
          pipeline: string;
          ref?: string;
          deps: boolean;
          keep?: boolean;
          workDir?: string;
          sandbox: boolean;
        },
      ) => {
        exitCode = await runJobCommand({
          ...opts,
          job,
          sandbox: opts.sandbox ? 'bwrap' : 'none',
        });
      },
    );

  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    // commander throws for --help/--version too; those are not failures.
    if (typeof code === 'number') return code;
    throw err;
  }
  return exitCode;
}
