import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Float64,
  Int64,
  makeVector,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Table,
  tableFromJSON,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createSink, createSource, readCommittedArrow, type Sink } from "../src/index.ts";
import { checkExactlyOnce, drain, drainWithPositions, ops, tempDir } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
/** JSON values of the shapes pipelines produce: mostly records with a few varying fields. */
const record = fc.record(
  {
    id: fc.integer(),
    name: fc.string(),
    amount: finite,
    ok: fc.boolean(),
    tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
    nested: fc.record({ a: fc.oneof(fc.integer(), fc.constant(null)), b: fc.string() }),
    maybe: fc.oneof(fc.constant(null), fc.integer(), fc.string()),
  },
  { requiredKeys: ["id", "name"] },
);
const jsonValue = fc.oneof(
  { weight: 6, arbitrary: record },
  fc.string(),
  finite,
  fc.constant(null),
  fc.boolean(),
);

/** Writes `values` through the Arrow sink in checkpoints of the given sizes, committing each. */
async function writeArrow(out: string, values: readonly unknown[], chunk: number): Promise<Sink> {
  const sink = createSink(`file:${out}?format=arrow`);
  let id = 1;
  for (let i = 0; i < values.length; i += chunk) {
    await sink.write(values.slice(i, i + chunk));
    await sink.commit(await sink.preCommit(id++));
  }
  await sink.close();
  return sink;
}

