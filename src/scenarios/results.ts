// What a run produces: one result per journey and the run's summary (shared by reporters, JUnit, CLI).
import type { StepRecord } from './journey-steps.js';

export type { StepRecord };

export interface JourneyResult {
  name: string;
  description: string;
  tags: string[];
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  steps: StepRecord[];
  /** Set when the journey failed. `step` names the step it failed in. */
  error?: { name: string; message: string; stack?: string; step?: string };
  /** Sessions the journey created or visited (their control-API records are in the artifacts). */
  sessionIds: string[];
  /** Where the failure's artifacts were written. */
  artifactsDir?: string;
  skipReason?: string;
}

export interface RunSummary {
  ok: boolean;
  mode: 'emulator' | 'integrator';
  baseUrl: string;
  appUrl?: string;
  concurrency: number;
  results: JourneyResult[];
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  startedAt: string;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
