// Prometheus' text format, read by the official Python client's parser (Debian's
// python3-prometheus-client, which .ci/run installs), so that what the server exposes is read
// as Prometheus' own code reads it.
import { execFileSync } from 'node:child_process';

export interface Sample {
  /** The sample's own name: a histogram's are `<family>_bucket`, `_sum` and `_count`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: string;
  samples: Sample[];
}

const PARSE = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = [{"name": f.name, "type": f.type,
        "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)}
                    for s in f.samples]}
       for f in text_string_to_metric_families(sys.stdin.read())]
print(json.dumps(out))
`;

/** The families by name; throws if the text is not valid exposition format. */
export function parseMetrics(text: string): Map<string, MetricFamily> {
  const families = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', PARSE], { input: text, encoding: 'utf8' }),
  ) as MetricFamily[];
  return new Map(families.map((family) => [family.name, family]));
}

/** The value of the sample named `sample` (the family's name by default) whose labels include `labels`. */
export function valueOf(
  family: MetricFamily | undefined,
  labels: Record<string, string> = {},
  sample = family?.name,
): number | undefined {
  return family?.samples.find(
    (s) => s.name === sample && Object.entries(labels).every(([name, value]) => s.labels[name] === value),
  )?.value;
}
