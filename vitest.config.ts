import { defineConfig } from "vitest/config";

// One vitest project per workspace package; `pnpm test` runs them all.
export default defineConfig({
  test: {
    projects: [
      "sdk",
      "codegen",
      "runtime/operators",
      "runtime/connectors",
      "runners/embedded",
      "runners/microbatch",
      "conformance",
      "cli",
      "examples",
      "bench",
    ].map((root) => ({
      extends: true as const,
      test: {
        name: root,
        root,
        include: ["test/**/*.test.ts", "*/test/**/*.test.ts"],
      },
    })),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
