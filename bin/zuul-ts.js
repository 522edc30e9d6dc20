#!/usr/bin/env node
// Entry point for `npx zuul-ts`; the CLI itself is compiled TypeScript under dist/.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
  },
);
