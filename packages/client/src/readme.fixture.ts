// Reads the code snippets out of the package README, for the tests that run them as written.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_DIR } from './typecheck.fixture.js';

const README = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');

/** The ```ts block right after `<!-- snippet: name -->`. */
export function snippet(name: string): string {
  const match = new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(README);
  if (!match) throw new Error(`README has no ${name} snippet`);
  return match[1]!;
}

/** The first two ```ts blocks (the protocol definition, then the backend and route table using it) as one module. */
export function protocolBlocks(): string {
  const blocks = [...README.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
  return `${blocks[0]}\n${blocks[1]}\nexport { add, table };\n`;
}
