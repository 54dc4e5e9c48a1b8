// Placeholder until the CLI lands (issue 2).
export async function main(_argv: string[]): Promise<void> {
  await Promise.resolve();
  console.log('baton 0.1.0');
}
