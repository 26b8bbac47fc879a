import assert from "node:assert/strict";
import { renderReport, type ReportData } from "./html.ts";

function sample(): ReportData {
  return {
    title: "Training report",
    subject: "models/<team>",
    createdAt: "2025-01-01T00:00:00.000Z",
    summary: [{ label: "people", value: "2" }],
    warnings: ['Folder "<script>alert(1)</script>" is empty'],
    dataset: {
      columns: ["train", "val"],
      rows: [{ name: "Ada", counts: [5, 2] }, { name: "Bob", counts: [4, 0] }],
    },
    photoLists: [{ title: "Unreadable files", items: ["Ada/x.jpg: not an image"] }, {
      title: "Empty",
      items: [],
    }],
    history: [
      { loss: 1, acc: 0.4, val_loss: 1.1, val_acc: 0.5, lr: 0.01, phase: "head" },
      { loss: 0.6, acc: 0.7, val_loss: 0.8, val_acc: 0.5, lr: 0.01, phase: "head" },
      { loss: 0.4, acc: 0.9, val_loss: 0.7, val_acc: 1, lr: 0.001, phase: "fine-tune" },
    ],
    bestEpoch: 2,
    outcomes: {
      caption: "Validation photos",
      labels: ["Ada", "Bob"],
      photos: [
        { path: "Ada/1.jpg", label: "Ada", predicted: "Ada", probability: 0.9 },
        { path: "Ada/2.jpg", label: "Ada", predicted: "Bob", probability: 0.6 },
        { path: "Bob/1.jpg", label: "Bob", predicted: "Bob", probability: 0.8 },
      ],
    },
    galleries: [
      {
        title: "Misclassified validation photos",
        items: [{
          path: "Ada/2.jpg",
          src: "data:image/jpeg;base64,AAAA",
          truth: "Ada",
          predicted: "Bob",
          probability: 0.6,
        }],
        more: 3,
      },
      {
        title: "No face found",
        items: [{ path: "Bob/9.jpg", truth: "Bob", predicted: "(no face)", error: "Cannot read" }],
        more: 0,
      },
      { title: "Nothing", items: [], more: 0 },
    ],
    threshold: { value: 0.55, rule: "accepts 95% of the correctly named validation faces" },
    run: {
      config: { epochs: 300, data: "photos/train" },
      backend: { name: "wasm", device: "CPU" },
      timings: { fit: 1.234 },
    },
  };
}

Deno.test("renderReport: every section, self-contained", () => {
  const html = renderReport(sample());
  for (
    const id of [
      "warnings",
      "dataset",
      "curves",
      "confusion",
      "per-person",
      "photos",
      "threshold",
      "run",
    ]
  ) {
    assert.match(html, new RegExp(`<section id="${id}">`), id);
  }
  assert.equal(
    (html.match(/<svg class="chart"/g) ?? []).length,
    4,
    "loss, accuracy, lr, threshold",
  );
  assert.match(html, /data-marker="fine-tune"/, "the phase change is marked");
  assert.match(html, /data-marker="best 3"/);
  assert.equal((html.match(/<rect class="cell/g) ?? []).length, 4);
  assert.equal((html.match(/<img src="data:image\/jpeg;base64,/g) ?? []).length, 1);
  assert.match(html, /and 3 more, not shown/);
  assert.match(html, /Misclassified validation photos \(4\)/);
  assert.doesNotMatch(html, /Nothing|Empty \(0\)/, "empty groups are left out");
  assert.match(html, /threshold 0.55/);
  assert.match(html, /1.23 s/);
  // Self-contained: no script, nothing fetched, and a policy that forbids fetching anyway.
  assert.doesNotMatch(html, /<script|https?:|src="(?!data:)|href=/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

Deno.test("renderReport marks numbered phases as train() records them", () => {
  const history = [0, 0, 0, 1, 1].map((phase, i) => ({
    loss: 1 / (i + 1),
    val_loss: 1,
    acc: i / 5,
    phase,
  }));
  const html = renderReport({ ...sample(), history, bestEpoch: 4 });
  assert.equal((html.match(/data-marker="fine-tune"/g) ?? []).length, 2, "on loss and accuracy");
  assert.match(html, /Phases: head, fine-tune\./);
});

Deno.test("renderReport escapes names, paths and messages", () => {
  const html = renderReport(sample());
  assert.doesNotMatch(html, /<script>alert|<team>/);
  assert.match(html, /&#60;script&#62;alert\(1\)/);
});

Deno.test("renderReport leaves out what it has no data for", () => {
  const html = renderReport({
    ...sample(),
    history: [],
    outcomes: undefined,
    galleries: [],
    threshold: undefined,
    warnings: [],
  });
  for (const id of ["warnings", "curves", "confusion", "photos", "threshold"]) {
    assert.doesNotMatch(html, new RegExp(`<section id="${id}">`), id);
  }
  assert.match(html, /<section id="run">/);
});

Deno.test("renderReport says what decides unknown when it is not the probability", () => {
  const html = renderReport({
    ...sample(),
    threshold: { value: 0.55, rule: "accepts 95%", decidedBy: "Distances decide & more." },
  });
  assert.match(html, /<p>Distances decide &#38; more\.<\/p>/);
  assert.match(html, /probability threshold, for information: <b>0.55<\/b>/);
  assert.doesNotMatch(html, /is called <i>unknown<\/i>/);
});
