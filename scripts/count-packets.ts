/**
 * Hand-run throughput check (not a test): `node src/capture/count-packets.ts FILE...` reads each
 * capture with a do-nothing consumer and prints packets, bytes and records per second.
 * @module
 */
import { openCapture } from '../src/capture/open.ts';

for (const file of process.argv.slice(2)) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  const s = await openCapture(file).read((r) => {
    sink += r.caplen;
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = (s.packets / seconds / 1e6).toFixed(2);
  console.log(`${file}: ${s.format}${s.gzip ? '+gzip' : ''} ${s.packets} packets, ${sink} bytes in ${seconds.toFixed(3)} s = ${rate} M records/s${s.error ? ` (${s.error.message})` : ''}`);
}
