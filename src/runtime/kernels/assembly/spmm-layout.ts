// The propagation context (G_*, OP_*) lives in the one generated layout, with the others.
export * from './layout.generated';
