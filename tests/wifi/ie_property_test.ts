import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AttributeEncoder } from "../../src/netlink/mod.ts";
import {
  decodeBSS,
  Nl80211Attribute,
  Nl80211BSSAttribute,
  parseInformationElements,
  splitElements,
} from "../../src/wifi/mod.ts";

// Elements with plausible IDs (the decoded ones) and arbitrary bodies, so
// that the decoders, not just the walk, see random input.
const ids = [0, 1, 3, 5, 7, 11, 45, 48, 50, 61, 127, 191, 192, 221, 255];
const element = fc.record({
  id: fc.oneof(fc.constantFrom(...ids), fc.integer({ min: 0, max: 255 })),
  body: fc.uint8Array({ maxLength: 40 }),
}).map(({ id, body }) => {
  let b = body;
  if (id === 221 && b.length >= 4 && b[0]! % 2 === 0) {
    b = Uint8Array.of(0x00, 0x50, 0xf2, 1 + (b[3]! % 2), ...b.subarray(4));
  }
  if (id === 255 && b.length >= 1) {
    b = Uint8Array.of(b[0]! % 2 === 0 ? 35 : 36, ...b.subarray(1));
  }
  return Uint8Array.of(id, b.length, ...b);
});
const elementBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.array(element, { maxLength: 12 }).chain((els) =>
    // Optionally cut the list anywhere, to make a short final element.
    fc.nat({ max: 3 }).map((cut) => {
      const all = Uint8Array.from(els.flatMap((e) => [...e]));
      return cut === 0
        ? all.subarray(0, Math.max(0, all.length - 1 - (all.length % 7)))
        : all;
    })
  ),
);

function bssMessage(ies: Uint8Array): Uint8Array {
  return new AttributeEncoder()
    .uint32(Nl80211Attribute.Ifindex, 3)
    .nested(Nl80211Attribute.BSS, (e) => {
      e.bytes(Nl80211BSSAttribute.BSSID, new Uint8Array(6));
      e.bytes(Nl80211BSSAttribute.InformationElements, ies);
    })
    .encode();
}

describe("information elements (property)", () => {
  it("arbitrary IE bytes never throw from BSS decoding", () => {
    fc.assert(
      fc.property(elementBytes, (ies) => {
        const bss = decodeBSS(bssMessage(ies));
        assert.ok(bss);
        // Every element either decoded or was reported; the walk covers the input.
        const walk = splitElements(ies);
        assert.equal(bss.ies.elements.length, walk.elements.length);
      }),
      { numRuns: 2000 },
    );
  });

  it("a well-formed element list round-trips through the walk", () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 12 }), (els) => {
        const bytes = Uint8Array.from(els.flatMap((e) => [...e]));
        const got = parseInformationElements(bytes);
        const rebuilt = got.elements.flatMap((e) =>
          e.extensionId === undefined
            ? [e.id, e.data.length, ...e.data]
            : [e.id, e.data.length + 1, e.extensionId, ...e.data]
        );
        const emptyExtensions = els.filter((e) =>
          e[0] === 255 && e[1] === 0
        ).length;
        assert.equal(
          got.problems.filter((p) => p.message.includes("no extension ID"))
            .length,
          emptyExtensions,
        );
        assert.deepEqual(
          rebuilt,
          els.filter((e) => !(e[0] === 255 && e[1] === 0)).flatMap((
            e,
          ) => [...e]),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
