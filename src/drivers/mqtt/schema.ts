// The mqtt driver only reports: it publishes a JSON message per report to a
// topic built from the item (a Python format template).

import { ConfigProblem } from '../../config/errors.js';
import { formatTemplateProblems } from '../../config/parsers/format-template.js';
import { Bool, Int, Str } from '../../config/schema.js';
import type { DriverPipelineSchemas } from '../schema-checks.js';
import { Opt, Strict } from '../schema-common.js';

/** Fields the topic template is formatted with. */
export const MQTT_TOPIC_FIELDS = [
  'tenant',
  'pipeline',
  'project',
  'branch',
  'change',
  'patchset',
  'ref',
] as const;

const Reporter = Strict({
  topic: Str,
  qos: Opt(Int),
  'include-returned-data': Opt(Bool),
});

/** Zuul's own checks: topic fields must exist, qos must be 0, 1 or 2. */
export function checkMqttReporter(config: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.qos !== undefined && ![0, 1, 2].includes(config.qos as number)) {
    problems.push(new ConfigProblem('qos can only be 0, 1 or 2', 'Unknown', ['qos']));
  }
  const topic = config.topic as string;
  problems.push(
    ...formatTemplateProblems(topic, ['topic'], (field) => {
      if (!(MQTT_TOPIC_FIELDS as readonly string[]).includes(field.argName)) {
        return `topic component '${field.argName}' is invalid`;
      }
      // Every field is a plain string at report time; it has no attributes.
      if (field.steps.length) return `topic component '{${field.text}}' is invalid`;
      return undefined;
    }),
  );
  return problems;
}

export const mqttPipelineSchemas: DriverPipelineSchemas = {
  reporter: Reporter,
  checks: { reporter: checkMqttReporter },
};
