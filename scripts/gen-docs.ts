// Writes docs/events.md and docs/schema/events.schema.json from the event catalogue, the configuration's schema and the sensor message schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { eventsJsonSchema, eventsMarkdown } from '../src/output/event-docs.ts';
import { configSchema } from '../src/cli/config/schema.ts';
import { messageSchema } from '../src/fleet/message.ts';

mkdirSync('docs/schema', { recursive: true });
writeFileSync('docs/events.md', eventsMarkdown());
writeFileSync('docs/schema/events.schema.json', JSON.stringify(eventsJsonSchema(), null, 2) + '\n');
writeFileSync('docs/schema/config.schema.json', JSON.stringify(configSchema(), null, 2) + '\n');
writeFileSync('docs/schema/sensor-message.v1.schema.json', JSON.stringify(messageSchema, null, 2) + '\n');
console.log('wrote docs/events.md, docs/schema/events.schema.json, config.schema.json and sensor-message.v1.schema.json');
