import assert from "node:assert/strict";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { buildBackbone, STAGES } from "./backbone.ts";
import { splitBackbone } from "./split.ts";

await tf.setBackend("cpu");

Deno.test("top(bottom(x)) equals the whole backbone, for every cut, and the halves share weights", () => {
  const backbone = buildBackbone();
  const x = tf.randomUniform([2, 150, 150, 3], 0, 255, "float32", 3);
  const whole = backbone.predict(x) as tf.Tensor;
  const expected = whole.dataSync();
  for (let n = 1; n <= STAGES.length; n++) {
    const { bottom, top } = splitBackbone(backbone, n);
    const got = tf.tidy(() =>
      (top.predict(bottom.predict(x) as tf.Tensor) as tf.Tensor).dataSync()
    );
    const diff = Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])));
    assert.ok(diff < 1e-4, `n=${n}: max diff ${diff}`);
    // The top's weights are the backbone's own variables, not copies.
    const topNames = new Set(top.weights.map((w) => w.name));
    assert.ok(backbone.weights.some((w) => topNames.has(w.name)));
    assert.ok(top.layers.every((l) => !l.name.startsWith(STAGES[STAGES.length - n - 1] + ".")));
  }
  assert.throws(() => splitBackbone(backbone, 0), RangeError);
  tf.dispose([x, whole]);
  backbone.dispose();
});
