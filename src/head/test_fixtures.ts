/**
 * Fixtures shared by the head stage's tests.
 *
 * @module
 */
import { MODEL_FORMAT, type ModelInfo } from "./model_io.ts";

/** A valid facefit.json for a 4-number embedding and these labels, with `extra` fields over it. */
export function testModelInfo(labels: string[], extra: Partial<ModelInfo> = {}): ModelInfo {
  return {
    format: MODEL_FORMAT,
    labels,
    backbone: "test-backbone",
    chip: { size: 150, padding: 0.25, alignment: "test" },
    embedding: { size: 4, normalize: "l2" },
    threshold: { value: 0.5, rule: "test" },
    createdAt: "2026-01-01T00:00:00.000Z",
    training: {},
    ...extra,
  };
}
