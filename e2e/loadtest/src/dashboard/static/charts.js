// The run's charts, drawn with uPlot from `series` (one SeriesPoint per stats interval). The live
// dashboard and the report page both mount these, so their charts cannot drift apart.
/* global uPlot, PlexusFormat */
(function (global) {
  'use strict';

  const PLOT_HEIGHT = 220;
  const MINIMUM_WIDTH = 240;

  // Colors differ within a chart so a reader (and the browser test) can tell the lines apart.
  const definitions = [
    {
      name: 'connected',
      title: 'Connected devices',
      format: PlexusFormat.count,
      lines: [{ key: 'connected', label: 'connected', stroke: '#2563eb' }]
    },
    {
      name: 'connect-rate',
      title: 'Connect rate',
      format: PlexusFormat.rate,
      lines: [{ key: 'connectRate', label: 'connects', stroke: '#0d9488' }]
    },
    {
      name: 'rates',
      title: 'Publish and ack rates',
      format: PlexusFormat.rate,
      lines: [
        { key: 'publishRate', label: 'publishes', stroke: '#7c3aed' },
        { key: 'ackRate', label: 'acks', stroke: '#16a34a' }
      ]
    },
    {
      name: 'latency',
      title: 'Latency',
      format: PlexusFormat.milliseconds,
      lines: [
        { key: 'ackP50Ms', label: 'ack p50', stroke: '#f59e0b' },
        { key: 'ackP99Ms', label: 'ack p99', stroke: '#dc2626', dash: [8, 4] },
        { key: 'e2eP50Ms', label: 'end-to-end p50', stroke: '#0891b2' },
        { key: 'e2eP99Ms', label: 'end-to-end p99', stroke: '#7c3aed', dash: [8, 4] }
      ]
    },
    {
      name: 'errors',
      title: 'Errors since the start',
      format: PlexusFormat.count,
      lines: [{ key: 'errors', label: 'errors', stroke: '#be123c' }]
    }
  ];

  function columnsOf(series, definition) {
    return [series.map((point) => point.t), ...definition.lines.map((line) => series.map((point) => point[line.key]))];
  }

  // uPlot blanks the legend whenever the pointer is off the plot; there it shows the newest sample
  // instead. Before the pointer first moves, uPlot has no cursor position at all.
  function showNewestWhenPointerAway(chart) {
    const samples = chart.data[0].length;
    const pointerAway = !(chart.cursor.left >= 0);
    if (pointerAway && samples > 0 && chart.legend.idx !== samples - 1) chart.setLegend({ idx: samples - 1 });
  }

  function optionsFor(definition, width) {
    const legendValue = (_chart, value) => (value === null || value === undefined ? PlexusFormat.missing : definition.format(value));
    return {
      width,
      height: PLOT_HEIGHT,
      scales: {
        x: { time: false },
        // Counts, rates and latencies start at zero; a y axis starting at the smallest value
        // makes a flat line of small numbers look like a swing.
        y: { range: (_chart, min, max) => uPlot.rangeNum(Math.min(0, min ?? 0), Math.max(1, max ?? 1), 0.1, true) }
      },
      series: [
        { label: 'elapsed', value: (_chart, value) => PlexusFormat.elapsed(value) },
        ...definition.lines.map((line) => ({ label: line.label, stroke: line.stroke, width: 2, dash: line.dash, value: legendValue }))
      ],
      hooks: { setLegend: [showNewestWhenPointerAway], setData: [showNewestWhenPointerAway] },
      axes: [
        { values: (_chart, splits) => splits.map(PlexusFormat.elapsed) },
        { size: 60, values: (_chart, splits) => splits.map(PlexusFormat.compact) }
      ]
    };
  }

  function mountChart(root, definition) {
    const section = document.createElement('section');
    section.className = 'chart';
    section.dataset.testid = `chart-${definition.name}`;
    const heading = document.createElement('h2');
    heading.textContent = definition.title;
    const plot = document.createElement('div');
    plot.className = 'plot';
    section.append(heading, plot);
    root.append(section);

    const widthOfPlot = () => Math.max(MINIMUM_WIDTH, Math.floor(plot.clientWidth));
    let width = widthOfPlot();
    const chart = new uPlot(optionsFor(definition, width), columnsOf([], definition), plot);
    new ResizeObserver(() => {
      // The chart's own height changes the plot box too; only a new width needs a redraw.
      const newWidth = widthOfPlot();
      if (newWidth === width) return;
      width = newWidth;
      chart.setSize({ width, height: PLOT_HEIGHT });
    }).observe(plot);
    return { update: (series) => chart.setData(columnsOf(series, definition)) };
  }

  /** Adds every chart to `root`; `update(series)` redraws them all from the run's series. */
  function mount(root) {
    const charts = definitions.map((definition) => mountChart(root, definition));
    return {
      update(series) {
        for (const chart of charts) chart.update(series);
      }
    };
  }

  global.PlexusCharts = { definitions, mount };
})(globalThis);
