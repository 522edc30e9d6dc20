// Benchmark: parse all of OpenDev's in-repo configuration (project-config
// and openstack-zuul-jobs zuul.d/) plus its tenant file, N times. Prints the
// median and spread of one full parse and the peak RSS.
//
// Run: npm run bench:config-parse   (ZUUL_TS_BENCH_RUNS=20 by default)

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigFile } from '../src/config/config-file.js';
import { parseOptionsFor } from '../src/config/system.js';
import { parseTenantFile } from '../src/config/tenant-file.js';
import type { Connection } from '../src/drivers/driver.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = resolve(
  process.env.ZUUL_TS_CORPUS ?? join(here, '../../../shared/corpus'),
  'opendev',
);
const runs = Number(process.env.ZUUL_TS_BENCH_RUNS ?? 20);

const files: { project: string; path: string; bytes: Buffer }[] = [];
for (const project of ['project-config', 'openstack-zuul-jobs']) {
  const dir = join(corpus, project, 'zuul.d');
  for (const name of readdirSync(dir).sort()) {
    files.push({ project, path: `zuul.d/${name}`, bytes: readFileSync(join(dir, name)) });
  }
}
const tenantText = readFileSync(join(corpus, 'tenant-config/main.yaml'), 'utf8');
const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0) + tenantText.length;

const drivers: Record<string, string> = {
  gerrit: 'gerrit',
  github: 'github',
  googlesource: 'gerrit',
  smtp: 'smtp',
  timer: 'timer',
  zuul: 'zuul',
};
const connections = new Map(
  Object.entries(drivers).map(([name, driverName]) => [name, { driverName } as Connection]),
);
const parseOptions = parseOptionsFor(connections);

function parseAll(): number {
  parseTenantFile(tenantText, {
    fileName: 'main.yaml',
    connectionNames: new Set(Object.keys(drivers)),
  });
  let objects = 0;
  for (const f of files) {
    const parsed = parseConfigFile(
      f.bytes,
      {
        project: f.project,
        projectCanonical: `review.opendev.org/openstack/${f.project}`,
        connection: 'gerrit',
        branch: 'master',
        path: f.path,
        trusted: f.project === 'project-config',
      },
      parseOptions,
    );
    if (parsed.errors.some((e) => e.severity === 'error')) {
      throw new Error(
        `unexpected error in ${f.project}/${f.path}: ${parsed.errors[0]!.shortError}`,
      );
    }
    objects +=
      parsed.jobs.length +
      parsed.projects.length +
      parsed.projectTemplates.length +
      parsed.pipelines.length +
      parsed.secrets.length +
      parsed.nodesets.length;
  }
  return objects;
}

// One warm-up run: the first parse compiles schemas and JITs the parser.
const objects = parseAll();
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  parseAll();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(
  `config-parse: ${files.length} files + tenant file, ${(totalBytes / 1024).toFixed(0)} KiB, ${objects} objects`,
);
console.log(`runs: ${runs}`);
console.log(
  `median: ${median.toFixed(1)} ms   min: ${times[0]!.toFixed(1)} ms   max: ${times[times.length - 1]!.toFixed(1)} ms`,
);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
