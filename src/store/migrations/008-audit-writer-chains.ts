import { type Kysely, type Migration, sql } from "kysely";
import type { StoreDialect } from "../schema.js";

/**
 * One audit chain per writer (`src/security/audit-chain.ts`): `writer` names the chain a record
 * extends and `writer_seq` its place there; every existing record joins the shared chain `""`
 * at its `seq`, so its hash still verifies. A unique index refuses two records at one place of a
 * chain, which is how a writer learns that its in-memory head is stale.
 *
 * `seq` stays the primary key but the database now numbers it as rows are inserted, without a
 * lock on the trail's head: SQLite assigns an omitted `integer primary key` (the rowid) as the
 * largest + 1 under its write lock; PostgreSQL gets a sequence, started after the largest seq.
 */
export function auditWriterChainsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("kms_audit")
        .addColumn("writer", "text", (col) => col.notNull().defaultTo(""))
        .execute();
      await db.schema
        .alterTable("kms_audit")
        .addColumn("writer_seq", dialect === "postgres" ? "bigint" : "integer")
        .execute();
      await sql`update kms_audit set writer_seq = seq`.execute(db);
      await db.schema
        .createIndex("kms_audit_writer_idx")
        .on("kms_audit")
        .columns(["writer", "writer_seq"])
        .unique()
        .execute();
      if (dialect === "postgres") {
        await sql`alter table kms_audit alter column writer_seq set not null`.execute(db);
        await sql`create sequence kms_audit_seq_seq owned by kms_audit.seq`.execute(db);
        await sql`select setval('kms_audit_seq_seq', coalesce((select max(seq) from kms_audit), 0) + 1, false)`.execute(
          db,
        );
        await sql`alter table kms_audit alter column seq set default nextval('kms_audit_seq_seq')`.execute(db);
      }
    },

    async down(db: Kysely<unknown>): Promise<void> {
      if (dialect === "postgres") {
        await sql`alter table kms_audit alter column seq drop default`.execute(db);
        await sql`drop sequence kms_audit_seq_seq`.execute(db);
      }
      await db.schema.dropIndex("kms_audit_writer_idx").execute();
      await db.schema.alterTable("kms_audit").dropColumn("writer_seq").execute();
      await db.schema.alterTable("kms_audit").dropColumn("writer").execute();
    },
  };
}
