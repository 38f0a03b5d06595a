import { readFile } from 'node:fs/promises';
import { PartnerRegistrySchema, type Partner } from './partner.js';

/** Reads and validates a partner registry file (`{ "partners": [...] }`); errors name the file and every bad field. */
export async function readPartnerRegistryFile(path: string): Promise<Partner[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = PartnerRegistrySchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data.partners;
}
