// The `zuul-ts` command. Each subcommand lives in its own module and
// returns an exit code; this file only wires them to commander.

import { Command } from 'commander';
import { configCheck } from './config-check.js';
import { tenantConfCheck } from './tenant-conf-check.js';

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
