import { BENCH_KEEPALIVE_SEC, BENCH_TOPIC, benchPayload, type BenchShape } from './bench-shape.ts';

// The benchmark's session as a Tsung file for its MQTT plugin (ts_mqtt): the same arrivals,
// idle time, publishes, topic and payload the agent runs, from the same source addresses.

const TSUNG_LAUNCH_LAG_SEC = 5;

export function tsungBenchXml(shape: BenchShape, brokerPort: number): string {
  const rampSec = shape.rampMs / 1000;
  // Tsung's phase clock starts a second or two before its launcher does, and a phase that ends
  // with users left unlaunched stops there ("Phase duration exceeded"); so the phase is twice the
  // ramp plus some, at the ramp's rate, and maxnumber ends the arrivals at the fleet's size.
  const phaseSec = 2 * rampSec + TSUNG_LAUNCH_LAG_SEC;
  const ips = shape.sourceAddresses.map((address) => `      <ip value="${address}"/>`).join('\n');
  const topic = BENCH_TOPIC.replace('{deviceId}', '%%_tsung_userid%%');
  return `<?xml version="1.0"?>
<!DOCTYPE tsung SYSTEM "/usr/share/tsung/tsung-1.0.dtd">
<tsung loglevel="warning" version="1.0">
  <clients>
    <client host="localhost" use_controller_vm="true" maxusers="${shape.connections}">
${ips}
    </client>
  </clients>
  <servers>
    <server host="127.0.0.1" port="${brokerPort}" type="tcp"/>
  </servers>
  <load>
    <arrivalphase phase="1" duration="${phaseSec}" unit="second">
      <users maxnumber="${shape.connections}" arrivalrate="${shape.connections / rampSec}" unit="second"/>
    </arrivalphase>
  </load>
  <sessions>
    <session name="agent-vs-tsung" probability="100" type="ts_mqtt">
      <request>
        <mqtt type="connect" clean_start="true" keepalive="${BENCH_KEEPALIVE_SEC}"/>
      </request>
      <thinktime value="${shape.idleMs / 1000}" random="false"/>
      <for from="1" to="${shape.publishesPerConnection}" incr="1" var="message">
        <request subst="true">
          <mqtt type="publish" topic="${topic}" qos="1" retained="false">${benchPayload(shape)}</mqtt>
        </request>
      </for>
      <request>
        <mqtt type="disconnect"/>
      </request>
    </session>
  </sessions>
</tsung>
`;
}
