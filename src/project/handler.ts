/** The `Handler` property as Lambda's Node.js runtime reads it (the runtimes, build and preflight share it). */

/**
 * `src/app.handler` → `{ module: 'src/app', exportPath: 'handler' }`: the module is everything up to
 * the first dot after the last slash; `a.b.c` exports `b.c` of module `a`.
 */
export function splitHandler(handler: string): { module: string; exportPath: string } | undefined {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === handler.length - 1) return undefined;
  return { module: handler.slice(0, dot), exportPath: handler.slice(dot + 1) };
}
