import { fixtures } from 'tods-competition-factory';

const DEFAULT_POLICY: string = JSON.stringify(fixtures.policies.POLICY_PRIVACY_DEFAULT);

/**
 * The engine's default participant privacy policy (names, nationality, ratings; no contacts,
 * addresses, birth dates). A fresh copy per call: the fixture is shared with every other engine
 * user, and nothing here may change it.
 */
export function publicPrivacyPolicy(): Record<string, unknown> {
  return JSON.parse(DEFAULT_POLICY) as Record<string, unknown>;
}
