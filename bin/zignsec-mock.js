#!/usr/bin/env node
// The `zignsec-mock` command. There is no build step: tsx's loader runs src/cli.ts in this process, from
// any working directory. tsconfig lookup is off so a project's own tsconfig.json cannot change our code.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
const { run } = await import('../src/cli.ts');
await run(process.argv.slice(2));
