import { defineError } from '@plexus/errors';

// Every error the load suite's dashboard raises, declared once with a stable code; tests match codes.

export const dashboardErrors = {
  assetNotFound: defineError<[string]>('PLX_LOADTEST_DASHBOARD_ASSET_NOT_FOUND', 404, "the dashboard has no asset '%s'"),
  chromiumMissing: defineError<[string]>(
    'PLX_LOADTEST_DASHBOARD_CHROMIUM_MISSING',
    500,
    "no Chromium at %s: install Debian's chromium package ('sudo apt-get install -y chromium')"
  )
} as const;
