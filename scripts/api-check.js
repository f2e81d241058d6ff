#!/usr/bin/env node
// Checks the package root's public surface (dist/lib/index.d.ts, so run after build:ts)
// against the committed report api/ovcache.api.md; `--update` rewrites the report instead.
// A type that a public name uses but the root does not export fails the check, except the
// addon's handle types (Native*): the OpenVINO classes take them in constructors users never
// call, so they stay internal.
'use strict';
const path = require('node:path');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const update = process.argv.includes('--update');
const config = ExtractorConfig.loadFileAndPrepare(path.resolve(__dirname, '..', 'api-extractor.json'));
const problems = [];
const result = Extractor.invoke(config, {
  localBuild: update,
  showVerboseMessages: false,
  messageCallback(message) {
    if (message.messageId !== 'ae-forgotten-export') return;
    const symbol = /The symbol "([^"]+)"/.exec(message.text)?.[1] ?? '';
    if (symbol.startsWith('Native')) {
      message.logLevel = 'none';
      return;
    }
    problems.push(`${message.sourceFilePath}:${message.sourceFileLine}: ${message.text}`);
    message.handled = true;
  },
});
for (const p of problems) console.error(`api: ${p}`);
if (!result.apiReportChanged && problems.length === 0 && result.succeeded) {
  console.log(`api: the public surface matches ${path.relative(process.cwd(), config.reportFilePath)}`);
  process.exit(0);
}
if (result.apiReportChanged && !update) {
  console.error(
    `api: the public surface changed; run "npm run api:update" and commit ${path.relative(process.cwd(), config.reportFilePath)}`,
  );
}
process.exit(update && problems.length === 0 ? 0 : 1);
