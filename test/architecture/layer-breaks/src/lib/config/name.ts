// Allowed: core imports nothing above it.
export const environmentName = (name: string) => name.toLowerCase();
