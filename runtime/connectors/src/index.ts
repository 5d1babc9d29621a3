/**
 * @tributary/connectors: sources and sinks every runner uses, bound to a pipeline's logical
 * source and sink names by URIs (`--source transactions=file:data/tx.jsonl`, `--sink alerts=console:`).
 */
export {
  ARROW_START,
  ArrowPartitionReader,
  type ArrowPosition,
} from "./arrow/arrow-reader.ts";
export { type ArrowCommitToken, ArrowFileSink, readCommittedArrow } from "./arrow/arrow-sink.ts";
export { BindingError, checkBindings } from "./bindings.ts";
export type { LineTarget } from "./console/console-sink.ts";
export { ConsoleSink } from "./console/console-sink.ts";
export { formatCompactDuration, formatInstant, formatRecord } from "./console/format.ts";
export { ConnectorError } from "./errors.ts";
export { type CsvCaster, csvCaster } from "./file/csv-cast.ts";
export { type FileCommitToken, FileSink, readCommittedJsonl } from "./file/file-sink.ts";
export { FileSource } from "./file/file-source.ts";
export type { FileFormat, FilePartition } from "./file/paths.ts";
export type { FilePosition } from "./file/position.ts";
export { type GeneratorConfig, GeneratorSource } from "./generator/generator-source.ts";
export { GENERATORS, type Generator, type GeneratorContext } from "./generator/generators.ts";
export { type MemoryCommitToken, MemorySink } from "./memory/memory-sink.ts";
export { MemorySource } from "./memory/memory-source.ts";
export {
  clearMemory,
  collected,
  registerMemorySource,
  registerScriptedSource,
  type ScriptStep,
} from "./memory/store.ts";
export { createSink, createSource, SINK_SCHEMES, SOURCE_SCHEMES } from "./registry.ts";
export type { Sink, SinkOptions } from "./sink.ts";
export type {
  ColumnarField,
  ColumnarItems,
  PartitionReader,
  Source,
  SourceItem,
  SourceOptions,
} from "./source.ts";
export { type Binding, type ParsedUri, parseBinding, parseUri } from "./uri.ts";
