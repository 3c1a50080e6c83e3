import { describe, expect, it } from 'vitest';
import type { PlexusError } from '@plexus/errors';
import { defaultMaxDurationMs } from './estimate-duration.ts';
import { scenarioErrors } from './errors.ts';
import { importTsungXml } from './tsung-import.ts';

const SESSION = 'tsung/sessions/session[@name="pub"]';

/** A Tsung file with one ts_mqtt session `pub` holding `body`, and `extra` before <load>. */
function tsung(body: string, { load, extra = '' }: { load?: string; extra?: string } = {}): string {
  return `<?xml version="1.0"?>
<!DOCTYPE tsung SYSTEM "/usr/share/tsung/tsung-1.0.dtd">
<tsung loglevel="notice" version="1.0">
  <clients><client host="localhost" maxusers="100"/></clients>
  <servers><server host="127.0.0.1" port="1883" type="tcp"/></servers>
  ${extra}
  ${load ?? '<load><arrivalphase phase="1" duration="10" unit="second"><users arrivalrate="5" unit="second"/></arrivalphase></load>'}
  <sessions><session name="pub" probability="100" type="ts_mqtt">${body}</session></sessions>
</tsung>`;
}

function failure(text: string): PlexusError {
  try {
    importTsungXml(text, 'bench.xml');
  } catch (error) {
    return error as PlexusError;
  }
  throw new Error('expected the import to fail');
}

describe('importTsungXml: load', () => {
  it('maps arrivalrate and interarrival in any unit, with maxnumber as the phase total', () => {
    const { scenario, unsupported } = importTsungXml(
      tsung('<request><mqtt type="connect"/></request>', {
        load: `<load>
          <arrivalphase phase="1" duration="2" unit="minute"><users arrivalrate="120" unit="minute"/></arrivalphase>
          <arrivalphase phase="2" duration="30" unit="second"><users interarrival="0.1" unit="second" maxnumber="100"/></arrivalphase>
          <arrivalphase phase="3" duration="500" unit="millisecond"><users arrivalrate="7200" unit="hour"/></arrivalphase>
        </load>`
      }),
      'bench.xml'
    );
    expect(scenario.phases).toEqual([
      { name: 'phase1', durationMs: 120_000, ratePerSec: 2 },
      { name: 'phase2', durationMs: 30_000, ratePerSec: 10, total: 100 },
      { name: 'phase3', durationMs: 500, ratePerSec: 2 }
    ]);
    // 2/s × 120 s + min(10/s × 30 s, 100) + 2/s × 0.5 s
    expect(scenario.devices).toBe(240 + 100 + 1);
    expect(unsupported).toEqual([]);
  });

  it('takes the load duration as the run limit', () => {
    const { scenario } = importTsungXml(
      tsung('<request><mqtt type="connect"/></request>', {
        load: '<load duration="1" unit="hour"><arrivalphase phase="1" duration="1" unit="second"><users arrivalrate="1" unit="second"/></arrivalphase></load>'
      }),
      'bench.xml'
    );
    expect(scenario.maxDurationMs).toBe(3_600_000);
  });

  it('lists what a load cannot map: static users, looping, session_setup, wait_all_sessions_end', () => {
    const { unsupported } = importTsungXml(
      tsung('<request><mqtt type="connect"/></request>', {
        load: `<load loop="2">
          <arrivalphase phase="1" duration="1" unit="second" wait_all_sessions_end="true">
            <session_setup name="pub" probability="100"/>
            <users arrivalrate="1" unit="second"/>
          </arrivalphase>
          <user session="pub" start_time="10" unit="second"/>
        </load>`
      }),
      'bench.xml'
    );
    expect(unsupported).toEqual([
      expect.stringMatching(/^tsung\/load\/arrivalphase\/session_setup: /),
      expect.stringMatching(/^tsung\/load\/arrivalphase: wait_all_sessions_end/),
      expect.stringMatching(/^tsung\/load\/user: statically started users/),
      expect.stringMatching(/^tsung\/load: loop="2"/)
    ]);
  });

  it.each([
    ['a phase without users', '<load><arrivalphase phase="1" duration="1" unit="second"/></load>', 'tsung/load/arrivalphase'],
    ['users without a rate', '<load><arrivalphase phase="1" duration="1" unit="second"><users maxnumber="3" unit="second"/></arrivalphase></load>', 'tsung/load/arrivalphase/users'],
    ['a bad unit', '<load><arrivalphase phase="1" duration="1" unit="fortnight"><users arrivalrate="1" unit="second"/></arrivalphase></load>', 'tsung/load/arrivalphase'],
    ['a load starting nobody', '<load><arrivalphase phase="1" duration="1" unit="second"><users interarrival="10" unit="second"/></arrivalphase></load>', 'tsung/load']
  ])('rejects %s, naming the element', (_case, load, path) => {
    const error = failure(tsung('<request><mqtt type="connect"/></request>', { load }));
    expect(error.code).toBe(scenarioErrors.invalid.code);
    expect(error.details).toEqual({ source: 'bench.xml', path });
    expect(error.message.startsWith(`bench.xml: ${path} `)).toBe(true);
  });
});

