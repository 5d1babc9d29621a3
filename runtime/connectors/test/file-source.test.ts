import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { csvCaster } from "../src/file/csv-cast.ts";
import { CsvPartitionReader } from "../src/file/csv-reader.ts";
import { JsonlPartitionReader } from "../src/file/jsonl-reader.ts";
import { createSource, type SourceItem } from "../src/index.ts";
import { drain, drainWithPositions, tempDir } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A line of a generated JSONL file, and what reading it must give. */
type LineSpec =
  | { kind: "value"; value: unknown }
  | { kind: "blank"; text: string }
  | { kind: "bad"; text: string };

const jsonValue = fc.oneof(
  fc.record({
    id: fc.integer(),
    name: fc.string(),
    tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  }),
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.constant(null),
);
const lineSpec: fc.Arbitrary<LineSpec> = fc.oneof(
  { weight: 6, arbitrary: jsonValue.map((value) => ({ kind: "value" as const, value })) },
  { weight: 1, arbitrary: fc.constantFrom("", "  ", "\t").map((text) => ({ kind: "blank" as const, text })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("{", "{'a':1}", "nope", "[1,,2]", '{"é":}')
      .map((text) => ({ kind: "bad" as const, text })),
  },
);

function writeJsonl(path: string, lines: readonly LineSpec[], crlf: boolean, finalNewline: boolean): void {
  const texts = lines.map((l) => (l.kind === "value" ? JSON.stringify(l.value) : l.text));
  const eol = crlf ? "\r\n" : "\n";
  writeFileSync(path, texts.join(eol) + (finalNewline && texts.length > 0 ? eol : ""));
}

/** What the source must yield: elements and errors at their line numbers, blank lines skipped. */
function expectedItems(lines: readonly LineSpec[]): { kind: string; offset: number; value?: unknown }[] {
  const out: { kind: string; offset: number; value?: unknown }[] = [];
  lines.forEach((l, i) => {
    if (l.kind === "value") out.push({ kind: "element", offset: i + 1, value: l.value });
    if (l.kind === "bad") out.push({ kind: "error", offset: i + 1 });
  });
  return out;
}
const shape = (items: SourceItem[]) =>
  items.map((it) =>
    it.kind === "element"
      ? { kind: it.kind, offset: it.offset, value: it.value }
      : { kind: it.kind, offset: "offset" in it ? it.offset : -1 },
  );

describe("file source: JSON Lines", () => {
  it("decodes values, skips blank lines, reports malformed lines with file:line", async () => {
    const d = dir();
    writeFileSync(join(d, "tx.jsonl"), '\ufeff{"a":1}\r\n\n  \n{"a":\n[2]\n"last"');
    const source = createSource(`file:${join(d, "tx.jsonl")}`, { recordSchema: {} });
    expect(source.bounded).toBe(true);
    expect(await source.partitions()).toBe(1);
    const items = await drain(await source.open(0, null));
    expect(shape(items)).toEqual([
      { kind: "element", offset: 1, value: { a: 1 } },
      { kind: "error", offset: 4 },
      { kind: "element", offset: 5, value: [2] },
      { kind: "element", offset: 6, value: "last" },
    ]);
    const error = items[1] as Extract<SourceItem, { kind: "error" }>;
    expect(error.reason).toBe("undecodable");
    expect(error.message).toContain("tx.jsonl:4");
    expect(error.payload).toBe('{"a":');
  });

  it("yields exactly the lines' items, and resuming from every position yields exactly the rest", async () => {
    const d = dir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineSpec, { maxLength: 25 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        async (lines, crlf, finalNewline, chunkSize) => {
          const path = join(d, `p${n++}.jsonl`);
          writeJsonl(path, lines, crlf, finalNewline);
          const open = (pos: { byte: number; line: number }) =>
            JsonlPartitionReader.open(path, path, pos, chunkSize);
          const all = await drainWithPositions(await open({ byte: 0, line: 0 }));
          expect(shape(all.map((x) => x.item))).toEqual(expectedItems(lines));
          for (let i = 0; i < all.length; i++) {
            const rest = await drain(await open(all[i]!.after as { byte: number; line: number }), 3);
            expect(rest).toEqual(all.slice(i + 1).map((x) => x.item));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reads a directory as one partition per data file, sorted by name, and comma lists in order", async () => {
    const d = dir();
    writeFileSync(join(d, "b.jsonl"), '{"f":"b"}\n');
    writeFileSync(join(d, "a.ndjson"), '{"f":"a"}\n');
    writeFileSync(join(d, ".hidden.jsonl"), '{"f":"hidden"}\n');
    writeFileSync(join(d, "notes.txt"), "not data\n");
    const source = createSource(`file:${d}`, { recordSchema: {} });
    expect(await source.partitions()).toBe(2);
    expect(source.description).toContain("2 partitions");
    const values = async (s: typeof source, p: number) =>
      (await drain(await s.open(p, null))).map((i) => (i.kind === "element" ? i.value : i));
    expect(await values(source, 0)).toEqual([{ f: "a" }]);
    expect(await values(source, 1)).toEqual([{ f: "b" }]);
    const listed = createSource(`file:${join(d, "b.jsonl")},${join(d, "a.ndjson")}`, { recordSchema: {} });
    expect(await values(listed, 0)).toEqual([{ f: "b" }]);
    expect(await values(listed, 1)).toEqual([{ f: "a" }]);
  });

  it("reads a file with an unknown extension when ?format is given", async () => {
    const d = dir();
    writeFileSync(join(d, "data.log"), "1\n2\n");
    expect(() => createSource(`file:${join(d, "data.log")}`, { recordSchema: {} })).toThrow(/format=jsonl/);
    const source = createSource(`file:${join(d, "data.log")}?format=jsonl`, { recordSchema: {} });
    expect((await drain(await source.open(0, null))).length).toBe(2);
  });
});

const csvSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    amount: { type: "number" },
    ok: { type: "boolean" },
    note: { type: ["string", "null"] },
    maybe: { type: ["number", "null"] },
    label: { type: "string" },
  },
};

describe("file source: CSV", () => {
  it("names fields from the header and casts cells by the record schema", async () => {
    const d = dir();
    writeFileSync(
      join(d, "t.csv"),
      'id,amount,ok,note,maybe\r\n1,12.5,true,hello,\r\n\r\n2,abc,FALSE,"multi\r\nline, quoted",3e2\r\n3,4,5\r\nx,-0.5,yes,,7\r\n',
    );
    const source = createSource(`file:${join(d, "t.csv")}`, { recordSchema: csvSchema });
    const items = await drain(await source.open(0, null));
    expect(shape(items)).toEqual([
      { kind: "element", offset: 2, value: { id: 1, amount: 12.5, ok: true, note: "hello", maybe: null } },
      {
        kind: "element",
        offset: 4,
        value: { id: 2, amount: "abc", ok: false, note: "multi\r\nline, quoted", maybe: 300 },
      },
      { kind: "error", offset: 6 },
      { kind: "element", offset: 7, value: { id: "x", amount: -0.5, ok: "yes", note: null, maybe: 7 } },
    ]);
    const error = items[2] as Extract<SourceItem, { kind: "error" }>;
    expect(error.message).toContain("t.csv:6");
    expect(error.message).not.toMatch(/line \d/);
  });

  it("casts cells only to types the schema allows", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.string(), (n, s) => {
        const cast = csvCaster(csvSchema);
        expect(cast({ id: String(n), label: s })).toEqual({ id: n, label: s });
        expect(cast({ note: s }).note).toBe(s === "" ? null : s);
        expect(csvCaster({})({ id: String(n) })).toEqual({ id: String(n) });
        const asNumber = cast({ amount: s }).amount;
        expect(typeof asNumber === "number" ? String(asNumber) : asNumber).toBe(
          typeof asNumber === "number" ? String(Number(s.trim())) : s,
        );
      }),
    );
  });

  it("yields every record, and resuming from every position yields exactly the rest", async () => {
    const d = dir();
    let n = 0;
    const cell = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom("a,b", 'say "hi"', "two\nlines", "x\r\ny"),
    );
    const row = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(cell, cell).map((r) => ({ kind: "row" as const, r })) },
      { weight: 1, arbitrary: fc.constant({ kind: "blank" as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: "bad" as const }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 15 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        async (rows, crlf, chunkSize) => {
          const eol = crlf ? "\r\n" : "\n";
          const quote = (c: string) => (/[",\r\n]/.test(c) || c === "" ? `"${c.replaceAll('"', '""')}"` : c);
          let text = `a,b${eol}`;
          let line = 2;
          const expected: { kind: string; offset: number; value?: unknown }[] = [];
          for (const r of rows) {
            if (r.kind === "blank") {
              text += eol;
              line++;
            } else if (r.kind === "bad") {
              text += `1,2,3${eol}`;
              expected.push({ kind: "error", offset: line++ });
            } else {
              const encoded = r.r.map(quote).join(",");
              text += encoded + eol;
              expected.push({ kind: "element", offset: line, value: { a: r.r[0], b: r.r[1] } });
              line += encoded.split("\n").length;
            }
          }
          const path = join(d, `p${n++}.csv`);
          writeFileSync(path, text);
          const open = (pos: { byte: number; line: number } | null) =>
            CsvPartitionReader.open(path, path, pos, csvCaster({}), chunkSize);
          const all = await drainWithPositions(await open(null));
          expect(shape(all.map((x) => x.item))).toEqual(expected);
          for (let i = 0; i < all.length; i++) {
            const rest = await drain(await open(all[i]!.after as { byte: number; line: number }), 2);
            expect(rest).toEqual(all.slice(i + 1).map((x) => x.item));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("treats an empty CSV file as an empty partition", async () => {
    const d = dir();
    writeFileSync(join(d, "e.csv"), "");
    writeFileSync(join(d, "h.csv"), "a,b\n");
    expect(
      await drain(await createSource(`file:${join(d, "e.csv")}`, { recordSchema: {} }).open(0, null)),
    ).toEqual([]);
    expect(
      await drain(await createSource(`file:${join(d, "h.csv")}`, { recordSchema: {} }).open(0, null)),
    ).toEqual([]);
  });
});
