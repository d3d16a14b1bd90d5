import type { Program } from './ast/nodes.js';
import { error, warning, type Diagnostic } from './diagnostics.js';
import type { CompilerHost } from './host.js';
import { parseSource } from './parse.js';
import { SourceFile, type Range } from './source.js';

/** All files of one experiment: the root and everything it imports, each parsed once. */
export interface LoadedProgram {
  root: string;
  sources: Map<string, SourceFile>;
  /** Parsed files in dependency order: every import before the file that imports it; the root last. */
  programs: Program[];
  diagnostics: Diagnostic[];
}

/**
 * Reads and parses the root file and, depth first, its imports. An import cycle is reported at
 * the import that closes it, with the whole chain; each file is parsed once however often it is
 * imported. Files that cannot be read become diagnostics, never exceptions.
 */
export function loadProgram(rootPath: string, host: CompilerHost): LoadedProgram {
  const sources = new Map<string, SourceFile>();
  const programs: Program[] = [];
  const diagnostics: Diagnostic[] = [];
  const done = new Set<string>();

  const visit = (path: string, stack: string[], importedAt: Range | undefined): void => {
    if (done.has(path)) return;
    const cycleStart = stack.indexOf(path);
    if (cycleStart >= 0) {
      const chain = [...stack.slice(cycleStart), path].join(' -> ');
      diagnostics.push(
        error('import-cycle', `import cycle: ${chain}`, importedAt, {
          expected: 'imports that form no cycle',
          found: chain,
          hint: 'move the shared declarations into a file that both import',
        }),
      );
      return;
    }
    const read = host.read(path);
    if (!read.ok) {
      const code = read.reason === 'not-found' ? (importedAt ? 'import-not-found' : 'file-not-found') : read.reason === 'too-large' ? 'file-too-large' : 'binary-file';
      const what = importedAt ? `cannot import '${path}'` : `cannot read '${path}'`;
      const expected = read.reason === 'binary' ? 'a UTF-8 text file' : read.reason === 'too-large' ? 'a file of at most 1 MiB' : 'an existing .exp file';
      // The root file's problem is located in the file itself; an import's at the import.
      const inFile: Range | undefined = read.at ? { file: path, start: read.at, end: read.at } : undefined;
      diagnostics.push(error(code, `${what}: ${read.detail}`, importedAt ?? inFile, { expected, found: read.detail }));
      return;
    }
    const source = new SourceFile(path, read.text);
    sources.set(path, source);
    const { program, diagnostics: parseDiagnostics } = parseSource(source);
    diagnostics.push(...parseDiagnostics);
    stack.push(path);
    for (const decl of program.declarations) {
      if (decl.kind !== 'ImportDecl') continue;
      const target = host.resolveImport(path, decl.path.value);
      visit(target, stack, decl.path.range);
    }
    stack.pop();
    if (stack.length > 0) {
      for (const decl of program.declarations)
        if (decl.kind === 'ExperimentDecl')
          diagnostics.push(
            warning('experiment-in-import', `'experiment ${decl.name.name}' in an imported file is ignored; the root file names the experiment`, decl.range),
          );
    }
    done.add(path);
    programs.push(program);
  };

  visit(rootPath, [], undefined);
  return { root: rootPath, sources, programs, diagnostics };
}
