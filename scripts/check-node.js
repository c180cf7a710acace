// npm scripts must run on the Node 22 that the `node` devDependency installs, not the machine's Node 20.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `gwctl needs Node 22+, but npm ran ${process.version} (${process.execPath}); run \`npm ci\` first so the node@22 devDependency is installed.`,
  );
  process.exit(1);
}
console.error(`node ${process.version} (${process.execPath})`);
