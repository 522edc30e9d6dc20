// MySQL/MariaDB: every table the store creates gets InnoDB and utf8mb4 with
// a binary collation, whatever the database's defaults are. The store's
// keys and filters compare strings exactly on SQLite and PostgreSQL; with
// MySQL's usual case-insensitive collations `Org/Project` and `org/project`
// would be one key (a unique index refusing the second) and filters would
// match both. InnoDB is what transactions, row locks and foreign keys need.
//
// A plugin rather than a clause in each migration, so no migration can
// forget it. A CREATE TABLE that states its own character set is left alone.

import {
  type CreateTableNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  RawNode,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

export const MYSQL_TABLE_OPTIONS =
  'engine = InnoDB default character set utf8mb4 collate utf8mb4_bin';

class TableOptionsTransformer extends OperationNodeTransformer {
  protected override transformCreateTable(node: CreateTableNode): CreateTableNode {
    const t = super.transformCreateTable(node);
    const stated = (t.endModifiers ?? []).some(
      (m) => RawNode.is(m) && /character\s+set|charset|collate/i.test(m.sqlFragments.join(' ')),
    );
    if (stated || t.selectQuery) return t;
    return {
      ...t,
      endModifiers: [...(t.endModifiers ?? []), RawNode.createWithSql(MYSQL_TABLE_OPTIONS)],
    };
  }
}

export class MysqlTableOptionsPlugin implements KyselyPlugin {
  private readonly transformer = new TableOptionsTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
