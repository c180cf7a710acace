#!/usr/bin/env node
import module from 'node:module';

// Reuse V8's compiled code across runs: startup time matters for a CLI run from scripts and cron.
module.enableCompileCache?.();

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
