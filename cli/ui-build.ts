import { ensureUiBuilt } from '../system/ui-build';

/** `npm run ui:build`: builds the web UI into ui/dist (npm start does this by itself when ui/ changed). */
ensureUiBuilt((line) => process.stdout.write(`${line}\n`), { force: true }).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
