// The live dashboard: polls the controller's `api/run` every second (the issue asks for updates at
// least every 2 s) and redraws the figures, the charts and the tables from the run snapshot.
/* global PlexusCharts, PlexusFormat, PlexusTables */
(function () {
  'use strict';

  const POLL_INTERVAL_MS = 1000;
  // Agents report every stats interval (1 s); three missed reports mark an agent as stale.
  const STALE_AGENT_MS = 3000;

  const charts = PlexusCharts.mount(document.getElementById('charts'));
  const byTestId = (testId) => document.querySelector(`[data-testid="${testId}"]`);
  const setText = (testId, text) => {
    byTestId(testId).textContent = text;
  };

  function renderHeader(snapshot) {
    const state = byTestId('state');
    state.textContent = snapshot.state;
    state.dataset.state = snapshot.state;
    setText('run-id', snapshot.runId);
    setText('scenario', snapshot.scenario);
    setText('phase', snapshot.phase || PlexusFormat.missing);
    setText('elapsed', PlexusFormat.elapsed(snapshot.elapsedSec));
    setText('eta', snapshot.etaSec === null ? PlexusFormat.missing : PlexusFormat.elapsed(snapshot.etaSec));
    document.title = `${snapshot.state} · ${PlexusFormat.count(snapshot.connected)} connected · Plexus load suite`;
  }

  function renderFigures(snapshot) {
    // Rates are per stats interval, so they come from the newest sample of the series.
    const latest = snapshot.series.at(-1);
    setText('connected', PlexusFormat.count(snapshot.connected));
    setText('peak-connected', PlexusFormat.count(snapshot.peakConnected));
    setText('devices', PlexusFormat.count(snapshot.devices));
    setText('connect-rate', PlexusFormat.rate(latest?.connectRate));
    setText('publish-rate', PlexusFormat.rate(latest?.publishRate));
    setText('publishes-sent', PlexusFormat.count(snapshot.publishesSent));
    setText('ack-rate', PlexusFormat.rate(latest?.ackRate));
    setText('acked', PlexusFormat.count(snapshot.acked));
    setText('ack-p50', PlexusFormat.milliseconds(snapshot.ackLatencyMs.p50));
    setText('ack-p99', PlexusFormat.milliseconds(snapshot.ackLatencyMs.p99));
    setText('e2e-p50', PlexusFormat.milliseconds(snapshot.endToEndLatencyMs.p50));
    setText('e2e-p99', PlexusFormat.milliseconds(snapshot.endToEndLatencyMs.p99));
    setText('errors-total', PlexusFormat.count(PlexusTables.errorTotal(snapshot.errors)));
  }

  function agentRow(agent) {
    const number = (text) => ({ text, className: 'number' });
    const stale = agent.lastSeenMsAgo > STALE_AGENT_MS;
    return [
      agent.agentId,
      agent.hostname,
      number(String(agent.pid)),
      number(PlexusFormat.count(agent.devices)),
      number(PlexusFormat.count(agent.connected)),
      { text: `${PlexusFormat.decimal(agent.lastSeenMsAgo / 1000)} s ago`, className: stale ? 'number stale' : 'number' },
      number(PlexusFormat.bytes(agent.rssBytes)),
      number(PlexusFormat.percent(agent.cpuPercent)),
      { text: agent.state, className: agent.state === 'lost' ? 'stale' : '' }
    ];
  }

  function render(snapshot) {
    renderHeader(snapshot);
    renderFigures(snapshot);
    charts.update(snapshot.series);
    PlexusTables.fill(byTestId('agent-rows'), snapshot.agents.map(agentRow), 'no agent has reported yet');
    PlexusTables.fill(byTestId('error-rows'), PlexusTables.errorRows(snapshot.errors), 'no errors');
  }

  function showLink(healthy, text) {
    const link = byTestId('link');
    link.textContent = text;
    link.classList.toggle('stale', !healthy);
  }

  const clockTime = (date) => date.toLocaleTimeString('en-GB');
  let unreachableSince = null;

  async function poll() {
    try {
      const response = await fetch('api/run', { cache: 'no-store' });
      if (!response.ok) throw new Error(`api/run answered ${response.status}`);
      render(await response.json());
      unreachableSince = null;
      showLink(true, `updated ${clockTime(new Date())}`);
    } catch (error) {
      unreachableSince ??= new Date();
      showLink(false, `unreachable since ${clockTime(unreachableSince)}: ${error.message}`);
    } finally {
      setTimeout(poll, POLL_INTERVAL_MS);
    }
  }

  poll();
})();
