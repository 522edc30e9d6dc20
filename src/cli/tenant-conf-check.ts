// `zuul-ts tenant-conf-check -c zuul.conf`: validates the tenant file.
// Exit 0 when it loads, 1 when it does not.

import { loadSystemConfig, loadTenantFile } from '../config/system.js';

export async function tenantConfCheck(confPath: string): Promise<number> {
  try {
    const system = loadSystemConfig(confPath);
    for (const w of system.warnings) console.error(`warning: ${w}`);
    const file = await loadTenantFile(system);
    for (const w of file.warnings) {
      console.error(`warning: ${w.line ? `line ${w.line}: ` : ''}${w.message}`);
    }
    const projects = file.tenants.reduce((n, t) => n + t.projects.length, 0);
    console.log(`Tenant file OK: ${file.tenants.length} tenant(s), ${projects} project(s)`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}
