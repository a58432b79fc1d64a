/**
 * The typed failure of opening a store on a database whose schema this code cannot use: not
 * migrated yet, behind this code, or written by a newer release. Its message says what to run.
 *
 * @since 0.1.0
 */
import { Schema } from "effect";

/**
 * The database schema is missing (`found: 0`), older than this code (`found < expected`), or
 * newer (`found > expected`). `target` is the store URL without its password.
 *
 * @category errors
 * @since 0.1.0
 */
export class SchemaVersionError extends Schema.TaggedError<SchemaVersionError>()(
  "SchemaVersionError",
  {
    found: Schema.Number,
    expected: Schema.Number,
    target: Schema.String,
  },
) {
  /** Never worth retrying on its own: someone has to migrate or upgrade. */
  readonly retryable = false;
  override get message(): string {
    const migrate = `run \`miro-token store migrate --store ${this.target}\` (or the \`migrate\` effect of @miro-token/store-postgres)`;
    if (this.found === 0) {
      return `SchemaVersionError: the database has no miro-token schema yet: ${migrate}`;
    }
    if (this.found < this.expected) {
      return `SchemaVersionError: the database schema is at version ${this.found}, this code needs ${this.expected}: ${migrate}`;
    }
    return `SchemaVersionError: the database schema is at version ${this.found}, newer than this code knows (${this.expected}): upgrade @miro-token/store-postgres (do not migrate down)`;
  }
}
