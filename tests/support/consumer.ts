/**
 * The program a new user writes in an empty folder: import facefit's `mod.ts` (by URL or path),
 * train on a folder-per-person collection, save the model, load it back and name the faces of
 * photos. `tests/url_import_test.ts` writes it into an empty temporary folder and runs it.
 *
 * @module
 */

/**
 * The consumer's source, importing facefit from `modUrl`. It takes the collection, the model
 * folder and the photos as arguments. It prints how many SSD worker threads started (a worker that
 * cannot load only slows the analyzer down, so the test asks), then one line per photo: its path,
 * a tab, and the names of its faces, most confident first, separated by commas.
 */
export function consumerSource(modUrl: string): string {
  return `import { FaceAnalyzer, initBackend, Recognizer, saveModel, train } from "${modUrl}";

const [data, model, ...photos] = Deno.args;
await initBackend("wasm");
// Two detection threads: this one and an SSD worker, started from wherever facefit came from.
const analyzer = await FaceAnalyzer.load({ workers: 2 });
console.log(\`workers\\t\${await analyzer.startWorkers()}\`);
await saveModel(model, await train(analyzer, { data }));
analyzer.dispose();

const recognizer = await Recognizer.load(model, { workers: 2 });
for (const photo of photos) {
  const { faces } = await recognizer.recognizeFile(photo);
  const names = faces.toSorted((a, b) => b.probability - a.probability).map((f) => f.name);
  console.log(\`\${photo}\\t\${names.join(",")}\`);
}
recognizer.dispose();
`;
}
