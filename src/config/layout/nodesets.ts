// Nodeset checks: labels the tenant allows (when it uses Nodepool) or that
// exist as `label` objects (when it does not), and flattening alternatives
// into the list of nodesets a job may get (named references, cycles).

import type { InlineNodeset, Nodeset } from '../../model/nodeset.js';
import { compileZuulRegex, regexMatches } from '../../model/regex.js';
import type { TenantConfig } from '../../model/tenant.js';
import type { ConfigPath } from '../errors.js';
import { type BuildContext, LayoutProblem } from './context.js';

/** Labels of a nodeset and its inline alternatives (named references are not followed). */
function ownLabels(nodeset: InlineNodeset, out: string[] = []): string[] {
  for (const node of nodeset.nodes) if (!out.includes(node.label)) out.push(node.label);
  for (const alt of nodeset.alternatives) if (typeof alt !== 'string') ownLabels(alt, out);
  return out;
}

function matchesAny(patterns: readonly string[], label: string): boolean {
  return patterns.some((p) => regexMatches(compileZuulRegex(p), label));
}

/** Zuul's "a, b and not c, d" rendering of the tenant's label rules. */
function describeLabelRules(tenant: TenantConfig): string {
  const allowed = tenant.allowedLabels ?? [];
  const disallowed = tenant.disallowedLabels ?? [];
  let text = allowed.join(', ');
  if (allowed.length && disallowed.length) text += ' and ';
  if (disallowed.length) text += `not ${disallowed.join(', ')}`;
  return text;
}

/**
 * The check made when a nodeset (top-level or inline in a job) is added:
 * while the tenant uses Nodepool, every label must pass allowed-labels /
 * disallowed-labels (start-anchored regexes; an empty list means unset).
 */
export function checkAllowedLabels(
  ctx: BuildContext,
  nodeset: InlineNodeset,
  path: ConfigPath = [],
): void {
  const { tenant } = ctx;
  if (!tenant.useNodepool) return;
  const allowed = tenant.allowedLabels ?? [];
  const disallowed = tenant.disallowedLabels ?? [];
  if (!allowed.length && !disallowed.length) return;
  for (const label of ownLabels(nodeset)) {
    const ok =
      (!allowed.length || matchesAny(allowed, label)) &&
      !(disallowed.length && matchesAny(disallowed, label));
    if (!ok) {
      throw new LayoutProblem(
        `Label named "${label}" is not part of the allowed labels (${describeLabelRules(tenant)}) for this tenant.`,
        'Label Forbidden',
        path,
      );
    }
  }
}

/**
 * The concrete nodesets a nodeset stands for: itself, or its alternatives
 * flattened depth-first in listed order. Unknown names and cycles throw.
 */
export function flattenAlternatives(
  ctx: BuildContext,
  nodeset: string | InlineNodeset,
  path: ConfigPath = [],
): InlineNodeset[] {
  const out: InlineNodeset[] = [];
  // As in Zuul, the history is never unwound: reaching any nodeset twice is a cycle.
  const history: InlineNodeset[] = [];
  const visit = (ref: string | InlineNodeset) => {
    let ns: InlineNodeset;
    if (typeof ref === 'string') {
      const named = ctx.maps.nodesets.get(ref);
      if (!named) {
        throw new LayoutProblem(`The nodeset "${ref}" was not found.`, 'Nodeset Not Found', path);
      }
      ns = named;
    } else {
      ns = ref;
    }
    if (history.includes(ns)) {
      const name = typeof ref === 'string' ? ref : ((ref as Partial<Nodeset>).name ?? '');
      throw new LayoutProblem(`Nodeset cycle detected on "${name}"`, 'Unknown', path);
    }
    history.push(ns);
    if (ns.alternatives.length) for (const alt of ns.alternatives) visit(alt);
    else out.push(ns);
  };
  visit(nodeset);
  return out;
}

/**
 * With `use-nodepool: false` every label of every alternative must be a
 * `label` object of the layout (Zuul 14).
 */
export function checkLabelsExist(
  ctx: BuildContext,
  alternatives: readonly InlineNodeset[],
  path: ConfigPath = [],
): void {
  if (ctx.tenant.useNodepool) return;
  for (const ns of alternatives) {
    for (const node of ns.nodes) {
      if (!ctx.maps.labels.has(node.label)) {
        throw new LayoutProblem(
          `The label "${node.label}" was not found.`,
          'Label Not Found',
          path,
        );
      }
    }
  }
}

/** Adds a top-level nodeset (label rules first, then the duplicate rules). */
export function validateNodeset(ctx: BuildContext, nodeset: Nodeset): void {
  ctx.attempt(nodeset, () => {
    const alternatives = flattenAlternatives(ctx, nodeset, ['alternatives']);
    checkLabelsExist(ctx, alternatives);
  });
}
