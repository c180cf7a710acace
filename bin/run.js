#!/usr/bin/env node
import module from 'node:module';
import v8 from 'node:v8';

// A backup goes through every object of a bucket, each passing through a JSON answer, an object and a manifest
// line: V8's default heap growth lets that garbage pile up to several times what is live (100,000 objects:
// ~55 MiB live, 270 MiB RSS). Favouring size collects it sooner (150 MiB), with no heap limit to run into at a
// million objects. Set before the compile cache is enabled: code cached under these flags is kept apart from other commands'.
if (process.argv[2] === 'backup') v8.setFlagsFromString('--optimize-for-size');

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
