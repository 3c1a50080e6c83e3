// The report page: fills the summary, the tables and the charts from the report embedded in the
// page as JSON (the same object as report.json), so the file opens anywhere without a server.
/* global PlexusCharts, PlexusFormat, PlexusTables */
(function () {
  'use strict';

  const report = JSON.parse(document.getElementById('report-data').textContent);
  const byTestId = (testId) => document.querySelector(`[data-testid="${testId}"]`);
  const setText = (testId, text) => {
    byTestId(testId).textContent = text;
  };
  const number = (text) => ({ text, className: 'number' });
  const cpuSeconds = (usage) => (usage.cpuUserMs + usage.cpuSystemMs) / 1000;
  const cpuAverage = (usage) => (report.durationSec > 0 ? (100 * cpuSeconds(usage)) / report.durationSec : undefined);
  const seconds = (milliseconds) => `${PlexusFormat.decimal(milliseconds / 1000)} s`;
  const perConnection = (bytes) => number(bytes === null ? PlexusFormat.missing : PlexusFormat.bytes(bytes));

  function renderHeader() {
    const verdict = byTestId('verdict');
    verdict.textContent = report.passed ? 'passed' : 'failed';
    verdict.dataset.state = report.passed ? 'passed' : 'failed';
    setText('run-id', report.runId);
    setText('scenario', report.scenario);
    setText('started-at', report.startedAt);
    setText('summary-duration', PlexusFormat.elapsed(report.durationSec));
    setText('target-control-plane', report.target.controlPlane);
    setText('target-data-plane', report.target.dataPlane);
    setText('target-mqtt', report.target.mqtt);
    setText('target-started-by-run', report.target.startedByRun ? 'started by the run' : 'already running');
    document.title = `${report.passed ? 'passed' : 'failed'} · ${report.scenario} · Plexus load report ${report.runId}`;
  }

  /** A list shown only when it has items: why the run failed, what a Tsung import left out. */
  function renderList(name, items) {
    byTestId(`${name}-panel`).hidden = items.length === 0;
    byTestId(name).replaceChildren(
      ...items.map((text) => {
        const item = document.createElement('li');
        item.textContent = text;
        return item;
      })
    );
  }

  function renderFigures() {
    const agentCpuSeconds = report.agents.reduce((total, agent) => total + cpuSeconds(agent.usage), 0);
    setText('summary-devices', PlexusFormat.count(report.devices));
    setText('summary-peak-connected', PlexusFormat.count(report.peakConnected));
    setText('summary-connect-rate', PlexusFormat.rate(report.connectRatePerSec));
    setText('summary-publishes-sent', PlexusFormat.count(report.publishesSent));
    setText('summary-publish-rate', PlexusFormat.rate(report.publishRatePerSec));
    setText('summary-acked', PlexusFormat.count(report.acked));
    setText('summary-stored', PlexusFormat.count(report.stored));
    setText('summary-lost', PlexusFormat.count(report.lost));
    setText('summary-errors-total', PlexusFormat.count(PlexusTables.errorTotal(report.errors)));
    setText('summary-publishes-per-agent-cpu-second', agentCpuSeconds > 0 ? PlexusFormat.count(report.publishesSent / agentCpuSeconds) : PlexusFormat.missing);
  }

  function latencyRow(name, percentiles) {
    return [
      name,
      number(PlexusFormat.count(percentiles.count)),
      ...[percentiles.p50, percentiles.p90, percentiles.p99, percentiles.p999, percentiles.max].map((value) => number(PlexusFormat.milliseconds(value)))
    ];
  }

  function usageCells(usage, peakRssBytes) {
    return [
      number(seconds(usage.cpuUserMs)),
      number(seconds(usage.cpuSystemMs)),
      number(PlexusFormat.percent(cpuAverage(usage))),
      number(PlexusFormat.bytes(usage.rssBytes)),
      number(PlexusFormat.bytes(peakRssBytes)),
      number(PlexusFormat.bytes(usage.heapUsedBytes))
    ];
  }

  function renderTables() {
    PlexusTables.fill(byTestId('latency-rows'), [latencyRow('ack', report.ackLatencyMs), latencyRow('end-to-end', report.endToEndLatencyMs)], '');
    PlexusTables.fill(byTestId('error-rows'), PlexusTables.errorRows(report.errors), 'no errors');
    PlexusTables.fill(
      byTestId('lost-device-rows'),
      report.lostDevices.map((device) => [
        device.deviceId,
        number(PlexusFormat.count(device.acked)),
        number(PlexusFormat.count(device.stored)),
        number(PlexusFormat.count(device.acked - device.stored))
      ]),
      report.lost === 0 ? 'every acknowledged message was stored' : `${PlexusFormat.count(report.lost)} messages lost`
    );
    PlexusTables.fill(
      byTestId('agent-rows'),
      report.agents.map((agent) => [
        agent.agentId,
        agent.hostname,
        number(String(agent.usage.pid)),
        number(PlexusFormat.count(agent.devices)),
        number(PlexusFormat.count(agent.peakConnected)),
        ...usageCells(agent.usage, agent.peakRssBytes),
        perConnection(agent.bytesPerConnection)
      ]),
      'no agent reported'
    );
    PlexusTables.fill(
      byTestId('platform-rows'),
      report.platform.map((process) => [
        process.name,
        number(String(process.usage.pid)),
        ...usageCells(process.usage, process.peakRssBytes),
        perConnection(process.bytesPerConnection)
      ]),
      'no platform process found: the run used a platform it did not start'
    );
  }

  renderHeader();
  renderList('failures', report.failures);
  renderList('unsupported', report.unsupported);
  renderFigures();
  renderTables();
  PlexusCharts.mount(document.getElementById('charts')).update(report.series);
})();
