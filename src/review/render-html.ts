import { renderSvg } from './plots/render-svg.js';
import type { ReviewDocument } from './review-data.js';
import { reviewBlocks, type Block } from './review-blocks.js';

export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .4rem 0 1.2rem; font-size: .85rem; display: block; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: .2rem .45rem; white-space: nowrap; } th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-size: .85rem; color: #555; padding-bottom: .3rem; white-space: normal; }
p.strong { font-weight: bold; background: #fff3cd; padding: .4rem .6rem; border-left: 4px solid #e0a800; }
p.note { font-size: .85rem; color: #555; }
figure { margin: 1rem 0 2rem; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: .85rem; color: #555; max-width: 900px; }
`;

/** Every figure of the review rendered to SVG, by figure id (once, for the HTML page and the Markdown's files). */
export async function renderFigures(doc: ReviewDocument): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const b of reviewBlocks(doc)) if (b.kind === 'figure') out.set(b.figure.id, await renderSvg(b.figure.spec));
  return out;
}

async function renderBlock(b: Block, figures?: ReadonlyMap<string, string>): Promise<string> {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}${b.id ? ` id="${escapeHtml(b.id)}"` : ''}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p${b.emphasis ? ` class="${b.emphasis}"` : ''}>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>\n${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const head = `<tr>${b.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const rows = b.rows.map((r) => `<tr>${r.map((c, j) => `<td${b.numeric?.[j] ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`);
      return `<table>${b.caption ? `<caption>${escapeHtml(b.caption)}</caption>` : ''}\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
    }
    case 'figure': {
      const svg = figures?.get(b.figure.id) ?? (await renderSvg(b.figure.spec));
      return `<figure id="${escapeHtml(b.figure.id)}" data-plot="${escapeHtml(b.figure.kind)}">\n${svg.trim()}\n<figcaption><strong>${escapeHtml(b.figure.title)}.</strong> ${escapeHtml(b.figure.caption)}</figcaption>\n</figure>`;
    }
  }
}

/**
 * The review as one self-contained HTML page (v<N>.html): the same blocks as the Markdown, with
 * every plot rendered to SVG in Node and inlined; no scripts, fonts or other external resources,
 * so it reads offline and in any browser.
 */
export async function renderHtml(doc: ReviewDocument, figures?: ReadonlyMap<string, string>): Promise<string> {
  const parts: string[] = [];
  for (const b of reviewBlocks(doc)) parts.push(await renderBlock(b, figures));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="expc-content-hash" content="${doc.contentHash}">`,
    `<title>${escapeHtml(`${doc.experiment} review v${doc.version}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...parts,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
