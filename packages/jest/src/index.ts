// The whole public surface of @rebind/jest: explicit named exports only.
// The adapter itself lands with the "@rebind/vitest and @rebind/jest" issue; until then
// this package exposes only the name of the environment variable it will hand
// endpoints through.
export const ENDPOINTS_ENV = 'REBIND_ENDPOINTS';
