import { defineError } from '@plexus/errors';

// Every error reading a scenario can raise, declared once with a stable code; tests match codes.
// Messages start with the file and, where there is one, the path inside it, so an author can go
// straight to the line; `details` carries the same two for callers that format their own.

type Where = { source: string; path: string };

export const scenarioErrors = {
  invalid: defineError<[string, string, string, Where]>('PLX_LOADTEST_SCENARIO_INVALID', 400, '%s: %s %s'),
  unknownKey: defineError<[string, string, string, Where]>(
    'PLX_LOADTEST_SCENARIO_UNKNOWN_KEY',
    400,
    '%s: %s is not a known key here (known: %s)'
  ),
  yamlSyntax: defineError<[string, string, Where]>('PLX_LOADTEST_SCENARIO_YAML_SYNTAX', 400, '%s: %s'),
  unsetVariable: defineError<[string, string, Where]>(
    'PLX_LOADTEST_SCENARIO_UNSET_VARIABLE',
    400,
    '%s: ${%s} is not set and has no default (write ${NAME:-default})'
  ),
  xmlSyntax: defineError<[string, string, Where]>('PLX_LOADTEST_SCENARIO_XML_SYNTAX', 400, '%s: not well-formed XML: %s'),
  notTsung: defineError<[string, string, Where]>('PLX_LOADTEST_SCENARIO_NOT_TSUNG', 400, '%s: %s'),
  noMqttSession: defineError<[string, Where]>(
    'PLX_LOADTEST_SCENARIO_NO_MQTT_SESSION',
    400,
    '%s: no <session type="ts_mqtt"> to import; only the MQTT plugin maps onto the load suite'
  ),
  notFound: defineError<[string, string, string, Where]>(
    'PLX_LOADTEST_SCENARIO_NOT_FOUND',
    404,
    "%s: no such scenario file (looked for %s; shipped scenarios: %s)"
  ),
  unknownFormat: defineError<[string, Where]>(
    'PLX_LOADTEST_SCENARIO_UNKNOWN_FORMAT',
    400,
    '%s: a scenario is a .yaml/.yml file or a Tsung .xml file'
  )
} as const;

export function where(source: string, path = ''): Where {
  return { source, path };
}
