/**
 * graphns, the command: runs app/graphns-main.ts on this process.
 */
import { main } from './graphns-main';

process.exitCode = await main(process.argv.slice(2));
