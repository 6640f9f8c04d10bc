/**
 * Shapes of the command-line metadata `npm run generate` writes to
 * generated/cli/<service>.ts (scripts/lib/cli-metadata.ts), one module per service.
 */
import type { HttpMethod } from "../metadata.js";

export type Scalar = string | number | boolean;

export interface CliParameter {
  /** Name as the document spells it. */
  readonly name: string;
  readonly in: "path" | "query" | "header";
  /** Option name without dashes (kebab-case; `param-<name>` where the name is one of glp's own options). */
  readonly flag: string;
  /** `string`, `integer`, `number`, `boolean`, `object`, or `array<item type>`. */
  readonly type: string;
  readonly required: boolean;
  readonly enum?: readonly Scalar[];
  readonly default?: unknown;
  readonly deprecated?: boolean;
  readonly description?: string;
}

export interface CliField {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly enum?: readonly Scalar[];
}

export interface CliBody {
  readonly mediaType: string;
  readonly required: boolean;
  /** Type of the whole body (`object`, `array<object>`, ...). */
  readonly type: string;
  /** Top-level fields (read-only ones left out). */
  readonly fields: readonly CliField[];
}

export interface CliOperation {
  /** Command name, e.g. `get-users`. */
  readonly name: string;
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly tags: readonly string[];
  readonly summary?: string;
  readonly deprecated: boolean;
  readonly parameters: readonly CliParameter[];
  readonly body?: CliBody;
  /** The SDK's paginate can page through it (`--all`). */
  readonly paginated?: boolean;
  /** Default table and CSV columns, from the response schema (src/cli/columns.ts); absent: chosen from the items. */
  readonly columns?: readonly string[];
}

export interface CliService {
  readonly service: string;
  readonly regions: readonly string[];
  readonly operations: readonly CliOperation[];
}

/** Service key -> its command names. */
export type CliIndex = Readonly<Record<string, readonly string[]>>;
