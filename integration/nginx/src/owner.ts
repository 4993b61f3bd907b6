// An owner process for the orphan test: starts nginx through the built package, prints
// `<master pid> <prefix>` and waits to be killed (kill -9 from the test).
import { startNginx } from '@rebind/nginx';

const web = await startNginx({ snippet: 'location / { return 200 "owned"; }' });
process.stdout.write(`${web.pid} ${web.prefix}\n`);
setInterval(() => undefined, 60_000);
