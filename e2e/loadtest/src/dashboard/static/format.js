// Number and time formats shared by the live dashboard, the report page and their charts, so a
// figure reads the same on both pages.
(function (global) {
  'use strict';

  const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  const twoDecimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  const missing = '–';
  const twoDigits = (value) => String(value).padStart(2, '0');
  const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

  function count(value) {
    return isNumber(value) ? whole.format(value) : missing;
  }

  function rate(value) {
    if (!isNumber(value)) return missing;
    return `${(value < 100 ? oneDecimal : whole).format(value)}/s`;
  }

  function milliseconds(value) {
    if (!isNumber(value)) return missing;
    const format = value < 10 ? twoDecimals : value < 100 ? oneDecimal : whole;
    return `${format.format(value)} ms`;
  }

  function bytes(value) {
    if (!isNumber(value)) return missing;
    const units = [
      ['GiB', 2 ** 30],
      ['MiB', 2 ** 20],
      ['KiB', 2 ** 10]
    ];
    for (const [unit, size] of units) {
      if (Math.abs(value) >= size) return `${oneDecimal.format(value / size)} ${unit}`;
    }
    return `${whole.format(value)} B`;
  }

  function percent(value) {
    return isNumber(value) ? `${oneDecimal.format(value)} %` : missing;
  }

  /** Seconds as h:mm:ss (m:ss under an hour): run time and the charts' x axis. */
  function elapsed(seconds) {
    if (!isNumber(seconds)) return missing;
    const total = Math.max(0, Math.round(seconds));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const rest = total % 60;
    return hours > 0 ? `${hours}:${twoDigits(minutes)}:${twoDigits(rest)}` : `${minutes}:${twoDigits(rest)}`;
  }

  global.PlexusFormat = {
    missing,
    count,
    rate,
    milliseconds,
    bytes,
    percent,
    elapsed,
    compact: (value) => (isNumber(value) ? compact.format(value) : missing),
    decimal: (value) => (isNumber(value) ? oneDecimal.format(value) : missing)
  };
})(globalThis);
