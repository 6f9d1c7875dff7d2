// Writes docs/events.md and docs/schema/events.schema.json from the event catalogue, and the configuration's schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { eventsJsonSchema, eventsMarkdown } from '../src/output/event-docs.ts';
import { configSchema } from '../src/cli/config/schema.ts';

mkdirSync('docs/schema', { recursive: true });
writeFileSync('docs/events.md', eventsMarkdown());
writeFileSync('docs/schema/events.schema.json', JSON.stringify(eventsJsonSchema(), null, 2) + '\n');
writeFileSync('docs/schema/config.schema.json', JSON.stringify(configSchema(), null, 2) + '\n');
console.log('wrote docs/events.md, docs/schema/events.schema.json and docs/schema/config.schema.json');
