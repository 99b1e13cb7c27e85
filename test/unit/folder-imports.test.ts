import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The layers of `src/` as folders: surfaces → edge → core → crypto / store / security → domain.
 * This reads every `import … from`, `export … from` and `import(…)` of `src/**\/*.ts` and checks
 * the folder-level graph (a folder's subfolders count as the folder; the files directly in `src/`
 * are the wiring, one node) has no loop, directly or through other folders, and that the bottom
 * layers import nothing above them.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "src");
const WIRING = "(src)";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

/** The folder a path belongs to: `core` for `src/core/keys/keys.ts`, `gen` for `gen/…`, WIRING for `src/main.ts`. */
function folderOf(path: string): string {
  const fromSrc = relative(SRC, path).split(sep);
  if (fromSrc[0] !== "..") return fromSrc.length > 1 ? fromSrc[0]! : WIRING;
  return relative(ROOT, path).split(sep)[0]!;
}

/** folder → the folders its files import (other than itself). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const [, spec] of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
      if (!spec!.startsWith(".")) continue;
      const to = folderOf(resolve(dirname(file), spec!));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan), each as a sorted list. */
function loops(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("folder imports in src/", () => {
  const graph = folderGraph();

  it("reads the folders it should (the check cannot pass by reading nothing)", () => {
    for (const folder of ["api", "aws", "edge", "core", "crypto", "store", "security", "domain", WIRING]) {
      expect(graph.has(folder), folder).toBe(true);
    }
    expect(graph.get("core")).toContain("domain");
    expect(graph.get("api")).toContain("edge");
  });

  it("has no folder that imports a folder importing it back, directly or through others", () => {
    expect(loops(graph)).toEqual([]);
  });

  it("finds a loop when there is one", () => {
    const withLoop = new Map(graph);
    withLoop.set("domain", new Set([...(graph.get("domain") ?? []), "crypto"]));
    expect(loops(withLoop).some((c) => c.includes("domain") && c.includes("crypto"))).toBe(true);
  });

  it("keeps domain at the bottom: it imports nothing of ours", () => {
    expect([...(graph.get("domain") ?? [])]).toEqual([]);
  });

  it("keeps core, crypto, store and security free of the surfaces, the edge and gen/", () => {
    const above = ["api", "aws", "edge", "cli", "client", "gen", WIRING];
    for (const folder of ["core", "crypto", "store", "security"]) {
      expect(
        [...(graph.get(folder) ?? [])].filter((f) => above.includes(f)),
        folder,
      ).toEqual([]);
    }
  });
});
