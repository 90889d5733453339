/** Type declarations for the untyped entry points of bpmn-moddle and bpmnlint (only what we use). */

declare module 'bpmn-moddle' {
  export interface ParseWarning {
    message: string;
    element?: { id?: string; $type?: string };
    property?: string;
    value?: unknown;
    error?: Error;
  }
  export interface ParseResult {
    rootElement: unknown;
    warnings: ParseWarning[];
  }
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<ParseResult>;
  }
}

declare module 'bpmnlint' {
  export interface LintReport {
    id?: string;
    message: string;
    category: 'error' | 'warn' | 'info' | 'rule-error';
  }
  export interface LinterOptions {
    config?: unknown;
    resolver: {
      resolveRule(pkg: string, ruleName: string): unknown;
      resolveConfig(pkg: string, configName: string): unknown;
    };
  }
  export class Linter {
    constructor(options: LinterOptions);
    lint(root: unknown, config?: unknown): Promise<Record<string, LintReport[]>>;
  }
}

declare module 'bpmnlint/config/recommended' {
  const config: { rules: Record<string, string> };
  export = config;
}

declare module 'dmn-moddle' {
  export class DmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<import('bpmn-moddle').ParseResult>;
  }
}