describe("Arrow IPC sink and source", () => {
  it("round trip: JSON Lines → Arrow sink → Arrow source gives the same values", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonValue, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 15 }),
        async (values, chunk) => {
          const d = dir();
          const input = join(d, "in.jsonl");
          writeFileSync(input, values.map((v) => `${JSON.stringify(v)}\n`).join(""));
          const read = await drain(await createSource(`file:${input}`, { recordSchema: {} }).open(0, null));
          const decoded = read.map((i) => (i.kind === "element" ? i.value : i));
          expect(decoded).toEqual(values);
          const out = join(d, "out");
          await writeArrow(out, decoded, chunk);
          expect(await readCommittedArrow(out)).toEqual(values);
          // The committed parts read as a directory source: one partition per part file, in order.
          const source = createSource(`file:${out}?format=arrow`, { recordSchema: {} });
          const back: unknown[] = [];
          for (let p = 0; p < (await source.partitions()); p++) {
            for (const item of await drain(await source.open(p, null))) {
              expect(item.kind).toBe("element");
              if (item.kind === "element") back.push(item.value);
            }
          }
          expect(back).toEqual(values);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("infers Float64, Utf8, Bool and JSON columns, and starts a new part file when the shape changes", async () => {
    const d = dir();
    const sink = createSink(`file:${d}?format=arrow`);
    await sink.write([
      { n: 1, s: "a", b: true, o: { x: [1] } },
      { n: 2.5, s: "b", b: false, o: null },
    ]);
    await sink.write([{ n: "now a string" }, 7, [1, 2]]);
    await sink.commit(await sink.preCommit(3));
    const names = readdirSync(d).sort();
    // The second write does not fit the first schema; its values are not all objects, so its part
    // file has one JSON `value` column.
    expect(names).toEqual(["part-000000000003-0000.arrow", "part-000000000003-0001.arrow"]);
    const { tableFromIPC } = await import("apache-arrow");
    const { readFileSync } = await import("node:fs");
    const first = tableFromIPC(readFileSync(join(d, names[0]!)));
    expect(first.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "n:Float64",
      "s:Utf8",
      "b:Bool",
      "o:Utf8",
    ]);
    expect(first.schema.fields[3]!.metadata.get("tributary.encoding")).toBe("json");
    const second = tableFromIPC(readFileSync(join(d, names[1]!)));
    expect(second.schema.metadata.get("tributary.shape")).toBe("value");
    expect(await readCommittedArrow(d)).toEqual([
      { n: 1, s: "a", b: true, o: { x: [1] } },
      { n: 2.5, s: "b", b: false, o: null },
      { n: "now a string" },
      7,
      [1, 2],
    ]);
  });

  it("reads files from other writers: nested structs and lists as JSON, 64-bit integers, stream format", async () => {
    const d = dir();
    const table = tableFromJSON([
      { id: 1, name: "x", point: { lat: 1.5, lon: -2 }, xs: [1, 2] },
      { id: 2, name: null, point: { lat: 0, lon: 0 }, xs: [] },
    ]);
    writeFileSync(join(d, "t.arrow"), tableToIPC(table, "file"));
    writeFileSync(join(d, "t.arrows"), tableToIPC(table, "stream"));
    writeFileSync(join(d, "t.bin"), tableToIPC(table, "stream"));
    const expected = [
      { id: 1, name: "x", point: { lat: 1.5, lon: -2 }, xs: [1, 2] },
      { id: 2, name: null, point: { lat: 0, lon: 0 }, xs: [] },
    ];
    for (const uri of [`file:${d}/t.arrow`, `file:${d}/t.arrows`, `file:${d}/t.bin?format=arrows`]) {
      const items = await drain(await createSource(uri, { recordSchema: {} }).open(0, null));
      expect(items).toEqual(expected.map((value, i) => ({ kind: "element", offset: i + 1, value })));
    }
    // A stream named .arrow is rejected with the fix.
    writeFileSync(join(d, "s.arrow"), tableToIPC(table, "stream"));
    await expect(createSource(`file:${d}/s.arrow`, { recordSchema: {} }).open(0, null)).rejects.toThrow(
      /stream format.*\.arrows/,
    );
  });

  it("turns rows without a JSON equivalent into undecodable errors, at their row numbers", async () => {
    const d = dir();
    const big = makeVector(new BigInt64Array([1n, 2n ** 60n, 3n]));
    const x = vectorFromArray([0.5, Number.NaN, 2], new Float64());
    const batch = new RecordBatch({ big: big.data[0]!, x: x.data[0]! });
    expect(big.type).toBeInstanceOf(Int64);
    writeFileSync(join(d, "bad.arrow"), tableToIPC(new Table([batch]), "file"));
    const items = await drain(await createSource(`file:${d}/bad.arrow`, { recordSchema: {} }).open(0, null));
    expect(items.map((i) => i.kind)).toEqual(["element", "error", "element"]);
    expect(items[0]).toEqual({ kind: "element", offset: 1, value: { big: 1, x: 0.5 } });
    expect(items[1]).toMatchObject({ kind: "error", offset: 2, reason: "undecodable" });
    expect((items[1] as { message: string }).message).toMatch(/row 2.*column big.*not a safe integer/);
  });

  it("yields every row across record batches, and resuming from every position yields exactly the rest", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.record({ k: fc.string({ maxLength: 4 }), v: fc.integer() }), { maxLength: 5 }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.constantFrom("file", "stream"),
        async (batches, format) => {
          const d = dir();
          const recordBatches = batches
            .filter((b) => b.length > 0)
            .map(
              (b) =>
                new RecordBatch({
                  k: vectorFromArray(
                    b.map((r) => r.k),
                    new Utf8(),
                  ).data[0]!,
                  v: vectorFromArray(
                    b.map((r) => r.v),
                    new Float64(),
                  ).data[0]!,
                }),
            );
          const rows = batches.flat();
          const path = join(d, format === "file" ? "x.arrow" : "x.arrows");
          if (recordBatches.length === 0) return;
          const writer = format === "file" ? RecordBatchFileWriter : RecordBatchStreamWriter;
          writeFileSync(path, writer.writeAll(recordBatches).toUint8Array(true));
          const source = createSource(`file:${path}`, { recordSchema: {} });
          const all = await drainWithPositions(await source.open(0, null));
          expect(all.map((x) => x.item)).toEqual(
            rows.map((value, i) => ({ kind: "element", offset: i + 1, value })),
          );
          for (let i = 0; i < all.length; i++) {
            const rest = await drain(await source.open(0, all[i]!.after), 3);
            expect(rest).toEqual(all.slice(i + 1).map((x) => x.item));
          }
          await expect(source.open(0, { batch: 99, row: 0, rows: 0 })).rejects.toThrow(/cannot resume/);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("commits exactly the records before the last completed checkpoint, whatever the crashes", async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (script) => {
        const out = join(dir(), "out");
        await checkExactlyOnce(
          script,
          () => createSink(`file:${out}?format=arrow`),
          () => readCommittedArrow(out),
          // Shapes change now and then, so part files with different schemas are exercised too.
          (r) => (r % 7 === 3 ? { r, extra: [r] } : r % 11 === 5 ? `s${r}` : { r, tag: 'é\n"' }),
        );
        expect(readdirSync(out).filter((n) => n.endsWith(".inprogress"))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("rejects unknown sink formats and tokens it did not make", async () => {
    const d = dir();
    expect(() => createSink(`file:${d}?format=csv`)).toThrow(/format=jsonl.*format=arrow/);
    const sink = createSink(`file:${d}?format=arrow`);
    expect(() => sink.write([undefined])).toThrow(/not a JSON value/);
    await expect(sink.commit({ pending: [".part-1-0.jsonl.inprogress"] })).rejects.toThrow(/commit token/);
  });
});
