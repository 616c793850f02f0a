// Writes libs/contracts/asyncapi.json and libs/contracts/compat/published-schemas.json from the
// contract definitions (the built libs/contracts/dist), formatted as the repository formats JSON.
// Refuses, writing nothing, when a published event version changed in a way that breaks readers.
//   npm run contracts:generate
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');
const prettier = require('prettier');
const { CONTRACT_FILES, contractFiles, describeBreakingChange } = require('../dist');

async function main() {
  const root = join(__dirname, '..');
  const snapshotFile = join(root, CONTRACT_FILES.publishedSchemas);
  const snapshot = existsSync(snapshotFile) ? JSON.parse(readFileSync(snapshotFile, 'utf8')) : {};
  const result = contractFiles(snapshot);
  if (!result.files) {
    console.error(
      'Published event versions changed in ways that break their readers; publish a new version instead:\n' +
        result.breaking.map((change) => `  ${describeBreakingChange(change)}`).join('\n'),
    );
    process.exitCode = 1;
    return;
  }
  for (const [name, content] of Object.entries(result.files)) {
    const file = join(root, CONTRACT_FILES[name]);
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await prettier.format(JSON.stringify(content), options));
    console.log(`wrote ${relative(process.cwd(), file)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
