import type { Manifest } from './manifest.js';

export interface Entry {
  name: string;
  in?: Manifest;
}
