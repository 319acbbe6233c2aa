// A journey's progress steps: each named step is timed and recorded (passed or failed, with its
// error), and a failure carries the name of the step it happened in, for the report.
export interface StepRecord {
  name: string;
  status: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

/** Marks an error with the step it failed in (the first, innermost step wins). */
export function failedStepOf(error: unknown): string | undefined {
  return (error as { journeyStep?: string } | null)?.journeyStep;
}

/** The journey's `step()`: runs `fn`, records it in `steps` and tells `onStep`. */
export function stepRecorder(steps: StepRecord[], onStep: (step: StepRecord) => void) {
  return async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      const value = await fn();
      const record: StepRecord = { name, status: 'passed', durationMs: performance.now() - started };
      steps.push(record);
      onStep(record);
      return value;
    } catch (error) {
      const record: StepRecord = { name, status: 'failed', durationMs: performance.now() - started, error: (error as Error)?.message ?? String(error) };
      steps.push(record);
      onStep(record);
      if (error && typeof error === 'object' && !('journeyStep' in error)) Object.assign(error, { journeyStep: name });
      throw error;
    }
  };
}
