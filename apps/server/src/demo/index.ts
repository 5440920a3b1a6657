/** Demo data: a simulated bakery's customers and events, stored through the tracking API's path (`kith demo`). */
export {
  DEMO_SOURCES,
  type DemoEvent,
  type DemoOptions,
  type DemoPerson,
  type DemoSourceKey,
  type DemoStats,
  emptyStats,
  generateDemo,
} from './generate.js';
export { duration, num, ProgressBar } from './progress.js';
export { ensureDemoSources, processDemo, type StoreProgress, type StoreResult, storeDemo } from './service.js';
