#!/usr/bin/env node
// The `tributary` command. Registers tsx so that pipeline files written in TypeScript (and the
// workspace packages, which export their TypeScript sources) load directly.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
