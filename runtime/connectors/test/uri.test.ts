import { join } from "node:path";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ConnectorError,
  clearMemory,
  createSink,
  createSource,
  parseBinding,
  parseUri,
  registerMemorySource,
  registerScriptedSource,
} from "../src/index.ts";
import { drain } from "./helpers.ts";

const opts = { recordSchema: {} };

describe("bindings and URIs", () => {
  it("splits NAME=URI at the first '='", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z_][a-z0-9_]*$/),
        fc.stringMatching(/^[a-z]+:[^\s]*$/),
        (name, uri) => {
          expect(parseBinding(`${name}=${uri}`, "--source")).toEqual({ name, uri });
        },
      ),
    );
    expect(parseBinding(" tx = file:a=b.jsonl ", "--source")).toEqual({ name: "tx", uri: "file:a=b.jsonl" });
  });

  it("names the flag and shows the form when a binding is malformed", () => {
    expect(() => parseBinding("transactions", "--source")).toThrow(
      /--source "transactions".*no '='.*--source transactions=file:/,
    );
    expect(() => parseBinding("=file:x", "--sink")).toThrow(/NAME before '=' is empty/);
    expect(() => parseBinding("alerts=", "--sink")).toThrow(/--sink alerts: the URI after '=' is empty/);
  });

  it("parses scheme, body and parameters; rejects repeated parameters", () => {
    const u = parseUri("GENERATOR:fraud?seed=1&count=10", "f");
    expect([u.scheme, u.body, Object.fromEntries(u.params)]).toEqual([
      "generator",
      "fraud",
      { seed: "1", count: "10" },
    ]);
    expect(() => parseUri("generator:fraud?seed=1&seed=2", "f")).toThrow(/parameter seed: given twice/);
    expect(() => parseUri("data/tx.jsonl", "f")).toThrow(/has no scheme/);
  });

  it("lists the valid schemes for an unknown one", () => {
    const err = (() => {
      try {
        createSource("kafka:topic", { ...opts, label: "--source tx" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).field).toBe("--source tx");
    expect((err as Error).message).toMatch(/unknown connector scheme "kafka".*file:, generator:, memory:/);
    expect(() => createSink("kafka:topic", { label: "alerts" })).toThrow(
      /sink alerts.*file:, memory:, console:/,
    );
    expect(() => createSink("console:printer")).toThrow(/console:stderr/);
  });

  it("reports missing files with the resolved path, and unknown parameters", () => {
    expect(() => createSource("file:no/such/file.jsonl", opts)).toThrow(
      new RegExp(
        `no such file or directory "no/such/file.jsonl" \\(looked for ${join(process.cwd(), "no/such/file.jsonl")}\\)`,
      ),
    );
    expect(() => createSource("file:x.jsonl?format=xml", opts)).toThrow(/format=jsonl, format=csv/);
    expect(() => createSource("file:x.jsonl?gzip=1", opts)).toThrow(
      /parameter gzip.*valid parameters: format/,
    );
    expect(() => createSink("memory:out?x=1")).toThrow(/it takes no parameters/);
  });
});

describe("memory sources", () => {
  beforeEach(clearMemory);

  it("reads registered partitions with 0-based offsets and resumes from positions", async () => {
    registerMemorySource("tx", [["a", "b", "c"], []]);
    const source = createSource("memory:tx", opts);
    expect(await source.partitions()).toBe(2);
    const reader = await source.open(0, null);
    expect(await reader.read(2)).toEqual([
      { kind: "element", offset: 0, value: "a" },
      { kind: "element", offset: 1, value: "b" },
    ]);
    expect(await drain(await source.open(0, reader.position()))).toEqual([
      { kind: "element", offset: 2, value: "c" },
    ]);
    expect(await drain(await source.open(1, null))).toEqual([]);
  });

  it("replays scripts with watermark items; offsets count elements only", async () => {
    registerScriptedSource("s", [[{ element: 1 }, { watermark: 100 }, { element: 2 }]]);
    const source = createSource("memory:s", opts);
    expect(await drain(await source.open(0, null))).toEqual([
      { kind: "element", offset: 0, value: 1 },
      { kind: "watermark", watermark: 100 },
      { kind: "element", offset: 1, value: 2 },
    ]);
    expect(await drain(await source.open(0, 2))).toEqual([{ kind: "element", offset: 1, value: 2 }]);
    expect(() => registerScriptedSource("bad", [[{ watermark: "soon" } as never]])).toThrow(/step 0/);
  });

  it("names the registered sources when one is missing", () => {
    registerMemorySource("tx", []);
    expect(() => createSource("memory:clicks", opts)).toThrow(/registered: "tx"/);
  });
});
