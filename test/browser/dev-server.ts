// Not a test: `npx tsx test/browser/dev-server.ts` serves the app on a random port with a
// temp database, for looking at the viewer by hand. Prints the URL; Ctrl-C stops it.
import { build } from '../helpers/build.js';

const server = await build();
const url = await server.app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(url);
