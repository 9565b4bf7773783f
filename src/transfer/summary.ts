import { textTable } from '../common/text-table';
import { ITEM_TYPES, LABELS, type ItemType } from './format';

/** Shown by name per type; past this only counted. */
const LISTED = 10;

/** What an import did, per type: written, skipped because the store had it, refused and why. */
export class ImportSummary {
  readonly imported = counts();
  readonly skipped = counts();
  readonly refused: { type: ItemType; reason: string }[] = [];
  readonly skippedKeys = lists();
  /** Things of the source deliberately not carried over (e.g. pending sign-in codes). */
  readonly notes: string[] = [];

  add(type: ItemType, count = 1): void {
    this.imported[type] += count;
  }

  skip(type: ItemType, key?: string, count = 1): void {
    this.skipped[type] += count;
    if (key !== undefined) this.skippedKeys[type].push(key);
  }

  refuse(type: ItemType, reason: string): void {
    this.refused.push({ type, reason });
  }

  /** A table of counts, then what was skipped and every refusal with its reason. Never a secret. */
  format(): string {
    const refusedOf = (type: ItemType) => this.refused.filter((refusal) => refusal.type === type).length;
    const rows = [
      ['', 'IMPORTED', 'SKIPPED', 'REFUSED'],
      ...ITEM_TYPES.map((type) => [
        LABELS[type],
        String(this.imported[type]),
        String(this.skipped[type]),
        String(refusedOf(type)),
      ]),
    ];
    const out = [textTable(rows)];
    for (const type of ITEM_TYPES) {
      const keys = this.skippedKeys[type];
      if (!keys.length) continue;
      const more = keys.length > LISTED ? ` and ${keys.length - LISTED} more` : '';
      out.push(`skipped ${LABELS[type]} (already in the store): ${keys.slice(0, LISTED).join(', ')}${more}`);
    }
    for (const refusal of this.refused) out.push(`refused ${refusal.type}: ${refusal.reason}`);
    out.push(...this.notes);
    return out.join('\n');
  }
}

function counts(): Record<ItemType, number> {
  return { provider: 0, user: 0, tournament: 0, log: 0, calendar: 0 };
}

function lists(): Record<ItemType, string[]> {
  return { provider: [], user: [], tournament: [], log: [], calendar: [] };
}
