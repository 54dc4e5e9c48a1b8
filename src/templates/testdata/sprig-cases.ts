export const sprigCases: ({ name: string; template: string; data?: unknown } & ({ expected: string } | { error: RegExp }))[] = [];
