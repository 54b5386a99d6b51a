// Loads a release folder with transformers.js (the Hugging Face consumer), offline, exactly as a JavaScript user
// would: tokenizer, feature-extraction (mean and CLS pooling) and, when the model has a head, text-classification.
// Usage: node run-release.cjs <modules-folder> <release-folder> <texts.json> <out.json>
// Exit 0 with the results in out.json; exit 2 when the consumer could not run (the message says why).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

async function main() {
  const [modules, release, textsPath, outPath] = process.argv.slice(2);
  if (!outPath) throw new Error('usage: node run-release.cjs <modules-folder> <release-folder> <texts.json> <out.json>');
  // The pinned packages live in their own folder (installed by .ci/run), not beside this script.
  const load = createRequire(path.join(path.resolve(modules), 'package.json'));
  const { env, pipeline, AutoTokenizer } = load('@huggingface/transformers');
  // Its package.json is not exported, so it is read as a file.
  const version = JSON.parse(fs.readFileSync(path.join(modules, 'node_modules', '@huggingface', 'transformers', 'package.json'), 'utf8')).version;

  // Offline: only the folder on disk, never the Hub.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = path.dirname(path.resolve(release)) + path.sep;
  const id = path.basename(path.resolve(release));
  const options = { local_files_only: true };
  const texts = JSON.parse(fs.readFileSync(textsPath, 'utf8'));
  const config = JSON.parse(fs.readFileSync(path.join(release, 'config.json'), 'utf8'));
  const started = Date.now();

  const tokenizer = await AutoTokenizer.from_pretrained(id, options);
  const ids = (encoding) => Array.from(encoding.input_ids.data, Number);
  const truncatedIds = texts.map((t) => ids(tokenizer(t, { truncation: true })));
  const fullIds = texts.map((t) => ids(tokenizer(t)));

  const extractor = await pipeline('feature-extraction', id, { ...options, dtype: 'fp32', device: 'cpu' });
  const mean = (await extractor(texts, { pooling: 'mean', normalize: false })).tolist();
  const cls = (await extractor(texts, { pooling: 'cls', normalize: false })).tolist();

  let classes = null;
  if (config.id2label) {
    const classifier = await pipeline('text-classification', id, { ...options, dtype: 'fp32', device: 'cpu' });
    // Every class with its probability, best first, so that labels and scores are compared class by class.
    const top_k = Object.keys(config.id2label).length;
    classes = [];
    for (const text of texts) classes.push(await classifier(text, { top_k }));
  }
  fs.writeFileSync(outPath, JSON.stringify({ version, truncatedIds, fullIds, mean, cls, classes, ms: Date.now() - started }));
}

main().catch((error) => {
  console.error(`transformers.js could not load the release: ${error && error.stack ? error.stack : error}`);
  process.exit(2);
});
