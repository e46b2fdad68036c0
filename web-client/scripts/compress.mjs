// Writes, beside every text file of dist/, its brotli (.br) and gzip (.gz)
// copies, which the server sends to browsers that accept them (no
// compression work per request: a classroom's phones all load the page at
// once). Run by `npm run build` after Vite.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const TEXT = /\.(html|js|css|svg|json|txt|map)$/;

let raw = 0;
let brotli = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (TEXT.test(name)) {
      const body = readFileSync(path);
      const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
      const gz = gzipSync(body, { level: 9 });
      // A copy no smaller than the file is not worth a request's negotiation.
      if (br.length < body.length) writeFileSync(`${path}.br`, br);
      if (gz.length < body.length) writeFileSync(`${path}.gz`, gz);
      raw += body.length;
      brotli += Math.min(br.length, body.length);
    }
  }
};
walk(dist);
console.log(`compressed dist/: ${(raw / 1024).toFixed(0)} KiB of text, ${(brotli / 1024).toFixed(0)} KiB in brotli`);
