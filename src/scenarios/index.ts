// The `zignsec-mock/scenarios` entry: the journey runner for integrators' code (run, list, write your own
// journeys). It loads Puppeteer, which is why the package root (`zignsec-mock`) leaves it out.
export {
  BrowserNotFoundError,
  consoleReporter,
  listScenarios,
  OutputFolderError,
  runScenario,
  runScenarios,
  silentReporter,
  type JourneyResult,
  type RunOptions,
  type RunSummary,
  type ScenarioInfo,
} from './runner.js';
export { defineJourney, type Journey, type JourneyContext } from '../../scenarios/journey.js';
