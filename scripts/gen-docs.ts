// Writes docs/events.md and docs/schema/events.schema.json from the event catalogue.
import { mkdirSync, writeFileSync } from 'node:fs';
import { eventsJsonSchema, eventsMarkdown } from '../src/output/event-docs.ts';

mkdirSync('docs/schema', { recursive: true });
writeFileSync('docs/events.md', eventsMarkdown());
writeFileSync('docs/schema/events.schema.json', JSON.stringify(eventsJsonSchema(), null, 2) + '\n');
console.log('wrote docs/events.md and docs/schema/events.schema.json');
