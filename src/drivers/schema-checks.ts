// Checks on a driver's part of a pipeline that a JSON schema cannot express
// (regexes that must compile, cron strings, format templates, deprecations).
//
// They travel with the schemas as `PipelineSchemas.checks`.

import type { ConfigProblem } from '../config/errors.js';
import type { PipelineSchemas } from './driver.js';

/**
 * Runs after the value passed its schema. Returns problems whose paths are
 * relative to the value (the pipeline parser prefixes where the value is);
 * severity `warning` problems are recorded, the first error is raised.
 */
export type PipelineValueCheck = (value: Readonly<Record<string, unknown>>) => ConfigProblem[];

export interface PipelineChecks {
  /** One trigger filter (called once per list element). */
  trigger?: PipelineValueCheck;
  require?: PipelineValueCheck;
  reject?: PipelineValueCheck;
  reporter?: PipelineValueCheck;
}

/** A driver's pipeline schemas plus their checks; assignable to PipelineSchemas. */
export interface DriverPipelineSchemas extends PipelineSchemas {
  checks?: PipelineChecks;
}
