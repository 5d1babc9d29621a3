import { PipelineDefinitionError } from "../errors.ts";
import type { UserFn } from "../ir/built.ts";
import type { CallSite, FnRef, IrNode, IrNodeKind, OnError } from "../ir/schema.ts";

const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/** The resolved pipeline options. */
export interface ResolvedOptions {
  readonly maxParallelism: number;
  readonly onError: OnError;
}

/**
 * The state of one build of a pipeline definition: the nodes created so far, the function
 * registry and the ids in use. Every stream holds the context it was created in. Internal.
 */
export class BuildContext {
  readonly nodes: IrNode[] = [];
  readonly fns = new Map<string, UserFn>();
  readonly options: ResolvedOptions;
  readonly pipelineName: string;
  private readonly ids = new Set<string>();
  private created = 0;
  private sealed = false;
  /** Id of the `deadLetters` node, once `p.deadLetters()` was called. */
  deadLettersId: string | null = null;

  constructor(pipelineName: string, options: ResolvedOptions) {
    this.pipelineName = pipelineName;
    this.options = options;
  }

  /** Fails when a stream of a finished build (or of another pipeline) is used. */
  checkOpen(what: string): void {
    if (this.sealed) {
      throw new PipelineDefinitionError(
        `${what}: this stream belongs to a pipeline build of "${this.pipelineName}" that has finished; ` +
          "create streams and call their methods only inside the pipeline's define function",
        { field: what, hint: "move this call into the function passed to pipeline(name, define)" },
      );
    }
  }

  seal(): void {
    this.sealed = true;
  }

  /**
   * The id for the next node: `userId` when given (checked), else `<kind>-<n>` with `n` the
   * node's creation order (1-based). Every call advances `n`, so generated ids stay stable.
   */
  allocateId(kind: IrNodeKind, userId: string | undefined, what: string): string {
    this.created += 1;
    const id = userId ?? `${kind}-${this.created}`;
    if (!ID_PATTERN.test(id)) {
      throw new PipelineDefinitionError(
        `${what}: id ${JSON.stringify(id)} is not allowed; use letters, digits and _ . : - only`,
        { field: `${what} id`, hint: "pick an id such as 'enrich-orders'" },
      );
    }
    if (this.ids.has(id)) {
      throw new PipelineDefinitionError(
        `${what}: node id ${JSON.stringify(id)} is already used in pipeline "${this.pipelineName}"; ` +
          "give each step a unique id",
        { field: `${what} id`, hint: "choose another id, or omit it to get a generated one" },
      );
    }
    this.ids.add(id);
    return id;
  }

  addNode(node: IrNode): void {
    this.nodes.push(node);
  }

  /** Registers a user function under `<nodeId>.<role>` and returns its reference. */
  register(nodeId: string, role: string, fn: UserFn, callSite: CallSite | null): FnRef {
    const id = `${nodeId}.${role}`;
    if (this.fns.has(id)) {
      throw new PipelineDefinitionError(`function id ${JSON.stringify(id)} is registered twice`, {
        field: id,
        hint: "use distinct aggregation field names",
      });
    }
    this.fns.set(id, fn);
    return { id, source: fn.toString(), callSite };
  }
}
