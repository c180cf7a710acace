// Build step (after tsc): replaces dist/lib/config/load.js with one file holding it, its schema, yaml and zod/mini.
// gwctl validates gwctl.yaml on every run (no cache: a cache could make a config take effect that the file does not
// say); loading the parser as ~150 small modules costs ~50 ms, as one file ~10 ms (see bench/startup).
// gwctl's other modules stay outside, imported as before, so that e.g. UsageError remains one class.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const source = resolve(root, 'src/lib/config/load.ts');
const outfile = resolve(root, 'dist/lib/config/load.js');
const bundled = new Set([source, resolve(root, 'src/lib/config/schema.ts')]);

await build({
  entryPoints: [source], // from the sources, so a rebuild never bundles a bundle
  outfile,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minifyWhitespace: true,
  minifySyntax: true, // names are kept, for readable GWCTL_DEBUG=1 stacks
  legalComments: 'inline',
  // yaml is CommonJS and requires Node's builtins.
  banner: {
    js: "import { createRequire as __gwctlRequire } from 'node:module'; const require = __gwctlRequire(import.meta.url);",
  },
  plugins: [
    {
      name: 'gwctl-modules-stay-outside',
      setup(b) {
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (!args.importer.startsWith(resolve(root, 'src'))) return undefined; // yaml's and zod's own files
          const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
          if (bundled.has(target)) return undefined;
          // dist mirrors src, so the import reads the same from the bundle
          const spec = relative(dirname(source), target).replace(/\.ts$/, '.js');
          return { path: spec.startsWith('.') ? spec : `./${spec}`, external: true };
        });
      },
    },
  ],
});
// tsc's source map describes the file this replaced.
rmSync(`${outfile}.map`, { force: true });
