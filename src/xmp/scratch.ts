import { mergeRegions } from "./merge.ts";
import { readRegions } from "./regions.ts";
const photo = { orientation: 6 as const, width: 300, height: 400 };
const a = mergeRegions(undefined, {
  photo,
  model: "m1",
  faces: [{ name: "Ada", box: { x: 0, y: 0, width: 75, height: 200 }, distance: 0.3 }, {
    name: "Bob",
    box: { x: 200, y: 300, width: 50, height: 50 },
  }],
});
console.log(a);
console.log(JSON.stringify(readRegions(a, photo)));
const b = mergeRegions(a, {
  photo,
  model: "m2",
  faces: [{ name: "Cy", box: { x: 10, y: 10, width: 50, height: 50 } }],
});
console.log(b);
const c = mergeRegions(b, { photo, model: "m2", faces: [] });
console.log(c);
