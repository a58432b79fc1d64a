// Fails loudly when a repo script runs on a Node older than 24: the repo installs Node 24 itself
// (the `node` devDependency), and a silent fallback to the host's Node 20 breaks vitest 5,
// changesets and Effect 4 in confusing ways.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `miro-token: scripts must run on Node 24, but this is ${process.version}.\n` +
      "Run them through pnpm (for example `npx -y pnpm@10.34.9 test`) after `pnpm install`, which\n" +
      'installs Node 24 from the `node` devDependency. If pnpm printed "Ignored build scripts",\n' +
      "allowBuilds in pnpm-workspace.yaml did not apply.",
  );
  process.exit(1);
}
