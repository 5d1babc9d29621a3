export { canonicalKey, KeyError } from "./canonical-key.ts";
export { DEFAULT_MAX_PARALLELISM, keyGroupOf, keyGroupRangeOf, taskOf } from "./key-groups.ts";
export { murmur3x86_32, murmur3x86_32OfString } from "./murmur3.ts";
