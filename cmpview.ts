import { AnalysisSession } from './src/engine/session.ts';
import { createHash } from 'node:crypto';
const files = process.argv.slice(2);
for (const f of files) {
  const s = new AnalysisSession({ threads: Number(process.env.T ?? 2), minThreadBytes: 0, resolveEvidence: false });
  const r = await s.run([f]);
  const h = (x: unknown) => createHash('md5').update(JSON.stringify(x)).digest('hex').slice(0, 10);
  console.log(f.split('/').pop(), 'findings', r.findings.length, h(r.findings), 'devices', h(r.devices), 'cases', h(r.cases), 'assess', h(r.assessments));
}
