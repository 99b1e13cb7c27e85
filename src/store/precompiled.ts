import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { Database, StoreDialect } from "./schema.js";

/**
 * A query built and compiled once per dialect, then run with each call's parameters: the per-call
 * reads (a key, a version, a principal, a policy, a grant, a writer's chain head) ran Kysely's
 * query builder and compiler on every call, which cost more than executing them (bench/REPORT.md).
 *
 * `build` is given placeholder values; the compiled SQL takes the call's `parameters` in the order
 * the builder bound them — for the single-table `where … = …` reads used here, the order of the
 * `where` calls. A query whose shape depends on its arguments (listings with optional filters and
 * cursors) must stay on the builder.
 */
export class Precompiled<Row> {
  readonly #compiled = new Map<StoreDialect, CompiledQuery<Row>>();

  constructor(private readonly build: (db: Kysely<Database>) => Compilable<Row>) {}

  async rows(db: Kysely<Database>, dialect: StoreDialect, parameters: readonly unknown[]): Promise<Row[]> {
    let compiled = this.#compiled.get(dialect);
    if (compiled === undefined) {
      compiled = this.build(db).compile();
      this.#compiled.set(dialect, compiled);
    }
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  }

  async first(db: Kysely<Database>, dialect: StoreDialect, parameters: readonly unknown[]): Promise<Row | undefined> {
    return (await this.rows(db, dialect, parameters))[0];
  }
}
