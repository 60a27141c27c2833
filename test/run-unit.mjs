// Runs the plain-Node unit tests (test/unit/**/*.test.ts): `node test/run-unit.mjs [filter…]`.
import { runNodeTests } from './nodeTestRunner.mjs';

process.exit(runNodeTests({ dir: 'test/unit', label: 'run-unit', filter: process.argv.slice(2) }));
