// A consumer of the `zignsec-mock/scenarios` entry from plain JavaScript: lists the packaged journeys
// (compiled, loaded from the installed package) and prints one JSON line.
import { defineJourney, listScenarios } from 'zignsec-mock/scenarios';

const journeys = await listScenarios();
console.log(JSON.stringify({ count: journeys.length, happyPath: journeys.some((j) => j.name === 'happy-path'), defineJourney: typeof defineJourney }));
