// `[database] table_prefix`: a Kysely plugin that renames the store's tables
// in every query, so that code and migrations use logical names and several
// deployments can share one database (as Zuul allows for its tables).
//
// Only identifiers that name a known table are renamed, wherever a table can
// appear (FROM, INTO, JOIN, `table.column` references, CREATE/DROP TABLE,
// `sql.table()`); aliases therefore must not reuse a table name. Raw SQL
// text is not rewritten: reference tables in `sql` templates with
// `sql.table('name')`. Index names are not tables: migrations prefix those
// themselves (see MigrationContext.name).

import {
  IdentifierNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type SchemableIdentifierNode,
  type UnknownRow,
} from 'kysely';

/** Prefixes must be plain SQL identifiers so that no quoting surprises arise. */
const PREFIX_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkTablePrefix(prefix: string): void {
  if (prefix !== '' && !PREFIX_RE.test(prefix)) {
    throw new Error(
      `[database] table_prefix "${prefix}" must contain only letters, digits and underscores`,
    );
  }
}

class PrefixTransformer extends OperationNodeTransformer {
  constructor(
    private readonly prefix: string,
    private readonly tables: ReadonlySet<string>,
  ) {
    super();
  }

  protected override transformSchemableIdentifier(
    node: SchemableIdentifierNode,
  ): SchemableIdentifierNode {
    const t = super.transformSchemableIdentifier(node);
    const name = t.identifier.name;
    if (!this.tables.has(name)) return t;
    return { ...t, identifier: IdentifierNode.create(this.prefix + name) };
  }
}

export class TablePrefixPlugin implements KyselyPlugin {
  private readonly transformer: PrefixTransformer;

  constructor(prefix: string, tables: Iterable<string>) {
    checkTablePrefix(prefix);
    this.transformer = new PrefixTransformer(prefix, new Set(tables));
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
