import {
  computeEffectiveConfig,
  DEFAULT_SCORING_LAUNCH,
  SCORING_LAUNCH_APPS,
  type ProviderConfigCaps,
  type ProviderConfigData,
  type ProviderConfigSettings,
  type ScoringLaunchApp,
  type ScoringLaunchConfig,
} from '@courthive/provider-config';
import type { Provider } from '../storage/storage.types';

/**
 * The public slices of a provider's settings, read by viewers that know only a tournament id
 * (`GET /provider/by-tournament/:tournamentId/branding` and `.../scoring-launch`). An admin sets them
 * with `POST /provider/modify`, under `providerConfigCaps` (the shape CourtHive providers carry:
 * `{ branding, integrations: { scoringLaunch } }`) or as top-level `branding` / `integrations`.
 * Both are allow-lists: nothing else of a provider leaves the server on these routes.
 */

export type ScoringLaunch = ScoringLaunchConfig;

const SCORING_APPS = new Set<string>(SCORING_LAUNCH_APPS);
const BRANDING_TEXT = [
  'appName',
  'accentColor',
  'navbarLogoUrl',
  'navbarLogoAlt',
  'splashLogoUrl',
  'stylesheetUrl',
] as const;
const MAX_THEME_TOKENS = 200;

/** The provider's branding (logos, names, colours, theme tokens, stylesheet), or null when it has none. */
export function publicBranding(provider: Provider): Record<string, unknown> | null {
  const source = objectAt(provider, 'providerConfigCaps', 'branding') ?? objectAt(provider, 'branding');
  if (!source) return null;
  const branding: Record<string, unknown> = {};
  for (const field of BRANDING_TEXT) {
    if (typeof source[field] === 'string') branding[field] = source[field];
  }
  if (typeof source.navbarLogoHeight === 'number' && Number.isFinite(source.navbarLogoHeight)) {
    branding.navbarLogoHeight = source.navbarLogoHeight;
  }
  const tokens = objectAt(source, 'themeTokens');
  if (tokens) {
    const themeTokens = Object.fromEntries(
      Object.entries(tokens)
        .filter(([key, value]) => key.startsWith('--') && (typeof value === 'string' || typeof value === 'number'))
        .slice(0, MAX_THEME_TOKENS),
    );
    if (Object.keys(themeTokens).length) branding.themeTokens = themeTokens;
  }
  return Object.keys(branding).length ? branding : null;
}

/** Which scoring app a viewer's "Score this match" opens; the default when nothing valid is declared. */
export function scoringLaunch(provider: Provider | undefined): ScoringLaunch {
  const source =
    (provider && objectAt(provider, 'providerConfigCaps', 'integrations', 'scoringLaunch')) ??
    (provider && objectAt(provider, 'integrations', 'scoringLaunch'));
  if (!source || typeof source.app !== 'string' || !SCORING_APPS.has(source.app)) return { ...DEFAULT_SCORING_LAUNCH };
  const launch: ScoringLaunch = { app: source.app as ScoringLaunchApp };
  if (typeof source.urlTemplate === 'string') launch.urlTemplate = source.urlTemplate;
  return launch;
}

/**
 * The provider configuration TMX applies for a provider (`GET /provider/:id/effective-config`):
 * `@courthive/provider-config` merges what the provider may do (`providerConfigCaps`, or the
 * top-level `branding` / `integrations` / `permissions` / `policies` an admin set) with what its
 * admins chose (`providerConfigSettings`). Nothing set: the permissive defaults.
 */
export function effectiveConfig(provider: Provider): ProviderConfigData {
  const caps = (objectAt(provider, 'providerConfigCaps') ?? {
    branding: objectAt(provider, 'branding'),
    integrations: objectAt(provider, 'integrations'),
    permissions: objectAt(provider, 'permissions'),
    policies: objectAt(provider, 'policies'),
  }) as ProviderConfigCaps;
  const settings = (objectAt(provider, 'providerConfigSettings') ?? {}) as ProviderConfigSettings;
  return computeEffectiveConfig(caps, settings);
}

function objectAt(value: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current && typeof current === 'object' && !Array.isArray(current)
    ? (current as Record<string, unknown>)
    : undefined;
}
