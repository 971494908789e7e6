// Types for scripts/code-server.mjs, so the TypeScript E2E test and UI benchmark can import it.
import type { ChildProcess } from 'node:child_process';

export declare const CODE_SERVER_VERSION: string;
export declare const repoRoot: string;
export declare const defaultInstallDir: string;
export declare function codeServerBin(installDir?: string): string;
export declare function ensureCodeServer(options?: { installDir?: string; log?: (line: string) => void }): Promise<string>;
export declare function freePort(): Promise<number>;
export declare function extensionId(): { id: string; folder: string; version: string; pkg: Record<string, unknown> };
export declare function installUnpacked(extensionsDir: string): string;
export interface CodeServer {
  url: string;
  port: number;
  pid: number | undefined;
  child: ChildProcess;
  stop(): void;
  userDataDir: string;
  extensionsDir: string;
  output(): string;
  base: string | undefined;
}
export declare function startCodeServer(options?: {
  bin?: string;
  folder?: string;
  userDataDir?: string;
  extensionsDir?: string;
  port?: number;
  log?: ((line: string) => void) | null;
  stdio?: 'pipe' | 'inherit';
}): Promise<CodeServer>;
