import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeBSSLoad,
  decodeCountry,
  decodeHECapabilities,
  decodeHEOperation,
  decodeHTCapabilities,
  decodeHTOperation,
  decodeRSN,
  decodeSSID,
  decodeSupportedRates,
  decodeVHTCapabilities,
  decodeVHTCapabilityInfo,
  decodeVHTOperation,
  decodeWMM,
  decodeWPA,
  formatBSSLoad,
  formatRSNAKM,
  formatRSNCipher,
  formatRSNInfo,
  parseInformationElements,
  RSNAKM,
  RSNCipher,
  splitElements,
} from "../../src/wifi/mod.ts";
import { fixture, hex, toHex } from "./_fixtures.ts";

describe("splitElements()", () => {
  // vectors.md §5.6 parseIEs
  const cases = [
    { name: "empty", bytes: "", want: [], problems: 0 },
    { name: "too short", bytes: "00", want: [], problems: 1 },
    { name: "length too long", bytes: "00ff00", want: [], problems: 1 },
    { name: "OK one", bytes: "0003666f6f", want: [[0, "666f6f"]], problems: 0 },
    {
      name: "OK three",
      bytes: "0003666f6f0100020611223344 5566",
      want: [[0, "666f6f"], [1, ""], [2, "112233445566"]],
      problems: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = splitElements(hex(c.bytes));
      assert.deepEqual(got.elements.map((e) => [e.id, toHex(e.data)]), c.want);
      assert.equal(got.problems.length, c.problems);
    });
  }

  it("splits extension elements into ID and extension ID", () => {
    const got = splitElements(hex("ff03230102 ff00"));
    assert.deepEqual(got.elements, [{
      id: 255,
      extensionId: 0x23,
      data: hex("0102"),
    }]);
    assert.equal(got.problems.length, 1);
    assert.match(got.problems[0]!.message, /no extension ID at offset 5/);
  });
});

describe("decodeBSSLoad()", () => {
  it("decodes version 2 (5 bytes)", () => {
    assert.deepEqual(decodeBSSLoad(hex("0300088d5b")), {
      version: 2,
      stationCount: 3,
      channelUtilization: 8,
      availableAdmissionCapacity: 23437,
    });
  });
  it("decodes version 1 (4 bytes)", () => {
    assert.deepEqual(decodeBSSLoad(hex("0900088d")), {
      version: 1,
      stationCount: 9,
      channelUtilization: 8,
      availableAdmissionCapacity: 141,
    });
  });
  it("rejects other lengths with RangeError", () => {
    assert.throws(() => decodeBSSLoad(hex("030008")), RangeError);
  });
  it("formats like the Go reference", () => {
    assert.equal(
      formatBSSLoad(decodeBSSLoad(hex("0300088d5b"))),
      "BSSLoad Version: 2    stationCount: 3    channelUtilization: 8/255     availableAdmissionCapacity: 23437 [*32us/s]\n",
    );
    assert.equal(
      formatBSSLoad({
        version: 3,
        stationCount: 0,
        channelUtilization: 0,
        availableAdmissionCapacity: 0,
      }),
      "invalid BSSLoad Version: 3",
    );
  });
});

