import assert from "node:assert/strict";
import { LOG_EVERY_MS, Reporter, type TextSink } from "./output.ts";

function sink(isTerminal: boolean): TextSink & { text: string } {
  const s = { text: "", isTerminal, columns: 100, write: (t: string) => void (s.text += t) };
  return s;
}

Deno.test("progress: a live bar with count, rate and ETA on a terminal", () => {
  const err = sink(true);
  const r = new Reporter(sink(false), err);
  for (let i = 1; i <= 4; i++) r.progress({ step: "faces", done: i, total: 4 });
  // deno-lint-ignore no-control-regex -- the terminal's escape codes are what is tested
  assert.match(err.text, /\r\x1b\[Kfaces\s+\[#{6}\.{18}\] 1\/4 0\.0\/s ETA -/);
  assert.match(err.text, /\[#{24}\] 4\/4 [\d.]+\/s ETA 0s\n$/, "the finished bar ends its line");
});

Deno.test("progress: nothing in a log file or when quiet, but skipped files are always warned", () => {
  const log = sink(false);
  new Reporter(sink(false), log).progress({ step: "faces", done: 1, total: 2 });
  assert.equal(log.text, "");
  const quiet = sink(true);
  const r = new Reporter(sink(false), quiet, { quiet: true });
  r.progress({ step: "faces", done: 1, total: 2, file: "a.jpg", error: "not a photo" });
  assert.equal(quiet.text, 'warning: skipped "a.jpg": not a photo\n');
  const verbose = sink(false);
  const v = new Reporter(sink(false), verbose, { verbose: true });
  v.progress({ step: "faces", done: 1, total: 2 });
  v.progress({ step: "faces", done: 2, total: 2 });
  assert.match(verbose.text, /^faces 2\/2 .* ETA 0s\n$/, "verbose logs get the finished step");
});

Deno.test("progress: a long step writes a plain line to a log every few seconds, then its end", () => {
  const realNow = performance.now;
  let now = 1000;
  performance.now = () => now;
  try {
    const log = sink(false);
    const r = new Reporter(sink(false), log);
    for (let i = 1; i <= 10; i++) {
      r.progress({ step: "faces", done: i, total: 10 });
      now += LOG_EVERY_MS / 2 + 1; // a line every second photo
    }
    const lines = log.text.trim().split("\n");
    assert.deepEqual(lines.map((l) => l.split(" ")[1]), ["3/10", "5/10", "7/10", "9/10", "10/10"]);
    // Epochs in a log: a line when the last is a while ago, even between every 10th epoch.
    const epochs = sink(false);
    const e = new Reporter(sink(false), epochs);
    for (let k = 0; k < 4; k++) {
      e.epoch(k, { loss: 1 }, false, 15);
      now += LOG_EVERY_MS + 1;
    }
    assert.equal(epochs.text.trim().split("\n").length, 4, epochs.text);
  } finally {
    performance.now = realNow;
  }
});

Deno.test("epoch: a bar towards the epoch limit on a terminal, lines in a log", () => {
  const tty = sink(true);
  const r = new Reporter(sink(false), tty);
  r.epoch(0, { loss: 1, val_loss: 1.2, val_acc: 0.5 }, false, 300);
  assert.match(
    tty.text,
    /epochs\s+\[\.{24}\] 1\/300 .* loss 1\.0000 val_loss 1\.2000 val_acc 0\.5000/,
  );
  r.epoch(4, { loss: 0.5 }, true, 300);
  assert.match(
    tty.text,
    /\nepoch {3}5 {2}loss 0\.5000/,
    "the last epoch closes the bar with a line",
  );
  const log = sink(false);
  const l = new Reporter(sink(false), log);
  for (let e = 0; e < 12; e++) l.epoch(e, { loss: 1 / (e + 1) }, false, 300);
  assert.deepEqual(log.text.trim().split("\n").map((s) => s.slice(0, 9)), [
    "epoch   1",
    "epoch  10",
  ]);
});

Deno.test("bars are cut to the terminal width", () => {
  const err = sink(true);
  err.columns = 40;
  new Reporter(sink(false), err).epoch(0, { loss: 1, val_loss: 1, val_acc: 1 }, false, 9);
  assert.ok(err.text.replace("\r\x1b[K", "").length <= 39, JSON.stringify(err.text));
});

Deno.test("timing only with --verbose", async () => {
  const quiet = sink(false), loud = sink(false);
  new Reporter(sink(false), quiet).timing("fit", 1.5);
  assert.equal(quiet.text, "");
  const r = new Reporter(sink(false), loud, { verbose: true });
  assert.equal(await r.time("load networks", () => Promise.resolve(7)), 7);
  r.timing("fit", 75);
  assert.match(loud.text, /^time load networks: \d\.\d\ds\ntime fit: 1m15s\n$/);
});
