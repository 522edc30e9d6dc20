// `zuul-ts export-keys FILE` and `zuul-ts import-keys FILE [--force]`: a
// backup of every keystore key, as `zuul-admin export-keys/import-keys`
// make. The keys stay encrypted with `[keystore] password`; the file is
// still sensitive and is written readable by its owner only. Importing also
// accepts a file written by `zuul-admin export-keys`.

import { chmod, readFile, writeFile } from 'node:fs/promises';
import { loadZuulConf } from '../config/zuul-conf.js';
import { openStore, type Store, storeOptionsFromConf } from '../store/db.js';
import { type ExportFormat, Keystore } from '../store/keystore.js';

async function withKeystore<T>(confPath: string, fn: (k: Keystore) => Promise<T>): Promise<T> {
  const conf = loadZuulConf(confPath);
  // Read the password before opening anything: a missing one is the likelier mistake.
  conf.require('keystore', 'password');
  const store: Store = await openStore(storeOptionsFromConf(conf));
  try {
    return await fn(Keystore.fromConf(store, conf));
  } finally {
    await store.close();
  }
}

export async function exportKeysCommand(opts: {
  config: string;
  path: string;
  format: string;
}): Promise<number> {
  try {
    if (opts.format !== 'zuul-ts' && opts.format !== 'zuul') {
      throw new Error(`--format must be zuul-ts or zuul, not ${opts.format}`);
    }
    const data = await withKeystore(opts.config, (k) => k.exportKeys(opts.format as ExportFormat));
    await writeFile(opts.path, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    // writeFile's mode only applies to a new file; an old backup keeps its mode otherwise.
    await chmod(opts.path, 0o600);
    const n = Object.values(data.keys).reduce((sum, node) => sum + node.keys.length, 0);
    console.log(`Exported ${n} key(s) to ${opts.path}`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}

export async function importKeysCommand(opts: {
  config: string;
  path: string;
  force?: boolean;
}): Promise<number> {
  try {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(opts.path, 'utf8'));
    } catch (err) {
      // Not JSON.parse's message: it quotes the file, which holds keys.
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`Unable to read ${opts.path}: ${code ?? 'not valid JSON'}`);
    }
    const report = await withKeystore(opts.config, (k) =>
      k.importKeys(data, { overwrite: opts.force === true }),
    );
    for (const path of report.skipped) {
      console.error(`warning: ${path}: not a key zuul-ts keeps; skipped`);
    }
    const kept = report.kept ? `, kept ${report.kept} existing (use --force to overwrite)` : '';
    console.log(`Imported ${report.created} new and ${report.updated} replaced key(s)${kept}`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}
