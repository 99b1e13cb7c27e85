/**
 * Classifies driver errors by their codes, never by message text (which drivers may reword or
 * translate). better-sqlite3 sets extended result codes such as
 * `SQLITE_CONSTRAINT_PRIMARYKEY`; pg sets the SQLSTATE (PostgreSQL appendix A: 23505
 * unique_violation, 23503 foreign_key_violation).
 */
function codeOf(err: unknown): unknown {
  return typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
}

/** A primary-key or unique constraint rejected the row. */
export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** A foreign key named a row that does not exist (for example an alias to a deleted key). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}
