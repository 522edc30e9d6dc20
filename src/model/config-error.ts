// Configuration error records, shaped after Zuul's: one per problem, never
// hiding the others. Pure data; building the human text lives in config/.

export type Severity = 'error' | 'warning';

/** Where a configuration object came from. */
export interface SourceContext {
  /** Short project name, e.g. `org/project`. */
  project: string;
  /** Canonical name, e.g. `review.example.com/org/project`. */
  projectCanonical: string;
  connection: string;
  branch: string;
  /** Path of the file inside the repository. */
  path: string;
  trusted: boolean;
}

/** A position in a file; line and column are 0-based, as in Zuul. */
export interface ErrorMark {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** A few lines of the file around the problem. */
  snippet: string;
}

export interface ConfigError {
  severity: Severity;
  /** Short category, e.g. `Unknown`, `Duplicate Node`, `Pipeline Forbidden`. */
  name: string;
  /** The bare problem text. */
  shortError: string;
  /** Full human text with the repository intro, problem, and snippet. */
  error: string;
  sourceContext?: SourceContext;
  mark?: ErrorMark;
}

/** Categories Zuul reports as warnings; everything else is an error. */
export const WARNING_NAMES: ReadonlySet<string> = new Set([
  'Multiple Project Configurations',
  'Regex Deprecation',
  'Cleanup Run Deprecation',
]);
