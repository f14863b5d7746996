/**
 * graphns, the command: runs app/graphns-main.ts on this process.
 */
import { main } from './graphns-main';

// no top-level await: the command is bundled as CommonJS (build/bundle.mjs)
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
