import type { ReviewDocument } from './review-data.js';
import { reviewBlocks, type Block } from './review-blocks.js';

/** Table cells may not hold pipes or line breaks. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The SVG file of a figure, written beside v<N>.md: `v3-ml100k-curves.svg`. */
export function figureFile(version: number, figureId: string): string {
  return `v${version}-${figureId.replace(/[^A-Za-z0-9_.-]+/g, '-')}.svg`;
}

function renderBlock(b: Block, version: number): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${b.text}`;
    case 'paragraph':
      return b.emphasis === 'strong' ? `**${b.text}**` : b.emphasis === 'note' ? `_${b.text}_` : b.text;
    case 'list':
      return b.items.map((i) => `- ${i}`).join('\n');
    case 'table': {
      const lines: string[] = [];
      if (b.caption) lines.push(`_${b.caption}_`, '');
      lines.push(`| ${b.header.map(cell).join(' | ')} |`);
      lines.push(`|${b.header.map((_, j) => (b.numeric?.[j] ? ' ---: ' : ' --- ')).join('|')}|`);
      for (const r of b.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
      return lines.join('\n');
    }
    case 'figure':
      // An image beside the Markdown file, so GitHub (and any Markdown viewer) shows the plot.
      return `![${b.figure.title.replace(/[[\]]/g, '')}](${figureFile(version, b.figure.id)})\n\n**${b.figure.title}.** ${b.figure.caption}`;
  }
}

/**
 * The review as Markdown (v<N>.md): every table, the evaluation protocol, and every plot as an
 * image of its SVG file (`figureFile`), which the review command writes beside it.
 */
export function renderMarkdown(doc: ReviewDocument): string {
  return `${reviewBlocks(doc).map((b) => renderBlock(b, doc.version)).join('\n\n')}\n`;
}
