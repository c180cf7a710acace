#!/usr/bin/env node
import module from 'node:module';

// Reuse V8's compiled code across runs: startup time matters for a CLI run from scripts and cron.
module.enableCompileCache?.();

// Importing @oclif/core checks the Node version against its `engines` (>=22.0.0), which loads all of
// semver (~50 modules, ~10 ms). On Node 22+ that check cannot warn, so skip it there, for this import
// only; older Nodes still get oclif's warning.
const skipEngineCheck =
  process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined && Number(process.versions.node.split('.')[0]) >= 22;
if (skipEngineCheck) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
const { execute } = await import('@oclif/core');
if (skipEngineCheck) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;

await execute({ dir: import.meta.url });
