/**
 * A block of generated source lines for the text renderers (gpu.js, GLSL): a right-hand side
 * bound once in a block is found again from the blocks nested in it, so identical expressions
 * (texel fetches, loads, index arithmetic) are computed once per block chain.
 */
export class SourceBlock {
  readonly lines: string[] = [];
  private readonly memo = new Map<string, string>();
  constructor(
    readonly indent: string,
    private readonly parent?: SourceBlock,
  ) {}
  lookup(rhs: string): string | undefined {
    return this.memo.get(rhs) ?? this.parent?.lookup(rhs);
  }
  remember(rhs: string, name: string): void {
    this.memo.set(rhs, name);
  }
}