describe("decodeRSN()", () => {
  // vectors.md §5.6 decodeRSN, valid cases
  const ok = [
    {
      name: "minimal valid RSN",
      b: "0100000fac040100000fac04",
      v: 1,
      g: 0xfac04,
      p: [0xfac04],
      a: [],
      c: 0,
      m: 0,
    },
    {
      name: "complete RSN with AKMs and capabilities",
      b: "0100000fac040100000fac040100000fac028000",
      v: 1,
      g: 0xfac04,
      p: [0xfac04],
      a: [0xfac02],
      c: 0x80,
      m: 0,
    },
    {
      name: "multiple pairwise ciphers and AKMs",
      b: "0100000fac020200000fac02000fac040200000fac01000fac02",
      v: 1,
      g: 0xfac02,
      p: [0xfac02, 0xfac04],
      a: [0xfac01, 0xfac02],
      c: 0,
      m: 0,
    },
    {
      name: "with group management cipher",
      b: "0100000fac040100000fac040100000fac08c0000000000fac06",
      v: 1,
      g: 0xfac04,
      p: [0xfac04],
      a: [0xfac08],
      c: 0xc0,
      m: 0xfac06,
    },
    {
      name: "with PMKID list",
      b: "0100000fac040100000fac040100000fac0200000100 0102030405060708090a0b0c0d0e0f10",
      v: 1,
      g: 0xfac04,
      p: [0xfac04],
      a: [0xfac02],
      c: 0,
      m: 0,
    },
    {
      name: "version 2 accepted",
      b: "0200000fac040100000fac04",
      v: 2,
      g: 0xfac04,
      p: [0xfac04],
      a: [],
      c: 0,
      m: 0,
    },
    {
      name: "unknown cipher and AKM values",
      b: "0100ffffffff0100aabbccdd010011223344",
      v: 1,
      g: 0xffffffff,
      p: [0xaabbccdd],
      a: [0x11223344],
      c: 0,
      m: 0,
    },
    {
      name: "zero pairwise cipher count",
      b: "0100000fac040000",
      v: 1,
      g: 0xfac04,
      p: [],
      a: [],
      c: 0,
      m: 0,
    },
    {
      name: "zero AKM count",
      b: "0100000fac040100000fac040000",
      v: 1,
      g: 0xfac04,
      p: [0xfac04],
      a: [],
      c: 0,
      m: 0,
    },
  ];
  for (const c of ok) {
    it(c.name, () => {
      const r = decodeRSN(hex(c.b));
      assert.deepEqual(
        [
          r.version,
          r.groupCipher,
          r.pairwiseCiphers,
          r.akms,
          r.capabilities,
          r.groupManagementCipher,
        ],
        [c.v, c.g, c.p, c.a, c.c, c.m],
      );
    });
  }

  it("keeps the PMKIDs", () => {
    const r = decodeRSN(
      hex(
        "0100000fac040100000fac040100000fac0200000100 0102030405060708090a0b0c0d0e0f10",
      ),
    );
    assert.deepEqual(r.pmkids.map(toHex), ["0102030405060708090a0b0c0d0e0f10"]);
  });

  it("decodes the capability bits", () => {
    const r = decodeRSN(hex("0100000fac040100000fac040100000fac08cc00"));
    assert.equal(r.mfpRequired, true);
    assert.equal(r.mfpCapable, true);
    assert.equal(r.ptksaReplayCounters, 16);
    assert.equal(r.gtksaReplayCounters, 1);
    assert.equal(r.preauthentication, false);
  });

  // vectors.md §5.6 decodeRSN, error cases
  const bad = [
    { name: "empty input", b: "", re: /too short/ },
    { name: "too short (7 bytes)", b: "0100000fac0401", re: /too short/ },
    { name: "version 0", b: "0000000fac040100", re: /version 0/ },
    {
      name: "truncated before pairwise count (6 bytes)",
      b: "0100000fac04",
      re: /too short/,
    },
    {
      name: "IE data exceeds 253 bytes",
      b: "01" + "00".repeat(253),
      re: /too long/,
    },
    {
      name: "truncated in pairwise list",
      b: "0100000fac040200000fac04",
      re: /pairwise cipher list of 2 suites is truncated/,
    },
    {
      name: "truncated in AKM list",
      b: "0100000fac040100000fac040200000fac01",
      re: /AKM list of 2 suites is truncated/,
    },
    {
      name: "pairwise count too large (255)",
      b: "0100000fac04ff00",
      re: /pairwise cipher count 255 is too large/,
    },
    {
      name: "AKM count too large (255)",
      b: "0100000fac040100000fac04ff00",
      re: /AKM count 255 is too large/,
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with RangeError`, () => {
      assert.throws(
        () => decodeRSN(hex(c.b)),
        (e: unknown) => e instanceof RangeError && c.re.test(e.message),
      );
    });
  }
});

describe("RSN names", () => {
  const nb = (s: string) => s.replaceAll("-", "\u2011");
  it("names every cipher like the Go reference", () => {
    const want = [
      "Use-group",
      "WEP-40",
      "TKIP",
      "Reserved-3",
      "CCMP-128",
      "WEP-104",
      "BIP-CMAC-128",
      "Group-not-allowed",
      "GCMP-128",
      "GCMP-256",
      "CCMP-256",
      "BIP-GMAC-128",
      "BIP-GMAC-256",
      "BIP-CMAC-256",
    ].map(nb);
    assert.deepEqual(want.map((_, i) => formatRSNCipher(0x000fac00 + i)), want);
    assert.equal(formatRSNCipher(0x000fac99), "Unknown-0x000FAC99");
    assert.equal(formatRSNCipher(RSNCipher.BIPCMAC256), nb("BIP-CMAC-256"));
  });
  it("names every AKM like the Go reference", () => {
    const want = [
      "Reserved-0",
      "802.1X",
      "PSK",
      "FT-802.1X",
      "FT-PSK",
      "802.1X-SHA256",
      "PSK-SHA256",
      "TDLS",
      "SAE",
      "FT-SAE",
      "AP-PeerKey",
      "802.1X-Suite-B",
      "802.1X-CNSA",
      "FT-802.1X-SHA384",
      "FILS-SHA256",
      "FILS-SHA384",
      "FT-FILS-SHA256",
      "FT-FILS-SHA384",
      "Reserved-18",
      "FT-PSK-SHA384",
      "PSK-SHA384",
    ].map(nb);
    assert.deepEqual(want.map((_, i) => formatRSNAKM(0x000fac00 + i)), want);
    assert.equal(formatRSNAKM(RSNAKM.PSKSHA384), nb("PSK-SHA384"));
    assert.equal(formatRSNAKM(0x00506f9a), "Unknown-0x00506F9A");
  });
  it("formats RSNInfo like the Go reference", () => {
    const base = decodeRSN(hex("0100000fac040100000fac040100000fac02"));
    assert.equal(
      formatRSNInfo(base),
      nb("RSN v1  Group:CCMP-128  Pairwise:[CCMP-128]  AKM:[PSK]"),
    );
    assert.equal(
      formatRSNInfo({
        ...base,
        groupCipher: RSNCipher.GCMP128,
        pairwiseCiphers: [RSNCipher.GCMP128, RSNCipher.CCMP128],
        akms: [RSNAKM.SAE, RSNAKM.PSK],
      }),
      nb("RSN v1  Group:GCMP-128  Pairwise:[GCMP-128 CCMP-128]  AKM:[SAE PSK]"),
    );
    assert.equal(
      formatRSNInfo({ ...base, akms: [RSNAKM.IEEE8021X, RSNAKM.FT8021X] }),
      nb("RSN v1  Group:CCMP-128  Pairwise:[CCMP-128]  AKM:[802.1X FT-802.1X]"),
    );
    assert.equal(formatRSNInfo({ ...base, version: 0 }), "");
  });
});

describe("decodeSSID()", () => {
  const cases: [string, string][] = [
    ["", ""],
    ["48656c6c6f2c20e4b896e7958c", "Hello, 世界"],
    ["e28241", "\ufffd\ufffdA"], // Go: one U+FFFD per invalid byte (vectors §5.6)
    ["ff", "\ufffd"],
    ["c0af", "\ufffd\ufffd"], // overlong
    ["eda080", "\ufffd\ufffd\ufffd"], // surrogate
    ["f09f9880", "\u{1f600}"],
    ["f4908080", "\ufffd\ufffd\ufffd\ufffd"], // above U+10FFFF
    ["41e2", "A\ufffd"], // truncated at the end
  ];
  for (const [b, want] of cases) {
    it(`decodes ${b || "(empty)"} like Go`, () => {
      const ssid = decodeSSID(hex(b));
      assert.equal(ssid.text, want);
      assert.equal(toHex(ssid.bytes), b);
    });
  }
});

describe("other elements", () => {
  it("decodes supported rates and membership selectors", () => {
    const r = decodeSupportedRates(hex("82848b960c121824ff"));
    assert.deepEqual(r.rates.map((x) => [x.rate, x.basic]), [
      [1, true],
      [2, true],
      [5.5, true],
      [11, true],
      [6, false],
      [9, false],
      [12, false],
      [18, false],
    ]);
    assert.deepEqual(r.selectors, [127]);
  });

  it("decodes a country element with an extension triplet and padding", () => {
    const c = decodeCountry(hex("555320 010b1e c9110a 00"));
    assert.equal(c.code, "US");
    assert.equal(c.environment, " ");
    assert.deepEqual(c.channels, [{
      firstChannel: 1,
      count: 11,
      maxPowerDbm: 30,
    }]);
    assert.deepEqual(c.extensions, [{
      extensionId: 201,
      operatingClass: 17,
      coverageClass: 10,
    }]);
  });

  it("decodes a WPA1 vendor element body", () => {
    const w = decodeWPA(hex("01000050f20201000050f20401000050f202"));
    assert.deepEqual(w, {
      version: 1,
      groupCipher: 0x0050f202,
      pairwiseCiphers: [0x0050f204],
      akms: [0x0050f202],
    });
  });

  it("decodes the WMM parameter element from the pyroute2 scan", () => {
    // vendor element 0050f2 02 01 01 00 00 ... after the OUI and type
    const w = decodeWMM(hex("0101000003a4000027a4000042435e0062322f00"));
    assert.equal(w.subtype, 1);
    assert.equal(w.version, 1);
    assert.deepEqual(
      w.accessCategories.map((
        a,
      ) => [a.aci, a.aifsn, a.ecwMin, a.ecwMax, a.txopLimit]),
      [
        [0, 3, 4, 10, 0],
        [1, 7, 4, 10, 0],
        [2, 2, 3, 4, 94],
        [3, 2, 2, 3, 47],
      ],
    );
    assert.throws(() => decodeWMM(hex("0101")), RangeError);
  });

  it("decodes HT capabilities and operation", () => {
    const caps = decodeHTCapabilities(
      hex(
        "ef111bffff0000000000000000000000000000000000000000 00".replace(
          " ",
          "",
        ),
      ),
    );
    assert.equal(caps.capabilityInfo, 0x11ef);
    assert.equal(caps.rxLDPC, true);
    assert.equal(caps.cw40, true);
    assert.equal(caps.smPowerSave, 3);
    assert.equal(caps.maxRxAMPDULength, 65535);
    assert.equal(caps.minRxAMPDUSpacing, 8000);
    assert.deepEqual(caps.rxMCS, [...Array(16).keys()]);
    assert.throws(() => decodeHTCapabilities(hex("ef11")), RangeError);
    const op = decodeHTOperation(
      hex("240d1600000000000000000000000000000000000000"),
    );
    assert.equal(op.primaryChannel, 36);
    assert.equal(op.secondaryChannelOffset, 1);
    assert.equal(op.anyChannelWidth, true);
    assert.equal(op.rifs, true);
    assert.equal(op.protection, 2);
    assert.equal(op.nonGreenfieldPresent, true);
  });

  it("computes the VHT maximum A-MPDU length as a power of two (not the Go XOR)", () => {
    for (let e = 0; e < 8; e++) {
      assert.equal(
        decodeVHTCapabilityInfo(e << 23).maxAMPDULength,
        2 ** (13 + e) - 1,
      );
    }
  });

  it("decodes VHT capability fields with counts, not raw fields", () => {
    const c = decodeVHTCapabilityInfo(
      (1 << 2) | (3 << 13) | (1 << 16) | (3 << 26) | (2 << 30),
    );
    assert.equal(c.vht160, true);
    assert.equal(c.vht80Plus80, false);
    assert.equal(c.beamformeeSTS, 4);
    assert.equal(c.soundingDimensions, 2);
    assert.equal(c.linkAdaptation, 3);
    assert.equal(c.extendedNSSBW, 2);
    assert.equal(decodeVHTCapabilityInfo(2 << 2).vht80Plus80, true);
    const full = decodeVHTCapabilities(hex("b2018033faff0000faff0000"));
    assert.equal(full.maxMPDULength, 11454);
    assert.deepEqual(full.rxMaxMCS, [9, 9]);
  });

  it("decodes VHT operation widths", () => {
    assert.equal(decodeVHTOperation(hex("002a00fcff")).width, "20 or 40 MHz");
    assert.equal(decodeVHTOperation(hex("012a00fcff")).width, "80 MHz");
    assert.equal(decodeVHTOperation(hex("012a32fcff")).width, "160 MHz");
    assert.equal(decodeVHTOperation(hex("012a9bfcff")).width, "80+80 MHz");
    assert.throws(() => decodeVHTOperation(hex("01")), RangeError);
  });

  it("decodes HE capabilities with 160 MHz maps and PPE thresholds", () => {
    const mac = "000000000000";
    const phy = "0c" + "0000000000" + "80" + "00000000";
    const body = hex(
      mac + phy + "faff faff faff faff".replaceAll(" ", "") + "7b1c",
    );
    const he = decodeHECapabilities(body);
    assert.equal(he.he160MHz, true);
    assert.equal(he.he40And80MHzIn5GHz, true);
    assert.equal(he.rxMCSMap160, 0xfffa);
    assert.equal(he.rxMCSMap80Plus80, undefined);
    assert.equal(toHex(he.ppeThresholds), "7b1c");
    assert.throws(
      () => decodeHECapabilities(hex(mac + phy + "faff")),
      RangeError,
    );
  });

  it("decodes HE operation with the optional fields", () => {
    // params: PE 4, VHT op present (bit 14), co-hosted (15), 6 GHz (17)
    const op = decodeHEOperation(
      hex("04c002 85 fcff 012a00 03 25 0e27 0000 06".replaceAll(" ", "")),
    );
    assert.equal(op.defaultPEDuration, 4);
    assert.equal(op.bssColor, 5);
    assert.equal(op.bssColorDisabled, true);
    assert.deepEqual(op.vhtOperation, {
      channelWidth: 1,
      centerSegment0: 42,
      centerSegment1: 0,
    });
    assert.equal(op.maxCoHostedBSSIDIndicator, 3);
    assert.deepEqual(op.sixGHz, {
      primaryChannel: 0x25,
      channelWidth: 2,
      duplicateBeacon: true,
      regulatoryInfo: 1,
      centerSegment0: 0x27,
      centerSegment1: 0,
      minimumRate: 0,
    });
    assert.throws(
      () => decodeHEOperation(hex("04c00285fcff01")),
      /VHT Operation Information is truncated/,
    );
  });
});

describe("parseInformationElements()", () => {
  it("decodes the IEs of the wl-nl80211 test_parse_ies fixture like the Rust test", () => {
    // The fixture starts with the 4-byte netlink attribute header (49 00 06 00),
    // which the Rust test also parsed as two empty elements 73 and 6.
    const rec = fixture("wl-nl80211.jsonl", "scan.rs/test_parse_ies/0");
    const ies = parseInformationElements(hex(rec.hex));
    const want = rec.expect.expected.Ieee80211Elements as Record<
      string,
      unknown
    >[];
    assert.equal(ies.elements.length, want.length);
    assert.deepEqual(
      ies.elements.slice(0, 2).map((e) => [e.id, e.data.length]),
      [[73, 0], [6, 0]],
    );
    assert.equal(ies.ssid?.text, want[2]!["Ieee80211Element::Ssid"]);
    // Supported rates: basic 1, 2, 5.5, 11 Mb/s (units of 500 kb/s: 2, 4, 11, 22), then 6, 9, 12, 18.
    const rates =
      want[3]!["Ieee80211Element::SupportedRatesAndSelectors"] as Record<
        string,
        number
      >[];
    assert.deepEqual(
      ies.supportedRates.filter((_, i) => i < 8).map((
        r,
      ) => [r.basic, r.rate * 2]),
      rates.map((
        r,
      ) => [
        Object.keys(r)[0]!.endsWith("BssBasicRateSet"),
        Object.values(r)[0],
      ]),
    );
    assert.equal(ies.dsChannel, want[4]!["Ieee80211Element::Channel"]);
    assert.equal(ies.rsn?.version, 1);
    assert.equal(ies.rsn?.groupCipher, RSNCipher.CCMP128);
    assert.deepEqual(ies.rsn?.pairwiseCiphers, [RSNCipher.CCMP128]);
    assert.deepEqual(ies.rsn?.akms, [RSNAKM.SAE]);
    assert.equal(ies.rsn?.mfpRequired, true);
    assert.equal(ies.rsn?.mfpCapable, true);
    assert.equal(ies.rsn?.groupManagementCipher, 0);
    assert.deepEqual(ies.problems, []);
  });

  it("decodes the association request IEs of test_captured_ie_rsn like the Rust test", () => {
    const rec = fixture(
      "wl-nl80211.jsonl",
      "connect.rs/test_captured_ie_rsn/0",
    );
    const ies = parseInformationElements(hex(rec.hex));
    const want = rec.expect.expected.Ieee80211Elements as Record<
      string,
      unknown
    >[];
    assert.deepEqual(ies.elements.map((e) => e.id), [48, 127, 59]);
    assert.deepEqual(
      Array.from(ies.elements[1]!.data),
      (want[1]!["Ieee80211Element::Other"] as unknown[])[1],
    );
    assert.deepEqual(
      Array.from(ies.elements[2]!.data),
      (want[2]!["Ieee80211Element::Other"] as unknown[])[1],
    );
    assert.deepEqual(ies.rsn?.akms, [RSNAKM.SAE]);
    assert.equal(ies.rsn?.groupManagementCipher, RSNCipher.BIPCMAC128);
    assert.equal(ies.rsn?.capabilities, 0xc0);
    assert.deepEqual(ies.rsn?.pmkids, []);
  });

  it("decodes the probe-response and beacon IE blobs of test_get_scan_reply", () => {
    for (
      const id of [
        "scan.rs/test_get_scan_reply/1",
        "scan.rs/test_get_scan_reply/2",
      ]
    ) {
      const ies = parseInformationElements(
        hex(fixture("wl-nl80211.jsonl", id).hex),
      );
      assert.equal(ies.ssid?.text, "Test-WIFI");
      assert.equal(ies.dsChannel, 1);
      assert.deepEqual(ies.rsn?.akms, [RSNAKM.SAE]);
      assert.deepEqual(ies.problems, []);
    }
    // The beacon (blob 2) carries a TIM element.
    const beacon = parseInformationElements(
      hex(fixture("wl-nl80211.jsonl", "scan.rs/test_get_scan_reply/2").hex),
    );
    assert.deepEqual(
      beacon.tim && [beacon.tim.dtimCount, beacon.tim.dtimPeriod],
      [0, 2],
    );
  });

  it("reports a malformed element and keeps decoding the others", () => {
    const ies = parseInformationElements(
      hex("0003616263 0b03010203 3004 01000000 0301 0b"),
    );
    assert.equal(ies.ssid?.text, "abc");
    assert.equal(ies.bssLoad, undefined);
    assert.equal(ies.rsn, undefined);
    assert.equal(ies.dsChannel, 11);
    assert.deepEqual(ies.problems.map((p) => [p.id, p.offset]), [[11, 5], [
      48,
      10,
    ]]);
    assert.match(
      ies.problems[0]!.message,
      /Cannot decode BSS Load element: 3 bytes/,
    );
  });

  it("decodes vendor WPA and WMM elements and keeps every vendor element", () => {
    const ies = parseInformationElements(
      hex(
        "dd160050f20101000050f20201000050f20201000050f202 dd0500904c0408 dd03001018"
          .replaceAll(" ", ""),
      ),
    );
    assert.equal(ies.wpa?.groupCipher, 0x0050f202);
    assert.deepEqual(ies.vendor.map((v) => [v.oui, v.type]), [[0x0050f2, 1], [
      0x00904c,
      4,
    ], [0x001018, undefined]]);
  });
});
