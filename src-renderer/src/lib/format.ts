// Human numbers for researchers: "1.2 GB", "48,000", "3 min". The functions live in
// src-shared/display-format so the core's table filters match exactly what cells show.
export {
  formatBytes, formatCount, formatDate, formatDateTime, formatDurationMs, formatPercent, formatSeconds, percentOf, plural,
} from '../../../src-shared/display-format';