describe('importTsungXml: session', () => {
  it('maps connect with the plugin defaults, and with will and keepalive when given', () => {
    const { scenario } = importTsungXml(
      tsung(`
        <request><mqtt type="connect"/></request>
        <request><mqtt type="connect" clean_start="false" keepalive="45" will_topic="devices/x/telemetry" will_qos="2" will_msg="gone" will_retain="true"/></request>`),
      'bench.xml'
    );
    expect(scenario.session).toEqual([
      { kind: 'connect', protocolVersion: 4, cleanStart: true, keepaliveSec: 10, sessionExpirySec: 0 },
      {
        kind: 'connect',
        protocolVersion: 4,
        cleanStart: false,
        keepaliveSec: 45,
        sessionExpirySec: 0,
        will: { topic: 'devices/x/telemetry', payload: 'gone', qos: 2, retain: true }
      }
    ]);
  });

  it('notes what connect does differently: credentials, client id, fractional keepalive', () => {
    const { scenario, notes, unsupported } = importTsungXml(
      tsung('<request><mqtt type="connect" keepalive="2.5" username="u" password="p" client_id="c"/></request>'),
      'bench.xml'
    );
    expect(scenario.session[0]).toMatchObject({ keepaliveSec: 3 });
    const about = `${SESSION}/request/mqtt: `;
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${escape(about)}keepalive="2.5" is sent as 3 s`)),
        expect.stringMatching(new RegExp(`^${escape(about)}username/password are not sent`)),
        expect.stringMatching(new RegExp(`^${escape(about)}client_id is not sent`))
      ])
    );
    expect(unsupported).toEqual([]);
  });

  it('maps publish, subscribe, for loops, think times, waitForMessages and disconnect, with %%_tsung_userid%% as the device', () => {
    const { scenario, unsupported } = importTsungXml(
      tsung(`
        <request><mqtt type="connect" keepalive="30"/></request>
        <request subst="true"><mqtt type="subscribe" topic="devices/%%_tsung_userid%%/commands" qos="1"/></request>
        <for from="1" to="10" incr="3" var="i">
          <request subst="true"><mqtt type="publish" topic="devices/%%_tsung_userid%%/telemetry" qos="1" retained="true">{"on":%%_tsung_userid%%}</mqtt></request>
          <request subst="true"><mqtt type="publish" topic="devices/%%_tsung_userid%%/telemetry" size="200" stamped="true"/></request>
          <thinktime value="2" random="true"/>
        </for>
        <thinktime value="0.5"/>
        <request><mqtt type="waitForMessages" timeout="60"/></request>
        <request><mqtt type="disconnect"/></request>`),
      'bench.xml'
    );
    const telemetry = 'devices/{deviceId}/telemetry';
    expect(scenario.session).toEqual([
      { kind: 'connect', protocolVersion: 4, cleanStart: true, keepaliveSec: 30, sessionExpirySec: 0 },
      { kind: 'subscribe', filter: 'devices/{deviceId}/commands', qos: 1 },
      {
        kind: 'loop',
        count: 4,
        steps: [
          { kind: 'publish', topic: telemetry, qos: 1, retain: true, payload: { kind: 'template', template: '{"on":{deviceId}}' }, stamped: false },
          { kind: 'publish', topic: telemetry, qos: 0, retain: false, payload: { kind: 'size', bytes: 200 }, stamped: true },
          { kind: 'think', meanMs: 2000, distribution: 'exponential' }
        ]
      },
      { kind: 'think', meanMs: 500, distribution: 'fixed' },
      { kind: 'stay', durationMs: 60_000 },
      { kind: 'disconnect' }
    ]);
    expect(unsupported).toEqual([]);
  });

  it('stamps a text payload by leading with the stamp, the text kept inside it', () => {
    const { scenario } = importTsungXml(
      tsung('<request><mqtt type="publish" topic="devices/d/telemetry" stamped="true">hello "world"</mqtt></request>'),
      'bench.xml'
    );
    expect(scenario.session[0]).toMatchObject({
      payload: { kind: 'template', template: '{"ts":{timestamp},"seq":{seq},"payload":"hello \\"world\\""}' },
      stamped: true
    });
  });

  it('inlines a transaction and lists it, since its timing is not reported', () => {
    const { scenario, unsupported } = importTsungXml(
      tsung('<transaction name="burst"><request><mqtt type="publish" topic="devices/d/telemetry"/></request></transaction>'),
      'bench.xml'
    );
    expect(scenario.session).toMatchObject([{ kind: 'publish' }]);
    expect(unsupported).toEqual([expect.stringMatching(new RegExp(`^${escape(SESSION)}/transaction\\[@name="burst"\\]: transactions are not timed`))]);
  });

  it('lists every element it cannot map, by path, and runs the rest', () => {
    const { scenario, unsupported } = importTsungXml(
      tsung(
        `
        <request><mqtt type="connect"/></request>
        <setdynvars sourcetype="random_number" start="1" end="9"><var name="n"/></setdynvars>
        <request subst="true"><mqtt type="subscribe" topic="devices/%%_tsung_userid%%/telemetry" qos="2"/></request>
        <request subst="true"><mqtt type="publish" topic="devices/%%_n%%/telemetry" qos="2">x</mqtt></request>
        <request><match do="abort" when="nomatch">ok</match><mqtt type="publish" topic="devices/d/telemetry" size="lots"/></request>
        <thinktime min="2" max="4" random="true"/>
        <thinktime value="wait_global"/>
        <for from="1" to="%%_n%%" var="k"><request><mqtt type="disconnect"/></request></for>
        <if var="n" eq="1"><request><mqtt type="disconnect"/></request></if>
        <request subst="true"><mqtt type="unsubscribe" topic="devices/%%_tsung_userid%%/telemetry"/></request>`,
        { extra: '<monitoring><monitor host="localhost" type="erlang"/></monitoring><options><option name="seed" value="42"/></options>' }
      ),
      'bench.xml'
    );
    expect(scenario.session.map((step) => step.kind)).toEqual(['connect', 'subscribe', 'publish', 'publish', 'think', 'disconnect']);
    expect(scenario.session[1]).toMatchObject({ qos: 1 });
    expect(scenario.session[2]).toMatchObject({ topic: 'devices/%%_n%%/telemetry', qos: 1 });
    expect(scenario.session[4]).toEqual({ kind: 'think', meanMs: 3000, distribution: 'fixed' });
    const paths = unsupported.map((line) => line.slice(0, line.indexOf(': ')));
    expect(paths).toEqual([
      'tsung/monitoring',
      'tsung/options/option[@name="seed"]',
      `${SESSION}/setdynvars`,
      `${SESSION}/request[2]/mqtt`,
      `${SESSION}/request[3]/mqtt`,
      `${SESSION}/request[3]/mqtt`,
      `${SESSION}/request[4]/match`,
      `${SESSION}/request[4]/mqtt`,
      `${SESSION}/thinktime[1]`,
      `${SESSION}/thinktime[2]`,
      `${SESSION}/for`,
      `${SESSION}/if`,
      `${SESSION}/request[5]/mqtt`
    ]);
    expect(unsupported[4]).toContain('%%_n%% in topic has no counterpart');
    expect(unsupported.at(-1)).toContain('<mqtt type="unsubscribe"> is not supported');
  });

  it('applies a thinktime option with override="true" to every think time, and notes port options', () => {
    const { scenario, notes, unsupported } = importTsungXml(
      tsung('<thinktime value="1"/><for from="1" to="2" var="i"><thinktime value="9" random="true"/></for>', {
        extra: '<options><option name="thinktime" value="3" random="true" override="true"/><option name="ports_range" min="1025" max="65535"/></options>'
      }),
      'bench.xml'
    );
    const think = { kind: 'think', meanMs: 3000, distribution: 'exponential' };
    expect(scenario.session).toEqual([think, { kind: 'loop', count: 2, steps: [think] }]);
    expect(notes).toContainEqual(expect.stringMatching(/^tsung\/options\/option\[@name="ports_range"\]: not used; agents spread connections/));
    expect(unsupported).toEqual([]);
  });

  it('runs the most probable MQTT session and lists the others', () => {
    const text = `<tsung>
      <clients><client host="a"/></clients><servers><server host="b" port="1883" type="tcp"/></servers>
      <load><arrivalphase phase="1" duration="1" unit="second"><users arrivalrate="3" unit="second"/></arrivalphase></load>
      <sessions>
        <session name="few" probability="20" type="ts_mqtt"><request><mqtt type="connect"/></request></session>
        <session name="many" probability="70" type="ts_mqtt"><request><mqtt type="disconnect"/></request></session>
        <session name="web" probability="10" type="ts_http"><request><http url="/"/></request></session>
      </sessions></tsung>`;
    const { scenario, unsupported } = importTsungXml(text, 'bench.xml');
    expect(scenario.session).toEqual([{ kind: 'disconnect' }]);
    expect(unsupported).toEqual([
      expect.stringMatching(/^tsung\/sessions\/session\[@name="few"\]: not run; every device runs "many" instead of 20%/),
      expect.stringMatching(/^tsung\/sessions\/session\[@name="web"\] \(type ts_http\): not run/)
    ]);
  });

  it('notes clients, servers and topics the gateway would refuse', () => {
    const { notes } = importTsungXml(
      tsung('<request><mqtt type="publish" topic="test_topic"/></request><request subst="false"><mqtt type="subscribe" topic="devices/%%_tsung_userid%%/telemetry"/></request>'),
      'bench.xml'
    );
    expect(notes).toEqual([
      expect.stringMatching(/^tsung\/clients: localhost not used; the load suite places its agents itself/),
      expect.stringMatching(/^tsung\/servers: 127\.0\.0\.1:1883 not used/),
      expect.stringMatching(/request\[1\]\/mqtt: "test_topic" is outside the device's own tree/),
      expect.stringMatching(/request\[2\]\/mqtt: topic is sent literally, %%…%% included, since the request has no subst="true"/),
      expect.stringMatching(/request\[2\]\/mqtt: "devices\/%%_tsung_userid%%\/telemetry" is outside the device's own tree/)
    ]);
  });

  it('takes name and description from <information> and the defaults for the rest', () => {
    const { scenario } = importTsungXml(
      tsung('<request><mqtt type="connect"/></request>').replace('<clients>', '<information><name>fleet</name><description>from Tsung</description></information><clients>'),
      'dir/bench.xml'
    );
    expect(scenario).toMatchObject({ name: 'fleet', description: 'from Tsung', thresholds: { maxLost: 0, maxErrorRatio: 0, storeWaitMs: 60_000 } });
    expect(scenario.maxDurationMs).toBe(defaultMaxDurationMs(scenario));
    expect(importTsungXml(tsung('<request><mqtt type="connect"/></request>'), 'dir/bench.xml').scenario.name).toBe('bench');
  });
});

describe('importTsungXml: files it refuses', () => {
  it.each([
    ['XML that is not well-formed', '<tsung><load></tsung>', scenarioErrors.xmlSyntax.code],
    ['a root other than tsung', '<jmeterTestPlan/>', scenarioErrors.notTsung.code],
    ['a file without sessions', tsung('').replace(/<sessions>.*<\/sessions>/s, ''), scenarioErrors.notTsung.code],
    ['a file without an MQTT session', tsung('').replace('ts_mqtt', 'ts_http'), scenarioErrors.noMqttSession.code],
    ['an MQTT session with nothing to run', tsung('<request><mqtt type="unsubscribe"/></request>'), scenarioErrors.notTsung.code]
  ])('%s', (_case, text, code) => {
    const error = failure(text);
    expect(error.code).toBe(code);
    expect(error.message.startsWith('bench.xml: ')).toBe(true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
