#!/usr/bin/env -S node --import tsx
import { execute } from '@oclif/core';

// Runs the TypeScript sources directly (via tsx), for development without a build.
await execute({ development: true, dir: import.meta.url });
