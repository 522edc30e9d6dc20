// `zuul-ts config-check -c zuul.conf [--tenant NAME] [--json]`: loads every
// tenant's projects from their repositories, builds each tenant's layout and
// prints every configuration error (loading and layout errors). Secrets
// that jobs use are decrypted with their project's key to check them (the
// keystore is opened only then). Exit 1 if any error-severity entry (or the
// setup itself) fails.

import { formatErrorLine } from '../config/errors.js';
import { type Deployment, openDeployment } from '../config/tenant-layout.js';
import type { ConfigError } from '../model/config-error.js';

export interface ConfigCheckOptions {
  config: string;
  tenant?: string;
  json?: boolean;
}

export async function configCheck(opts: ConfigCheckOptions): Promise<number> {
  let results: { tenant: string; errors: ConfigError[]; summary: string }[];
  let deployment: Deployment | undefined;
  try {
    deployment = await openDeployment(opts.config);
    for (const w of deployment.system.warnings) console.error(`warning: ${w}`);
    const tenants = deployment.tenantFile.tenants.filter(
      (t) => !opts.tenant || t.name === opts.tenant,
    );
    if (opts.tenant && tenants.length === 0) {
      console.error(`Unknown tenant: ${opts.tenant}`);
      return 1;
    }
    results = [];
    for (const tenant of tenants) {
      const layout = await deployment.layout(tenant);
      let variants = 0;
      for (const v of layout.jobs.values()) variants += v.length;
      let stanzas = 0;
      for (const v of layout.projectConfigs.values()) stanzas += v.length;
      const summary =
        `${layout.projects.size} projects, ${layout.pipelines.size} pipelines, ` +
        `${layout.jobs.size} jobs (${variants} variants), ` +
        `${stanzas} project stanzas for ${layout.projectConfigs.size} projects, ` +
        `${layout.projectTemplates.size} templates, ${layout.nodesets.size} nodesets, ` +
        `${layout.secrets.size} secrets`;
      results.push({ tenant: tenant.name, errors: [...layout.errors], summary });
    }
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    await deployment?.close();
  }
  if (opts.json) {
    console.log(
      JSON.stringify(
        results.map((r) => ({ tenant: r.tenant, errors: r.errors.map(toJson) })),
        null,
        2,
      ),
    );
  } else {
    for (const r of results) {
      for (const e of r.errors) console.log(`${r.tenant}: ${formatErrorLine(e)}`);
      console.log(`${r.tenant}: loaded ${r.summary}`);
    }
    const errors = results.reduce(
      (n, r) => n + r.errors.filter((e) => e.severity === 'error').length,
      0,
    );
    const warnings = results.reduce(
      (n, r) => n + r.errors.filter((e) => e.severity === 'warning').length,
      0,
    );
    console.log(`${results.length} tenant(s) checked: ${errors} error(s), ${warnings} warning(s)`);
  }
  return results.some((r) => r.errors.some((e) => e.severity === 'error')) ? 1 : 0;
}

/** The JSON shape of Zuul's config-errors API entries, plus our extras. */
export function toJson(e: ConfigError): Record<string, unknown> {
  return {
    source_context: e.sourceContext
      ? {
          project: e.sourceContext.project,
          branch: e.sourceContext.branch,
          path: e.sourceContext.path,
        }
      : null,
    error: e.error,
    short_error: e.shortError,
    severity: e.severity,
    name: e.name,
    line: e.mark ? e.mark.line + 1 : null,
  };
}
