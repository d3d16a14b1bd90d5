import type { ReviewDocument } from './review-data.js';
import { reviewBlocks, type Block } from './review-blocks.js';

/** Table cells may not hold pipes or line breaks. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function renderBlock(b: Block, htmlName: string): string {
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
      return `Figure: ${b.figure.title} (plot in ${htmlName}#${b.figure.id}). ${b.figure.caption}`;
  }
}

/** The review as Markdown (v<N>.md): every table and the evaluation protocol; plots are referenced in the HTML page. */
export function renderMarkdown(doc: ReviewDocument): string {
  const htmlName = `v${doc.version}.html`;
  return `${reviewBlocks(doc).map((b) => renderBlock(b, htmlName)).join('\n\n')}\n`;
}
