/** The options every client command accepts, as its help lists them. */
export const CONNECTION_HELP = `  --endpoint URL     the KMS (default KMS_ENDPOINT, else http://127.0.0.1:8080)
  --token T          a principal's bearer token (default KMS_TOKEN)`;

/** The `--output` option of the commands that print resources. */
export const OUTPUT_HELP = `  --output FORMAT    json (proto3 JSON, every field) or table (columns for people)`;

/** The options of the admin commands, which open the database with the server's configuration. */
export const ADMIN_CONFIG_HELP = `These open the database directly, with the server's own settings: the KMS_* variables or their
flags (--data-dir, --database-url, --root-key-file, ...; see kms serve --help). On SQLite they
may run while the server runs (see docs/operations.md, "Admin commands beside a running server").`;
