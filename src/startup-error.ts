/**
 * A start-up failure whose message is printed as one line (bad settings, a missing database, a
 * root key that does not match the data). Its own module so the admin commands can throw it
 * without loading the server (`main.ts`) they never start.
 */
export class StartupError extends Error {
  override readonly name = "StartupError";
}
