import { describe, expect, it } from "vitest";
import { describeNode, type IrNode, pipeline, toDot, toMermaid } from "../src/index.ts";
import { everything, fraudAlerts } from "./fixtures/pipelines.ts";

describe("describeNode", () => {
  it("shows the window, lateness and aggregations of a window node", () => {
    const node = fraudAlerts.build().ir.nodes[3]!;
    expect(describeNode(node)).toBe("windowAggregate-4\ntumbling 5m, L=0\nspend=sum, n=count");
  });

  it("shows early firings, discarding, sessions and the kind of user-named nodes", () => {
    const { ir } = everything.build();
    const session = ir.nodes.find((n) => n.kind === "windowAggregate")!;
    expect(describeNode(session).split("\n")[1]).toBe(
      "session gap 30m, L=1m, early every 10 elements / 5s, discarding",
    );
    const named = ir.nodes.find((n) => n.id === "views-as-clicks")!;
    expect(describeNode(named).split("\n")[0]).toBe("views-as-clicks (map)");
    const sliding = ir.nodes.filter((n) => n.kind === "windowAggregate")[1]!;
    expect(describeNode(sliding)).toContain("sliding 1h every 10m");
  });

  it("shortens long function sources to one line", () => {
    const { ir } = pipeline("long", (p) => {
      p.source("s")
        .map((x) => {
          const veryLongVariableName = JSON.stringify(x);
          return veryLongVariableName.length + veryLongVariableName.length;
        })
        .sink("o");
    }).build();
    const label = describeNode(ir.nodes[1]!).split("\n");
    expect(label).toHaveLength(2);
    expect(label[1]!.length).toBeLessThanOrEqual(40);
    expect(label[1]!.endsWith("…")).toBe(true);
  });
});

describe("diagrams", () => {
  const check = (ir: { nodes: IrNode[] }, text: string, edge: (from: string, to: string) => boolean) => {
    for (const node of ir.nodes) for (const input of node.inputs) expect(edge(input, node.id)).toBe(true);
    const edgeCount = ir.nodes.reduce((n, node) => n + node.inputs.length, 0);
    expect(text.match(/-->|->/g)?.length).toBe(edgeCount);
  };

  it("draws every node and edge in Mermaid", () => {
    for (const def of [fraudAlerts, everything]) {
      const { ir } = def.build();
      const text = toMermaid(ir);
      expect(text.startsWith("flowchart LR\n")).toBe(true);
      const ids = ir.nodes.map((_, i) => `n${i}`);
      ir.nodes.forEach((node, i) => {
        expect(text).toContain(`${ids[i]}["${describeNode(node).split("\n")[0]}`);
      });
      const at = (id: string) => ids[ir.nodes.findIndex((n) => n.id === id)];
      check(ir, text, (from, to) => text.includes(`${at(from)} --> ${at(to)}`));
      expect(text).not.toMatch(/\["[^"\]]*"[^\]]*"\]/);
    }
  });

  it("draws every node and edge in DOT, escaping quotes", () => {
    const { ir } = pipeline('quote"d', (p) => {
      p.source("s")
        .filter((x) => x !== '"')
        .sink("o");
    }).build();
    for (const built of [ir, everything.build().ir]) {
      const text = toDot(built);
      check(built, text, (from, to) => text.includes(`"${from}" -> "${to}";`));
      const labelLines = text.split("\n").filter((l) => l.includes("[label="));
      expect(labelLines).toHaveLength(built.nodes.length);
      for (const line of labelLines) expect(line).toMatch(/^ {2}"[^"]+" \[label="(?:[^"\\]|\\.)*"\];$/);
    }
    expect(toDot(ir).startsWith('digraph "quote\\"d" {')).toBe(true);
  });
});
