/** Writes docs/immunisation-schedule.md from the schedule's data (npm run docs:schedule). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UK_ROUTINE } from '../schedule';
import { rulesTableMarkdown } from '../schedule/rules-table';

const target = join(__dirname, '..', 'docs', 'immunisation-schedule.md');
writeFileSync(target, rulesTableMarkdown(UK_ROUTINE));
console.log(`wrote ${target}`);
