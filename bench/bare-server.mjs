// Reference for bench/resolve.ts: a bare fastify route returning a fixed JSON document, on the same
// fastify version the node uses. Prints its address as one JSON line.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const body = { id: '156.130100.42/LAMP-000017:F', status: 'active', version: 1 };
app.get('/v1/ids/*', async () => body);
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
