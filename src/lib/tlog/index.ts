// Transparency-log primitives: RFC 9162 Merkle trees, C2SP tlog-tiles, signed notes, checkpoints and cosignatures.
export * from './merkle.js';
export * from './proofs.js';
export * from './tile-paths.js';
export * from './tiles.js';
export * from './tile-reader.js';
export * from './entry-bundle.js';
export * from './base64.js';
export * from './note-keys.js';
export * from './note.js';
export * from './checkpoint.js';
export * from './cosignature.js';
